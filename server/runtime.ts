// The composition root: opens the store, the audit log and its identity from a Config. `serve` and the CLI commands
// that change state use it; read-only tools (verify, export, prove) open the store read-only instead.
import { existsSync } from 'node:fs';
import type { Config } from './config.ts';
import { systemClock, type Clock } from './clock.ts';
import { StorageError } from './errors.ts';
import { AuditLog } from './audit/audit-log.ts';
import { initAuditIdentity, type AuditIdentity } from './audit/audit-identity.ts';
import { Checkpointer, type CheckpointerLogger } from './audit/checkpointer.ts';
import { openDatabase, type Database } from './store/database.ts';

export interface Runtime {
  config: Config;
  clock: Clock;
  database: Database;
  audit: AuditLog;
  identity: AuditIdentity;
  checkpointer: Checkpointer;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  clock?: Clock;
  logger?: CheckpointerLogger;
  /** Refuse to create a new SQLite file (CLI commands that only make sense on an existing deployment). */
  mustExist?: boolean;
}

export async function openRuntime(config: Config, opts: RuntimeOptions = {}): Promise<Runtime> {
  if (opts.mustExist && !config.storage.databaseUrl && !existsSync(config.storage.sqlitePath)) {
    throw new StorageError(`no database at ${config.storage.sqlitePath}; start the service once (npm start) or set BREAKGLASS_DATA_DIR to the right folder`);
  }
  const clock = opts.clock ?? systemClock;
  const database = await openDatabase({ sqlitePath: config.storage.sqlitePath, databaseUrl: config.storage.databaseUrl, migrate: true });
  try {
    const audit = new AuditLog(database, clock);
    const identity = await initAuditIdentity(audit, config.audit);
    const checkpointer = new Checkpointer(audit, identity.signer, { copyPath: config.audit.checkpointCopyPath, ...(opts.logger ? { logger: opts.logger } : {}) });
    return {
      config,
      clock,
      database,
      audit,
      identity,
      checkpointer,
      async close() {
        await checkpointer.stop();
        await database.close();
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}

/** Opens the configured store read-only (SQLite) or without migrating (PostgreSQL), for verification and export. */
export async function openStoreReadOnly(config: Config, sqlitePath?: string): Promise<Database> {
  if (sqlitePath) return openDatabase({ sqlitePath, readonly: true });
  if (config.storage.databaseUrl) return openDatabase({ sqlitePath: config.storage.sqlitePath, databaseUrl: config.storage.databaseUrl });
  return openDatabase({ sqlitePath: config.storage.sqlitePath, readonly: true });
}
