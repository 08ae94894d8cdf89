// Typed errors for everything that can go wrong talking to Microsoft Graph. Each carries the Graph error code, the
// request-id (for Microsoft support cases, graph.md §6.4) and a message a person can act on. Messages are built from
// status codes, Graph error codes and ids only: never from request bodies, so a TAP can never reach one.
import { BreakglassError } from '../errors.ts';

export interface GraphErrorInfo {
  /** HTTP status from Graph (0 when no response arrived). */
  httpStatus: number;
  /** Graph's `error.code`, e.g. `Authorization_RequestDenied`; '' when none. */
  graphCode: string;
  /** `innerError["request-id"]` or the `request-id` header. */
  requestId?: string | undefined;
  /** `innerError["client-request-id"]` or the header we sent. */
  clientRequestId?: string | undefined;
  /** The operation, e.g. `GET /users/{id}/authentication/fido2Methods` (ids kept, query dropped). */
  operation: string;
  /** Graph's own message (already free of secrets: Graph never echoes request bodies). */
  graphMessage?: string | undefined;
}

/** Base class: any failed Graph call. `status` is what our API answers (502 for upstream failures by default). */
export class GraphError extends BreakglassError {
  readonly httpStatus: number;
  readonly graphCode: string;
  readonly requestId: string | undefined;
  readonly clientRequestId: string | undefined;
  readonly operation: string;

  constructor(code: string, message: string, info: GraphErrorInfo, options: { status?: number; cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(code, message, {
      status: options.status ?? 502,
      details: {
        graphStatus: info.httpStatus,
        graphCode: info.graphCode,
        ...(info.requestId ? { requestId: info.requestId } : {}),
        ...(info.clientRequestId ? { clientRequestId: info.clientRequestId } : {}),
        operation: info.operation,
        ...(options.details ?? {}),
      },
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.httpStatus = info.httpStatus;
    this.graphCode = info.graphCode;
    this.requestId = info.requestId;
    this.clientRequestId = info.clientRequestId;
    this.operation = info.operation;
  }
}

/** 400: Graph refused the request as malformed or out of range (nothing changed). */
export class GraphBadRequestError extends GraphError {
  constructor(message: string, info: GraphErrorInfo) {
    super('graph_bad_request', message, info, { status: 400 });
  }
}

/** 401/403 for missing consent, role or permission. */
export class GraphAuthorizationError extends GraphError {
  constructor(message: string, info: GraphErrorInfo) {
    super('graph_forbidden', message, info, { status: 403 });
  }
}

/** 403 `Authentication_RequestFromNonPremiumTenantOrB2CTenant`: sign-in logs / signInActivity need Entra ID P1/P2. */
export class GraphLicenseError extends GraphError {
  constructor(message: string, info: GraphErrorInfo) {
    super('graph_license_required', message, info, { status: 403 });
  }
}

export class GraphNotFoundError extends GraphError {
  constructor(message: string, info: GraphErrorInfo) {
    super('graph_not_found', message, info, { status: 404 });
  }
}

/** The TAP or FIDO2 policy refuses the operation (disabled, user not targeted, lifetime out of bounds, key not allowed …). */
export class GraphPolicyError extends GraphError {
  constructor(message: string, info: GraphErrorInfo) {
    super('graph_policy_refused', message, info, { status: 409 });
  }
}

/** 429 after our retries (or on a call we must not retry). `retryAfterMs` is Graph's Retry-After. */
export class GraphThrottledError extends GraphError {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, info: GraphErrorInfo, retryAfterMs: number | undefined) {
    super('graph_throttled', message, info, { status: 503, details: retryAfterMs === undefined ? {} : { retryAfterSeconds: Math.ceil(retryAfterMs / 1000) } });
    this.retryAfterMs = retryAfterMs;
  }
}

/** 5xx from Graph after our retries. */
export class GraphUnavailableError extends GraphError {
  constructor(message: string, info: GraphErrorInfo) {
    super('graph_unavailable', message, info, { status: 503 });
  }
}

/** No HTTP response: connection refused, reset or dropped, DNS, TLS. */
export class GraphNetworkError extends GraphError {
  constructor(message: string, info: GraphErrorInfo, cause?: unknown) {
    super('graph_network', message, info, { status: 503, cause });
  }
}

/** A response arrived but its body is not the JSON Graph documents. */
export class GraphMalformedResponseError extends GraphError {
  constructor(message: string, info: GraphErrorInfo, cause?: unknown) {
    super('graph_malformed_response', message, info, { status: 502, cause });
  }
}

/** The credential could not obtain a token (wrong secret, expired certificate, no managed identity …). */
export class GraphCredentialError extends GraphError {
  constructor(message: string, info: GraphErrorInfo, cause?: unknown) {
    super('graph_credential', message, info, { status: 503, cause });
  }
}

/**
 * A non-idempotent POST (TAP or passkey creation) may or may not have taken effect and we did not send it again.
 * `resolution` says what reading back found: `created` (with `methodId`), `not_created`, or `unknown` (read-back
 * failed too). For a TAP that was created, the pass text is lost: revoke `methodId` and issue a new one.
 */
export class GraphUnknownOutcomeError extends GraphError {
  readonly resolution: 'created' | 'not_created' | 'unknown';
  readonly methodId: string | undefined;
  constructor(message: string, info: GraphErrorInfo, resolution: 'created' | 'not_created' | 'unknown', methodId: string | undefined, cause?: unknown) {
    super('graph_unknown_outcome', message, info, { status: 502, cause, details: { resolution, ...(methodId ? { methodId } : {}) } });
    this.resolution = resolution;
    this.methodId = methodId;
  }
}

/** Which errors mean "the request was not processed": safe to send again later. */
export function isDefinitelyNotApplied(err: unknown): boolean {
  return err instanceof GraphBadRequestError || err instanceof GraphAuthorizationError || err instanceof GraphLicenseError
    || err instanceof GraphNotFoundError || err instanceof GraphPolicyError || err instanceof GraphThrottledError
    || err instanceof GraphCredentialError;
}
