// Evidence bundles: a JSON Lines file an auditor can verify offline with `breakglass audit verify --bundle FILE`.
// Line 1 is a header (origin, verifier key), then every signed checkpoint, then every entry as stored (data as
// canonical JSON, hashes in hex), then an end line with the counts so a file cut short is noticed. CSV is a flat view
// for spreadsheets (not verifiable: use the JSONL bundle for that).
import { csvField } from '../domain/csv-field.ts';
import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { canonicalJson } from './canonical-json.ts';
import { parseRecord, recordLeafHash, type ParsedRecord, type StoredEntry } from './audit-record.ts';
import type { StoredCheckpoint } from './audit-source.ts';
import type { CheckpointInput, Problem } from './audit-verifier.ts';

export const BUNDLE_FORMAT = 'breakglass-audit-bundle/1';

export interface BundleHeader {
  type: 'header';
  format: typeof BUNDLE_FORMAT;
  origin: string;
  verifierKey: string;
  exportedAt: string;
  treeSize: number;
}

export function entryJsonLine(e: StoredEntry): string {
  // The record is spliced verbatim: it is already canonical JSON, and re-serialising could only lose fidelity.
  return `{"type":"entry","seq":${e.seq},"entry":${e.record},"chainHash":${JSON.stringify(e.chainHash)}}`;
}

/** RFC 4180 field; cells a spreadsheet would run as a formula are prefixed with ' (CSV injection). */
export const CSV_HEADER = 'seq,at,actor,action,subject,data,leaf_hash,chain_hash';
export function entryCsvLine(e: StoredEntry): string {
  let r: ParsedRecord;
  try {
    r = parseRecord(e.record);
  } catch {
    return [e.seq, '', '', '', '', e.record, '', e.chainHash].map((v) => csvField(v)).join(',');
  }
  return [e.seq, r.at, r.actor, r.action, r.subject, canonicalJson(r.data ?? null), recordLeafHash(e.record).toString('hex'), e.chainHash].map((v) => csvField(v)).join(',');
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/**
 * Writes to `path` through a temporary file renamed into place at the end, so a failed export never leaves a
 * partial file behind.
 */
export async function writeExport(
  path: string,
  format: 'jsonl' | 'csv',
  header: Omit<BundleHeader, 'type' | 'format'>,
  checkpoints: StoredCheckpoint[],
  entries: AsyncIterable<StoredEntry[]>,
  onProgress?: (n: number) => void,
): Promise<{ entries: number; checkpoints: number }> {
  const tmp = `${path}.partial-${process.pid}`;
  const out = createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
  let n = 0;
  try {
    await once(out, 'open');
    if (format === 'jsonl') {
      await write(out, `${JSON.stringify({ type: 'header', format: BUNDLE_FORMAT, ...header })}\n`);
      for (const c of checkpoints) await write(out, `${JSON.stringify({ type: 'checkpoint', id: c.id, treeSize: c.treeSize, at: c.at, note: c.note })}\n`);
    } else {
      await write(out, `${CSV_HEADER}\n`);
    }
    for await (const batch of entries) {
      let chunk = '';
      for (const e of batch) chunk += `${format === 'jsonl' ? entryJsonLine(e) : entryCsvLine(e)}\n`;
      await write(out, chunk);
      n += batch.length;
      onProgress?.(n);
    }
    if (format === 'jsonl') await write(out, `${JSON.stringify({ type: 'end', entries: n, checkpoints: checkpoints.length })}\n`);
    out.end();
    await once(out, 'finish');
    renameSync(tmp, path);
  } catch (err) {
    out.destroy();
    rmSync(tmp, { force: true });
    throw err;
  }
  return { entries: n, checkpoints: format === 'jsonl' ? checkpoints.length : 0 };
}

export class BundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundleError';
  }
}

export interface OpenedBundle {
  header: BundleHeader;
  checkpoints: CheckpointInput[];
  /** Entries in file order; damaged lines are skipped and reported in `problems`. */
  entries: AsyncIterable<StoredEntry[]>;
  /** Filled while `entries` is read: damaged lines, a missing end line, count mismatches. */
  problems: Problem[];
}

const HEX32 = /^[0-9a-f]{64}$/;

function parseEntryLine(o: Record<string, unknown>): StoredEntry | string {
  const { seq, entry, chainHash } = o;
  if (!Number.isSafeInteger(seq) || (seq as number) < 0) return 'seq is not a non-negative integer';
  if (typeof chainHash !== 'string' || !HEX32.test(chainHash)) return 'chainHash is not 64 hex digits';
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return 'entry is not an object';
  let record: string;
  try {
    // Canonical JSON is stable under parse → canonicalise, so this gives back the exact bytes that were hashed.
    record = canonicalJson(entry);
  } catch (err) {
    return (err as Error).message;
  }
  return { seq: seq as number, record, chainHash };
}

/** Opens a bundle: reads the header and checkpoints now; entries stream when iterated. */
export async function openBundle(path: string): Promise<OpenedBundle> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  await Promise.race([once(stream, 'ready'), once(stream, 'error').then(([e]) => Promise.reject(e))]);
  const lines = createInterface({ input: stream, crlfDelay: Infinity })[Symbol.asyncIterator]();
  let lineNo = 0;
  const next = async (): Promise<string | undefined> => {
    const r = await lines.next();
    if (r.done) return undefined;
    lineNo += 1;
    return r.value;
  };
  const first = await next();
  let header: BundleHeader;
  try {
    header = JSON.parse(first ?? '') as BundleHeader;
  } catch {
    stream.destroy();
    throw new BundleError(`${path} line 1 is not a bundle header; is this a file from \`breakglass audit export --format jsonl\`?`);
  }
  if (header?.type !== 'header' || header.format !== BUNDLE_FORMAT || typeof header.origin !== 'string' || typeof header.verifierKey !== 'string') {
    stream.destroy();
    throw new BundleError(`${path} is not a ${BUNDLE_FORMAT} bundle (line 1 has no valid header)`);
  }
  const checkpoints: CheckpointInput[] = [];
  const problems: Problem[] = [];
  let pending: string | undefined;
  for (;;) {
    const line = await next();
    if (line === undefined) break;
    let o: { type?: unknown; note?: unknown } | undefined;
    try {
      o = JSON.parse(line) as typeof o;
    } catch {
      o = undefined;
    }
    if (o?.type === 'checkpoint') {
      checkpoints.push({ note: typeof o.note === 'string' ? o.note : '', source: 'bundle', label: `bundle line ${lineNo} (checkpoint)` });
      continue;
    }
    pending = line;
    break;
  }

  async function* entries(): AsyncGenerator<StoredEntry[]> {
    let batch: StoredEntry[] = [];
    let count = 0;
    let ended: { entries?: unknown } | undefined;
    let lastSeq = -1;
    for (let line = pending; line !== undefined; line = await next()) {
      if (line.trim() === '') continue;
      let o: Record<string, unknown> | undefined;
      try {
        o = JSON.parse(line) as Record<string, unknown>;
      } catch {
        o = undefined;
      }
      if (o?.type === 'end') {
        ended = o;
        continue;
      }
      const parsed = o?.type === 'entry' ? parseEntryLine(o) : 'not an entry line';
      if (typeof parsed === 'string') {
        problems.push({ kind: 'malformed', seq: lastSeq + 1, message: `bundle line ${lineNo} is damaged (${o ? parsed : 'not valid JSON'}); the entry after seq ${lastSeq} cannot be read` });
        continue;
      }
      lastSeq = parsed.seq;
      count += 1;
      batch.push(parsed);
      if (batch.length >= 5000) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
    if (!ended) problems.push({ kind: 'truncated', seq: lastSeq + 1, message: `the bundle has no end line: the file was cut short after seq ${lastSeq}` });
    else if (ended.entries !== count && !problems.some((p) => p.kind === 'malformed')) {
      problems.push({ kind: 'deleted', seq: lastSeq + 1, message: `the end line announces ${String(ended.entries)} entries but ${count} are present` });
    }
  }
  return { header, checkpoints, entries: entries(), problems };
}
