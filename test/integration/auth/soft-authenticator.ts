// A software passkey authenticator for Node tests (the browser suite uses Chromium's CDP virtual authenticator
// instead): makes ES256 discoverable credentials with `none` attestation (WebAuthn L3 §6.5.4, §8.7) and signs
// assertions (§6.3.3) over our real ceremony options, with knobs for the bad cases — another origin, another
// challenge, no user verification, a counter that goes backwards, a broken signature.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

export const SOFT_AAGUID = '5f0b8ce7-3a9c-4d3e-9b1a-0c7f6e2d1a55';

interface CreationOptions {
  rp: { id?: string };
  user: { id: string; name: string };
  challenge: string;
}

interface RequestOptions {
  challenge: string;
  rpId?: string;
  allowCredentials?: { id: string }[];
}

export interface SoftCredential {
  id: string;
  privateKey: KeyObject;
  userHandle: string;
  rpId: string;
  counter: number;
}

export interface Knobs {
  origin?: string;
  challenge?: string;
  uv?: boolean;
  type?: string;
  /** Use this signature counter instead of the next one. */
  counter?: number;
  badSignature?: boolean;
  credentialId?: string;
}

const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
const sha256 = (b: Uint8Array | string): Buffer => createHash('sha256').update(b).digest();

function clientData(type: string, challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
}

function flags(uv: boolean, at: boolean): number {
  return 0x01 | (uv ? 0x04 : 0) | (at ? 0x40 : 0);
}

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];
  readonly origin: string;

  constructor(origin: string) {
    this.origin = origin;
  }

  register(options: CreationOptions, k: Knobs = {}): Record<string, unknown> {
    const rpId = options.rp.id ?? new URL(this.origin).hostname;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const credId = randomBytes(32);
    const counter = 1;
    const counterBytes = Buffer.alloc(4);
    counterBytes.writeUInt32BE(counter);
    const idLen = Buffer.alloc(2);
    idLen.writeUInt16BE(credId.length);
    const authData = Buffer.concat([sha256(rpId), Buffer.from([flags(k.uv ?? true, true)]), counterBytes, Buffer.from(SOFT_AAGUID.replace(/-/g, ''), 'hex'), idLen, credId, Buffer.from(cose)]);
    const attObj = isoCBOR.encode(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]) as never);
    const cd = clientData(k.type ?? 'webauthn.create', k.challenge ?? options.challenge, k.origin ?? this.origin);
    const id = b64u(credId);
    this.credentials.push({ id, privateKey, userHandle: options.user.id, rpId, counter });
    return {
      id,
      rawId: id,
      type: 'public-key',
      authenticatorAttachment: 'cross-platform',
      clientExtensionResults: { credProps: { rk: true } },
      response: { clientDataJSON: b64u(cd), attestationObject: b64u(attObj), transports: ['usb'] },
    };
  }

  /** Answers a sign-in or step-up: picks the first allowed credential we hold (or the given one). */
  assert(options: RequestOptions, k: Knobs = {}): Record<string, unknown> {
    const allowed = options.allowCredentials?.map((c) => c.id) ?? [];
    const cred = k.credentialId
      ? this.credentials.find((c) => c.id === k.credentialId)
      : this.credentials.find((c) => allowed.length === 0 || allowed.includes(c.id));
    if (!cred) throw new Error('the soft authenticator holds no credential for these options');
    // An explicit counter is a one-off (a clone's view); the real key's counter keeps counting.
    const counter = k.counter ?? ++cred.counter;
    const counterBytes = Buffer.alloc(4);
    counterBytes.writeUInt32BE(counter);
    const authData = Buffer.concat([sha256(options.rpId ?? cred.rpId), Buffer.from([flags(k.uv ?? true, false)]), counterBytes]);
    const cd = clientData(k.type ?? 'webauthn.get', k.challenge ?? options.challenge, k.origin ?? this.origin);
    let signature = sign('sha256', Buffer.concat([authData, sha256(cd)]), cred.privateKey);
    if (k.badSignature) signature = Buffer.from(signature.map((b, i) => (i === signature.length - 1 ? b ^ 0xff : b)));
    return {
      id: cred.id,
      rawId: cred.id,
      type: 'public-key',
      authenticatorAttachment: 'cross-platform',
      clientExtensionResults: {},
      response: { clientDataJSON: b64u(cd), authenticatorData: b64u(authData), signature: b64u(signature), userHandle: cred.userHandle },
    };
  }

  /** A credential this authenticator has never registered anywhere (an unknown passkey). */
  forgetAll(): void {
    this.credentials.length = 0;
  }
}
