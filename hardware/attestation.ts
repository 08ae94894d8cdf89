// Attestation objects and packed attestation (WebAuthn L3 §6.5.4 and §8.2): building the WebAuthn attestationObject
// from a CTAP makeCredential response, parsing one back, checking a packed signature, and reading the facts a
// person checks on an attestation certificate (subject, issuer, validity, CA flag, the FIDO AAGUID extension).
import { X509Certificate, createHash, verify as verifySignature } from 'node:crypto';
import { decodeCbor, encodeCbor, type CborInput, type CborMap, type CborValue } from './cbor.ts';
import { parseAuthenticatorData, type AuthenticatorData } from './auth-data.ts';
import { coseKeyToKeyObject, decodeCoseEc2Key, CoseAlg } from './cose-key.ts';
import { formatAaguid } from './aaguids.ts';
import { concatBytes } from './bytes.ts';
import { CborError, InvalidResponseError } from './errors.ts';

export interface PackedAttestationStatement {
  alg: number;
  sig: Uint8Array;
  /** Attestation certificate first, then its chain (never the root). Absent for self attestation. */
  x5c?: Uint8Array[];
}

export interface ParsedAttestationObject {
  fmt: string;
  attStmt: CborMap;
  authData: Uint8Array;
  authenticatorData: AuthenticatorData;
}

/** The WebAuthn attestationObject `{"fmt", "attStmt", "authData"}` (CTAP keys 1, 3, 2 renamed; CTAP 2.2 §6.1.2). */
export function buildAttestationObject(fmt: string, authData: Uint8Array, attStmt: CborMap | ReadonlyMap<string, CborInput>): Uint8Array {
  return encodeCbor(new Map<string, CborInput>([
    ['fmt', fmt],
    ['attStmt', attStmt as ReadonlyMap<string, CborInput>],
    ['authData', authData],
  ]));
}

/**
 * Parses an attestationObject. `canonical: false` accepts non-canonical CBOR, for inspecting what browsers and
 * other platforms produced; well-formedness is still required.
 */
export function parseAttestationObject(bytes: Uint8Array, options: { canonical?: boolean } = {}): ParsedAttestationObject {
  const fail = (reason: string, cause?: unknown): never => {
    throw new InvalidResponseError('attestation object', reason, cause);
  };
  let value: CborValue;
  try {
    value = decodeCbor(bytes, { canonical: options.canonical ?? true });
  } catch (err) {
    return fail(err instanceof CborError ? err.message : 'unreadable CBOR', err);
  }
  if (!(value instanceof Map)) return fail('not a CBOR map');
  const fmt = value.get('fmt');
  const attStmt = value.get('attStmt');
  const authData = value.get('authData');
  if (typeof fmt !== 'string') fail('"fmt" is missing or not text');
  if (!(attStmt instanceof Map)) fail('"attStmt" is missing or not a map');
  if (!(authData instanceof Uint8Array)) fail('"authData" is missing or not bytes');
  const authenticatorData = parseAuthenticatorData(authData as Uint8Array, { canonical: options.canonical ?? true });
  return { fmt: fmt as string, attStmt: attStmt as CborMap, authData: authData as Uint8Array, authenticatorData };
}

export function decodePackedStatement(attStmt: CborMap): PackedAttestationStatement {
  const fail = (reason: string): never => {
    throw new InvalidResponseError('packed attestation statement', reason);
  };
  const alg = attStmt.get('alg');
  const sig = attStmt.get('sig');
  const x5c = attStmt.get('x5c');
  if (typeof alg !== 'number') fail('"alg" is missing or not an integer');
  if (!(sig instanceof Uint8Array)) fail('"sig" is missing or not bytes');
  const out: PackedAttestationStatement = { alg: alg as number, sig: sig as Uint8Array };
  if (x5c !== undefined) {
    if (!Array.isArray(x5c) || x5c.length === 0 || !x5c.every((c) => c instanceof Uint8Array)) fail('"x5c" is not a non-empty array of certificates');
    out.x5c = x5c as Uint8Array[];
  }
  return out;
}

export interface PackedVerification {
  ok: boolean;
  /** Why it failed, or what kind of attestation it was. */
  reason: string;
  attestationType: 'full' | 'self';
}

/**
 * Checks a packed attestation signature over authData ‖ clientDataHash (WebAuthn L3 §8.2 verification procedure):
 * with x5c the leaf certificate's key must verify it and the AAGUID extension, if present, must equal authData's
 * AAGUID; without x5c (self attestation) the credential key must verify it and alg must equal the credential's.
 * Certificate path validation to a trust anchor is the relying party's job (see `verifyRegistration`).
 */
export function verifyPackedAttestation(attObj: ParsedAttestationObject, clientDataHash: Uint8Array): PackedVerification {
  if (attObj.fmt !== 'packed') return { ok: false, reason: `format "${attObj.fmt}" is not packed`, attestationType: 'self' };
  const stmt = decodePackedStatement(attObj.attStmt);
  const signed = concatBytes(attObj.authData, clientDataHash);
  const acd = attObj.authenticatorData.attestedCredentialData;
  if (!acd) return { ok: false, reason: 'no attested credential data', attestationType: 'self' };
  if (stmt.x5c) {
    const leaf = stmt.x5c[0]!;
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(leaf);
    } catch {
      return { ok: false, reason: 'attestation certificate is not valid X.509', attestationType: 'full' };
    }
    const ext = findAaguidExtension(leaf);
    if (ext && ext !== acd.aaguid) return { ok: false, reason: `certificate AAGUID ${ext} differs from authData AAGUID ${acd.aaguid}`, attestationType: 'full' };
    if (stmt.alg !== CoseAlg.ES256) return { ok: false, reason: `unsupported attestation algorithm ${stmt.alg}`, attestationType: 'full' };
    const ok = verifySignature('sha256', signed, cert.publicKey, stmt.sig);
    return { ok, reason: ok ? 'signature verified with the attestation certificate' : 'signature does not verify', attestationType: 'full' };
  }
  const key = decodeCoseEc2Key(acd.credentialPublicKey, (r) => {
    throw new InvalidResponseError('credential public key', r);
  });
  if (stmt.alg !== key.alg) return { ok: false, reason: 'self attestation alg differs from the credential algorithm', attestationType: 'self' };
  const ok = verifySignature('sha256', signed, coseKeyToKeyObject(key), stmt.sig);
  return { ok, reason: ok ? 'self attestation signature verified' : 'signature does not verify', attestationType: 'self' };
}

// ---------------------------------------------------------------------------------------------------------------
// Certificates

/** DER of OID 1.3.6.1.4.1.45724.1.1.4 (id-fido-gen-ce-aaguid), WebAuthn L3 §8.2.1. */
const AAGUID_EXTENSION_OID = Uint8Array.from([0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xe5, 0x1c, 0x01, 0x01, 0x04]);

/**
 * The AAGUID in a certificate's id-fido-gen-ce-aaguid extension, or undefined when absent or malformed. The
 * extension is `OID [critical BOOLEAN] OCTET STRING { OCTET STRING (16) }`; the OID's bytes do not occur elsewhere.
 */
export function findAaguidExtension(der: Uint8Array): string | undefined {
  outer: for (let i = 0; i + AAGUID_EXTENSION_OID.length <= der.length; i++) {
    for (let j = 0; j < AAGUID_EXTENSION_OID.length; j++) if (der[i + j] !== AAGUID_EXTENSION_OID[j]) continue outer;
    let p = i + AAGUID_EXTENSION_OID.length;
    if (der[p] === 0x01 && der[p + 1] === 0x01) p += 3; // critical flag
    if (der[p] !== 0x04 || der[p + 1] !== 0x12 || der[p + 2] !== 0x04 || der[p + 3] !== 0x10) return undefined;
    const bytes = der.subarray(p + 4, p + 20);
    return bytes.length === 16 ? formatAaguid(bytes) : undefined;
  }
  return undefined;
}

export interface CertificateSummary {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  serialNumber: string;
  isCA: boolean;
  /** AAGUID from the id-fido-gen-ce-aaguid extension, when present. */
  aaguid?: string;
  sha256Fingerprint: string;
}

export function summarizeCertificate(der: Uint8Array): CertificateSummary {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch (err) {
    throw new InvalidResponseError('attestation certificate', 'not a valid X.509 certificate', err);
  }
  const summary: CertificateSummary = {
    subject: oneLineName(cert.subject),
    issuer: oneLineName(cert.issuer),
    validFrom: new Date(cert.validFrom).toISOString(),
    validTo: new Date(cert.validTo).toISOString(),
    serialNumber: cert.serialNumber.toLowerCase(),
    isCA: cert.ca,
    sha256Fingerprint: createHash('sha256').update(der).digest('hex'),
  };
  const aaguid = findAaguidExtension(der);
  if (aaguid) summary.aaguid = aaguid;
  return summary;
}

/** node:crypto gives names one RDN per line; print them comma-separated. */
function oneLineName(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

export function certificateToPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
}
