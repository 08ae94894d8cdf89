// The WebAuthn client ("platform") role over CTAP2 (WebAuthn L3 §5.1.3 and §5.1.4): turn
// PublicKeyCredentialCreationOptionsJSON / RequestOptionsJSON — what Graph's fido2Methods creationOptions and
// @simplewebauthn/server produce — into CTAP2 requests, and the answers into the RegistrationResponseJSON /
// AuthenticationResponseJSON shapes @simplewebauthn/browser returns. This is what direct-mode enrollment needs to
// register a key on behalf of an Entra account, and what a simulated sign-in with a key needs.
import { createHash } from 'node:crypto';
import { buildAttestationObject } from './attestation.ts';
import { fromBase64Url, toBase64Url } from './bytes.ts';
import { Permission } from './client-pin.ts';
import { coseKeyToKeyObject, decodeCoseEc2Key } from './cose-key.ts';
import type { CallOptions, PublicKeyCredentialDescriptor } from './ctap2-client.ts';
import { InvalidArgumentError, InvalidResponseError, NoCredentialsError, UnsupportedOperationError } from './errors.ts';
import { effectiveOptions } from './get-info.ts';
import type { SecurityKey } from './security-key.ts';

type B64 = string;

export interface CredentialDescriptorJSON {
  id: B64;
  type: 'public-key';
  transports?: string[];
}

export interface CreationOptionsJSON {
  challenge: B64;
  rp: { id?: string; name: string };
  user: { id: B64; name: string; displayName: string };
  pubKeyCredParams: { alg: number; type: 'public-key' }[];
  timeout?: number;
  excludeCredentials?: CredentialDescriptorJSON[];
  authenticatorSelection?: {
    authenticatorAttachment?: string;
    residentKey?: 'discouraged' | 'preferred' | 'required';
    requireResidentKey?: boolean;
    userVerification?: 'discouraged' | 'preferred' | 'required';
  };
  attestation?: 'none' | 'indirect' | 'direct' | 'enterprise';
  extensions?: {
    credentialProtectionPolicy?: 'userVerificationOptional' | 'userVerificationOptionalWithCredentialIDList' | 'userVerificationRequired';
    enforceCredentialProtectionPolicy?: boolean;
    hmacCreateSecret?: boolean;
    credProps?: boolean;
  };
}

export interface RequestOptionsJSON {
  challenge: B64;
  rpId?: string;
  timeout?: number;
  allowCredentials?: CredentialDescriptorJSON[];
  userVerification?: 'discouraged' | 'preferred' | 'required';
}

/** The shape @simplewebauthn/browser's startRegistration() returns. */
export interface RegistrationResponseJSON {
  id: B64;
  rawId: B64;
  type: 'public-key';
  authenticatorAttachment: 'cross-platform';
  clientExtensionResults: Record<string, unknown>;
  response: {
    clientDataJSON: B64;
    attestationObject: B64;
    authenticatorData: B64;
    transports: string[];
    publicKeyAlgorithm: number;
    publicKey: B64;
  };
}

/** The shape @simplewebauthn/browser's startAuthentication() returns. */
export interface AuthenticationResponseJSON {
  id: B64;
  rawId: B64;
  type: 'public-key';
  authenticatorAttachment: 'cross-platform';
  clientExtensionResults: Record<string, unknown>;
  response: { clientDataJSON: B64; authenticatorData: B64; signature: B64; userHandle?: B64 };
}

export interface CeremonyOptions extends CallOptions {
  /** The caller's origin, e.g. https://login.microsoft.com; its host must be the RP ID or below it. */
  origin: string;
  /** The key's PIN, when user verification is wanted. Used for one token request and not kept. */
  pin?: string;
}

const CRED_PROTECT = {
  userVerificationOptional: 1,
  userVerificationOptionalWithCredentialIDList: 2,
  userVerificationRequired: 3,
} as const;

/** navigator.credentials.create() against one security key. */
export async function createCredential(key: SecurityKey, publicKey: CreationOptionsJSON, options: CeremonyOptions): Promise<RegistrationResponseJSON> {
  const info = key.info;
  const rpId = publicKey.rp.id ?? new URL(options.origin).hostname;
  checkOrigin(options.origin, rpId);
  const challenge = fromBase64Url(publicKey.challenge, 'challenge');
  if (challenge.length < 16) throw new InvalidArgumentError('the challenge must be at least 16 bytes (WebAuthn L3 §13.4.3)');
  const userId = fromBase64Url(publicKey.user.id, 'user.id');
  const selection = publicKey.authenticatorSelection ?? {};
  const opts = effectiveOptions(info);
  const rk = selection.residentKey === 'required' || selection.requireResidentKey === true || (selection.residentKey === 'preferred' && opts.rk);
  if (rk && !opts.rk) throw new UnsupportedOperationError('the key cannot store discoverable credentials, which this registration requires');
  const uvRequired = selection.userVerification === 'required';
  if (uvRequired && options.pin === undefined) throw new InvalidArgumentError('this registration requires user verification: supply the key\'s PIN');

  const ext = publicKey.extensions ?? {};
  const level = ext.credentialProtectionPolicy ? CRED_PROTECT[ext.credentialProtectionPolicy] : undefined;
  if (level && level > 1 && ext.enforceCredentialProtectionPolicy && !info.extensions?.includes('credProtect')) {
    throw new UnsupportedOperationError('the key does not support credProtect, which this registration enforces');
  }

  const clientDataJSON = new TextEncoder().encode(
    JSON.stringify({ type: 'webauthn.create', challenge: toBase64Url(challenge), origin: options.origin, crossOrigin: false }),
  );
  const clientDataHash = sha256(clientDataJSON);
  const excludeList = await excludedOnKey(key, rpId, (publicKey.excludeCredentials ?? []).map(toDescriptor), options);

  let pinUvAuthParam: Uint8Array | undefined;
  let pinUvAuthProtocol: 1 | 2 | undefined;
  if (options.pin !== undefined) {
    // A fresh token per registration: a 2.1 key clears mc permission after each makeCredential (CTAP 2.2 §6.1.2).
    const token = await key.clientPin().getPinToken(options.pin, { permissions: Permission.makeCredential, rpId }, options);
    try {
      pinUvAuthParam = token.authenticate(clientDataHash);
      pinUvAuthProtocol = token.protocol;
    } finally {
      token.discard();
    }
  }
  const made = await key.ctap.makeCredential(
    {
      clientDataHash,
      rp: { id: rpId, name: publicKey.rp.name },
      user: { id: userId, name: publicKey.user.name, displayName: publicKey.user.displayName },
      pubKeyCredParams: publicKey.pubKeyCredParams,
      excludeList,
      extensions: {
        ...(level && info.extensions?.includes('credProtect') ? { credProtect: level } : {}),
        ...(ext.hmacCreateSecret && info.extensions?.includes('hmac-secret') ? { hmacSecret: true } : {}),
      },
      options: rk ? { rk: true } : {},
      ...(pinUvAuthParam ? { pinUvAuthParam, pinUvAuthProtocol: pinUvAuthProtocol! } : {}),
    },
    options,
  );
  const acd = made.authenticatorData.attestedCredentialData!;
  if (uvRequired && !made.authenticatorData.userVerified) throw new InvalidResponseError('makeCredential response', 'user verification was required but the UV flag is not set');
  const coseKey = decodeCoseEc2Key(acd.credentialPublicKey, (reason) => {
    throw new InvalidResponseError('credential public key', reason);
  });
  const spki = new Uint8Array(coseKeyToKeyObject(coseKey).export({ format: 'der', type: 'spki' }));
  const attestation = publicKey.attestation ?? 'none';
  const attestationObject =
    attestation === 'none' ? buildAttestationObject('none', made.authData, new Map()) : buildAttestationObject(made.fmt, made.authData, made.attStmt);
  const clientExtensionResults: Record<string, unknown> = {};
  if (ext.credProps) clientExtensionResults.credProps = { rk };
  if (ext.hmacCreateSecret) clientExtensionResults.hmacCreateSecret = made.authenticatorData.extensions?.get('hmac-secret') === true;
  return {
    id: toBase64Url(acd.credentialId),
    rawId: toBase64Url(acd.credentialId),
    type: 'public-key',
    authenticatorAttachment: 'cross-platform',
    clientExtensionResults,
    response: {
      clientDataJSON: toBase64Url(clientDataJSON),
      attestationObject: toBase64Url(attestationObject),
      authenticatorData: toBase64Url(made.authData),
      transports: ['usb'],
      publicKeyAlgorithm: coseKey.alg,
      publicKey: toBase64Url(spki),
    },
  };
}

/** navigator.credentials.get() against one security key. */
export async function getAssertion(key: SecurityKey, publicKey: RequestOptionsJSON, options: CeremonyOptions): Promise<AuthenticationResponseJSON> {
  const rpId = publicKey.rpId ?? new URL(options.origin).hostname;
  checkOrigin(options.origin, rpId);
  const challenge = fromBase64Url(publicKey.challenge, 'challenge');
  const uvRequired = publicKey.userVerification === 'required';
  if (uvRequired && options.pin === undefined) throw new InvalidArgumentError('this sign-in requires user verification: supply the key\'s PIN');
  const clientDataJSON = new TextEncoder().encode(
    JSON.stringify({ type: 'webauthn.get', challenge: toBase64Url(challenge), origin: options.origin, crossOrigin: false }),
  );
  const clientDataHash = sha256(clientDataJSON);
  const allowList = (publicKey.allowCredentials ?? []).map(toDescriptor);
  let pinUvAuthParam: Uint8Array | undefined;
  let pinUvAuthProtocol: 1 | 2 | undefined;
  if (options.pin !== undefined) {
    const token = await key.clientPin().getPinToken(options.pin, { permissions: Permission.getAssertion, rpId }, options);
    try {
      pinUvAuthParam = token.authenticate(clientDataHash);
      pinUvAuthProtocol = token.protocol;
    } finally {
      token.discard();
    }
  }
  const got = await key.ctap.getAssertion(
    { rpId, clientDataHash, allowList, ...(pinUvAuthParam ? { pinUvAuthParam, pinUvAuthProtocol: pinUvAuthProtocol! } : {}) },
    options,
  );
  if (uvRequired && !got.authenticatorData.userVerified) throw new InvalidResponseError('getAssertion response', 'user verification was required but the UV flag is not set');
  const response: AuthenticationResponseJSON['response'] = {
    clientDataJSON: toBase64Url(clientDataJSON),
    authenticatorData: toBase64Url(got.authData),
    signature: toBase64Url(got.signature),
  };
  if (got.user) response.userHandle = toBase64Url(got.user.id);
  return {
    id: toBase64Url(got.credential.id),
    rawId: toBase64Url(got.credential.id),
    type: 'public-key',
    authenticatorAttachment: 'cross-platform',
    clientExtensionResults: {},
    response,
  };
}

/**
 * Exclude lists longer than the key's maxCredentialCountInList are pre-flighted in batches with a silent
 * getAssertion (up: false), as platforms do (CTAP 2.2 §6.1.2, note on large exclude lists); only a match is sent.
 */
async function excludedOnKey(key: SecurityKey, rpId: string, list: PublicKeyCredentialDescriptor[], options: CallOptions): Promise<PublicKeyCredentialDescriptor[]> {
  const maxIdLength = key.info.maxCredentialIdLength;
  const usable = maxIdLength === undefined ? list : list.filter((d) => d.id.length <= maxIdLength);
  const batch = key.info.maxCredentialCountInList ?? usable.length;
  if (usable.length <= batch || batch === 0) return usable;
  const probe = new Uint8Array(32);
  for (let i = 0; i < usable.length; i += batch) {
    try {
      const found = await key.ctap.getAssertion({ rpId, clientDataHash: probe, allowList: usable.slice(i, i + batch), options: { up: false } }, options);
      return [found.credential];
    } catch (err) {
      if (!(err instanceof NoCredentialsError)) throw err;
    }
  }
  return [];
}

/** WebAuthn L3 §5.1.3 step 7: the RP ID must be the origin's host or a registrable suffix of it. */
function checkOrigin(origin: string, rpId: string): void {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new InvalidArgumentError(`origin ${JSON.stringify(origin)} is not a URL`);
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && url.hostname === 'localhost');
  if (!secure) throw new InvalidArgumentError(`origin ${origin} is not secure (https required)`);
  if (url.origin !== origin.replace(/\/$/, '')) throw new InvalidArgumentError(`origin ${origin} must be scheme://host[:port] only`);
  if (url.hostname !== rpId && !url.hostname.endsWith(`.${rpId}`)) {
    throw new InvalidArgumentError(`RP ID ${rpId} is not the origin's host (${url.hostname}) or a parent domain of it`);
  }
}

function toDescriptor(d: CredentialDescriptorJSON): PublicKeyCredentialDescriptor {
  return { type: 'public-key', id: fromBase64Url(d.id, 'credential id') };
}

function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}
