// Minimal DER writer and X.509 v3 certificate builder (RFC 5280 §4.1) over node:crypto keys, so the simulator can
// serve HTTPS with a fresh self-signed certificate (no openssl, no files, no global CA changes) and tests can mint
// FIDO attestation chains (WebAuthn L3 §8.2.1: OU "Authenticator Attestation", AAGUID extension 1.3.6.1.4.1.45724.1.1.4).
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

// ---------------------------------------------------------------- DER primitives (X.690)

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), len(content.length), content]);
}

export const der = {
  seq: (...items: Buffer[]) => tlv(0x30, Buffer.concat(items)),
  set: (...items: Buffer[]) => tlv(0x31, Buffer.concat(items)),
  int: (value: Buffer | number) => {
    let b = typeof value === 'number' ? Buffer.from([value]) : value;
    while (b.length > 1 && b[0] === 0 && (b[1]! & 0x80) === 0) b = b.subarray(1);
    if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
    return tlv(0x02, b);
  },
  bool: (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0])),
  octets: (b: Buffer) => tlv(0x04, b),
  bits: (b: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), b])),
  utf8: (s: string) => tlv(0x0c, Buffer.from(s, 'utf8')),
  printable: (s: string) => tlv(0x13, Buffer.from(s, 'ascii')),
  oid: (dotted: string) => {
    const parts = dotted.split('.').map(Number);
    const out: number[] = [parts[0]! * 40 + parts[1]!];
    for (const p of parts.slice(2)) {
      const stack: number[] = [p & 0x7f];
      for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) stack.unshift((v & 0x7f) | 0x80);
      out.push(...stack);
    }
    return tlv(0x06, Buffer.from(out));
  },
  /** UTCTime for years before 2050, GeneralizedTime after (RFC 5280 §4.1.2.5). */
  time: (d: Date) => {
    const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
    return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
  },
  explicit: (n: number, content: Buffer) => tlv(0xa0 + n, content),
};

// ---------------------------------------------------------------- certificates

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  country: '2.5.4.6',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  basicConstraints: '2.5.29.19',
  subjectAltName: '2.5.29.17',
  fidoAaguid: '1.3.6.1.4.1.45724.1.1.4',
};

export interface DistinguishedName {
  C?: string;
  O?: string;
  OU?: string;
  CN: string;
}

function name(dn: DistinguishedName): Buffer {
  const rdn = (oid: string, value: Buffer) => der.set(der.seq(der.oid(oid), value));
  const parts: Buffer[] = [];
  if (dn.C) parts.push(rdn(OID.country, der.printable(dn.C)));
  if (dn.O) parts.push(rdn(OID.organization, der.utf8(dn.O)));
  if (dn.OU) parts.push(rdn(OID.organizationalUnit, der.utf8(dn.OU)));
  parts.push(rdn(OID.commonName, der.utf8(dn.CN)));
  return der.seq(...parts);
}

function extension(oid: string, value: Buffer, critical = false): Buffer {
  return der.seq(der.oid(oid), ...(critical ? [der.bool(true)] : []), der.octets(value));
}

export interface CertificateSpec {
  subject: DistinguishedName;
  /** Defaults to the subject (self-signed). */
  issuer?: DistinguishedName;
  /** Public key to certify. */
  publicKey: KeyObject;
  /** Private key of the issuer (an EC P-256 key; signs with ECDSA-SHA256). */
  signingKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  isCa: boolean;
  /** DNS names and IP addresses for subjectAltName. */
  altNames?: string[];
  /** 16-byte AAGUID for FIDO attestation certificates. */
  aaguid?: Buffer;
}

/** Builds a DER X.509 v3 certificate. */
export function createCertificate(spec: CertificateSpec): Buffer {
  const algorithm = der.seq(der.oid(OID.ecdsaWithSha256));
  const extensions: Buffer[] = [extension(OID.basicConstraints, der.seq(...(spec.isCa ? [der.bool(true)] : [])), true)];
  if (spec.altNames?.length) {
    const general = spec.altNames.map((n) => {
      if (isIP(n) === 4) return tlv(0x87, Buffer.from(n.split('.').map(Number)));
      return tlv(0x82, Buffer.from(n, 'ascii'));
    });
    extensions.push(extension(OID.subjectAltName, der.seq(...general)));
  }
  if (spec.aaguid) extensions.push(extension(OID.fidoAaguid, der.octets(spec.aaguid)));
  const spki = spec.publicKey.export({ type: 'spki', format: 'der' });
  const tbs = der.seq(
    der.explicit(0, der.int(2)),
    der.int(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    algorithm,
    name(spec.issuer ?? spec.subject),
    der.seq(der.time(spec.notBefore), der.time(spec.notAfter)),
    name(spec.subject),
    spki,
    der.explicit(3, der.seq(...extensions)),
  );
  const signature = sign('sha256', tbs, spec.signingKey);
  return der.seq(tbs, algorithm, der.bits(signature));
}

export function toPem(certDer: Buffer): string {
  const b64 = certDer.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

export interface SelfSignedTls {
  /** PEM certificate; also the CA a client must trust. */
  cert: string;
  /** PEM PKCS#8 private key. Held in memory only. */
  key: string;
  /** SHA-256 fingerprint of the DER certificate, hex. */
  fingerprint: string;
}

/** A fresh self-signed TLS certificate for the simulator (localhost, 127.0.0.1 and the given extra names). */
export function createSelfSignedTls(options: { hostNames?: string[]; now?: Date; days?: number } = {}): SelfSignedTls {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = options.now ?? new Date();
  const names = [...new Set(['localhost', '127.0.0.1', ...(options.hostNames ?? [])])];
  const certDer = createCertificate({
    subject: { O: 'breakglass', CN: 'breakglass simulated tenant' },
    publicKey,
    signingKey: privateKey,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + (options.days ?? 30) * 86_400_000),
    isCa: true,
    altNames: names,
  });
  return {
    cert: toPem(certDer),
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    fingerprint: createHash('sha256').update(certDer).digest('hex'),
  };
}

/** Public key of a PEM or DER certificate (helper for tests). */
export function publicKeyOf(cert: string | Buffer): KeyObject {
  return createPublicKey(typeof cert === 'string' ? cert : toPem(cert));
}
