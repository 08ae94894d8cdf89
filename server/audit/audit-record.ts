// The bytes an audit entry is hashed over, and its two hashes:
//   leaf  = SHA-256(0x00 ‖ canonical record)            (RFC 6962 §2.1 leaf hash)
//   chain = SHA-256(previous chain ‖ leaf), genesis = 32 zero bytes
// The canonical record is the RFC 8785 JSON of {action, actor, at, data, seq, subject}; `data` is stored as canonical
// JSON text and spliced in verbatim, so any change to a stored byte changes the hash.
import { hash } from 'node:crypto';

export const GENESIS_CHAIN = Buffer.alloc(32);

/** An entry as stored: data is canonical JSON text, hashes are raw bytes. */
export interface StoredEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  data: string;
  leafHash: Buffer;
  chainHash: Buffer;
}

export type EntryContent = Omit<StoredEntry, 'leafHash' | 'chainHash'>;

/** RFC 8785 form of the record: keys in code-unit order, `data` already canonical. */
export function recordText(e: EntryContent): string {
  return `{"action":${JSON.stringify(e.action)},"actor":${JSON.stringify(e.actor)},"at":${JSON.stringify(e.at)},"data":${e.data},"seq":${e.seq},"subject":${JSON.stringify(e.subject)}}`;
}

export function entryLeafHash(e: EntryContent): Buffer {
  // A leading U+0000 encodes as the single 0x00 byte: the RFC 6962 leaf prefix, without an extra copy.
  return hash('sha256', `\u0000${recordText(e)}`, 'buffer') as unknown as Buffer;
}

const chainBuf = Buffer.allocUnsafe(64);
export function nextChainHash(prev: Uint8Array, leaf: Uint8Array): Buffer {
  chainBuf.set(prev, 0);
  chainBuf.set(leaf, 32);
  return hash('sha256', chainBuf, 'buffer') as unknown as Buffer;
}

/** Field names that must never appear in audit data: the audit log keeps ids and fingerprints, not secrets. */
const SECRET_KEYS = /^(tap|pin|newpin|temporaryaccesspass|password|passcode|secret|clientsecret|privatekey|token|accesstoken|refreshtoken|bootstrapcode|pinuvauthtoken)$/i;

/** Throws when `data` carries a field whose name says it is a secret (defence in depth; callers must not try). */
export function assertNoSecretFields(data: unknown, path = 'data'): void {
  if (data === null || typeof data !== 'object') return;
  if (Array.isArray(data)) {
    data.forEach((v, i) => assertNoSecretFields(v, `${path}[${i}]`));
    return;
  }
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (SECRET_KEYS.test(k)) throw new Error(`refusing to write ${path}.${k} to the audit log: secrets never enter it`);
    assertNoSecretFields(v, `${path}.${k}`);
  }
}
