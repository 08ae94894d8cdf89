// The audit log: the only way state changes are written. `change()` runs the caller's writes and appends their audit
// entries in one serialised transaction, so there is never a change without its entry nor an entry without its
// change. Entries are append-only, hash-chained and covered by signed checkpoints (checkpointer.ts).
import type { Statement } from 'better-sqlite3';
import { sql } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../store/database.ts';
import type { Db } from '../store/schema.ts';
import { canonicalJson } from './canonical-json.ts';
import { GENESIS_CHAIN_HEX, nextChainHex, parseRecord, recordLeafLatin1, recordText, SECRET_GUARD, type StoredEntry } from './audit-record.ts';

export interface AuditEvent {
  /** Who did it: `officer:<id>`, `system`, `cli:<os user>`, … */
  actor: string;
  /** What happened, dotted: `audit.initialized`, `enrollment.approved`, … */
  action: string;
  /** What it happened to: `account:<id>`, `officer:<id>`, … */
  subject: string;
  /** Non-secret details (ids, fingerprints, reasons). Canonicalised (RFC 8785) before hashing. */
  data?: Record<string, unknown>;
}

/** Collects the audit events of one change; they are appended when the change's writes have succeeded. */
export interface AuditRecorder {
  record(event: AuditEvent): void;
  /** The audit log's clock when the change began (so code inside a change needs no clock of its own). */
  readonly now?: Date;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  data: unknown;
  /** RFC 6962 leaf hash (hex), recomputed from the record. */
  leafHash: string;
  chainHash: string;
}

export interface EntryQuery {
  /** Return entries with seq < before (newest first), for paging backwards from the head. */
  before?: number;
  limit: number;
  /** Exact action, or a prefix ending in `.*` (e.g. `drill.*`). */
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
  /** The data as canonical JSON (validated, secret-named keys refused), spliced verbatim into the record. */
  data: string;
}

function prepare(event: AuditEvent): PreparedEvent {
  for (const f of ['actor', 'action', 'subject'] as const) {
    if (typeof event[f] !== 'string' || event[f].length === 0) throw new AuditWriteError(`audit event needs a non-empty ${f}`);
  }
  return { actor: event.actor, action: event.action, subject: event.subject, data: canonicalJson(event.data ?? {}, SECRET_GUARD, 'data') };
}

export function toAuditEntry(e: StoredEntry): AuditEntry {
  const r = parseRecord(e.record);
  return { ...r, leafHash: Buffer.from(recordLeafLatin1(e.record), 'latin1').toString('hex'), chainHash: e.chainHash };
}

type Listener = (entries: StoredEntry[]) => void;

const HEAD_SQL = 'SELECT seq, chain_hash FROM audit_entry ORDER BY seq DESC LIMIT 1';
const INSERT_SQL = 'INSERT INTO audit_entry (seq, record, chain_hash) VALUES (?, ?, ?)';

export class AuditLog {
  readonly database: Database;
  readonly clock: Clock;
  #listeners = new Set<Listener>();
  #statements: { head: Statement; insert: Statement } | undefined;

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
      // One instant for the change: what `fn` sees as now is the time its entries carry.
      const now = this.clock.now();
      const value = await fn(tx, { now, record: (e) => void events.push(prepare(e)) });
      if (events.length === 0) throw new AuditWriteError('a state change must record at least one audit event');
      appended = await this.#append(tx, events, now);
      return value;
    });
    this.#notify(appended);
    return result;
  }

  /** Appends events that have no other state change (a failed sign-in, a revealed TAP, …). */
  async record(...events: AuditEvent[]): Promise<AuditEntry[]> {
    const prepared = events.map(prepare);
    if (prepared.length === 0) return [];
    const stored = await this.database.write((tx) => this.#append(tx, prepared));
    this.#notify(stored);
    return stored.map(toAuditEntry);
  }

  /** Called after each committed append (wakes the checkpointer and live views). */
  onAppend(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #notify(entries: StoredEntry[]): void {
    for (const l of this.#listeners) {
      try {
        l(entries);
      } catch {
        /* a listener's failure must not turn a committed change into an error */
      }
    }
  }

  async #append(tx: Db, events: PreparedEvent[], now = this.clock.now()): Promise<StoredEntry[]> {
    const at = now.toISOString();
    const raw = this.database.sqlite;
    let head: { seq: number; chain_hash: string } | undefined;
    if (raw) {
      // Hot path on SQLite: prepared statements on the connection this transaction holds (see Database.write).
      this.#statements ??= { head: raw.prepare(HEAD_SQL), insert: raw.prepare(INSERT_SQL) };
      head = this.#statements.head.get() as typeof head;
    } else {
      head = await tx.selectFrom('audit_entry').select(['seq', 'chain_hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    }
    let seq = head ? Number(head.seq) + 1 : 0;
    let prev = head ? head.chain_hash : GENESIS_CHAIN_HEX;
    const stored: StoredEntry[] = [];
    for (const e of events) {
      // Top-level keys in RFC 8785 order (action < actor < at < data < seq < subject), the data spliced verbatim.
      const record = recordText({ action: e.action, actor: e.actor, at, data: e.data, seq, subject: e.subject });
      prev = nextChainHex(prev, recordLeafLatin1(record));
      stored.push({ seq, record, chainHash: prev });
      seq += 1;
    }
    if (raw) {
      const insert = this.#statements!.insert;
      for (const s of stored) insert.run(s.seq, s.record, s.chainHash);
    } else {
      for (let i = 0; i < stored.length; i += 1000) {
        await tx
          .insertInto('audit_entry')
          .values(stored.slice(i, i + 1000).map((s) => ({ seq: s.seq, record: s.record, chain_hash: s.chainHash })))
          .execute();
      }
    }
    return stored;
  }

  /** Number of entries (the tree size) and the chain head. */
  async head(): Promise<{ size: number; chainHash: string }> {
    const row = await this.database.db.selectFrom('audit_entry').select(['seq', 'chain_hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    return row ? { size: Number(row.seq) + 1, chainHash: row.chain_hash } : { size: 0, chainHash: GENESIS_CHAIN_HEX };
  }

  async entries(q: EntryQuery): Promise<AuditEntry[]> {
    let query = this.database.db.selectFrom('audit_entry').select(['seq', 'record', 'chain_hash']).orderBy('seq', 'desc').limit(q.limit);
    if (q.before !== undefined) query = query.where('seq', '<', q.before);
    if (q.action) {
      // A prefix (`drill.*`): compared as a substring, so `%`/`_` in it are plain characters and the match is
      // case-sensitive on both SQLite (whose LIKE is not) and PostgreSQL.
      const prefix = q.action.endsWith('.*') ? q.action.slice(0, -1) : undefined;
      query = prefix ? query.where(sql<string>`substr(action, 1, ${prefix.length})`, '=', prefix) : query.where('action', '=', q.action);
    }
    if (q.actor) query = query.where('actor', '=', q.actor);
    if (q.subject) query = query.where('subject', '=', q.subject);
    const rows = await query.execute();
    return rows.map((r) => toAuditEntry({ seq: Number(r.seq), record: r.record, chainHash: r.chain_hash }));
  }

  async entry(seq: number): Promise<AuditEntry | undefined> {
    const r = await this.database.db.selectFrom('audit_entry').select(['seq', 'record', 'chain_hash']).where('seq', '=', seq).executeTakeFirst();
    return r ? toAuditEntry({ seq: Number(r.seq), record: r.record, chainHash: r.chain_hash }) : undefined;
  }
}
