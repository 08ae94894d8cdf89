// tlog checkpoints (https://c2sp.org/tlog-checkpoint): origin, tree size, base64 RFC 6962 root, then one extension
// line with the signing time. Idle logs are checkpointed too, so the time line is what makes each one distinct and
// lets a verifier see that checkpoints kept coming (a stopped clock of checkpoints hints at truncation).
import { openNote, signNote, SignedNoteError, type NoteSigner, type NoteVerifier } from './signed-note.ts';

export interface Checkpoint {
  origin: string;
  treeSize: number;
  rootHash: Buffer;
  /** Signing time (UTC) from the `Timestamp:` extension line, if present. */
  timestamp: string | undefined;
}

export function formatCheckpointBody(cp: Checkpoint): string {
  let body = `${cp.origin}\n${cp.treeSize}\n${cp.rootHash.toString('base64')}\n`;
  if (cp.timestamp) body += `Timestamp: ${cp.timestamp}\n`;
  return body;
}

export function signCheckpoint(cp: Checkpoint, signer: NoteSigner): string {
  return signNote(formatCheckpointBody(cp), signer);
}

export function parseCheckpointBody(text: string): Checkpoint {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') throw new SignedNoteError('malformed checkpoint: expected origin, size and root lines');
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (!origin) throw new SignedNoteError('malformed checkpoint: empty origin');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) throw new SignedNoteError('malformed checkpoint: tree size is not a decimal number');
  const root = Buffer.from(rootText, 'base64');
  if (root.length !== 32 || root.toString('base64') !== rootText) throw new SignedNoteError('malformed checkpoint: root is not a base64 SHA-256 hash');
  let timestamp: string | undefined;
  for (const ext of lines.slice(3, -1)) {
    const m = /^Timestamp: (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)$/.exec(ext);
    if (m) timestamp = m[1];
  }
  return { origin, treeSize: Number(sizeText), rootHash: root, timestamp };
}

/** Verifies the note's signature with `verifiers` and parses its body. Throws SignedNoteError on any problem. */
export function openCheckpoint(note: string, verifiers: readonly NoteVerifier[], expectedOrigin?: string): Checkpoint {
  const { text } = openNote(note, verifiers);
  const cp = parseCheckpointBody(text);
  if (expectedOrigin !== undefined && cp.origin !== expectedOrigin) {
    throw new SignedNoteError(`checkpoint is for origin "${cp.origin}", not this log's origin "${expectedOrigin}"`);
  }
  return cp;
}
