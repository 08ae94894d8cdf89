// The virtual authenticator's own test attestation PKI (made once by attestation/make-attestation-ca.sh and
// committed): a root CA whose private key was destroyed, one attestation certificate carrying the virtual AAGUID in
// the id-fido-gen-ce-aaguid extension, and one without the extension for profiles that claim another model's AAGUID.
// A relying party that trusts `testAttestationRootPem()` accepts exactly these two certificates — never do so in
// production.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findAaguidExtension } from '../attestation.ts';

export interface AttestationIdentity {
  /** DER certificates: the attestation certificate first, then intermediates (the root is never included). */
  certificateChain: Uint8Array[];
  privateKey: KeyObject;
}

const DIR = fileURLToPath(new URL('./attestation/', import.meta.url));

function readPem(name: string): string {
  return readFileSync(`${DIR}${name}`, 'utf8');
}

function identity(name: string): AttestationIdentity {
  const cert = new X509Certificate(readPem(`${name}.pem`));
  return { certificateChain: [new Uint8Array(cert.raw)], privateKey: createPrivateKey(readPem(`${name}.key.pem`)) };
}

let cache: { virtual: AttestationIdentity; generic: AttestationIdentity } | undefined;

/** The root certificate (PEM) relying parties in tests trust to verify the virtual key's packed attestations. */
export function testAttestationRootPem(): string {
  return readPem('test-attestation-root.pem');
}

/**
 * The attestation identity for a given AAGUID: the certificate whose AAGUID extension matches it, or else the one
 * without the extension (WebAuthn L3 §8.2.1: if the extension is present it must match authData's AAGUID).
 */
export function testAttestationFor(aaguid: string): AttestationIdentity {
  cache ??= { virtual: identity('virtual-attestation'), generic: identity('generic-attestation') };
  return findAaguidExtension(cache.virtual.certificateChain[0]!) === aaguid ? cache.virtual : cache.generic;
}
