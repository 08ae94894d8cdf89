// authenticatorGetInfo decoding (CTAP 2.2 §6.4): a real recorded answer, every member 0x01–0x1F, unknown members
// kept for forward compatibility, and typed errors for malformed answers.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { decodeCbor, encodeCbor, type CborMap } from '../../../hardware/cbor.ts';
import { decodeGetInfo, effectiveOptions, encodeGetInfo, getInfoToJson, preferredPinProtocol, type AuthenticatorInfo } from '../../../hardware/get-info.ts';
import { InvalidResponseError } from '../../../hardware/errors.ts';

const recorded = readFileSync(new URL('../../fixtures/hardware/getinfo/security-key-by-yubico.hex', import.meta.url), 'utf8').trim();

const ALL_FIELDS: AuthenticatorInfo = {
  versions: ['FIDO_2_0', 'FIDO_2_1', 'FIDO_2_2'],
  extensions: ['credProtect', 'hmac-secret', 'minPinLength'],
  aaguid: 'ee882879-721c-4913-9775-3dfcce97072a',
  options: { rk: true, up: true, plat: false, clientPin: true, pinUvAuthToken: true, alwaysUv: false },
  maxMsgSize: 1280,
  pinUvAuthProtocols: [2, 1],
  maxCredentialCountInList: 8,
  maxCredentialIdLength: 128,
  transports: ['usb', 'nfc'],
  algorithms: [{ alg: -7, type: 'public-key' }, { alg: -8, type: 'public-key' }],
  maxSerializedLargeBlobArray: 1024,
  forcePINChange: false,
  minPINLength: 6,
  firmwareVersion: 0x050706,
  maxCredBlobLength: 32,
  maxRPIDsForSetMinPINLength: 1,
  preferredPlatformUvAttempts: 3,
  uvModality: 2,
  certifications: { FIDO: 2 },
  remainingDiscoverableCredentials: 100,
  vendorPrototypeConfigCommands: [0x7f],
  attestationFormats: ['packed', 'none'],
  uvCountSinceLastPinEntry: 0,
  longTouchForReset: false,
  encIdentifier: new Uint8Array(32).fill(7),
  transportsForReset: ['usb'],
  pinComplexityPolicy: true,
  pinComplexityPolicyURL: new Uint8Array(Buffer.from('https://example.com/pin')),
  maxPINLength: 63,
  encCredStoreState: new Uint8Array(16).fill(3),
  authenticatorConfigCommands: [1, 2, 3],
};

function decodeHex(hex: string): AuthenticatorInfo {
  return decodeGetInfo(decodeCbor(new Uint8Array(Buffer.from(hex, 'hex'))) as CborMap);
}

describe('decodeGetInfo', () => {
  it('decodes a recorded Security Key by Yubico answer (python-fido2 vector)', () => {
    const info = decodeHex(recorded);
    expect(info).toEqual({
      versions: ['U2F_V2', 'FIDO_2_0'],
      extensions: ['uvm', 'hmac-secret'],
      aaguid: 'f8a011f3-8c0a-4d15-8006-17111f9edc7d',
      options: { rk: true, up: true, plat: false, clientPin: false },
      maxMsgSize: 1200,
      pinUvAuthProtocols: [1],
    });
    expect(preferredPinProtocol(info)).toBe(1);
  });

  it('decodes every member from 0x01 to 0x1F under its spec name', () => {
    const bytes = encodeCbor(encodeGetInfo(ALL_FIELDS));
    const map = decodeCbor(bytes) as CborMap;
    expect([...map.keys()]).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    expect(decodeGetInfo(map)).toEqual(ALL_FIELDS);
  });

  it('keeps members it does not know, by number, instead of failing', () => {
    const map = decodeCbor(encodeCbor(encodeGetInfo({ versions: ['FIDO_2_2'], aaguid: ALL_FIELDS.aaguid }))) as CborMap;
    map.set(0x40, 'future');
    expect(decodeGetInfo(map).unknown).toEqual({ '64': 'future' });
  });

  it.each([
    ['versions missing', (m: CborMap) => m.delete(1), /0x01 is missing/],
    ['aaguid missing', (m: CborMap) => m.delete(3), /0x03 is missing/],
    ['aaguid of 15 bytes', (m: CborMap) => m.set(3, new Uint8Array(15)), /AAGUID is 15 bytes/],
    ['versions not an array', (m: CborMap) => m.set(1, 'FIDO_2_0'), /0x01 is not an array/],
    ['an option that is not a boolean', (m: CborMap) => m.set(4, new Map([['rk', 1]])), /rk is not a boolean/],
    ['maxMsgSize negative', (m: CborMap) => m.set(5, -1), /0x05 is not an unsigned integer/],
    ['an algorithm without type', (m: CborMap) => m.set(10, [new Map([['alg', -7]])]), /"type" is missing/],
  ])('rejects a response with %s as InvalidResponseError', (_what, mutate, message) => {
    const map = decodeCbor(encodeCbor(encodeGetInfo(ALL_FIELDS))) as CborMap;
    mutate(map);
    let caught: unknown;
    try {
      decodeGetInfo(map);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidResponseError);
    expect((caught as InvalidResponseError).code).toBe('invalid_response');
    expect((caught as Error).message).toMatch(message);
  });
});

describe('helpers', () => {
  it('applies the spec defaults for plat, rk and up only', () => {
    expect(effectiveOptions({ versions: ['FIDO_2_0'], aaguid: ALL_FIELDS.aaguid })).toEqual({ plat: false, rk: false, up: true });
    expect(effectiveOptions({ versions: ['FIDO_2_0'], aaguid: ALL_FIELDS.aaguid, options: { up: false, clientPin: true } })).toEqual({
      plat: false,
      rk: false,
      up: false,
      clientPin: true,
    });
  });

  it('gives JSON with spec names, byte strings as hex and the policy URL as text', () => {
    const json = getInfoToJson(ALL_FIELDS);
    expect(json.aaguid).toBe('ee882879-721c-4913-9775-3dfcce97072a');
    expect(json.encIdentifier).toBe('07'.repeat(32));
    expect(json.pinComplexityPolicyURL).toBe('https://example.com/pin');
    expect(JSON.parse(JSON.stringify(json)).firmwareVersion).toBe(0x050706);
  });
});
