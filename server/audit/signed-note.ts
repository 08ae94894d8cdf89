// C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys, as golang.org/x/mod/sumdb/note writes them:
// the text, a blank line, then `— <key name> <base64(4-byte key ID ‖ signature)>` lines (U+2014 EM DASH).
// Key ID = first 4 bytes of SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ public key); 0x01 is the Ed25519 algorithm byte.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

const ALG_ED25519 = 0x01;
const DASH = '\u2014';
// DER prefixes for raw 32-byte Ed25519 keys (RFC 8410): SubjectPublicKeyInfo and PKCS#8 PrivateKeyInfo.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export class SignedNoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignedNoteError';
  }
}

export function isValidKeyName(name: string): boolean {
  // signed-note: non-empty, no Unicode spaces, no plus signs.
  return name.length > 0 && !/[\s+]/u.test(name);
}

export function keyId(name: string, publicKey: Uint8Array): Buffer {
  return createHash('sha256').update(name).update(Buffer.from([0x0a, ALG_ED25519])).update(publicKey).digest().subarray(0, 4);
}

/** A verifier: the key name and raw 32-byte Ed25519 public key. */
export interface NoteVerifier {
  name: string;
  publicKey: Buffer;
  id: Buffer;
}

export function makeVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  if (!isValidKeyName(name)) throw new SignedNoteError(`invalid key name ${JSON.stringify(name)}: it must be non-empty, without spaces or '+'`);
  if (publicKey.length !== 32) throw new SignedNoteError('an Ed25519 public key is 32 bytes');
  return { name, publicKey: Buffer.from(publicKey), id: keyId(name, publicKey) };
}

/** Verifier key string as the Go note package writes it: `<name>+<hex key ID>+<base64(0x01 ‖ public key)>`. */
export function formatVerifierKey(v: NoteVerifier): string {
  return `${v.name}+${v.id.toString('hex')}+${Buffer.concat([Buffer.from([ALG_ED25519]), v.publicKey]).toString('base64')}`;
}

export function parseVerifierKey(text: string): NoteVerifier {
  // Split at the first two '+' only: the base64 key may contain '+' itself.
  const m = /^([^+]+)\+([^+]+)\+(.+)$/s.exec(text.trim());
  if (!m) throw new SignedNoteError('a verifier key looks like <name>+<8 hex digits>+<base64 key>');
  const [, name, hexId, b64] = m as unknown as [string, string, string, string];
  if (!/^[0-9a-f]{8}$/.test(hexId)) throw new SignedNoteError('the verifier key ID must be 8 lowercase hex digits');
  const raw = Buffer.from(b64, 'base64');
  if (raw.toString('base64') !== b64 || raw.length !== 33 || raw[0] !== ALG_ED25519) {
    throw new SignedNoteError('the verifier key is not a base64 Ed25519 key (0x01 followed by 32 bytes)');
  }
  const v = makeVerifier(name, raw.subarray(1));
  if (v.id.toString('hex') !== hexId) throw new SignedNoteError('the verifier key ID does not match its name and public key');
  return v;
}

/** A signer: verifier data plus the private key. */
export interface NoteSigner extends NoteVerifier {
  privateKey: KeyObject;
}

export function signerFromPrivateKey(name: string, privateKey: KeyObject): NoteSigner {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new SignedNoteError('the signing key must be an Ed25519 key');
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { ...makeVerifier(name, spki.subarray(SPKI_PREFIX.length)), privateKey };
}

export function generateSigner(name: string): NoteSigner {
  const { privateKey } = generateKeyPairSync('ed25519');
  return signerFromPrivateKey(name, privateKey);
}

export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export function publicKeyObject(v: NoteVerifier): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, v.publicKey]), format: 'der', type: 'spki' });
}

function checkText(text: string): void {
  if (!text.endsWith('\n')) throw new SignedNoteError('note text must end with a newline');
  // No ASCII control characters other than newline; no blank line inside the text.
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(text)) throw new SignedNoteError('note text contains a control character');
  if (text.includes('\n\n')) throw new SignedNoteError('note text must not contain a blank line');
}

export function signNote(text: string, signer: NoteSigner): string {
  checkText(text);
  const sig = sign(null, Buffer.from(text, 'utf8'), signer.privateKey);
  return `${text}\n${DASH} ${signer.name} ${Buffer.concat([signer.id, sig]).toString('base64')}\n`;
}

export interface OpenedNote {
  text: string;
  /** Names of the known keys whose signatures verified. */
  verifiedBy: string[];
}

/**
 * Opens a signed note against known verifiers. Unknown keys' signatures are ignored; a known key's bad signature
 * rejects the note; at least one known key must have signed (signed-note §Verification).
 */
export function openNote(note: string, verifiers: readonly NoteVerifier[]): OpenedNote {
  const split = note.indexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new SignedNoteError('malformed note: no blank line before the signatures');
  const text = note.slice(0, split + 1);
  checkText(text);
  const sigLines = note.slice(split + 2, -1).split('\n');
  if (sigLines.length === 0 || sigLines.length > 100) throw new SignedNoteError('malformed note: no signature lines');
  const verifiedBy: string[] = [];
  let unknownKeys = 0;
  for (const line of sigLines) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m) throw new SignedNoteError('malformed note: a signature line is not `— <name> <base64>`');
    const name = m[1]!;
    const blob = Buffer.from(m[2]!, 'base64');
    if (blob.length < 5) throw new SignedNoteError('malformed note: signature too short');
    const id = blob.subarray(0, 4);
    const v = verifiers.find((k) => k.name === name && k.id.equals(id));
    if (!v) {
      unknownKeys += 1;
      continue;
    }
    if (!verify(null, Buffer.from(text, 'utf8'), publicKeyObject(v), blob.subarray(4))) {
      throw new SignedNoteError(`signature by ${name} (key ${id.toString('hex')}) does not verify: the note was altered or forged`);
    }
    verifiedBy.push(name);
  }
  if (verifiedBy.length === 0) {
    throw new SignedNoteError(unknownKeys > 0 ? 'the note is signed only by unknown keys (wrong public key?)' : 'the note has no signatures');
  }
  return { text, verifiedBy };
}
