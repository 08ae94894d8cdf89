// The service's background workers for drills, monitoring and alerts, started and stopped with the service
// (server/main.ts):
//   - the drill tick (every `drills.tickSeconds`, and at start): claims due notices (drill-tick.ts);
//   - the sign-in monitor (every `monitoring.pollIntervalSeconds`, faster while a drill waits for its sign-in, slower
//     without a licence): sign-ins and method changes of the emergency accounts (sign-in-monitor.ts);
//   - the notifier: delivers the alert outbox, woken at once when an alert is raised (notifier.ts).
// Each only decides when to look at the rows again; the rows are the truth, so a restart loses nothing.
import type { AuditLog } from '../audit/audit-log.ts';
import type { Runtime } from '../runtime.ts';
import { SignInMonitor } from '../monitoring/sign-in-monitor.ts';
import { Notifier } from '../notify/notifier.ts';
import { applyOperationalSettings } from './apply-settings.ts';
import { nextNoticeDueAt, runDrillTick } from './drill-tick.ts';
import { PeriodicWorker, type WorkerLogger } from './periodic-worker.ts';

export interface OperationsWorkers {
  tick: PeriodicWorker;
  monitor: PeriodicWorker | undefined;
  notifier: PeriodicWorker;
  stop(): Promise<void>;
}

function wakeOn(audit: AuditLog, actions: string[], worker: PeriodicWorker): () => void {
  const needles = actions.map((a) => `"action":"${a}"`);
  return audit.onAppend((entries) => {
    if (entries.some((e) => needles.some((n) => e.record.includes(n)))) worker.wake();
  });
}

export async function startOperationsWorkers(runtime: Runtime, logger?: WorkerLogger & { info?(obj: object, msg: string): void }): Promise<OperationsWorkers> {
  const { config, audit, clock } = runtime;
  await applyOperationalSettings({ audit, config });
  const delayUntil = (at: Date | undefined, max: number) => (at ? Math.max(0, Math.min(max, at.getTime() - clock.now().getTime())) : max);

  const tickMs = config.drills.schedule.tickSeconds * 1000;
  const tick = new PeriodicWorker({
    name: 'drill tick',
    maxDelayMs: tickMs,
    run: async () => {
      const r = await runDrillTick({ audit, clock });
      if (r.sent.length) logger?.info?.({ sent: r.sent.map((s) => `${s.kind}:${s.accountId}`), collapsed: r.collapsed.length }, 'drill notices sent');
      return delayUntil(await nextNoticeDueAt(audit), tickMs);
    },
    ...(logger ? { logger } : {}),
  });

  const notifierImpl = new Notifier({ audit, clock, config, directory: runtime.directory });
  const notifier = new PeriodicWorker({
    name: 'notifier',
    maxDelayMs: 60_000,
    minDelayMs: 250,
    run: async () => {
      const results = await notifierImpl.runOnce();
      for (const r of results.filter((x) => x.outcome !== 'delivered')) {
        logger?.warn({ channel: r.channel, alertId: r.alertId, attempt: r.attempt, status: r.status, outcome: r.outcome }, r.outcome === 'dead' ? 'alert delivery gave up (dead letter)' : 'alert delivery failed; will retry');
      }
      return delayUntil(await notifierImpl.nextDueAt(), 60_000);
    },
    ...(logger ? { logger } : {}),
  });

  let monitor: PeriodicWorker | undefined;
  const directory = runtime.directory;
  if (directory && config.drills.monitoring.enabled) {
    const impl = new SignInMonitor({ audit, clock, directory, settings: config.drills });
    monitor = new PeriodicWorker({
      name: 'sign-in monitor',
      maxDelayMs: Math.max(config.drills.monitoring.pollIntervalSeconds * 1000, 3_600_000),
      minDelayMs: 5_000,
      run: async () => {
        const r = await impl.pollOnce();
        for (const s of r.streams.filter((x) => !x.ok)) logger?.warn({ stream: s.stream, state: s.state, code: s.error?.code }, `monitoring poll failed: ${s.error?.message ?? ''}`);
        return impl.nextDelayMs();
      },
      ...(logger ? { logger } : {}),
    });
  }

  const unsubscribe = [
    wakeOn(audit, ['alert.raised'], notifier),
    ...(monitor ? [wakeOn(audit, ['drill.opened', 'account.designated'], monitor)] : []),
    wakeOn(audit, ['drill.clock_restarted'], tick),
  ];
  tick.start();
  notifier.start();
  monitor?.start();
  return {
    tick,
    monitor,
    notifier,
    async stop() {
      for (const u of unsubscribe) u();
      await Promise.all([tick.stop(), notifier.stop(), monitor?.stop()]);
    },
  };
}
