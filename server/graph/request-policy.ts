// Per-request instructions for our graph-client middlewares, passed with `.middlewareOptions([policy])`. It says
// whether the request may be retried (never for TAP or passkey creation: graph.md §0.9), which throttle bucket it
// counts against, and it carries back what went wrong below graph-client (credential or transport failure), because
// graph-client flattens thrown errors into its own GraphError and loses the cause.
import type { MiddlewareOptions } from '@microsoft/microsoft-graph-client';

export type ThrottleBucket = 'reports' | 'none';

export class RequestPolicy implements MiddlewareOptions {
  /** May be sent again on 429/503/504 or a dropped connection. */
  readonly retry: boolean;
  /** How many requests this call counts for in its throttle bucket (a $batch counts its bucketed items). */
  readonly throttleUnits: number;
  /** Set by the middlewares when the failure happened before or instead of an HTTP response. */
  failure: { kind: 'credential' | 'transport'; error: unknown } | undefined;
  /** Number of attempts sent on the wire. */
  attempts = 0;

  constructor(options: { retry: boolean; throttleUnits?: number }) {
    this.retry = options.retry;
    this.throttleUnits = options.throttleUnits ?? 0;
    this.failure = undefined;
  }
}
