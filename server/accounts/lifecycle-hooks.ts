// The two calls this area makes into other areas' contracts, inside its own change() transactions:
//   - the drill clock (server/drills/drill-clock.ts): the first drill after a key is enrolled, and a fresh one after a
//     key is replaced or a custodian leaves (Microsoft: validate after staff changes);
//   - alerts (server/notify/alerts.ts): a TAP that expired unused, a key registered that was not the pre-checked
//     one, drift found by reconcile.
// Services take them as a dependency so tests can observe the calls; `defaultLifecycleHooks` wires the real ones.
import { restartDrillClock } from '../drills/drill-clock.ts';
import { raiseAlert } from '../notify/alerts.ts';

export type { RestartDrillClockInput } from '../drills/drill-clock.ts';
export type { AlertInput as RaiseAlertInput } from '../notify/alerts.ts';

export interface LifecycleHooks {
  restartDrillClock: typeof restartDrillClock;
  raiseAlert: typeof raiseAlert;
}

export const defaultLifecycleHooks: LifecycleHooks = { restartDrillClock, raiseAlert };
