// Middleware that makes each attempt of a reports-bucket request (sign-ins, audits, authentication methods) wait for
// a slot in the tenant's SlidingWindowLimiter, so breakglass stays under Graph's 5-per-10-s limit instead of
// collecting 429s. Sits after the retry handler so every retry is counted too.
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { policyOf } from './graph-retry-handler.ts';
import type { SlidingWindowLimiter } from './sliding-window-limiter.ts';

export class ThrottleHandler implements Middleware {
  #next: Middleware | undefined;
  readonly #limiter: SlidingWindowLimiter;

  constructor(limiter: SlidingWindowLimiter) {
    this.#limiter = limiter;
  }

  setNext(next: Middleware): void {
    this.#next = next;
  }

  async execute(context: Context): Promise<void> {
    if (!this.#next) throw new Error('ThrottleHandler has no next middleware');
    const units = policyOf(context)?.throttleUnits ?? 0;
    if (units > 0) await this.#limiter.acquire(units);
    await this.#next.execute(context);
  }
}
