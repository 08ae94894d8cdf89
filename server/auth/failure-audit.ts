// The audit event for a failed sign-in ceremony (or another audited auth failure), built the same way wherever the
// ceremony runs: over HTTP the auth plugin's error hook records it for routes with a `failureAction`; the CLI's
// passkey sign-in (server/cli/officer-proof.ts) records `auth.sign_in_failed` with it. The event carries the stable
// reason code, the client address ('cli' for the command line) and the error's audit context (officer, passkey id,
// fingerprints) — never a secret.
import type { FastifyError } from 'fastify';
import type { AuditEvent } from '../audit/audit-log.ts';
import { BreakglassError } from '../errors.ts';
import { auditContexts } from './auth-service.ts';

/** Failures that are not attempts at anything (nobody signed in, too many tries): not audited. */
const NOT_AUDITED = new Set(['unauthenticated', 'session_expired', 'rate_limited']);

/** The stable problem code of an error (mirrors server/routes/problem.ts), for the audit record. */
export function failureReason(err: unknown): string {
  if (err instanceof BreakglassError) return err.code;
  const e = err as Partial<FastifyError> & { validation?: unknown };
  if (e?.validation) return 'invalid_input';
  if (e?.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e?.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'invalid_json';
  if (e?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'unsupported_media_type';
  return (typeof e?.code === 'string' ? e.code : 'error').toLowerCase();
}

/** The HTTP status the error answers with (500 when it does not say). */
export function failureStatus(err: unknown): number {
  if (err instanceof BreakglassError) return err.status;
  const status = (err as Partial<FastifyError> | undefined)?.statusCode;
  return typeof status === 'number' ? status : 500;
}

/**
 * The event to record for `err`, or undefined when the failure is not audited: server faults (5xx, recorded in the
 * log instead) and non-attempts (not signed in, session expired, rate limited).
 */
export function authFailureEvent(err: unknown, action: string, who: { officerId?: string | undefined; ip: string }): AuditEvent | undefined {
  const status = failureStatus(err);
  const reason = failureReason(err);
  if (status < 400 || status >= 500 || NOT_AUDITED.has(reason)) return undefined;
  const ctx = (err instanceof Error ? auditContexts.get(err) : undefined) ?? {};
  const actor = who.officerId ? `officer:${who.officerId}` : 'anonymous';
  return { actor: ctx.actor ?? actor, action, subject: ctx.subject ?? (who.officerId ? actor : 'auth'), data: { ...ctx.data, reason, ip: who.ip } };
}
