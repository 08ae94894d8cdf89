// Client-side pacing for Graph's "Identity and access reports" limit: 5 requests per 10 s per app per tenant, a limit
// that also covers authenticationMethod resources (graph.md §4.1, concepts/throttling-limits.md). Calls wait for a
// free slot instead of provoking 429s. Time and sleeping are injected so tests and benchmarks run in virtual time.
import type { Clock } from '../clock.ts';

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export class SlidingWindowLimiter {
  readonly limit: number;
  readonly windowMs: number;
  /** Extra wait past the window so our slot is free on Graph's side too (its clock counts arrival, ours departure). */
  readonly marginMs: number;
  readonly #clock: Clock;
  readonly #sleep: Sleep;
  /** Start instants (ms) of the requests inside the current window, oldest first. */
  readonly #sent: number[] = [];
  /** Serialises waiters so slots are handed out in arrival order. */
  #queue: Promise<void> = Promise.resolve();
  /** Total time spent waiting, for benchmarks and logs. */
  waitedMs = 0;

  constructor(options: { limit: number; windowMs: number; clock: Clock; sleep: Sleep; marginMs?: number }) {
    if (options.limit < 1) throw new RangeError('limit must be at least 1');
    this.limit = options.limit;
    this.windowMs = options.windowMs;
    this.marginMs = options.marginMs ?? 250;
    this.#clock = options.clock;
    this.#sleep = options.sleep;
  }

  /** Waits until `units` more requests fit in the window, then records them. */
  acquire(units = 1): Promise<void> {
    if (units <= 0) return Promise.resolve();
    const run = this.#queue.then(() => this.#take(units));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * All units are recorded at the same instant, when they fit together: a $batch is one send, and Graph counts its
   * items on arrival. More units than the limit cannot ever fit, so they are clamped (callers chunk batches first).
   */
  async #take(requested: number): Promise<void> {
    const units = Math.min(requested, this.limit);
    for (;;) {
      const now = this.#clock.now().getTime();
      while (this.#sent.length && this.#sent[0]! <= now - this.windowMs - this.marginMs) this.#sent.shift();
      const excess = this.#sent.length + units - this.limit;
      if (excess <= 0) {
        for (let i = 0; i < units; i++) this.#sent.push(now);
        return;
      }
      // The `excess`-th oldest start must leave the window first.
      const wait = this.#sent[excess - 1]! + this.windowMs + this.marginMs - now + 1;
      this.waitedMs += wait;
      await this.#sleep(wait);
    }
  }
}
