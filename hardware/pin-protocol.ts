// PIN/UV auth protocols one and two (CTAP 2.2 §6.5.6 and §6.5.7): ECDH on P-256, the KDF, encrypt/decrypt and
// authenticate/verify. The same primitives serve the platform (ClientPin) and the virtual authenticator.
//
//   protocol 1: KDF = SHA-256(Z); AES-256-CBC with a zero IV; authenticate = first 16 bytes of HMAC-SHA-256.
//   protocol 2: KDF = HKDF-SHA-256(salt 32×00, Z, "CTAP2 HMAC key") ‖ HKDF(…, "CTAP2 AES key") (64 bytes);
//               AES-256-CBC with a random IV sent in front of the ciphertext; authenticate = full HMAC-SHA-256.
//
// No padding anywhere: every plaintext is a multiple of 16 bytes, so Node's PKCS#7 padding is switched off.
import { createCipheriv, createDecipheriv, createECDH, createHash, createHmac, hkdfSync, randomBytes, type ECDH } from 'node:crypto';
import { concatBytes, constantTimeEqual } from './bytes.ts';
import { CoseAlg, coseKeyFromUncompressed, uncompressedPoint, type CoseEc2PublicKey } from './cose-key.ts';

export type PinProtocolVersion = 1 | 2;

export interface Encapsulation {
  /** The platform's key-agreement public key, sent to the authenticator as parameter keyAgreement (alg -25). */
  keyAgreement: CoseEc2PublicKey;
  /** 32 bytes (protocol 1) or 64 bytes (protocol 2). Secret: never log or persist it. */
  sharedSecret: Uint8Array;
}

export interface PinUvAuthProtocol {
  readonly version: PinProtocolVersion;
  /** Platform side: a fresh key pair, ECDH with the authenticator's key and the KDF (CTAP 2.2 §6.5.6 encapsulate). */
  encapsulate(peer: CoseEc2PublicKey): Encapsulation;
  /** Authenticator side: ECDH of its own key with the platform's key, then the KDF (decapsulate). */
  decapsulate(own: ECDH, peer: CoseEc2PublicKey): Uint8Array;
  kdf(z: Uint8Array): Uint8Array;
  encrypt(key: Uint8Array, plaintext: Uint8Array): Uint8Array;
  decrypt(key: Uint8Array, ciphertext: Uint8Array): Uint8Array;
  authenticate(key: Uint8Array, message: Uint8Array): Uint8Array;
  verify(key: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

export interface PinProtocolOptions {
  /** Supplies the platform's ECDH key pair; tests inject a fixed private key to check the published vectors. */
  createEcdh?: () => ECDH;
  /** Random IVs for protocol 2; tests inject a fixed IV. */
  randomIv?: () => Uint8Array;
}

export class PinProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PinProtocolError';
  }
}

const ZERO_IV = new Uint8Array(16);
const HKDF_SALT = new Uint8Array(32);

abstract class PinProtocolBase implements PinUvAuthProtocol {
  abstract readonly version: PinProtocolVersion;
  readonly #createEcdh: () => ECDH;

  constructor(options: PinProtocolOptions) {
    this.#createEcdh =
      options.createEcdh ??
      (() => {
        const ecdh = createECDH('prime256v1');
        ecdh.generateKeys();
        return ecdh;
      });
  }

  abstract kdf(z: Uint8Array): Uint8Array;
  abstract encrypt(key: Uint8Array, plaintext: Uint8Array): Uint8Array;
  abstract decrypt(key: Uint8Array, ciphertext: Uint8Array): Uint8Array;
  abstract authenticate(key: Uint8Array, message: Uint8Array): Uint8Array;

  encapsulate(peer: CoseEc2PublicKey): Encapsulation {
    const ecdh = this.#createEcdh();
    const sharedSecret = this.decapsulate(ecdh, peer);
    return { keyAgreement: coseKeyFromUncompressed(new Uint8Array(ecdh.getPublicKey()), CoseAlg.ECDH_ES_HKDF_256), sharedSecret };
  }

  decapsulate(own: ECDH, peer: CoseEc2PublicKey): Uint8Array {
    let z: Buffer;
    try {
      // computeSecret rejects points that are not on P-256, which is the check CTAP asks for.
      z = own.computeSecret(uncompressedPoint(peer));
    } catch {
      throw new PinProtocolError('the key-agreement public key is not a valid P-256 point');
    }
    const secret = this.kdf(new Uint8Array(z));
    z.fill(0);
    return secret;
  }

  verify(key: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    return constantTimeEqual(this.authenticate(key, message), signature);
  }
}

/** PIN/UV auth protocol one (CTAP 2.2 §6.5.6), for keys that offer only protocol 1. */
export class PinProtocolV1 extends PinProtocolBase {
  readonly version = 1 as const;

  constructor(options: PinProtocolOptions = {}) {
    super(options);
  }

  kdf(z: Uint8Array): Uint8Array {
    return new Uint8Array(createHash('sha256').update(z).digest());
  }

  encrypt(key: Uint8Array, plaintext: Uint8Array): Uint8Array {
    return aesCbc('encrypt', key.subarray(0, 32), ZERO_IV, plaintext);
  }

  decrypt(key: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    return aesCbc('decrypt', key.subarray(0, 32), ZERO_IV, ciphertext);
  }

  authenticate(key: Uint8Array, message: Uint8Array): Uint8Array {
    return new Uint8Array(createHmac('sha256', key).update(message).digest().subarray(0, 16));
  }
}

/** PIN/UV auth protocol two (CTAP 2.2 §6.5.7), preferred by CTAP 2.1 keys. */
export class PinProtocolV2 extends PinProtocolBase {
  readonly version = 2 as const;
  readonly #randomIv: () => Uint8Array;

  constructor(options: PinProtocolOptions = {}) {
    super(options);
    this.#randomIv = options.randomIv ?? (() => new Uint8Array(randomBytes(16)));
  }

  kdf(z: Uint8Array): Uint8Array {
    const hmacKey = new Uint8Array(hkdfSync('sha256', z, HKDF_SALT, 'CTAP2 HMAC key', 32));
    const aesKey = new Uint8Array(hkdfSync('sha256', z, HKDF_SALT, 'CTAP2 AES key', 32));
    return concatBytes(hmacKey, aesKey);
  }

  /** The AES key is the second half of the 64-byte shared secret. */
  encrypt(key: Uint8Array, plaintext: Uint8Array): Uint8Array {
    const iv = this.#randomIv();
    if (iv.length !== 16) throw new PinProtocolError('protocol 2 needs a 16-byte IV');
    return concatBytes(iv, aesCbc('encrypt', aesKeyOf(key), iv, plaintext));
  }

  decrypt(key: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    if (ciphertext.length < 16) throw new PinProtocolError('ciphertext shorter than its IV');
    return aesCbc('decrypt', aesKeyOf(key), ciphertext.subarray(0, 16), ciphertext.subarray(16));
  }

  /** With the 64-byte shared secret this uses its first half (the HMAC key); with a 32-byte token, all of it. */
  authenticate(key: Uint8Array, message: Uint8Array): Uint8Array {
    return new Uint8Array(createHmac('sha256', key.subarray(0, 32)).update(message).digest());
  }
}

function aesKeyOf(key: Uint8Array): Uint8Array {
  if (key.length !== 64) throw new PinProtocolError('protocol 2 shared secret must be 64 bytes');
  return key.subarray(32, 64);
}

function aesCbc(direction: 'encrypt' | 'decrypt', key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  if (data.length % 16 !== 0) throw new PinProtocolError('AES-CBC data must be a multiple of 16 bytes');
  if (key.length !== 32) throw new PinProtocolError('AES-256 key must be 32 bytes');
  const cipher = direction === 'encrypt' ? createCipheriv('aes-256-cbc', key, iv) : createDecipheriv('aes-256-cbc', key, iv);
  cipher.setAutoPadding(false);
  return concatBytes(new Uint8Array(cipher.update(data)), new Uint8Array(cipher.final()));
}

export function pinProtocol(version: PinProtocolVersion, options: PinProtocolOptions = {}): PinUvAuthProtocol {
  return version === 2 ? new PinProtocolV2(options) : new PinProtocolV1(options);
}
