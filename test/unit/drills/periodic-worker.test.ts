// The background workers' loop: runs at start, then after the delay each run asks for; a wake-up brings the next run
// forward but never postpones it (a stream of events must not starve the worker); runs never overlap; a failing run
// is retried on schedule; stop() waits for the run in progress. Timers are faked, so nothing here waits.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeriodicWorker } from '../../../server/drills/periodic-worker.ts';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('PeriodicWorker', () => {
  it('runs at start and then after the delay the run asks for', async () => {
    const at: number[] = [];
    const w = new PeriodicWorker({ name: 't', maxDelayMs: 60_000, run: async () => { at.push(Date.now()); return 10_000; } });
    const t0 = Date.now();
    w.start();
    await vi.advanceTimersByTimeAsync(25_000);
    expect(at.map((t) => t - t0)).toEqual([0, 10_000, 20_000]);
    await w.stop();
  });

  it('a wake-up brings the next run forward, and a stream of wake-ups does not postpone it', async () => {
    let runs = 0;
    const w = new PeriodicWorker({ name: 't', maxDelayMs: 60_000, minDelayMs: 5_000, run: async () => { runs += 1; return 60_000; } });
    w.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(1);
    // An event every second for ten seconds: the run still comes 5 s after the first one.
    for (let i = 0; i < 10; i++) {
      w.wake();
      await vi.advanceTimersByTimeAsync(1_000);
      if (i === 4) expect(runs).toBe(2);
    }
    expect(runs).toBe(3);
    await w.stop();
  });

  it('never overlaps runs: a wake-up during a run asks for one more run after it', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const w = new PeriodicWorker({
      name: 't', maxDelayMs: 60_000, minDelayMs: 100,
      run: async () => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        runs += 1;
        await new Promise((r) => setTimeout(r, 1_000));
        active -= 1;
        return 60_000;
      },
    });
    w.start();
    await vi.advanceTimersByTimeAsync(10);
    w.wake();
    w.wake();
    await vi.advanceTimersByTimeAsync(3_000);
    expect([runs, maxActive]).toEqual([2, 1]);
    await w.stop();
  });

  it('logs a failing run and tries again on schedule; stop() waits for the run in progress', async () => {
    const errors: string[] = [];
    let calls = 0;
    let finished = false;
    const w = new PeriodicWorker({
      name: 'flaky', maxDelayMs: 30_000,
      logger: { warn: () => undefined, error: (_o, m) => errors.push(m) },
      run: async () => {
        calls += 1;
        if (calls === 1) throw new Error('graph down');
        await new Promise((r) => setTimeout(r, 500));
        finished = true;
        return undefined;
      },
    });
    w.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toEqual(['flaky run failed; it will be retried']);
    expect(w.lastError).toBe('graph down');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(calls).toBe(2);
    const stopping = w.stop();
    await vi.advanceTimersByTimeAsync(500);
    await stopping;
    expect(finished).toBe(true);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(calls).toBe(2);
  });
});
