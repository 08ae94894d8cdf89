// Who is at the keyboard, for the CLI's four-eyes commands (enroll request / approve / reject / run / resume /
// cancel): the officer proves it with their own breakglass passkey on a security key over USB — the same WebAuthn
// sign-in the web front end does (AuthService: challenge, assertion with user verification, signature, counter,
// audited `auth.signed_in`), with the CLI acting as the WebAuthn client for breakglass's own origin. The CLI then
// acts as `officer:<id>`, so a request made here can be approved in the browser and the other way round, and "a
// different officer" means the same thing in both. The short session is signed out again when the command ends.
import { getAssertion, type RequestOptionsJSON } from '../../hardware/index.ts';
import { AuthService } from '../auth/auth-service.ts';
import { authFailureEvent } from '../auth/failure-audit.ts';
import { RelyingParty } from '../auth/relying-party.ts';
import { can, type Permission } from '../auth/roles.ts';
import { BreakglassError } from '../errors.ts';
import { withKeyErrors } from '../enrollment/key-errors.ts';
import type { KeyProvider } from '../enrollment/key-provider.ts';
import type { Runtime } from '../runtime.ts';

export interface ProvenOfficer {
  id: string;
  username: string;
  displayName: string;
  role: string;
  /** `officer:<id>` — the audit actor. */
  actor: string;
  passkeyId: string;
  /** When the passkey assertion was verified (the approval's step-up time). */
  provenAt: string;
  /** Ends the CLI's session (audited sign-out). */
  signOut(): Promise<void>;
}

export interface ProveOptions {
  /** The officer's passkey key (not the break-glass key being enrolled). */
  keys: KeyProvider;
  /** The key's PIN, asked for by the caller and used for this one assertion. */
  pin: string;
  permission: Permission;
  device?: string;
  onTouch?: () => void;
}

/**
 * Records `auth.sign_in_failed` for a failed CLI sign-in (unknown passkey, disabled officer, counter gone backwards,
 * bad signature…), built as the HTTP path builds it (server/auth/failure-audit.ts), with `ip: 'cli'`. If the audit log
 * cannot take it, the sign-in error still reaches the officer, with a note that it went unrecorded.
 */
async function recordSignInFailure(runtime: Runtime, err: unknown): Promise<void> {
  const event = authFailureEvent(err, 'auth.sign_in_failed', { ip: 'cli' });
  if (!event) return;
  try {
    await runtime.audit.record(event);
  } catch (auditErr) {
    if (err instanceof Error) err.message += ` (and the failed sign-in could not be recorded in the audit log: ${(auditErr as Error).message})`;
  }
}

export async function proveOfficer(runtime: Runtime, opts: ProveOptions): Promise<ProvenOfficer> {
  const settings = runtime.config.auth;
  const rp = new RelyingParty({ rpId: settings.rpId, rpName: settings.rpName, origin: () => settings.origin, challengeSeconds: settings.challengeSeconds, allowedAaguids: settings.allowedAaguids });
  const auth = new AuthService({ database: runtime.database, audit: runtime.audit, clock: runtime.clock, settings, rp, dataDir: runtime.config.storage.dataDir });
  const start = await auth.signInOptions();
  const response = await withKeyErrors(() =>
    opts.keys.withKey(
      async ({ key }) =>
        getAssertion(key, { challenge: start.options.challenge, rpId: settings.rpId, allowCredentials: [], userVerification: 'required' } satisfies RequestOptionsJSON, {
          origin: settings.origin,
          pin: opts.pin,
          onKeepalive: () => opts.onTouch?.(),
        }),
      opts.device ? { device: opts.device } : {},
    ),
  );
  const signedIn = await auth.signInVerify({ ceremonyId: start.ceremonyId, response: response as never }, 'cli').catch(async (err: unknown) => {
    // Over HTTP the auth plugin records a failed sign-in; here the CLI is the client, so it records the same event.
    await recordSignInFailure(runtime, err);
    throw err;
  });
  const found = await auth.lookupSession(signedIn.sessionId);
  if (!found || !('session' in found)) throw new BreakglassError('unauthenticated', 'the sign-in did not produce a session', { status: 401 });
  const session = found.session;
  const officer = signedIn.officer;
  const signOut = () => auth.signOut(session).catch(() => undefined);
  if (!can(officer.role, opts.permission)) {
    await signOut();
    throw new BreakglassError('forbidden', `${officer.displayName} (${officer.role}) may not ${opts.permission === 'enrollment.approve' ? 'approve key enrollments' : 'request or run key enrollments'}`, { status: 403 });
  }
  return {
    id: officer.id,
    username: officer.username,
    displayName: officer.displayName,
    role: officer.role,
    actor: `officer:${officer.id}`,
    passkeyId: session.passkeyId,
    provenAt: session.stepUpAt ?? session.createdAt,
    signOut,
  };
}
