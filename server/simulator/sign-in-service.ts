// The simulated tenant's passkey sign-in, as login.microsoft.com does it for a FIDO2 key: the relying party issues a
// single-use challenge (5 minutes, user verification required, allowCredentials = the account's registered passkeys),
// checks the assertion with @simplewebauthn/server against the stored credential public key and signature counter,
// and writes a beta-shaped sign-in record (sign-in-writer.ts) — successful with a "Passkey (device-bound)" step, or
// failed with the reason Entra would give. Two relying parties are accepted: Entra's own (`login.microsoft.com`, the
// RP of keys registered through Graph's creationOptions, used by CTAP clients such as `breakglass sim signin` that
// claim its origin) and the host of the page itself (a browser on the simulator's sign-in page, where WebAuthn binds
// the credential to that host).
import { randomBytes } from 'node:crypto';
import { verifyAuthenticationResponse, type AuthenticationResponseJSON } from '@simplewebauthn/server';
import { decodeClientDataJSON } from '@simplewebauthn/server/helpers';
import type { GraphSignIn, GraphUser } from '../graph/graph-types.ts';
import { badRequest, notFound } from './graph-http-error.ts';
import { ENTRA_ORIGIN, ENTRA_RP_ID } from './passkey-service.ts';
import { recordSignIn } from './sign-in-writer.ts';
import type { StoredPasskey, TenantState } from './tenant-state.ts';

const CHALLENGE_MS = 5 * 60_000;

interface OpenChallenge {
  userId: string;
  rpId: string;
  origin: string;
  expiresAt: number;
}

/** Sign-in challenges per simulated tenant (kept beside the state, not in it: they are never persisted). */
const challenges = new WeakMap<TenantState, Map<string, OpenChallenge>>();

function openChallenges(state: TenantState): Map<string, OpenChallenge> {
  let m = challenges.get(state);
  if (!m) {
    m = new Map();
    challenges.set(state, m);
  }
  return m;
}

function requireUser(state: TenantState, idOrUpn: string): GraphUser {
  const user = state.findUser(idOrUpn);
  if (!user) throw notFound(idOrUpn);
  return user;
}

/** Passkeys with credential material, for one relying party when given (a credential without an RP ID is Entra's). */
function usablePasskeys(state: TenantState, user: GraphUser, rpId?: string): StoredPasskey[] {
  return state.methodsOf(user.id).filter((m): m is StoredPasskey => m.kind === 'fido2' && Boolean(m.credential) && (rpId === undefined || (m.credential!.rpId ?? ENTRA_RP_ID) === rpId));
}

export interface SignInOptionsResult {
  publicKey: {
    challenge: string;
    rpId: string;
    timeout: number;
    userVerification: 'required';
    allowCredentials: { id: string; type: 'public-key'; transports?: string[] }[];
  };
}

/**
 * Request options for a passkey sign-in. `page` is the origin of the simulator page a browser is on; without it the
 * options are for Entra's relying party (CTAP clients).
 */
export function signInOptions(state: TenantState, idOrUpn: string, page?: { origin: string }): SignInOptionsResult {
  const user = requireUser(state, idOrUpn);
  const rpId = page ? new URL(page.origin).hostname : ENTRA_RP_ID;
  // Keys registered through Graph are Entra's (login.microsoft.com); keys added in a browser belong to that page's host.
  // A page on another host than its keys still lists them all: the browser then says no key is available.
  const forRp = usablePasskeys(state, user, rpId);
  const keys = forRp.length ? forRp : page ? usablePasskeys(state, user) : forRp;
  if (keys.length === 0) {
    throw badRequest(`${user.userPrincipalName} has no passkey this simulated tenant can verify; register one first (breakglass sim register-key --account ${user.userPrincipalName} --virtual PROFILE)`);
  }
  const now = state.clock.now().getTime();
  const open = openChallenges(state);
  for (const [c, o] of open) if (o.expiresAt < now) open.delete(c);
  const challenge = randomBytes(32).toString('base64url');
  open.set(challenge, { userId: user.id.toLowerCase(), rpId, origin: page?.origin ?? ENTRA_ORIGIN, expiresAt: now + CHALLENGE_MS });
  return {
    publicKey: {
      challenge,
      rpId,
      timeout: CHALLENGE_MS,
      userVerification: 'required',
      allowCredentials: keys.map((k) => ({ id: k.credential!.id, type: 'public-key' as const, transports: k.credential!.transports.length ? k.credential!.transports : ['usb'] })),
    },
  };
}

export interface SignInAttempt {
  user: string;
  response: AuthenticationResponseJSON;
  appId?: string;
  appDisplayName?: string;
  ipAddress?: string;
}

export interface SignInOutcome {
  ok: boolean;
  /** Why it failed (also in the record's status). */
  reason?: string;
  signIn: GraphSignIn;
}

function passkeyMethodName(k: StoredPasskey | undefined): string {
  return k?.graph.passkeyType === 'synced' ? 'Passkey (synced)' : 'Passkey (device-bound)';
}

/** Checks an assertion and writes the sign-in record either way (a failed attempt is logged by Entra too). */
export async function completeSignIn(state: TenantState, attempt: SignInAttempt): Promise<SignInOutcome> {
  const user = requireUser(state, attempt.user);
  const r = attempt.response;
  if (!r || typeof r !== 'object' || typeof r.id !== 'string' || !r.response || typeof r.response.clientDataJSON !== 'string') {
    throw badRequest('response must be a WebAuthn AuthenticationResponseJSON (id, response.clientDataJSON, authenticatorData, signature).');
  }
  let challenge = '';
  try {
    challenge = String(decodeClientDataJSON(r.response.clientDataJSON).challenge ?? '');
  } catch {
    throw badRequest('clientDataJSON is not base64url-encoded JSON.');
  }
  const open = openChallenges(state);
  const pending = open.get(challenge);
  open.delete(challenge);
  const app = { ...(attempt.appId ? { appId: attempt.appId } : {}), ...(attempt.appDisplayName ? { appDisplayName: attempt.appDisplayName } : {}), ...(attempt.ipAddress ? { ipAddress: attempt.ipAddress } : {}) };
  const key = usablePasskeys(state, user).find((k) => k.credential!.id === r.id);
  const fail = (reason: string, errorCode = 500121): SignInOutcome => ({
    ok: false,
    reason,
    signIn: recordSignIn(state, {
      user: user.id, ...app, errorCode, failureReason: reason,
      steps: [{ method: passkeyMethodName(key), succeeded: false, resultDetail: reason }],
    }),
  });
  if (!pending || pending.userId !== user.id.toLowerCase()) return fail('The sign-in request was not issued for this user or was already used.', 50012);
  if (state.clock.now().getTime() > pending.expiresAt) return fail('The sign-in request expired; start again.', 50012);
  if (!key) return fail('The passkey used is not registered for this user.');
  try {
    const result = await verifyAuthenticationResponse({
      response: r,
      expectedChallenge: challenge,
      expectedOrigin: pending.origin,
      expectedRPID: pending.rpId,
      credential: { id: key.credential!.id, publicKey: new Uint8Array(key.credential!.publicKey), counter: key.credential!.counter, transports: key.credential!.transports as never },
      requireUserVerification: true,
    });
    if (!result.verified) return fail('The passkey signature did not verify.');
    key.credential!.counter = result.authenticationInfo.newCounter;
  } catch (err) {
    return fail(`The passkey assertion is not valid: ${String((err as Error).message ?? err).split('\n')[0]}`);
  }
  if (user.accountEnabled === false) {
    return { ok: false, reason: 'User account is disabled.', signIn: recordSignIn(state, { user: user.id, ...app, errorCode: 50057, failureReason: 'User account is disabled.', steps: [{ method: passkeyMethodName(key), succeeded: true, resultDetail: 'Passkey verified' }] }) };
  }
  const signIn = recordSignIn(state, {
    user: user.id, ...app, errorCode: 0,
    steps: [{ method: passkeyMethodName(key), detail: key.graph.displayName ?? undefined, succeeded: true, resultDetail: 'Passkey verified' } as { method: string; detail?: string; succeeded: boolean; resultDetail: string }],
  });
  return { ok: true, signIn };
}
