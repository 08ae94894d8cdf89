// The composition root: opens the store, the audit log and its identity from a Config. `serve` and the CLI commands
// that change state use it; read-only tools (verify, export, prove) open the store read-only instead.
import { existsSync } from 'node:fs';
import type { Config } from './config.ts';
import { systemClock, type Clock } from './clock.ts';
import { BreakglassError, StorageError } from './errors.ts';
import { AuditLog } from './audit/audit-log.ts';
import { initAuditIdentity, type AuditIdentity } from './audit/audit-identity.ts';
import { Checkpointer, type CheckpointerLogger } from './audit/checkpointer.ts';
import { openDatabase, type Database } from './store/database.ts';
import type { Directory } from './graph/directory.ts';
import type { GraphLogger } from './graph/graph-directory.ts';
import { connectDirectory, openDirectory, type OpenedDirectory } from './simulator/open-directory.ts';
import type { SimulatorHandle } from './simulator/start-simulator.ts';

export interface Runtime {
  config: Config;
  clock: Clock;
  database: Database;
  audit: AuditLog;
  identity: AuditIdentity;
  checkpointer: Checkpointer;
  /** Microsoft Graph or the simulated tenant (see `directory.mode`); undefined when opened without (audit-only CLI). */
  directory: Directory | undefined;
  /** The embedded simulated tenant when this process runs it (the service in simulated mode). */
  simulator: SimulatorHandle | undefined;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  clock?: Clock;
  logger?: CheckpointerLogger;
  /** Refuse to create a new SQLite file (CLI commands that only make sense on an existing deployment). */
  mustExist?: boolean;
  /**
   * How to reach the directory: 'embedded' (the service: start the simulated tenant in-process when no tenant is
   * configured), 'connect' (CLI: use the running service's simulated tenant, else start one here), or false.
   */
  directory?: 'embedded' | 'connect' | false;
  /** Log lines from the Graph adapter and the embedded simulator's start. */
  graphLogger?: GraphLogger;
}

/** The runtime's directory, or a clear error when this process opened the store without one. */
export function requireDirectory(runtime: Pick<Runtime, 'directory'>): Directory {
  if (!runtime.directory) throw new BreakglassError('no_directory', 'this operation needs Microsoft Graph (or the simulated tenant), which this process did not open', { status: 503 });
  return runtime.directory;
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
    let opened: OpenedDirectory | undefined;
    if (opts.directory) {
      const dirOpts = {
        graph: config.graph,
        simulator: config.simulator,
        clock,
        dataDir: config.storage.dataDir,
        ...(opts.graphLogger ? { logger: opts.graphLogger } : {}),
      };
      opened = opts.directory === 'embedded' ? await openDirectory(dirOpts) : await connectDirectory(dirOpts);
    }
    return {
      config,
      clock,
      database,
      audit,
      identity,
      checkpointer,
      directory: opened?.directory,
      simulator: opened?.simulator,
      async close() {
        await checkpointer.stop();
        await opened?.close();
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
