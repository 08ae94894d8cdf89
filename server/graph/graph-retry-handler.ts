// Our retry middleware for graph-client (used instead of its RetryHandler, which retries POST bodies and sleeps on
// a hidden timer: graph.md §7.5). Retries 429, 503 and 504 honouring Retry-After (seconds or HTTP-date), with
// capped exponential backoff otherwise, and retries dropped connections, but only for requests whose RequestPolicy
// says `retry`: TAP and passkey creation are sent once, whatever happens. Sleeping is injected for fast tests.
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { retryAfterMs } from './graph-error-mapper.ts';
import { RequestPolicy } from './request-policy.ts';
import type { Sleep } from './sliding-window-limiter.ts';

export interface RetryOptions {
  /** Retries after the first attempt (0..10). */
  maxRetries: number;
  /** First backoff step when Graph gives no Retry-After. */
  baseDelayMs: number;
  /** Cap for any single wait; a Retry-After above it is not waited for (the caller gets a throttled error). */
  maxDelayMs: number;
  sleep: Sleep;
  /** Observer for logs and benchmarks; never receives bodies. */
  onRetry?: (event: { attempt: number; status: number | 'network'; delayMs: number; url: string }) => void;
}

const RETRY_STATUS = new Set([429, 503, 504]);

export function policyOf(context: Context): RequestPolicy | undefined {
  // Duck-typed: graph-client's CommonJS build creates MiddlewareControl, so `instanceof` against another copy fails.
  const control = context.middlewareControl as { getMiddlewareOptions?: (fn: unknown) => unknown } | undefined;
  const found = control?.getMiddlewareOptions?.(RequestPolicy);
  return found instanceof RequestPolicy ? found : undefined;
}

function urlOf(context: Context): string {
  return typeof context.request === 'string' ? context.request : context.request.url;
}

function stripQuery(url: string): string {
  const i = url.indexOf('?');
  return i < 0 ? url : url.slice(0, i);
}

export class GraphRetryHandler implements Middleware {
  #next: Middleware | undefined;
  readonly #options: RetryOptions;

  constructor(options: RetryOptions) {
    this.#options = options;
  }

  setNext(next: Middleware): void {
    this.#next = next;
  }

  async execute(context: Context): Promise<void> {
    if (!this.#next) throw new Error('GraphRetryHandler has no next middleware');
    const policy = policyOf(context);
    const method = (context.options?.method ?? 'GET').toUpperCase();
    const mayRetry = policy ? policy.retry : method === 'GET';
    for (let attempt = 0; ; attempt++) {
      context.response = undefined;
      if (attempt > 0) setHeader(context, 'Retry-Attempt', String(attempt));
      if (policy) policy.attempts++;
      try {
        await this.#next.execute(context);
      } catch (err) {
        if (policy?.failure?.kind === 'credential') throw err;
        if (policy) policy.failure = { kind: 'transport', error: err };
        if (!mayRetry || attempt >= this.#options.maxRetries) throw err;
        const delay = this.#backoff(attempt);
        this.#options.onRetry?.({ attempt: attempt + 1, status: 'network', delayMs: delay, url: stripQuery(urlOf(context)) });
        await this.#options.sleep(delay);
        if (policy) policy.failure = undefined;
        continue;
      }
      const response = context.response as Response | undefined;
      if (!response || !mayRetry || !RETRY_STATUS.has(response.status) || attempt >= this.#options.maxRetries) return;
      const advised = retryAfterMs(response.headers);
      const delay = advised ?? this.#backoff(attempt);
      if (delay > this.#options.maxDelayMs) return;
      await response.body?.cancel().catch(() => undefined);
      this.#options.onRetry?.({ attempt: attempt + 1, status: response.status, delayMs: delay, url: stripQuery(urlOf(context)) });
      await this.#options.sleep(delay);
    }
  }

  /** Exponential from the base step, capped, with a little jitter so parallel clients do not align. */
  #backoff(attempt: number): number {
    const raw = this.#options.baseDelayMs * 2 ** attempt;
    const jitter = Math.floor(Math.random() * Math.max(1, this.#options.baseDelayMs / 2));
    return Math.min(this.#options.maxDelayMs, raw + jitter);
  }
}

function setHeader(context: Context, name: string, value: string): void {
  const options = context.options ?? (context.options = {});
  const headers = options.headers;
  if (headers instanceof Headers) headers.set(name, value);
  else if (Array.isArray(headers)) headers.push([name, value]);
  else options.headers = { ...(headers ?? {}), [name]: value };
}
