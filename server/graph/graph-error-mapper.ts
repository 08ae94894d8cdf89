// Turns a failed Graph response (status, body, headers) into one of the typed errors in graph-errors.ts, with a
// message that says what to do. Graph's error body is `{"error":{"code","message","innerError":{"request-id",
// "client-request-id","date"}}}` (graph.md §6.4). The request body is never consulted, so no secret can leak here.
import {
  GraphAuthorizationError,
  GraphBadRequestError,
  GraphError,
  type GraphErrorInfo,
  GraphLicenseError,
  GraphNotFoundError,
  GraphPolicyError,
  GraphThrottledError,
  GraphUnavailableError,
} from './graph-errors.ts';

export interface FailedResponse {
  status: number;
  /** Raw body text (may be empty or not JSON). */
  bodyText: string;
  headers: Headers;
  /** e.g. `GET /users/{id}/authentication/fido2Methods`. */
  operation: string;
  /** The least application permission for this call, for the 403 hint. */
  permission?: string | undefined;
  clientRequestId?: string | undefined;
}

interface GraphErrorBody {
  code?: unknown;
  message?: unknown;
  innerError?: { 'request-id'?: unknown; 'client-request-id'?: unknown; date?: unknown } | null;
}

/** Parses Graph's error envelope; tolerant of the lower-case `innererror` some workloads send. */
export function parseGraphErrorBody(bodyText: string): { code: string; message: string; requestId?: string; clientRequestId?: string } | undefined {
  if (!bodyText) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const err = (parsed as { error?: GraphErrorBody }).error;
  if (!err || typeof err !== 'object') return undefined;
  const inner = (err.innerError ?? (err as { innererror?: GraphErrorBody['innerError'] }).innererror) ?? undefined;
  const out: { code: string; message: string; requestId?: string; clientRequestId?: string } = {
    code: typeof err.code === 'string' ? err.code : '',
    message: typeof err.message === 'string' ? err.message : '',
  };
  if (inner && typeof inner['request-id'] === 'string') out.requestId = inner['request-id'];
  if (inner && typeof inner['client-request-id'] === 'string') out.clientRequestId = inner['client-request-id'];
  return out;
}

/** Retry-After in milliseconds: delta-seconds or an HTTP-date (RFC 9110 §10.2.3); undefined when absent or invalid. */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const raw = headers.get('retry-after');
  if (raw === null || raw.trim() === '') return undefined;
  const s = raw.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const at = Date.parse(s);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Graph messages are safe to show but can be long; keep the first sentence-ish part. */
function trimMessage(message: string): string {
  const one = message.replace(/\s+/g, ' ').trim();
  return one.length > 300 ? `${one.slice(0, 297)}...` : one;
}

function suffix(info: GraphErrorInfo): string {
  const parts = [`Graph ${info.httpStatus}${info.graphCode ? ` ${info.graphCode}` : ''}`];
  if (info.requestId) parts.push(`request-id ${info.requestId}`);
  return ` (${parts.join(', ')}; ${info.operation})`;
}

/** Maps one failed response to a typed error. */
export function mapGraphFailure(failed: FailedResponse): GraphError {
  const parsed = parseGraphErrorBody(failed.bodyText);
  const info: GraphErrorInfo = {
    httpStatus: failed.status,
    graphCode: parsed?.code ?? '',
    requestId: parsed?.requestId ?? failed.headers.get('request-id') ?? undefined,
    clientRequestId: parsed?.clientRequestId ?? failed.clientRequestId,
    operation: failed.operation,
    graphMessage: parsed?.message ? trimMessage(parsed.message) : undefined,
  };
  const code = info.graphCode;
  const graphMessage = info.graphMessage ?? '';
  const s = suffix(info);

  if (failed.status === 429) {
    const wait = retryAfterMs(failed.headers);
    const when = wait === undefined ? 'later' : `in ${Math.max(1, Math.ceil(wait / 1000))} s`;
    return new GraphThrottledError(`Microsoft Graph is throttling this app; try again ${when}${s}`, info, wait);
  }
  if (failed.status >= 500) {
    return new GraphUnavailableError(`Microsoft Graph failed or is unavailable (${graphMessage || 'no details'}); try again later${s}`, info);
  }
  if (code === 'Authentication_RequestFromNonPremiumTenantOrB2CTenant') {
    return new GraphLicenseError(
      `This tenant has no Microsoft Entra ID P1 or P2 licence, which Graph requires for sign-in logs and signInActivity; `
      + `assign P1/P2 (or verify drills another way)${s}`,
      info,
    );
  }
  if (/UserCredentialPolicy does not allow/i.test(graphMessage)) {
    return new GraphPolicyError(
      `The Temporary Access Pass policy refuses this: it is disabled or does not target this user; check the TAP policy's state and include/exclude targets${s}`,
      info,
    );
  }
  if (/LifetimeInMinutes/i.test(graphMessage)) {
    return new GraphPolicyError(`The requested TAP lifetime is outside the tenant policy: ${graphMessage}${s}`, info);
  }
  if (/cannot be added to an external guest user/i.test(graphMessage)) {
    return new GraphPolicyError(`A Temporary Access Pass cannot be issued to a guest user${s}`, info);
  }
  if (failed.status === 401) {
    return new GraphAuthorizationError(
      `Graph rejected the access token (${graphMessage || 'invalid or expired token'}); check the tenant id, client id and credential${s}`,
      info,
    );
  }
  if (failed.status === 403) {
    const need = failed.permission ? `; the app needs ${failed.permission} (admin consent) and, for delegated use, a suitable Entra role` : '';
    return new GraphAuthorizationError(`Graph denied access (${graphMessage || 'insufficient privileges'})${need}${s}`, info);
  }
  if (failed.status === 404) {
    return new GraphNotFoundError(`Not found in the directory (${graphMessage || 'no such object'})${s}`, info);
  }
  if (failed.status === 409) {
    return new GraphPolicyError(`Graph reports a conflict: ${graphMessage || 'the object changed'}${s}`, info);
  }
  if (failed.status === 400 || failed.status === 405 || failed.status === 422) {
    return new GraphBadRequestError(`Graph refused the request: ${graphMessage || 'bad request'}${s}`, info);
  }
  return new GraphError('graph_error', `Graph call failed: ${graphMessage || `HTTP ${failed.status}`}${s}`, info);
}
