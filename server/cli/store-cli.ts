// For CLI commands that only read breakglass's own records (no Graph, no key): opens the store, runs, closes.
import type { AuditLog } from '../audit/audit-log.ts';
import type { Clock } from '../clock.ts';
import { openRuntime } from '../runtime.ts';
import type { Db } from '../store/schema.ts';
import { cliConfig } from './cli-config.ts';
import type { CommandContext } from './command.ts';

export interface StoreCliDeps {
  clock?: Clock;
}

export async function withStore<T>(ctx: CommandContext, deps: StoreCliDeps, fn: (db: Db) => Promise<T>): Promise<T> {
  const runtime = await openRuntime(cliConfig(ctx), { mustExist: true, directory: false, ...(deps.clock ? { clock: deps.clock } : {}) });
  try {
    return await fn(runtime.database.db);
  } finally {
    await runtime.close();
  }
}

/** For single-officer changes to breakglass's own records (custody, custodians): the audit log on the store. */
export async function withStoreAudit<T>(ctx: CommandContext, deps: StoreCliDeps, fn: (audit: AuditLog) => Promise<T>): Promise<T> {
  const runtime = await openRuntime(cliConfig(ctx), { mustExist: true, directory: false, ...(deps.clock ? { clock: deps.clock } : {}) });
  try {
    return await fn(runtime.audit);
  } finally {
    await runtime.close();
  }
}
