// Reads the audit log back out of the store for verification, export and proofs: entries in keyset-paged batches
// (flat memory), leaf hashes, stored checkpoints, and the checkpoint copy file kept beside the database.
import { existsSync, readFileSync } from 'node:fs';
import type { Database } from '../store/database.ts';
import type { Db } from '../store/schema.ts';
import { recordLeafHash, type StoredEntry } from './audit-record.ts';
import type { CheckpointInput } from './audit-verifier.ts';

export const DEFAULT_BATCH = 10_000;

export async function countEntries(database: Database): Promise<number> {
  const row = await database.db.selectFrom('audit_entry').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Entries ordered by seq, in batches, from seq `from` to `to` (inclusive). Inside `Database.write()` pass the
 * transaction as `executor` (SQLite has one connection: the outer handle would wait for the transaction forever).
 */
export async function* entryBatches(database: Database, opts: { from?: number; to?: number; batch?: number } = {}, executor: Db = database.db): AsyncGenerator<StoredEntry[]> {
  const batch = opts.batch ?? DEFAULT_BATCH;
  let after = (opts.from ?? 0) - 1;
  // SQLite: raw arrays from a prepared statement are several times cheaper than Kysely row objects.
  const stmt = database.sqlite?.prepare('SELECT seq, record, chain_hash FROM audit_entry WHERE seq > ? ORDER BY seq LIMIT ?').raw(true);
  for (;;) {
    let out: StoredEntry[];
    if (stmt) {
      const rows = stmt.all(after, batch) as [number, string, string][];
      out = new Array<StoredEntry>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        out[i] = { seq: r[0], record: r[1], chainHash: r[2] };
      }
    } else {
      const rows = await executor.selectFrom('audit_entry').select(['seq', 'record', 'chain_hash']).where('seq', '>', after).orderBy('seq').limit(batch).execute();
      out = rows.map((r) => ({ seq: Number(r.seq), record: r.record, chainHash: r.chain_hash }));
    }
    const full = out.length === batch;
    if (opts.to !== undefined) out = out.filter((e) => e.seq <= opts.to!);
    if (out.length > 0) yield out;
    if (!full || out.length === 0 || (opts.to !== undefined && out[out.length - 1]!.seq >= opts.to)) return;
    after = out[out.length - 1]!.seq;
  }
}

/** Leaf hashes of entries 0..size-1, recomputed from the stored records (for proofs). */
export async function leafHashes(database: Database, size: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  if (size <= 0) return out;
  for await (const b of entryBatches(database, { to: size - 1, batch: 50_000 })) for (const e of b) out.push(recordLeafHash(e.record));
  return out;
}

export interface StoredCheckpoint {
  id: number;
  treeSize: number;
  rootHash: Buffer;
  at: string;
  note: string;
}

export async function storedCheckpoints(database: Database): Promise<StoredCheckpoint[]> {
  const rows = await database.db.selectFrom('audit_checkpoint').selectAll().orderBy('id').execute();
  return rows.map((r) => ({ id: Number(r.id), treeSize: Number(r.tree_size), rootHash: Buffer.from(r.root_hash, 'hex'), at: r.at, note: r.note }));
}

export function checkpointInputsFromDb(cps: StoredCheckpoint[]): CheckpointInput[] {
  return cps.map((c) => ({ note: c.note, source: 'database', label: `checkpoint #${c.id}`, stored: { treeSize: c.treeSize, rootHash: c.rootHash } }));
}

/** The checkpoint copy file: one JSON object per line with at least a `note` field. Missing file = no copies. */
export function checkpointInputsFromCopyFile(path: string): CheckpointInput[] {
  if (!existsSync(path)) return [];
  const out: CheckpointInput[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      let note: unknown;
      try {
        note = (JSON.parse(line) as { note?: unknown }).note;
      } catch {
        note = undefined;
      }
      out.push({ note: typeof note === 'string' ? note : '', source: 'copy', label: `${path} line ${i + 1}` });
    });
  return out;
}
