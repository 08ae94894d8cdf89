// The reports pacer: never more than `limit` starts in any window, waits exactly as long as needed, serves callers in
// order. Virtual time (ManualClock advanced by the injected sleep), so nothing here waits for real.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/clock.ts';
import { SlidingWindowLimiter } from '../../../server/graph/sliding-window-limiter.ts';

function limiter(limit = 5, windowMs = 10_000, marginMs = 0) {
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  const starts: number[] = [];
  const l = new SlidingWindowLimiter({ limit, windowMs, marginMs, clock, sleep: async (ms) => clock.advance(ms) });
  const take = async (units = 1) => {
    await l.acquire(units);
    for (let i = 0; i < units; i++) starts.push(clock.now().getTime());
  };
  return { l, clock, starts, take };
}

describe('SlidingWindowLimiter', () => {
  it('lets 5 through at once and makes the 6th wait until the first leaves the window', async () => {
    const { take, starts, l } = limiter();
    for (let i = 0; i < 6; i++) await take();
    expect(starts.slice(0, 5).every((t) => t === starts[0])).toBe(true);
    expect(starts[5]! - starts[0]!).toBe(10_001);
    expect(l.waitedMs).toBe(10_001);
  });
  it('admits a multi-unit acquisition (a $batch of bucketed items) only when all its units fit together', async () => {
    const { take, starts } = limiter(5);
    await take(3);
    await take(3);
    expect(starts.slice(3).every((t) => t === starts[3])).toBe(true);
    expect(starts[3]! - starts[0]!).toBe(10_001);
  });
  it('clamps an acquisition larger than the limit (callers chunk batches to the limit)', async () => {
    const { l } = limiter(5);
    await l.acquire(9);
    expect(l.waitedMs).toBe(0);
  });
  it('keeps every window at or under the limit for any arrival pattern (property)', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 4000 }), fc.integer({ min: 1, max: 5 })), { minLength: 1, maxLength: 40 }), async (plan) => {
      const { take, starts, clock } = limiter(5, 10_000, 0);
      for (const [gap, units] of plan) {
        clock.advance(gap);
        await take(units);
      }
      for (let i = 0; i < starts.length; i++) {
        const inWindow = starts.filter((t) => t > starts[i]! - 10_000 && t <= starts[i]!).length;
        expect(inWindow).toBeLessThanOrEqual(5);
      }
    }), { numRuns: 60 });
  });
  it('rejects a limit below one', () => {
    expect(() => new SlidingWindowLimiter({ limit: 0, windowMs: 1, clock: new ManualClock(), sleep: async () => undefined })).toThrow(RangeError);
  });
});
