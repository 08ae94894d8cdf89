// Opens the store: the embedded SQLite file (better-sqlite3, WAL, synchronous=FULL so an acknowledged audit entry
// survives power loss) or PostgreSQL (pg) when DATABASE_URL is set. Both expose the same Kysely schema and a
// `write()` that serialises writers, because the audit chain needs one writer at a time.
import { mkdirSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { StorageError } from '../errors.ts';
import { migrations } from './migrations/index.ts';
import type { Db, Schema } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  readonly db: Db;
  readonly dialect: Dialect;
  /** Where the data lives, without credentials (for logs and messages). */
  readonly location: string;
  /** The better-sqlite3 handle (SQLite only) for hot paths; use only inside `write()` or on a reader. */
  readonly sqlite: BetterSqlite3.Database | undefined;
  /**
   * Runs `fn` in a write transaction that excludes every other writer (SQLite: BEGIN IMMEDIATE; PostgreSQL: a
   * transaction-scoped advisory lock). Commits when `fn` resolves, rolls back when it throws.
   */
  write<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * A handle for long reads that must not hold up writers and must see only committed data: on SQLite a second,
   * read-only connection to the same file (the main connection may be inside another caller's open transaction);
   * on PostgreSQL the pool itself. Close it when done (a no-op for PostgreSQL).
   */
  openReader(): Promise<Database>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** SQLite file path (used when databaseUrl is undefined). */
  sqlitePath: string;
  databaseUrl?: string | undefined;
  /** Open an existing database without changing it (verification, export). */
  readonly?: boolean;
  /** Create the file and run migrations (the service does; read-only tools do not). */
  migrate?: boolean;
}

// Advisory lock key for the single audit writer (any constant; "bg" + "audit").
const PG_WRITE_LOCK = 0x62_67_0a_0d;

export function describePostgres(url: string): string {
  try {
    const u = new URL(url);
    return `PostgreSQL ${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'PostgreSQL (unparseable DATABASE_URL)';
  }
}

function storageMessage(location: string, err: unknown): string {
  const e = err as { code?: string; message?: string };
  const code = e?.code ?? '';
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return `${location} is not a usable SQLite database (${e.message}); restore it from a backup or point to the right file`;
  if (code === 'SQLITE_CANTOPEN') return `${location} cannot be opened (${e.message}); check the path and its permissions`;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') return `cannot reach ${location} (${code}); is the server running and DATABASE_URL right?`;
  if (code === '3D000') return `${location}: the database does not exist (${e.message})`;
  if (code === '28P01' || code === '28000') return `${location}: authentication failed; check the user and password in DATABASE_URL`;
  return `${location}: ${e?.message?.split('\n')[0] ?? String(err)}`;
}

async function runMigrations(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const provider: MigrationProvider = {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, m] of Object.entries(migrations)) out[name] = { up: (k) => m.up(k, dialect) };
      return out;
    },
  };
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new StorageError(`migration ${failed ?? '(unknown)'} failed: ${(error as Error).message}`, { cause: error });
  }
}

function openSqlite(opts: OpenOptions): { db: Db; raw: BetterSqlite3.Database } {
  const location = `SQLite file ${opts.sqlitePath}`;
  if (opts.readonly && !existsSync(opts.sqlitePath)) throw new StorageError(`${location} does not exist; pass the path of a breakglass database`);
  let raw: BetterSqlite3.Database;
  try {
    if (!opts.readonly) mkdirSync(dirname(opts.sqlitePath), { recursive: true, mode: 0o700 });
    raw = new BetterSqlite3(opts.sqlitePath, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
    // Touch the file so a corrupt or foreign file fails here, with a clear message, not in the middle of work.
    raw.prepare('SELECT count(*) FROM sqlite_master').get();
    if (!opts.readonly) {
      raw.pragma('journal_mode = WAL');
      // FULL: a committed transaction (and so an acknowledged audit entry) survives power loss in WAL mode.
      raw.pragma('synchronous = FULL');
    }
    raw.pragma('foreign_keys = ON');
    raw.pragma('busy_timeout = 5000');
  } catch (err) {
    throw new StorageError(storageMessage(location, err), { cause: err });
  }
  return { db: new Kysely<Schema>({ dialect: new SqliteDialect({ database: raw }) }), raw };
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const location = describePostgres(opts.databaseUrl);
    // int8 (count(*), bigint columns) as JS numbers: audit sequence numbers stay far below 2^53.
    const types = { getTypeParser: (oid: number, format?: string) => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) };
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10, types: types as pg.CustomTypesConfig, connectionTimeoutMillis: 10_000 });
    pool.on('error', () => {
      /* idle client errors surface on the next query */
    });
    const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
    try {
      await sql`select 1`.execute(db);
      if (opts.migrate) await runMigrations(db as unknown as Kysely<unknown>, 'postgres');
    } catch (err) {
      await db.destroy();
      if (err instanceof StorageError) throw err;
      throw new StorageError(storageMessage(location, err), { cause: err });
    }
    const database: Database = {
      db,
      dialect: 'postgres',
      location,
      sqlite: undefined,
      openReader: async () => ({ ...database, close: async () => undefined }),
      write: (fn) =>
        db.transaction().execute(async (trx) => {
          await sql`select pg_advisory_xact_lock(${PG_WRITE_LOCK})`.execute(trx);
          return fn(trx);
        }),
      close: () => db.destroy(),
    };
    return database;
  }

  const { db, raw } = openSqlite(opts);
  const location = `SQLite file ${opts.sqlitePath}`;
  try {
    if (opts.migrate) await runMigrations(db as unknown as Kysely<unknown>, 'sqlite');
  } catch (err) {
    await db.destroy();
    if (err instanceof StorageError) throw err;
    throw new StorageError(storageMessage(location, err), { cause: err });
  }
  return {
    db,
    dialect: 'sqlite',
    location,
    sqlite: raw,
    openReader: () => openDatabase({ sqlitePath: opts.sqlitePath, readonly: true }),
    write: (fn) =>
      // Hold Kysely's single connection for the whole transaction so no other query interleaves with it.
      db.connection().execute(async (conn) => {
        raw.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(conn);
          raw.exec('COMMIT');
          return result;
        } catch (err) {
          if (raw.inTransaction) raw.exec('ROLLBACK');
          throw err;
        }
      }),
    close: () => db.destroy(),
  };
}
