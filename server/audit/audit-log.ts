// The audit log: the only way state changes are written. `change()` runs the caller's writes and appends their audit
// entries in one serialised transaction, so there is never a change without its entry nor an entry without its
// change. Entries are append-only, hash-chained and covered by signed checkpoints (checkpointer.ts).
import type { Clock } from '../clock.ts';
import type { Database } from '../store/database.ts';
import type { Db } from '../store/schema.ts';
import { canonicalJson } from './canonical-json.ts';
import { assertNoSecretFields, entryLeafHash, GENESIS_CHAIN, nextChainHash, type StoredEntry } from './audit-record.ts';

export interface AuditEvent {
  /** Who did it: `officer:<id>`, `system`, `cli:<os user>`, … */
  actor: string;
  /** What happened, dotted: `audit.checkpoint`, `enrollment.approved`, … */
  action: string;
  /** What it happened to: `account:<id>`, `officer:<id>`, … */
  subject: string;
  /** Non-secret details (ids, fingerprints, reasons). Canonicalised (RFC 8785) before hashing. */
  data?: Record<string, unknown>;
}

/** Collects the audit events of one change; they are appended when the change's writes have succeeded. */
export interface AuditRecorder {
  record(event: AuditEvent): void;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  data: unknown;
  leafHash: string;
  chainHash: string;
}

export interface EntryQuery {
  /** Return entries with seq < before (newest first) — for paging backwards from the head. */
  before?: number;
  limit: number;
  action?: string;
  actor?: string;
  subject?: string;
}

export class AuditWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditWriteError';
  }
}

interface PreparedEvent {
  actor: string;
  action: string;
  subject: string;
  data: string;
}

function prepare(event: AuditEvent): PreparedEvent {
  for (const f of ['actor', 'action', 'subject'] as const) {
    if (typeof event[f] !== 'string' || event[f].length === 0) throw new AuditWriteError(`audit event needs a non-empty ${f}`);
  }
  const data = event.data ?? {};
  assertNoSecretFields(data);
  return { actor: event.actor, action: event.action, subject: event.subject, data: canonicalJson(data) };
}

export function toAuditEntry(e: StoredEntry): AuditEntry {
  return {
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    action: e.action,
    subject: e.subject,
    data: JSON.parse(e.data) as unknown,
    leafHash: e.leafHash.toString('hex'),
    chainHash: e.chainHash.toString('hex'),
  };
}

export function rowToStored(r: { seq: number; at: string; actor: string; action: string; subject: string; data: string; leaf_hash: Uint8Array; chain_hash: Uint8Array }): StoredEntry {
  return {
    seq: Number(r.seq),
    at: r.at,
    actor: r.actor,
    action: r.action,
    subject: r.subject,
    data: r.data,
    leafHash: Buffer.from(r.leaf_hash),
    chainHash: Buffer.from(r.chain_hash),
  };
}

type Listener = (entries: StoredEntry[]) => void;

const HEAD_SQL = 'SELECT seq, chain_hash FROM audit_entry ORDER BY seq DESC LIMIT 1';
const INSERT_SQL = 'INSERT INTO audit_entry (seq, at, actor, action, subject, data, leaf_hash, chain_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';

export class AuditLog {
  readonly database: Database;
  readonly clock: Clock;
  #listeners = new Set<Listener>();
  #statements: { head: import('better-sqlite3').Statement; insert: import('better-sqlite3').Statement } | undefined;

  constructor(database: Database, clock: Clock) {
    this.database = database;
    this.clock = clock;
  }

  /**
   * Runs `fn` (the state change) and appends the events it records, atomically. `fn` must record at least one
   * event; if it throws, nothing is written. Resolves with `fn`'s result once the transaction is durable.
   */
  async change<T>(fn: (tx: Db, audit: AuditRecorder) => Promise<T>): Promise<T> {
    let appended: StoredEntry[] = [];
    const result = await this.database.write(async (tx) => {
      const events: PreparedEvent[] = [];
      const value = await fn(tx, { record: (e) => void events.push(prepare(e)) });
      if (events.length === 0) throw new AuditWriteError('a state change must record at least one audit event');
      appended = await this.#append(tx, events);
      return value;
    });
    for (const l of this.#listeners) l(appended);
    return result;
  }

  /** Appends events that have no other state change (a failed sign-in, a revealed TAP, …). */
  async record(...events: AuditEvent[]): Promise<AuditEntry[]> {
    const prepared = events.map(prepare);
    if (prepared.length === 0) return [];
    const stored = await this.database.write((tx) => this.#append(tx, prepared));
    for (const l of this.#listeners) l(stored);
    return stored.map(toAuditEntry);
  }

  /** Called after each committed append (used to wake the checkpointer and live views). */
  onAppend(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async #append(tx: Db, events: PreparedEvent[]): Promise<StoredEntry[]> {
    const at = this.clock.now().toISOString();
    const raw = this.database.sqlite;
    let head: { seq: number; chain_hash: Uint8Array } | undefined;
    if (raw) {
      // Hot path on SQLite: prepared statements on the connection this transaction holds (see Database.write).
      this.#statements ??= { head: raw.prepare(HEAD_SQL), insert: raw.prepare(INSERT_SQL) };
      head = this.#statements.head.get() as typeof head;
    } else {
      head = await tx.selectFrom('audit_entry').select(['seq', 'chain_hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    }
    let seq = head ? Number(head.seq) + 1 : 0;
    let prev: Buffer = head ? Buffer.from(head.chain_hash) : GENESIS_CHAIN;
    const stored: StoredEntry[] = [];
    for (const e of events) {
      const content = { seq, at, actor: e.actor, action: e.action, subject: e.subject, data: e.data };
      const leafHash = entryLeafHash(content);
      const chainHash = nextChainHash(prev, leafHash);
      stored.push({ ...content, leafHash, chainHash });
      prev = chainHash;
      seq += 1;
    }
    if (raw) {
      const insert = this.#statements!.insert;
      for (const s of stored) insert.run(s.seq, s.at, s.actor, s.action, s.subject, s.data, s.leafHash, s.chainHash);
    } else {
      for (let i = 0; i < stored.length; i += 500) {
        await tx
          .insertInto('audit_entry')
          .values(
            stored.slice(i, i + 500).map((s) => ({
              seq: s.seq,
              at: s.at,
              actor: s.actor,
              action: s.action,
              subject: s.subject,
              data: s.data,
              leaf_hash: s.leafHash,
              chain_hash: s.chainHash,
            })),
          )
          .execute();
      }
    }
    return stored;
  }

  /** Number of entries (the tree size) and the chain head. */
  async head(): Promise<{ size: number; chainHash: string }> {
    const row = await this.database.db.selectFrom('audit_entry').select(['seq', 'chain_hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    return row ? { size: Number(row.seq) + 1, chainHash: Buffer.from(row.chain_hash).toString('hex') } : { size: 0, chainHash: GENESIS_CHAIN.toString('hex') };
  }

  async entries(q: EntryQuery): Promise<AuditEntry[]> {
    let query = this.database.db.selectFrom('audit_entry').selectAll().orderBy('seq', 'desc').limit(q.limit);
    if (q.before !== undefined) query = query.where('seq', '<', q.before);
    if (q.action) query = q.action.endsWith('.*') ? query.where('action', 'like', `${q.action.slice(0, -1)}%`) : query.where('action', '=', q.action);
    if (q.actor) query = query.where('actor', '=', q.actor);
    if (q.subject) query = query.where('subject', '=', q.subject);
    const rows = await query.execute();
    return rows.map((r) => toAuditEntry(rowToStored(r)));
  }

  async entry(seq: number): Promise<AuditEntry | undefined> {
    const r = await this.database.db.selectFrom('audit_entry').selectAll().where('seq', '=', seq).executeTakeFirst();
    return r ? toAuditEntry(rowToStored(r)) : undefined;
  }
}
