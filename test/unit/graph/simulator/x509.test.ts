// The DER/X.509 builder: the simulator's self-signed TLS certificate and a FIDO attestation certificate parse with
// node:crypto's X509Certificate and carry the extensions they must (RFC 5280; WebAuthn L3 §8.2.1).
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCertificate, createSelfSignedTls, toPem } from '../../../../server/simulator/x509.ts';

describe('x509', () => {
  it('makes a self-signed TLS certificate for localhost and 127.0.0.1', () => {
    const tls = createSelfSignedTls({ now: new Date('2026-11-20T09:00:00Z'), days: 2 });
    const cert = new X509Certificate(tls.cert);
    expect(cert.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(cert.ca).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(new Date(cert.validTo).getTime() - new Date(cert.validFrom).getTime()).toBe(2 * 86_400_000 + 60_000);
    expect(tls.key).toMatch(/BEGIN PRIVATE KEY/);
  });
  it('makes an attestation certificate chained to a CA, with the FIDO AAGUID extension', () => {
    const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const leaf = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const aaguid = Buffer.from('2fc0579f811347eab116bb5a8db9202a', 'hex');
    const der = createCertificate({
      subject: { C: 'SE', O: 'Vendor', OU: 'Authenticator Attestation', CN: 'key' }, issuer: { C: 'SE', O: 'Vendor', CN: 'root' },
      publicKey: leaf.publicKey, signingKey: ca.privateKey, notBefore: new Date('2026-01-01'), notAfter: new Date('2060-01-01'), isCa: false, aaguid,
    });
    const cert = new X509Certificate(toPem(der));
    expect(cert.subject).toContain('OU=Authenticator Attestation');
    expect(cert.issuer).toContain('CN=root');
    expect(cert.ca).toBe(false);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.validTo).toMatch(/2060/);
    // id-fido-gen-ce-aaguid (1.3.6.1.4.1.45724.1.1.4) wraps the AAGUID in an OCTET STRING.
    expect(der.includes(Buffer.concat([Buffer.from([0x04, 0x12, 0x04, 0x10]), aaguid]))).toBe(true);
  });
});
