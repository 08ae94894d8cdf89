// Typed sign-in errors. Each has a stable code that clients and tests rely on and a message a person can act on;
// none ever contains a secret (session id, CSRF token, bootstrap code, invite token) or a raw challenge.
import { BreakglassError } from '../errors.ts';

export class AuthError extends BreakglassError {
  constructor(code: string, message: string, status: number, details?: Record<string, unknown>) {
    super(code, message, { status, ...(details ? { details } : {}) });
  }
}

export const unauthenticated = (): AuthError => new AuthError('unauthenticated', 'Sign in with your passkey first.', 401);
export const sessionExpired = (why: 'idle' | 'absolute'): AuthError =>
  new AuthError('session_expired', why === 'idle' ? 'Your session ended after a period without activity; sign in again.' : 'Your session reached its maximum length; sign in again.', 401);
export const forbidden = (role: string, what: string): AuthError => new AuthError('forbidden', `The ${role} role cannot ${what}.`, 403, { role });
export const stepUpRequired = (minutes: number): AuthError =>
  new AuthError('step_up_required', `This action needs a passkey check from the last ${minutes} minutes; confirm with your passkey and try again.`, 403, { windowMinutes: minutes });
export const csrfFailed = (): AuthError => new AuthError('csrf_failed', 'The request is missing the CSRF token of this session (x-csrf-token header); reload the page and try again.', 403);
export const crossOrigin = (): AuthError => new AuthError('cross_origin', 'State-changing requests must come from the breakglass web front end itself.', 403);

export const challengeUnknown = (): AuthError =>
  new AuthError('challenge_unknown', 'This passkey ceremony is unknown or was already used; start again.', 400);
export const challengeExpired = (): AuthError => new AuthError('challenge_expired', 'This passkey ceremony took too long and expired; start again.', 400);
export const challengeMismatch = (): AuthError =>
  new AuthError('challenge_mismatch', 'The passkey response does not answer the challenge this ceremony issued; start again.', 400);
export const originMismatch = (expected: string): AuthError =>
  new AuthError('origin_mismatch', `The passkey response was made for another site; open breakglass at ${expected}.`, 400, { expectedOrigin: expected });
export const webauthnInvalid = (reason: string): AuthError => new AuthError('webauthn_invalid', `The passkey response could not be verified: ${reason}.`, 400);
export const credentialUnknown = (): AuthError =>
  new AuthError('credential_unknown', 'This passkey is not registered with breakglass (or was removed). Use another passkey or ask an admin for an invite.', 401);
export const counterRegressed = (): AuthError =>
  new AuthError(
    'counter_regressed',
    "This passkey's signature counter went backwards, which can mean the key was cloned. Sign-in refused and recorded; tell an admin.",
    401,
  );
export const officerDisabled = (): AuthError => new AuthError('officer_disabled', 'This officer account is disabled; ask an admin.', 403);
export const aaguidNotAllowed = (aaguid: string): AuthError =>
  new AuthError('authenticator_not_allowed', `This authenticator model (AAGUID ${aaguid}) is not on the allow-list for officer passkeys.`, 400, { aaguid });

export const bootstrapInvalid = (): AuthError =>
  new AuthError('bootstrap_invalid', 'That bootstrap code is wrong or has expired. The current code is in the console output of `breakglass serve` and in bootstrap-code.txt in the data folder; restart the service for a new one.', 401);
export const bootstrapDone = (): AuthError => new AuthError('bootstrap_done', 'breakglass is already set up; sign in with your passkey, or ask an admin for an invite.', 409);
export const inviteInvalid = (why: 'unknown' | 'used' | 'expired' | 'revoked'): AuthError => {
  const text = {
    unknown: 'This invite link is not valid; ask an admin for a new one.',
    used: 'This invite link was already used; ask an admin for a new one.',
    expired: 'This invite link has expired; ask an admin for a new one.',
    revoked: 'This invite link was revoked; ask an admin for a new one.',
  }[why];
  return new AuthError('invite_invalid', text, why === 'unknown' ? 404 : 410, { reason: why });
};
export const usernameTaken = (username: string): AuthError => new AuthError('username_taken', `The username "${username}" is already taken; choose another.`, 409);
export const lastPasskey = (): AuthError => new AuthError('last_passkey', 'You cannot remove your only passkey; add another one first.', 409);
export const lastAdmin = (): AuthError => new AuthError('last_admin', 'This is the last active admin; make another officer admin first.', 409);
export const selfChange = (): AuthError => new AuthError('self_change', 'You cannot change your own role or status; ask another admin.', 409);
export const rateLimited = (seconds: number): AuthError => new AuthError('rate_limited', `Too many attempts; wait ${seconds} seconds and try again.`, 429, { retryAfterSeconds: seconds });
