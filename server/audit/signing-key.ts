// The audit signing key: an Ed25519 private key in a PKCS#8 PEM file. Generated on first start into the data
// directory with mode 0600 (owner read/write only), or supplied by path (e.g. from a secrets mount).
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BreakglassError } from '../errors.ts';

export class SigningKeyError extends BreakglassError {
  constructor(message: string) {
    super('audit_signing_key', message, { status: 500 });
  }
}

export function readSigningKey(path: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SigningKeyError(`cannot read the audit signing key ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new SigningKeyError(`${path} is not a PEM private key; it should hold the Ed25519 audit signing key`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new SigningKeyError(`${path} holds a ${key.asymmetricKeyType} key; the audit signing key must be Ed25519`);
  return key;
}

/** Loads the key, creating it (mode 0600) when the file does not exist yet. Returns whether it was created. */
export function loadOrCreateSigningKey(path: string): { key: KeyObject; created: boolean } {
  if (existsSync(path)) {
    const mode = statSync(path).mode & 0o077;
    if (mode !== 0 && process.platform !== 'win32') {
      throw new SigningKeyError(`${path} is readable by other users (mode ${(statSync(path).mode & 0o777).toString(8)}); run: chmod 600 ${path}`);
    }
    return { key: readSigningKey(path), created: false };
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  // 'wx' fails if another process created it meanwhile, rather than overwriting a key in use.
  writeFileSync(path, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  return { key: privateKey, created: true };
}
