// PIN/UV auth protocols 1 and 2 against the published vectors (WebauthnWorks CTAP2.1 migration guide, recomputed
// independently in ../shared/reference/ctap-hid.md §5.5), and their failure modes.
import { describe, expect, it } from 'vitest';
import { createECDH } from 'node:crypto';
import { PinProtocolError, PinProtocolV1, PinProtocolV2 } from '../../../hardware/pin-protocol.ts';
import { coseKeyFromUncompressed } from '../../../hardware/cose-key.ts';

const h = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const AUTHENTICATOR_PRIVATE = '90f0a83dba763dfa331061198fc90033a7adefe8fe63da224667b2c5ac0a52ba';
const AUTHENTICATOR_PUBLIC = '04d7404f738990a0af2bbc053d39f0a9c293898bf8e7c0fb9ab1ef4dd61bb70d37c09bed90721b78631be0e68f42997f7a1957b87a6537cfade9f0a68cd432e7f9';
const PLATFORM_PRIVATE = 'e5fccb46de79b04b62e930bbb72b274e30134545f08d54c72bba22407c825344';
const PLATFORM_PUBLIC = '04003a0bc15db601a238e891db21ca5f71eab98c8e05bf4e318daf471ea6e76dab3e303d19dcf2147db8d4ee0d932b0a0308ca55d69cf021c1c7e111d0cdc59efe';
const HMAC_KEY = 'efe50001d97a7cf14096589e65147b108653683cc22aaf4d1f3bd91dc8e41cbd';
const AES_KEY = '6e1db0c8ebc48dad977a81d26ca7e5bfb0243bd1a2aba6c45adc7a00729b2027';
const V1_KEY = '8f186f64182b86cfd8bbf73354772066ba46de6514149a7a79c050a3ce4f1ff9';
const IV = '3672a1bc264e2cef5f647aff51100b15';

function ecdh(privateKey: string) {
  const e = createECDH('prime256v1');
  e.setPrivateKey(h(privateKey));
  return e;
}
const authenticatorKey = coseKeyFromUncompressed(h(AUTHENTICATOR_PUBLIC), -25);
const paddedPin = (): Uint8Array => {
  const p = new Uint8Array(64);
  p.set(Buffer.from('passwordsAreBad'));
  return p;
};

describe('PIN/UV auth protocol 2', () => {
  const v2 = new PinProtocolV2({ createEcdh: () => ecdh(PLATFORM_PRIVATE), randomIv: () => h(IV) });

  it('derives hmacKey ‖ aesKey with HKDF-SHA-256 ("CTAP2 HMAC key", "CTAP2 AES key") from the ECDH x-coordinate', () => {
    const { keyAgreement, sharedSecret } = v2.encapsulate(authenticatorKey);
    expect(hex(sharedSecret)).toBe(HMAC_KEY + AES_KEY);
    expect(keyAgreement.alg).toBe(-25);
    expect('04' + hex(keyAgreement.x) + hex(keyAgreement.y)).toBe(PLATFORM_PUBLIC);
  });

  it('encrypts with the AES half and a leading IV, and authenticates with the full HMAC over IV ‖ ciphertext', () => {
    const secret = h(HMAC_KEY + AES_KEY);
    const ct = v2.encrypt(secret, paddedPin());
    expect(hex(ct).startsWith(IV + 'c2cdbe642fe446d1e7eb6cf52ef5268b616d1d27')).toBe(true);
    expect(ct.length).toBe(80);
    expect(hex(v2.authenticate(secret, ct))).toBe('6572fe937c1c04fb68b5a91408f9058246a6650013fe8dc023c5eec130f01a28');
    expect(hex(v2.decrypt(secret, ct))).toBe(hex(paddedPin()));
    expect(v2.verify(secret, ct, h('6572fe937c1c04fb68b5a91408f9058246a6650013fe8dc023c5eec130f01a28'))).toBe(true);
    expect(v2.verify(secret, ct, new Uint8Array(32))).toBe(false);
  });

  it('gives the authenticator the same secret from its side (decapsulate)', () => {
    const platform = coseKeyFromUncompressed(h(PLATFORM_PUBLIC), -25);
    expect(hex(v2.decapsulate(ecdh(AUTHENTICATOR_PRIVATE), platform))).toBe(HMAC_KEY + AES_KEY);
  });

  it('refuses ciphertext shorter than the IV, lengths that are not whole blocks, and points off the curve', () => {
    const secret = h(HMAC_KEY + AES_KEY);
    expect(() => v2.decrypt(secret, new Uint8Array(8))).toThrow(PinProtocolError);
    expect(() => v2.encrypt(secret, new Uint8Array(15))).toThrow(/multiple of 16/);
    expect(() => v2.encrypt(new Uint8Array(32), new Uint8Array(16))).toThrow(/64 bytes/);
    const offCurve = { alg: -25, x: new Uint8Array(32).fill(1), y: new Uint8Array(32).fill(2) };
    expect(() => v2.encapsulate(offCurve)).toThrow(/not a valid P-256 point/);
  });
});

describe('PIN/UV auth protocol 1', () => {
  const v1 = new PinProtocolV1({ createEcdh: () => ecdh(PLATFORM_PRIVATE) });

  it('uses SHA-256(Z) as the key, a zero IV and the first 16 bytes of HMAC-SHA-256', () => {
    const { sharedSecret } = v1.encapsulate(authenticatorKey);
    expect(hex(sharedSecret)).toBe(V1_KEY);
    const ct = v1.encrypt(sharedSecret, paddedPin());
    expect(hex(ct).startsWith('b206fc6039c9817a045fd274c601f448900b37a9')).toBe(true);
    expect(ct.length).toBe(64);
    expect(hex(v1.decrypt(sharedSecret, ct))).toBe(hex(paddedPin()));
    expect(v1.authenticate(sharedSecret, ct).length).toBe(16);
  });
});
