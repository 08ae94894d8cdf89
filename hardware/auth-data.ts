// Authenticator data (WebAuthn L3 §6.1): rpIdHash(32) ‖ flags(1) ‖ signCount(4, big-endian) ‖ attested credential
// data (when AT) ‖ extensions CBOR map (when ED). The attested credential data is aaguid(16) ‖ credentialIdLength(2)
// ‖ credentialId ‖ COSE_Key, whose length is only known by parsing the CBOR (WebAuthn L3 §6.5.1).
import { concatBytes, readUint16BE, readUint32BE } from './bytes.ts';
import { decodeCbor, decodeCborPrefix, encodeCbor, type CborInput, type CborMap } from './cbor.ts';
import { formatAaguid, aaguidToBytes } from './aaguids.ts';
import { CborError, InvalidResponseError } from './errors.ts';

export const AuthDataFlag = {
  UP: 0x01,
  UV: 0x04,
  BE: 0x08,
  BS: 0x10,
  AT: 0x40,
  ED: 0x80,
} as const;

export interface AttestedCredentialData {
  aaguid: string;
  credentialId: Uint8Array;
  credentialPublicKey: CborMap;
  /** The COSE_Key exactly as it appeared in authData. */
  credentialPublicKeyBytes: Uint8Array;
}

export interface AuthenticatorData {
  rpIdHash: Uint8Array;
  flags: number;
  userPresent: boolean;
  userVerified: boolean;
  backupEligible: boolean;
  backedUp: boolean;
  signCount: number;
  attestedCredentialData?: AttestedCredentialData;
  extensions?: CborMap;
}

/** Parses authenticator data; anything malformed is an InvalidResponseError naming the problem. */
export function parseAuthenticatorData(bytes: Uint8Array, options: { canonical?: boolean } = {}): AuthenticatorData {
  const fail = (reason: string, cause?: unknown): never => {
    throw new InvalidResponseError('authenticator data', reason, cause);
  };
  const canonical = options.canonical ?? true;
  if (bytes.length < 37) fail(`${bytes.length} bytes, at least 37 needed`);
  const flags = bytes[32]!;
  const result: AuthenticatorData = {
    rpIdHash: bytes.slice(0, 32),
    flags,
    userPresent: (flags & AuthDataFlag.UP) !== 0,
    userVerified: (flags & AuthDataFlag.UV) !== 0,
    backupEligible: (flags & AuthDataFlag.BE) !== 0,
    backedUp: (flags & AuthDataFlag.BS) !== 0,
    signCount: readUint32BE(bytes, 33),
  };
  // WebAuthn L3 §6.1: BS may only be set when BE is.
  if (result.backedUp && !result.backupEligible) fail('backup state flag set without backup eligibility');
  let offset = 37;
  if (flags & AuthDataFlag.AT) {
    if (bytes.length < offset + 18) fail('attested credential data is truncated');
    const aaguid = formatAaguid(bytes.subarray(offset, offset + 16));
    const idLength = readUint16BE(bytes, offset + 16);
    offset += 18;
    if (idLength > 1023) fail(`credential id of ${idLength} bytes exceeds the WebAuthn limit of 1023`);
    if (bytes.length < offset + idLength) fail('credential id is truncated');
    const credentialId = bytes.slice(offset, offset + idLength);
    offset += idLength;
    let decoded;
    try {
      decoded = decodeCborPrefix(bytes.subarray(offset), { canonical });
    } catch (err) {
      fail(`credential public key: ${err instanceof CborError ? err.message : 'unreadable'}`, err);
    }
    if (!(decoded!.value instanceof Map)) fail('credential public key is not a COSE map');
    result.attestedCredentialData = {
      aaguid,
      credentialId,
      credentialPublicKey: decoded!.value as CborMap,
      credentialPublicKeyBytes: bytes.slice(offset, offset + decoded!.length),
    };
    offset += decoded!.length;
  }
  if (flags & AuthDataFlag.ED) {
    let ext;
    try {
      ext = decodeCbor(bytes.subarray(offset), { canonical });
    } catch (err) {
      fail(`extensions: ${err instanceof CborError ? err.message : 'unreadable'}`, err);
    }
    if (!(ext instanceof Map)) fail('extensions are not a map');
    result.extensions = ext as CborMap;
    offset = bytes.length;
  }
  if (offset !== bytes.length) fail(`${bytes.length - offset} unexpected trailing byte(s)`);
  return result;
}

export interface AuthenticatorDataInput {
  rpIdHash: Uint8Array;
  flags: number;
  signCount: number;
  attestedCredentialData?: { aaguid: string; credentialId: Uint8Array; credentialPublicKey: CborInput };
  extensions?: CborInput;
}

/** Builds authenticator data; AT and ED flags are set from the parts present. */
export function encodeAuthenticatorData(input: AuthenticatorDataInput): Uint8Array {
  let flags = input.flags & ~(AuthDataFlag.AT | AuthDataFlag.ED);
  const parts: Uint8Array[] = [];
  if (input.attestedCredentialData) {
    flags |= AuthDataFlag.AT;
    const { aaguid, credentialId, credentialPublicKey } = input.attestedCredentialData;
    const len = new Uint8Array(2);
    new DataView(len.buffer).setUint16(0, credentialId.length, false);
    parts.push(aaguidToBytes(aaguid), len, credentialId, encodeCbor(credentialPublicKey));
  }
  if (input.extensions !== undefined) {
    flags |= AuthDataFlag.ED;
    parts.push(encodeCbor(input.extensions));
  }
  const head = new Uint8Array(37);
  head.set(input.rpIdHash, 0);
  head[32] = flags;
  new DataView(head.buffer).setUint32(33, input.signCount >>> 0, false);
  return concatBytes(head, ...parts);
}

export function describeFlags(data: AuthenticatorData): string {
  const names: string[] = [];
  if (data.userPresent) names.push('UP');
  if (data.userVerified) names.push('UV');
  if (data.backupEligible) names.push('BE');
  if (data.backedUp) names.push('BS');
  if (data.flags & AuthDataFlag.AT) names.push('AT');
  if (data.flags & AuthDataFlag.ED) names.push('ED');
  return `0x${data.flags.toString(16).padStart(2, '0')} (${names.join(' ') || 'none'})`;
}
