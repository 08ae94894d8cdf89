// Authenticator data and packed attestation: layout (WebAuthn L3 §6.1), flags, the certificate facts a person checks,
// and the signature and AAGUID-extension rules of §8.2.
import { describe, expect, it } from 'vitest';
import { createHash, generateKeyPairSync, sign, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AuthDataFlag, describeFlags, encodeAuthenticatorData, parseAuthenticatorData } from '../../../hardware/auth-data.ts';
import { buildAttestationObject, findAaguidExtension, parseAttestationObject, summarizeCertificate, verifyPackedAttestation } from '../../../hardware/attestation.ts';
import { coseKeyFromKeyObject, encodeCoseEc2Key } from '../../../hardware/cose-key.ts';
import { concatBytes } from '../../../hardware/bytes.ts';
import { testAttestationFor } from '../../../hardware/virtual/test-attestation.ts';
import { InvalidResponseError } from '../../../hardware/errors.ts';
import type { CborInput } from '../../../hardware/cbor.ts';

const VIRTUAL = '57e466f2-2f74-44f2-a7fd-a5a438446aed';
const YUBIKEY = '2fc0579f-8113-47ea-b116-bb5a8db9202a';
const pem = (name: string) => readFileSync(new URL(`../../../hardware/virtual/attestation/${name}`, import.meta.url), 'utf8');
const rpIdHash = new Uint8Array(createHash('sha256').update('login.microsoft.com').digest());

function credential(aaguid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const authData = encodeAuthenticatorData({
    rpIdHash,
    flags: AuthDataFlag.UP | AuthDataFlag.UV,
    signCount: 0,
    attestedCredentialData: { aaguid, credentialId: new Uint8Array(16).fill(1), credentialPublicKey: encodeCoseEc2Key(coseKeyFromKeyObject(publicKey, -7)) },
  });
  return { privateKey, authData };
}

describe('authenticator data', () => {
  it('lays out rpIdHash, flags, big-endian signCount and attested credential data, and parses back', () => {
    const { authData } = credential(VIRTUAL);
    expect(authData[32]).toBe(AuthDataFlag.UP | AuthDataFlag.UV | AuthDataFlag.AT);
    const parsed = parseAuthenticatorData(authData);
    expect(parsed).toMatchObject({ userPresent: true, userVerified: true, backupEligible: false, backedUp: false, signCount: 0 });
    expect(parsed.attestedCredentialData?.aaguid).toBe(VIRTUAL);
    expect(parsed.attestedCredentialData?.credentialPublicKey.get(3)).toBe(-7);
    expect(describeFlags(parsed)).toBe('0x45 (UP UV AT)');
    const counted = encodeAuthenticatorData({ rpIdHash, flags: AuthDataFlag.UP, signCount: 0x01020304 });
    expect(Buffer.from(counted.subarray(33, 37)).toString('hex')).toBe('01020304');
  });

  it.each([
    ['too short', new Uint8Array(36), /at least 37/],
    ['AT without credential data', concatBytes(rpIdHash, Uint8Array.of(0x41, 0, 0, 0, 0)), /truncated/],
    ['BS without BE', concatBytes(rpIdHash, Uint8Array.of(0x11, 0, 0, 0, 0)), /backup state/],
    ['ED with trailing garbage', concatBytes(rpIdHash, Uint8Array.of(0x81, 0, 0, 0, 0, 0xa0, 0x00)), /trailing/],
    ['bytes after the data', concatBytes(rpIdHash, Uint8Array.of(0x01, 0, 0, 0, 0, 0xff)), /trailing byte/],
  ])('rejects %s', (_what, bytes, message) => {
    expect(() => parseAuthenticatorData(bytes)).toThrow(InvalidResponseError);
    expect(() => parseAuthenticatorData(bytes)).toThrow(message);
  });
});

describe('attestation certificates', () => {
  it('finds the FIDO AAGUID extension only in the certificate that carries it', () => {
    expect(findAaguidExtension(new Uint8Array(new X509Certificate(pem('virtual-attestation.pem')).raw))).toBe(VIRTUAL);
    expect(findAaguidExtension(new Uint8Array(new X509Certificate(pem('generic-attestation.pem')).raw))).toBeUndefined();
    expect(testAttestationFor(YUBIKEY)).not.toBe(testAttestationFor(VIRTUAL));
  });

  it('summarises subject, issuer, validity and CA flag the way a person reads them', () => {
    const s = summarizeCertificate(new Uint8Array(new X509Certificate(pem('virtual-attestation.pem')).raw));
    expect(s.subject).toBe('C=ZZ, O=breakglass test attestation (NOT FOR PRODUCTION), OU=Authenticator Attestation, CN=breakglass virtual authenticator attestation');
    expect(s.issuer).toContain('CN=breakglass virtual authenticator test root CA');
    expect(s).toMatchObject({ isCA: false, validFrom: '2025-01-01T00:00:00.000Z', validTo: '2075-01-01T00:00:00.000Z', aaguid: VIRTUAL });
    expect(() => summarizeCertificate(new Uint8Array(10))).toThrow(InvalidResponseError);
  });
});

describe('packed attestation', () => {
  const cdh = new Uint8Array(createHash('sha256').update('{"type":"webauthn.create"}').digest());

  function packed(aaguid: string, identity = testAttestationFor(aaguid), over: { hash?: Uint8Array } = {}) {
    const { authData } = credential(aaguid);
    const sig = new Uint8Array(sign('sha256', concatBytes(authData, over.hash ?? cdh), identity.privateKey));
    const stmt = new Map<string, CborInput>([['alg', -7], ['sig', sig], ['x5c', identity.certificateChain]]);
    return parseAttestationObject(buildAttestationObject('packed', authData, stmt));
  }

  it('verifies a full attestation whose certificate matches the AAGUID', () => {
    expect(verifyPackedAttestation(packed(VIRTUAL), cdh)).toEqual({ ok: true, reason: 'signature verified with the attestation certificate', attestationType: 'full' });
  });

  it('fails a signature over another clientDataHash, and a certificate AAGUID that differs from authData', () => {
    expect(verifyPackedAttestation(packed(VIRTUAL, undefined, { hash: new Uint8Array(32) }), cdh).ok).toBe(false);
    const mismatch = verifyPackedAttestation(packed(YUBIKEY, testAttestationFor(VIRTUAL)), cdh);
    expect(mismatch).toMatchObject({ ok: false, reason: expect.stringMatching(/certificate AAGUID .* differs/) });
  });

  it('verifies self attestation with the credential key', () => {
    const { authData, privateKey } = credential(VIRTUAL);
    const sig = new Uint8Array(sign('sha256', concatBytes(authData, cdh), privateKey));
    const obj = parseAttestationObject(buildAttestationObject('packed', authData, new Map<string, CborInput>([['alg', -7], ['sig', sig]])));
    expect(verifyPackedAttestation(obj, cdh)).toMatchObject({ ok: true, attestationType: 'self' });
  });
});
