// COSE_Key handling for P-256 keys (RFC 9053 §7.1.1; CTAP 2.2 §6.5.6 for the key-agreement key): the ES256
// credential public key in attested credential data and the ECDH key of PIN/UV auth protocols 1 and 2. CTAP
// requires the key-agreement key to carry alg -25 (ECDH-ES+HKDF-256) although that is not the algorithm used.
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { CborInput, CborMap } from './cbor.ts';
import { readers, requiredField, type Fail } from './cbor-fields.ts';
import { concatBytes } from './bytes.ts';

export const CoseAlg = {
  ES256: -7,
  EdDSA: -8,
  ECDH_ES_HKDF_256: -25,
  RS256: -257,
} as const;

export const COSE_KTY_EC2 = 2;
export const COSE_CRV_P256 = 1;

export interface CoseEc2PublicKey {
  alg: number;
  x: Uint8Array;
  y: Uint8Array;
}

/** `{1: 2, 3: alg, -1: 1, -2: x, -3: y}`; the encoder sorts it to canonical order 1, 3, -1, -2, -3. */
export function encodeCoseEc2Key(key: CoseEc2PublicKey): Map<number, CborInput> {
  return new Map<number, CborInput>([
    [1, COSE_KTY_EC2],
    [3, key.alg],
    [-1, COSE_CRV_P256],
    [-2, key.x],
    [-3, key.y],
  ]);
}

/** Reads an EC2 P-256 COSE key; `expectedAlg` (when given) must match. Extra parameters are ignored. */
export function decodeCoseEc2Key(map: CborMap, fail: Fail, expectedAlg?: number): CoseEc2PublicKey {
  const r = readers(fail);
  const kty = requiredField(map, 1, r.int, 'COSE key parameter', fail);
  if (kty !== COSE_KTY_EC2) fail(`COSE key type ${kty} is not EC2 (2)`);
  const alg = requiredField(map, 3, r.int, 'COSE key parameter', fail);
  if (expectedAlg !== undefined && alg !== expectedAlg) fail(`COSE key algorithm ${alg}, expected ${expectedAlg}`);
  const crv = requiredField(map, -1, r.int, 'COSE key parameter', fail);
  if (crv !== COSE_CRV_P256) fail(`COSE key curve ${crv} is not P-256 (1)`);
  const x = requiredField(map, -2, r.bytes, 'COSE key parameter', fail);
  const y = requiredField(map, -3, r.bytes, 'COSE key parameter', fail);
  if (x.length !== 32 || y.length !== 32) fail('COSE key coordinates must be 32 bytes each');
  return { alg, x, y };
}

/** SEC1 uncompressed point `04 ‖ x ‖ y`, the form node:crypto's ECDH uses. */
export function uncompressedPoint(key: CoseEc2PublicKey): Uint8Array {
  return concatBytes(Uint8Array.of(0x04), key.x, key.y);
}

export function coseKeyFromUncompressed(point: Uint8Array, alg: number): CoseEc2PublicKey {
  if (point.length !== 65 || point[0] !== 0x04) throw new RangeError('expected a 65-byte uncompressed P-256 point');
  return { alg, x: point.slice(1, 33), y: point.slice(33, 65) };
}

/** A node:crypto public key for signature checks; throws if the point is not on the curve. */
export function coseKeyToKeyObject(key: CoseEc2PublicKey): KeyObject {
  return createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: Buffer.from(key.x).toString('base64url'), y: Buffer.from(key.y).toString('base64url') },
    format: 'jwk',
  });
}

export function coseKeyFromKeyObject(publicKey: KeyObject, alg: number): CoseEc2PublicKey {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new RangeError('expected a P-256 public key');
  return { alg, x: new Uint8Array(Buffer.from(jwk.x, 'base64url')), y: new Uint8Array(Buffer.from(jwk.y, 'base64url')) };
}
