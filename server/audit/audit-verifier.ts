// Verifies an audit log end to end while streaming it (memory stays flat as the log grows): every seq, every leaf
// and chain hash, every checkpoint signature and origin, and every checkpoint root against the root recomputed from
// the entries. Reports each problem with its kind and the first bad seq. Works the same on the database and on an
// exported bundle.
import { CompactRange, subtreeSizes } from './merkle.ts';
import { ChunkVerifier, type ChunkResult } from './verify-chunk.ts';
import { openCheckpoint, type Checkpoint } from './checkpoint.ts';
import { SignedNoteError, type NoteVerifier } from './signed-note.ts';
import { GENESIS_CHAIN_HEX, type StoredEntry } from './audit-record.ts';

export type TamperKind =
  | 'edited' // an entry's record no longer matches its chain hash
  | 'deleted' // a seq is missing
  | 'reordered' // entries are out of order, or an entry sits at another entry's seq
  | 'rewritten' // history rewritten with recomputed hashes: a signed checkpoint root does not match
  | 'truncated' // fewer entries than the database's own latest checkpoint covers
  | 'rolled_back' // a checkpoint held outside the database covers more than the database has (restored backup)
  | 'checkpoint_forged' // a checkpoint's signature does not verify under the pinned key
  | 'checkpoint_origin' // a checkpoint belongs to another log
  | 'checkpoint_edited' // a checkpoint row's columns disagree with its signed note
  | 'malformed'; // an entry or checkpoint cannot be read at all

export interface Problem {
  kind: TamperKind;
  /** First bad seq, when one can be named. */
  seq: number | null;
  message: string;
}

export type CheckpointSourceKind = 'database' | 'copy' | 'bundle' | 'external';

export interface CheckpointInput {
  note: string;
  source: CheckpointSourceKind;
  /** Label for messages: `checkpoint #12`, `checkpoints.jsonl line 4`, … */
  label: string;
  /** Columns stored beside the note (database rows), checked against the signed body. */
  stored?: { treeSize: number; rootHash: Buffer };
}

export interface VerifyOptions {
  origin: string;
  verifier: NoteVerifier;
  checkpoints: CheckpointInput[];
  /** Entries in the order they are stored, in batches (verified here, chunk by chunk). */
  entries?: AsyncIterable<StoredEntry[]>;
  /** Or: chunk results computed elsewhere (worker threads), in order; see parallel-verify.ts. */
  chunks?: ChunkSource;
  onProgress?: (verified: number) => void;
}

/** Produces verified chunks in order; `marks` are the checkpoint sizes whose roots must be recomputable. */
export interface ChunkSource {
  run(marks: number[]): AsyncIterable<ChunkResult>;
}

/** Chunk size: a power of two so that chunks are perfect Merkle subtrees and merge in order. */
export const CHUNK_SIZE = 65_536;

/** Verifies streamed batches chunk by chunk in this thread (bundles, PostgreSQL, small logs). */
export function inlineChunks(entries: AsyncIterable<StoredEntry[]>, chunkSize = CHUNK_SIZE): ChunkSource {
  if (chunkSize < 1 || (chunkSize & (chunkSize - 1)) !== 0) throw new RangeError('the chunk size must be a power of two');
  return {
    async *run(marks) {
      const start = (from: number, prev: string): ChunkVerifier => new ChunkVerifier(from, prev, marks.filter((m) => m > from && m <= from + chunkSize));
      let current = start(0, GENESIS_CHAIN_HEX);
      for await (const batch of entries) {
        for (const e of batch) {
          current.add(e);
          if (current.count === chunkSize) {
            const r = current.result();
            yield r;
            current = start(r.from + r.count, r.lastChain);
          }
        }
      }
      if (current.count > 0) yield current.result();
    },
  };
}

export interface VerifyReport {
  ok: boolean;
  origin: string;
  /** Entries read. */
  entries: number;
  /** Root of the recomputed tree over all entries read (hex), and the chain head. */
  rootHash: string;
  chainHead: string;
  checkpoints: { total: number; verified: number; latest: { treeSize: number; timestamp: string | null; source: CheckpointSourceKind } | null };
  problems: Problem[];
  /** Lowest seq named by any problem (null when none can be named or all is well). */
  firstBadSeq: number | null;
}

export async function verifyAuditLog(opts: VerifyOptions): Promise<VerifyReport> {
  const problems: Problem[] = [];
  // 1. Checkpoints: signature, origin, stored columns. Valid ones are checked against the tree below.
  const valid: { cp: Checkpoint; input: CheckpointInput }[] = [];
  for (const input of opts.checkpoints) {
    // A checkpoint of another log is named as such, not reported as a bad signature.
    const body = input.note.split('\n\n')[0] ?? '';
    const claimedOrigin = body.split('\n')[0];
    if (claimedOrigin && claimedOrigin !== opts.origin && body.includes('\n')) {
      problems.push({ kind: 'checkpoint_origin', seq: null, message: `${input.label} is a checkpoint of another log ("${claimedOrigin}"), not of "${opts.origin}"` });
      continue;
    }
    try {
      const cp = openCheckpoint(input.note, [opts.verifier]);
      if (cp.origin !== opts.origin) {
        problems.push({ kind: 'checkpoint_origin', seq: null, message: `${input.label} is for origin "${cp.origin}", not this log ("${opts.origin}")` });
        continue;
      }
      if (input.stored && (input.stored.treeSize !== cp.treeSize || !input.stored.rootHash.equals(cp.rootHash))) {
        problems.push({ kind: 'checkpoint_edited', seq: null, message: `${input.label}: its tree size or root columns were changed and no longer match its signed note` });
      }
      valid.push({ cp, input });
    } catch (err) {
      const msg = err instanceof SignedNoteError ? err.message : String(err);
      const kind: TamperKind = /does not verify|unknown keys|no signatures/.test(msg) ? 'checkpoint_forged' : 'malformed';
      problems.push({ kind, seq: null, message: `${input.label}: ${msg}` });
    }
  }
  const bySize = new Map<number, { cp: Checkpoint; input: CheckpointInput }[]>();
  for (const v of valid) bySize.set(v.cp.treeSize, [...(bySize.get(v.cp.treeSize) ?? []), v]);

  // 2. The entries, chunk by chunk (see verify-chunk.ts): seq, record, chain; the tree is built from the leaf hashes
  // recomputed from the records, and every checkpoint root inside the log is compared with it.
  const range = new CompactRange();
  let position = 0;
  let chainHead = GENESIS_CHAIN_HEX;
  let broken = false; // after the first problem, later entries and roots cannot be judged on their own
  let aligned = true; // the tree can still be merged (no rows missing before this point)
  let lastGoodCheckpointSize = 0;
  const judge = (size: number, root: Buffer): void => {
    for (const { cp, input } of bySize.get(size) ?? []) {
      if (broken) return;
      if (root.equals(cp.rootHash)) {
        lastGoodCheckpointSize = Math.max(lastGoodCheckpointSize, size);
      } else {
        problems.push({
          kind: 'rewritten',
          seq: lastGoodCheckpointSize,
          message: `${input.label} (tree size ${size}) does not match the entries: history between seq ${lastGoodCheckpointSize} and ${size - 1} was rewritten with recomputed hashes`,
        });
        broken = true;
      }
    }
  };
  const append = (target: CompactRange, subtrees: string[], count: number): void => {
    const sizes = subtreeSizes(count);
    subtrees.forEach((h, i) => target.appendSubtreeLatin1(h, sizes[i]!));
  };
  judge(0, range.root());
  const source = opts.chunks ?? inlineChunks(opts.entries ?? emptyEntries());
  const marks = [...bySize.keys()].filter((s) => s > 0).sort((a, b) => a - b);
  for await (const r of source.run(marks)) {
    if (r.from !== position) aligned = false;
    for (const m of r.atMarks) {
      if (broken || !aligned) break;
      // A root at size m needs entries up to m - 1 to be sound.
      if (r.problem?.seq != null && m.size > r.problem.seq) break;
      const t = range.clone();
      append(t, m.subtrees, m.size - r.from);
      judge(m.size, t.root());
    }
    if (r.problem && !broken) {
      problems.push(r.problem);
      broken = true;
    }
    if (aligned) append(range, r.subtrees, r.count);
    position += r.count;
    chainHead = r.lastChain;
    opts.onProgress?.(position);
  }

  // 3. Checkpoints beyond the end of the log: truncation (our own table) or rollback (a copy held elsewhere).
  const n = position;
  const beyond = valid.filter((v) => v.cp.treeSize > n).sort((a, b) => b.cp.treeSize - a.cp.treeSize);
  if (beyond.length > 0) {
    const fromDb = beyond.find((v) => v.input.source === 'database' || v.input.source === 'bundle');
    const outside = beyond.find((v) => v.input.source === 'copy' || v.input.source === 'external');
    if (fromDb) {
      problems.push({ kind: 'truncated', seq: n, message: `${fromDb.input.label} covers ${fromDb.cp.treeSize} entries but only ${n} remain: the log was truncated after seq ${n - 1}` });
    } else if (outside) {
      problems.push({
        kind: 'rolled_back',
        seq: n,
        message: `${outside.input.label} covers ${outside.cp.treeSize} entries but the log has ${n}: it was rolled back (restored from an older copy?)`,
      });
    }
  }

  const latest = valid.filter((v) => v.cp.treeSize <= n).sort((a, b) => b.cp.treeSize - a.cp.treeSize || (b.cp.timestamp ?? '').localeCompare(a.cp.timestamp ?? ''))[0];
  const named = problems.map((p) => p.seq).filter((s): s is number => s !== null);
  return {
    ok: problems.length === 0,
    origin: opts.origin,
    entries: n,
    rootHash: aligned ? range.root().toString('hex') : '',
    chainHead,
    checkpoints: {
      total: opts.checkpoints.length,
      verified: valid.length,
      latest: latest ? { treeSize: latest.cp.treeSize, timestamp: latest.cp.timestamp ?? null, source: latest.input.source } : null,
    },
    problems,
    firstBadSeq: named.length ? Math.min(...named) : null,
  };
}

async function* emptyEntries(): AsyncGenerator<StoredEntry[]> {}
