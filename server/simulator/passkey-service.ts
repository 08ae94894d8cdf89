// Passkey provisioning on behalf of a user, as Entra does it (graph.md §2.2–2.4, §3): creationOptions issues a
// single-use challenge for RP `login.microsoft.com` (5 minutes on v1.0, 5..43 200 on beta); the POST checks the
// challenge and its expiry, verifies the attestation with @simplewebauthn/server (origin https://login.microsoft.com,
// user verification required, packed or none only), then applies the FIDO2 policy: enabled, user targeted,
// "Allow self-service setup", attestation enforcement and key restrictions (passkey profiles, else the legacy list).
import { createHash, randomBytes } from 'node:crypto';
import { verifyRegistrationResponse, type RegistrationResponseJSON } from '@simplewebauthn/server';
import { decodeAttestationObject, decodeClientDataJSON, isoBase64URL } from '@simplewebauthn/server/helpers';
import { ODATA_TYPE, type GraphFido2KeyRestrictions, type GraphFido2Method, type GraphUser, type GraphWebauthnCreationOptions } from '../graph/graph-types.ts';
import { recordDirectoryAudit } from './directory-audit-writer.ts';
import { badRequest, GraphHttpError, notFound } from './graph-http-error.ts';
import type { StoredPasskey, TenantState } from './tenant-state.ts';

export const ENTRA_RP_ID = 'login.microsoft.com';
export const ENTRA_ORIGIN = `https://${ENTRA_RP_ID}`;
const SUPPORTED_ALGS = [-7, -257];

function requireUser(state: TenantState, idOrUpn: string): GraphUser {
  const user = state.findUser(idOrUpn);
  if (!user) throw notFound(idOrUpn);
  return user;
}

function userHandle(state: TenantState, user: GraphUser): string {
  let h = state.userHandles.get(user.id.toLowerCase());
  if (!h) {
    h = randomBytes(32).toString('base64url');
    state.userHandles.set(user.id.toLowerCase(), h);
  }
  return h;
}

function requirePolicyAllowsProvisioning(state: TenantState, user: GraphUser): void {
  const p = state.fido2Policy;
  if (p.state !== 'enabled') throw new GraphHttpError(403, 'accessDenied', 'The passkey (FIDO2) authentication method is disabled by policy.');
  if (!state.isTargeted(user.id, p.includeTargets ?? []) || state.isTargeted(user.id, (p.excludeTargets ?? []).filter((t) => t.id !== 'all_users'))) {
    throw new GraphHttpError(403, 'accessDenied', 'The passkey (FIDO2) policy does not target this user.');
  }
  // Known issue in the Graph docs: provisioning on behalf of users needs "Allow self-service setup".
  if (!p.isSelfServiceRegistrationAllowed) {
    throw new GraphHttpError(403, 'accessDenied', 'Passkey provisioning requires the FIDO2 policy setting "Allow self-service setup" (isSelfServiceRegistrationAllowed).');
  }
}

/** ASP.NET-style base64url with the padding count appended as a digit, as beta excludeCredentials ids carry it. */
function base64UrlWithPadDigit(bytes: Buffer): string {
  const b64 = bytes.toString('base64');
  const pad = (b64.match(/=+$/)?.[0].length ?? 0);
  return `${bytes.toString('base64url')}${pad}`;
}

/**
 * The relying party a registration is for: Entra's (`login.microsoft.com`, the Graph routes) by default, or the
 * simulated security-info page's own origin (a browser can only create credentials for the page's host).
 */
export interface SimulatedRelyingParty {
  id: string;
  origin: string;
}

export const ENTRA_RELYING_PARTY: SimulatedRelyingParty = { id: ENTRA_RP_ID, origin: ENTRA_ORIGIN };

/** GET …/fido2Methods/creationOptions (v1.0) or `creationOptions(challengeTimeoutInMinutes=N)` (beta). */
export function creationOptions(state: TenantState, idOrUpn: string, version: 'v1.0' | 'beta', timeoutMinutes: number | undefined, rp: SimulatedRelyingParty = ENTRA_RELYING_PARTY): GraphWebauthnCreationOptions {
  const user = requireUser(state, idOrUpn);
  requirePolicyAllowsProvisioning(state, user);
  if (version === 'v1.0' && timeoutMinutes !== undefined) {
    throw badRequest("The parameter 'challengeTimeoutInMinutes' is not supported on v1.0; the challenge lasts 5 minutes (use /beta for a longer one).");
  }
  const minutes = timeoutMinutes ?? 5;
  if (!Number.isInteger(minutes) || minutes < 5 || minutes > 43_200) throw badRequest('challengeTimeoutInMinutes must be between 5 and 43200.');
  const now = state.clock.now().getTime();
  for (const [c, open] of state.passkeyChallenges) if (open.expiresAt < now) state.passkeyChallenges.delete(c);
  const challenge = randomBytes(32).toString('base64url');
  const expiresAt = now + minutes * 60_000;
  state.passkeyChallenges.set(challenge, { userId: user.id.toLowerCase(), expiresAt, version, rpId: rp.id });
  const existing = state.methodsOf(user.id).filter((m): m is StoredPasskey => m.kind === 'fido2' && Boolean(m.credential));
  return {
    challengeTimeoutDateTime: new Date(expiresAt).toISOString(),
    publicKey: {
      challenge,
      timeout: Math.min(minutes * 60_000, 2_147_483_647),
      attestation: 'direct',
      rp: { id: rp.id, name: 'Microsoft' },
      user: { id: userHandle(state, user), name: user.userPrincipalName, displayName: user.displayName ?? user.userPrincipalName },
      pubKeyCredParams: SUPPORTED_ALGS.map((alg) => ({ type: 'public-key', alg })),
      excludeCredentials: existing.map((m) => ({
        id: version === 'beta' ? base64UrlWithPadDigit(Buffer.from(m.credential!.id, 'base64url')) : m.credential!.id,
        type: 'public-key',
        transports: m.credential!.transports.length ? m.credential!.transports : ['usb'],
      })),
      authenticatorSelection: { authenticatorAttachment: 'cross-platform', requireResidentKey: true, userVerification: 'required' },
      extensions: {},
    },
  };
}

export interface CreatePasskeyBody {
  displayName?: string;
  publicKeyCredential: { id: string; response: { clientDataJSON: string; attestationObject: string }; clientExtensionResults?: Record<string, unknown> };
}

export function assertPasskeyBody(body: unknown): CreatePasskeyBody {
  const b = body as Record<string, unknown> | null;
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw badRequest('The request body must be a JSON object.');
  for (const k of Object.keys(b)) {
    if (!['displayName', 'publicKeyCredential', '@odata.type'].includes(k)) throw badRequest(`Invalid property '${k}' for type fido2AuthenticationMethod.`);
  }
  const c = b.publicKeyCredential as Record<string, unknown> | undefined;
  const r = c?.response as Record<string, unknown> | undefined;
  if (!c || typeof c.id !== 'string' || !r || typeof r.clientDataJSON !== 'string' || typeof r.attestationObject !== 'string') {
    throw badRequest('publicKeyCredential with id, response.clientDataJSON and response.attestationObject is required.');
  }
  if (b.displayName !== undefined && typeof b.displayName !== 'string') throw badRequest('displayName must be a string.');
  return b as unknown as CreatePasskeyBody;
}

/** Key restrictions that apply to this user: passkey profiles allowed on the targets that include them, else legacy. */
export function effectiveRestrictions(state: TenantState, user: GraphUser): { profiles: { name: string; passkeyTypes: string; attestationEnforcement: string; keyRestrictions: GraphFido2KeyRestrictions }[] } {
  const p = state.fido2Policy;
  if (p.passkeyProfiles && p.passkeyProfiles.length > 0) {
    const ids = new Set<string>();
    for (const t of p.includeTargets ?? []) {
      if (!state.isTargeted(user.id, [t])) continue;
      const allowed = t.allowedPasskeyProfiles?.length ? t.allowedPasskeyProfiles : [p.defaultPasskeyProfile ?? ''];
      for (const a of allowed) ids.add(a.toLowerCase());
    }
    return { profiles: p.passkeyProfiles.filter((x) => ids.has(x.id.toLowerCase())) };
  }
  return {
    profiles: [{ name: 'legacy', passkeyTypes: 'deviceBound,synced', attestationEnforcement: p.isAttestationEnforced ? 'registrationOnly' : 'disabled', keyRestrictions: p.keyRestrictions }],
  };
}

function aaguidAllowed(r: GraphFido2KeyRestrictions | undefined, aaguid: string): boolean {
  if (!r?.isEnforced) return true;
  const listed = (r.aaGuids ?? []).some((a) => a.toLowerCase() === aaguid.toLowerCase());
  return r.enforcementType === 'allow' ? listed : !listed;
}

/**
 * POST …/fido2Methods, and the simulated security-info page's registration (`selfService`, its own relying party):
 * the same challenge, attestation and policy checks either way.
 */
export async function registerPasskey(
  state: TenantState,
  idOrUpn: string,
  body: CreatePasskeyBody,
  actor: { appId: string; displayName: string },
  opts: { rp?: SimulatedRelyingParty; selfService?: boolean } = {},
): Promise<GraphFido2Method> {
  const rp = opts.rp ?? ENTRA_RELYING_PARTY;
  const user = requireUser(state, idOrUpn);
  requirePolicyAllowsProvisioning(state, user);
  const cred = body.publicKeyCredential;

  // 1. The challenge: ours, for this user, unexpired, single-use (consumed whatever happens next).
  let clientData: { challenge?: string; origin?: string; type?: string };
  try {
    clientData = decodeClientDataJSON(cred.response.clientDataJSON);
  } catch {
    throw badRequest('clientDataJSON is not base64url-encoded JSON.');
  }
  const challenge = typeof clientData.challenge === 'string' ? clientData.challenge : '';
  const open = state.passkeyChallenges.get(challenge);
  state.passkeyChallenges.delete(challenge);
  if (!open || open.userId !== user.id.toLowerCase() || (open.rpId ?? ENTRA_RP_ID) !== rp.id) throw badRequest('The challenge in clientDataJSON was not issued for this user or was already used; request new creationOptions.');
  if (state.clock.now().getTime() > open.expiresAt) {
    throw badRequest(`The challenge expired at ${new Date(open.expiresAt).toISOString()}; request new creationOptions and create the credential again.`);
  }

  // 2. The attestation, checked by @simplewebauthn/server against Entra's RP and origin.
  let fmt = 'none';
  let x5c: Uint8Array[] = [];
  try {
    const att = decodeAttestationObject(isoBase64URL.toBuffer(cred.response.attestationObject));
    fmt = att.get('fmt');
    x5c = att.get('attStmt').get('x5c') ?? [];
  } catch {
    throw badRequest('attestationObject is not a base64url-encoded CBOR attestation object.');
  }
  if (fmt !== 'packed' && fmt !== 'none') throw badRequest(`Attestation format '${fmt}' is not supported; use packed or none.`);
  const response: RegistrationResponseJSON = {
    id: cred.id, rawId: cred.id, type: 'public-key',
    response: { clientDataJSON: cred.response.clientDataJSON, attestationObject: cred.response.attestationObject },
    clientExtensionResults: {},
  };
  let info;
  try {
    const result = await verifyRegistrationResponse({
      response, expectedChallenge: challenge, expectedOrigin: rp.origin, expectedRPID: rp.id,
      requireUserVerification: true, supportedAlgorithmIDs: SUPPORTED_ALGS,
    });
    if (!result.verified) throw new Error('the attestation did not verify');
    info = result.registrationInfo;
  } catch (err) {
    throw badRequest(`The passkey attestation is not valid: ${String((err as Error).message ?? err).split('\n')[0]}`);
  }

  // 3. The policy: attestation enforcement and key restrictions for the profiles that apply to this user.
  const aaguid = info.aaguid.toLowerCase();
  const passkeyType = info.credentialDeviceType === 'singleDevice' ? 'deviceBound' : 'synced';
  const attested = fmt === 'packed' && x5c.length > 0;
  const { profiles } = effectiveRestrictions(state, user);
  const fitting = profiles.filter((pr) => pr.passkeyTypes.split(',').map((s) => s.trim()).includes(passkeyType));
  if (fitting.length === 0) throw new GraphHttpError(403, 'accessDenied', `No passkey profile that applies to this user allows ${passkeyType} passkeys.`);
  const byAttestation = fitting.filter((pr) => pr.attestationEnforcement !== 'registrationOnly' || attested);
  if (byAttestation.length === 0) throw new GraphHttpError(403, 'accessDenied', 'The FIDO2 policy enforces attestation and this credential has no attestation certificate chain (packed with x5c).');
  if (!byAttestation.some((pr) => aaguidAllowed(pr.keyRestrictions, aaguid))) {
    throw new GraphHttpError(403, 'accessDenied', `The security key model (AAGUID ${aaguid}) is not allowed by the tenant's FIDO2 key restrictions.`);
  }

  const credentialId = info.credential.id;
  const methods = state.methodsOf(user.id);
  if (methods.some((m) => m.kind === 'fido2' && m.credential?.id === credentialId)) throw new GraphHttpError(409, 'conflict', 'This credential is already registered for the user.');
  const method: GraphFido2Method = {
    '@odata.type': ODATA_TYPE.fido2,
    id: createHash('sha256').update(credentialId).digest('base64url'),
    displayName: body.displayName?.trim() || 'Passkey',
    createdDateTime: state.clock.now().toISOString(),
    aaGuid: aaguid,
    model: state.modelFor(aaguid) ?? null,
    attestationCertificates: x5c.map((c) => createHash('sha1').update(c).digest('hex')),
    attestationLevel: attested ? 'attested' : 'notAttested',
    passkeyType,
  };
  methods.push({
    kind: 'fido2', graph: method,
    credential: { id: credentialId, publicKey: info.credential.publicKey, counter: info.credential.counter, transports: info.credential.transports ?? ['usb'], userHandle: userHandle(state, user), ...(rp.id !== ENTRA_RP_ID ? { rpId: rp.id } : {}) },
  });
  const who = opts.selfService ? 'User' : 'Admin';
  recordDirectoryAudit(state, {
    activityDisplayName: `${who} registered security info`, resultReason: `${who} registered Passkey (${passkeyType === 'deviceBound' ? 'device-bound' : 'synced'}) method for user`,
    operationType: 'Add', app: actor, target: user, additionalDetails: [{ key: 'AAGUID', value: aaguid }],
  });
  return method;
}

export function listPasskeys(state: TenantState, idOrUpn: string): GraphFido2Method[] {
  const user = requireUser(state, idOrUpn);
  return state.methodsOf(user.id).filter((m): m is StoredPasskey => m.kind === 'fido2').map((m) => ({ '@odata.type': ODATA_TYPE.fido2, ...m.graph }));
}

export function deletePasskey(state: TenantState, idOrUpn: string, methodId: string, actor: { appId: string; displayName: string }): void {
  const user = requireUser(state, idOrUpn);
  const methods = state.methodsOf(user.id);
  const i = methods.findIndex((m) => m.kind === 'fido2' && m.graph.id === methodId);
  if (i < 0) throw notFound(methodId);
  methods.splice(i, 1);
  recordDirectoryAudit(state, {
    activityDisplayName: 'Admin deleted security info', resultReason: 'Admin deleted Passkey method for user', operationType: 'Delete', app: actor, target: user,
  });
}
