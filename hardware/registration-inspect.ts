// Inspecting a WebAuthn registration response (what @simplewebauthn/browser's startRegistration() returns): the
// attestation format, AAGUID and model, attestation certificate, flags and — when the expected challenge, origin and
// RP ID are known — a full verification by @simplewebauthn/server (signature, challenge, origin, RP ID and, with
// trust anchors, the certificate path). Used by `breakglass key inspect` and by anyone auditing an enrollment.
import { verifyRegistrationResponse, SettingsService, type RegistrationResponseJSON as SwaRegistrationResponseJSON } from '@simplewebauthn/server';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { parseAttestationObject, summarizeCertificate, verifyPackedAttestation, decodePackedStatement, type CertificateSummary } from './attestation.ts';
import { describeAaguid, lookupAaguid } from './aaguids.ts';
import { fromBase64Url, toBase64Url } from './bytes.ts';
import { HardwareError, RegistrationFileError } from './errors.ts';
import type { CborMap } from './cbor.ts';
import type { RegistrationResponseJSON } from './webauthn-client.ts';

export interface RegistrationFile {
  response: RegistrationResponseJSON;
  expectedChallenge?: string;
  expectedOrigin?: string;
  expectedRPID?: string;
}

export interface RegistrationInspection {
  credentialId: string;
  fmt: string;
  aaguid: string;
  model: string;
  vendor?: string;
  flags: { userPresent: boolean; userVerified: boolean; backupEligible: boolean; backedUp: boolean };
  signCount: number;
  credentialPublicKeyAlgorithm?: number;
  attestation: {
    /** full: certificate chain; self: signed by the credential key; none: no statement; other: a format not checked here. */
    type: 'full' | 'self' | 'none' | 'other';
    certificates: CertificateSummary[];
    /** Whether the attestation signature verifies (packed only). */
    signature: 'valid' | 'invalid' | 'not checked';
    detail: string;
  };
  clientData: { type?: string; origin?: string; challenge?: string; crossOrigin?: boolean };
  /** Present when expectations were given: the verdict of @simplewebauthn/server. */
  verification?: { verified: boolean; checked: string[]; error?: string };
  notes: string[];
}

/** Validates the JSON file shape: `{response, expectedChallenge?, expectedOrigin?, expectedRPID?}`, or a bare response. */
export function parseRegistrationFile(json: unknown, source: string): RegistrationFile {
  const fail = (reason: string): never => {
    throw new RegistrationFileError(source, reason);
  };
  if (!isRecord(json)) return fail('must be a JSON object');
  const wrapped = isRecord(json.response) && isRecord(json.response.response);
  const response = (wrapped ? json.response : json) as Record<string, unknown>;
  if (!isRecord(response.response)) fail('has no "response" (expected what @simplewebauthn/browser startRegistration() returns)');
  const inner = response.response as Record<string, unknown>;
  for (const k of ['clientDataJSON', 'attestationObject'] as const) {
    if (typeof inner[k] !== 'string' || !/^[A-Za-z0-9_-]+={0,2}$/.test(inner[k] as string)) fail(`"response.${k}" must be a base64url string`);
  }
  if (typeof response.id !== 'string' || !response.id) fail('"id" (the credential id, base64url) is missing');
  if (response.type !== 'public-key') fail('"type" must be "public-key"');
  const file: RegistrationFile = { response: response as unknown as RegistrationResponseJSON };
  if (wrapped) {
    for (const k of ['expectedChallenge', 'expectedOrigin', 'expectedRPID'] as const) {
      if (json[k] !== undefined) {
        if (typeof json[k] !== 'string' || !json[k]) fail(`"${k}" must be a non-empty string`);
        file[k] = json[k] as string;
      }
    }
  }
  return file;
}

export async function loadRegistrationFile(path: string): Promise<RegistrationFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RegistrationFileError(path, code === 'ENOENT' ? 'file not found' : `cannot read it (${code ?? 'I/O error'})`, err);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RegistrationFileError(path, `not valid JSON (${(err as Error).message.split('\n')[0]})`, err);
  }
  return parseRegistrationFile(json, path);
}

export interface InspectOptions {
  /** PEM trust anchors for the attestation certificate path (e.g. the vendor's MDS root). */
  trustAnchorsPem?: string[];
  /** Names the input in error messages. */
  source?: string;
}

export async function inspectRegistration(file: RegistrationFile, options: InspectOptions = {}): Promise<RegistrationInspection> {
  const source = options.source ?? 'registration response';
  const b64 = (value: string, what: string): Uint8Array => {
    try {
      return fromBase64Url(value.replace(/=+$/, ''), what);
    } catch {
      throw new RegistrationFileError(source, `"${what}" is not valid base64url`);
    }
  };
  const attBytes = b64(file.response.response.attestationObject, 'response.attestationObject');
  const clientDataBytes = b64(file.response.response.clientDataJSON, 'response.clientDataJSON');
  let parsed;
  try {
    // Browsers and platforms re-encode attestation objects; accept any well-formed CBOR here.
    parsed = parseAttestationObject(attBytes, { canonical: false });
  } catch (err) {
    throw new RegistrationFileError(source, err instanceof HardwareError ? err.message : 'attestation object unreadable', err);
  }
  const acd = parsed.authenticatorData.attestedCredentialData;
  if (!acd) throw new RegistrationFileError(source, 'the authenticator data carries no credential (AT flag clear)');
  const clientData = parseClientData(clientDataBytes);
  const entry = lookupAaguid(acd.aaguid);
  const notes: string[] = [];
  const inspection: RegistrationInspection = {
    credentialId: toBase64Url(acd.credentialId),
    fmt: parsed.fmt,
    aaguid: acd.aaguid,
    model: describeAaguid(acd.aaguid),
    flags: {
      userPresent: parsed.authenticatorData.userPresent,
      userVerified: parsed.authenticatorData.userVerified,
      backupEligible: parsed.authenticatorData.backupEligible,
      backedUp: parsed.authenticatorData.backedUp,
    },
    signCount: parsed.authenticatorData.signCount,
    attestation: { type: 'other', certificates: [], signature: 'not checked', detail: '' },
    clientData,
    notes,
  };
  if (entry) inspection.vendor = entry.vendor;
  const alg = acd.credentialPublicKey.get(3);
  if (typeof alg === 'number') inspection.credentialPublicKeyAlgorithm = alg;
  if (file.response.id !== inspection.credentialId && file.response.id.replace(/=+$/, '') !== inspection.credentialId) {
    notes.push('the response "id" differs from the credential id inside the attestation object');
  }

  if (parsed.fmt === 'none') {
    inspection.attestation = { type: 'none', certificates: [], signature: 'not checked', detail: 'no attestation statement: nothing proves the key model' };
    if (acd.aaguid === '00000000-0000-0000-0000-000000000000') notes.push('the platform zeroed the AAGUID (attestation "none"); ask for attestation "direct" to see the model');
  } else if (parsed.fmt === 'packed') {
    const stmt = safe(() => decodePackedStatement(parsed.attStmt));
    const certificates = (stmt?.x5c ?? []).map((der) => {
      try {
        return summarizeCertificate(der);
      } catch (err) {
        throw new RegistrationFileError(source, err instanceof HardwareError ? err.message : 'attestation certificate unreadable', err);
      }
    });
    const clientDataHash = new Uint8Array(createHash('sha256').update(clientDataBytes).digest());
    const check = safe(() => verifyPackedAttestation(parsed, clientDataHash));
    inspection.attestation = {
      type: stmt?.x5c ? 'full' : 'self',
      certificates,
      signature: check ? (check.ok ? 'valid' : 'invalid') : 'invalid',
      detail: check?.reason ?? 'the packed attestation statement is malformed',
    };
    const leaf = certificates[0];
    if (leaf?.aaguid && leaf.aaguid !== acd.aaguid) notes.push(`the certificate's AAGUID extension (${leaf.aaguid}) differs from authData's AAGUID`);
  } else {
    inspection.attestation = { type: 'other', certificates: certificatesOf(parsed.attStmt), signature: 'not checked', detail: `format "${parsed.fmt}" is only verified by @simplewebauthn/server below` };
  }
  if (!parsed.authenticatorData.userVerified) notes.push('UV flag not set: the key did not verify its user (no PIN); Entra requires user verification');
  if (parsed.authenticatorData.backupEligible) notes.push('BE flag set: a synced passkey, not a device-bound security key');

  if (file.expectedChallenge && file.expectedOrigin) {
    inspection.verification = await verify(file, options.trustAnchorsPem ?? [], parsed.fmt);
  } else {
    notes.push('no expectedChallenge/expectedOrigin in the file: challenge, origin and RP ID were not verified');
  }
  return inspection;
}

async function verify(file: RegistrationFile, anchors: string[], fmt: string): Promise<NonNullable<RegistrationInspection['verification']>> {
  const checked = ['attestation signature', 'challenge', 'origin', 'user presence'];
  if (file.expectedRPID) checked.push('RP ID hash');
  if (anchors.length) checked.push(`certificate path to ${anchors.length} trust anchor(s)`);
  const identifier = fmt as Parameters<typeof SettingsService.setRootCertificates>[0]['identifier'];
  // SettingsService is process-global in @simplewebauthn/server: set the anchors for this call and restore after.
  let previous: string[] = [];
  try {
    previous = SettingsService.getRootCertificates({ identifier });
  } catch {
    previous = [];
  }
  if (anchors.length) SettingsService.setRootCertificates({ identifier, certificates: anchors });
  try {
    const result = await verifyRegistrationResponse({
      response: file.response as unknown as SwaRegistrationResponseJSON,
      expectedChallenge: file.expectedChallenge!,
      expectedOrigin: file.expectedOrigin!,
      ...(file.expectedRPID ? { expectedRPID: file.expectedRPID } : {}),
      requireUserVerification: false,
    });
    return result.verified ? { verified: true, checked } : { verified: false, checked, error: 'the response did not verify' };
  } catch (err) {
    return { verified: false, checked, error: (err instanceof Error ? err.message : String(err)).split('\n')[0]! };
  } finally {
    if (anchors.length) SettingsService.setRootCertificates({ identifier, certificates: previous });
  }
}

function parseClientData(bytes: Uint8Array): RegistrationInspection['clientData'] {
  try {
    const json = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
    const out: RegistrationInspection['clientData'] = {};
    if (typeof json.type === 'string') out.type = json.type;
    if (typeof json.origin === 'string') out.origin = json.origin;
    if (typeof json.challenge === 'string') out.challenge = json.challenge;
    if (typeof json.crossOrigin === 'boolean') out.crossOrigin = json.crossOrigin;
    return out;
  } catch {
    return {};
  }
}

function certificatesOf(attStmt: CborMap): CertificateSummary[] {
  const x5c = attStmt.get('x5c');
  if (!Array.isArray(x5c)) return [];
  return x5c.flatMap((c) => (c instanceof Uint8Array ? (safe(() => summarizeCertificate(c)) ?? []) : []));
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
