// Shared set-up of the monitoring suites: one simulated tenant for a whole file, a fresh store per test, and a new day
// per test (time only moves forward: the Graph adapter's throttle pacing remembers earlier calls).
import type { SignInEvent } from '../../../server/simulator/sign-in-writer.ts';
import { createBackend, type Backend } from '../../helpers/backends.ts';
import { DEMO, type Harness } from '../../fixtures/graph/sim-harness.ts';
import { openDrillRuntime, seedAccount, TEST_WEBHOOK_SECRET, type DrillRuntime, type SeededAccount } from '../drills/drill-harness.ts';

export const MIN = 60_000;
/** A successful device-bound passkey sign-in, as Entra reports it. */
export const KEY: SignInEvent['steps'] = [{ method: 'Passkey (device-bound)', succeeded: true, resultDetail: 'Passkey verified' }];

export interface MonitorTestbed {
  b: Backend;
  rt: DrillRuntime;
  bg01: SeededAccount;
  bg02: SeededAccount;
  /** 09:00 UTC of the test's day; the clock is set to it. */
  t0: number;
  close(): Promise<void>;
}

/** Empties the shared tenant's logs and faults, moves to a new day, opens a store and designates the demo accounts. */
export async function openMonitorTestbed(h: Harness, backend: 'sqlite' | 'postgres'): Promise<MonitorTestbed> {
  h.sim.state.signIns.length = 0;
  h.sim.state.directoryAudits.length = 0;
  h.sim.faults.clear();
  h.sim.state.requestLog.length = 0;
  h.sent.length = 0;
  (h.sim.state.tenant as { license: string }).license = 'P2';
  const t0 = Math.ceil((h.clock.now().getTime() + 1) / 86_400_000) * 86_400_000 + 9 * 60 * MIN;
  h.clock.set(t0);
  const b = await createBackend(backend);
  const rt = await openDrillRuntime(b, { clock: h.clock, env: { BREAKGLASS_ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/hook', BREAKGLASS_ALERT_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET }, directory: h.dir });
  const bg01 = await seedAccount(rt, DEMO.bg01Upn, DEMO.bg01);
  const bg02 = await seedAccount(rt, DEMO.bg02Upn, DEMO.bg02);
  return {
    b, rt, bg01, bg02, t0,
    close: async () => {
      await rt.close();
      await b.dispose();
    },
  };
}
