// Watching a guided enrollment from the CLI: polls the service's watch() (which asks Graph whether the pre-checked
// key has appeared, and cleans up an expired TAP) until the request finishes. Graph faults while watching are
// reported and retried; Ctrl-C stops watching without changing anything — `breakglass enroll resume` continues.
import type { CommandContext } from './command.ts';
import { writeLine } from './command.ts';
import type { EnrollmentService, WatchResult } from '../enrollment/enrollment-service.ts';
import { BreakglassError } from '../errors.ts';

export interface WatchOptions {
  pollMs: number;
  sleep(ms: number): Promise<void>;
  /** Give up (still waiting) after this many Graph failures in a row. */
  maxFailures?: number;
}

export type WatchEnd = WatchResult | { outcome: 'interrupted' | 'unreachable' };

const TRANSIENT = new Set(['graph_throttled', 'graph_unavailable', 'graph_network', 'graph_malformed_response']);

export async function watchUntilDone(ctx: CommandContext, service: EnrollmentService, id: string, opts: WatchOptions): Promise<WatchEnd> {
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.once('SIGINT', onSigint);
  let failures = 0;
  let lastReason = '';
  try {
    for (;;) {
      if (interrupted) return { outcome: 'interrupted' };
      let w: WatchResult;
      try {
        w = await service.watch({ id });
        failures = 0;
      } catch (err) {
        const code = err instanceof BreakglassError ? err.code : 'error';
        if (!TRANSIENT.has(code)) throw err;
        failures += 1;
        writeLine(ctx.io.stderr, `Graph did not answer (${code}); trying again in ${Math.round(opts.pollMs / 1000)} s`);
        if (failures >= (opts.maxFailures ?? 20)) return { outcome: 'unreachable' };
        await opts.sleep(opts.pollMs);
        continue;
      }
      if (w.outcome !== 'waiting') return w;
      const reason = w.tap?.reason ?? '';
      if (reason !== lastReason) {
        writeLine(ctx.io.stderr, reason === 'OneTimeUsed' ? 'The pass was used to sign in; waiting for the key to be registered…' : 'Waiting for the key to appear in Entra…');
        lastReason = reason;
      }
      await opts.sleep(opts.pollMs);
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
}
