// Builds a real audit log on a backend for tests (through openRuntime, as the service does), and tampers with it the
// way an attacker with database access would: disable the append-only triggers, then change rows.
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { loadConfig, type Config } from '../../server/config.ts';
import { ManualClock } from '../../server/clock.ts';
import { openRuntime, type Runtime } from '../../server/runtime.ts';
import type { Backend } from './backends.ts';

export function backendEnv(b: Backend, origin = 'test.breakglass.local/audit'): NodeJS.ProcessEnv {
  return { BREAKGLASS_DATA_DIR: b.dataDir, ...(b.databaseUrl ? { DATABASE_URL: b.databaseUrl } : {}), BREAKGLASS_AUDIT_ORIGIN: origin };
}

export function backendConfig(b: Backend, origin?: string): Config {
  return loadConfig({ env: backendEnv(b, origin) });
}

/** Opens a runtime and appends events until the log holds `size` entries, checkpointing at the given sizes. */
export async function buildLog(b: Backend, size: number, checkpointAt: number[], origin?: string): Promise<Runtime> {
  const clock = new ManualClock('2026-11-01T09:00:00.000Z');
  const runtime = await openRuntime(backendConfig(b, origin), { clock });
  let head = (await runtime.audit.head()).size;
  while (head < size) {
    clock.advance(60_000);
    const i = head;
    await runtime.audit.change(async (_tx, audit) => {
      audit.record({ actor: `officer:${i % 3 === 0 ? 'alice' : 'bob'}`, action: 'test.event', subject: `item:${i}`, data: { i, note: `event number ${i}` } });
    });
    head += 1;
    if (checkpointAt.includes(head)) await runtime.checkpointer.checkpoint();
  }
  return runtime;
}

/** Runs SQL against the backend with the append-only triggers disabled (an attacker with DB access). */
export async function tamper(b: Backend, statements: string[]): Promise<void> {
  if (b.name === 'sqlite') {
    const db = new BetterSqlite3(b.sqlitePath);
    try {
      for (const t of ['audit_entry_no_update', 'audit_entry_no_delete', 'audit_checkpoint_no_update', 'audit_checkpoint_no_delete']) db.exec(`DROP TRIGGER IF EXISTS ${t}`);
      for (const s of statements) db.exec(s);
    } finally {
      db.close();
    }
    return;
  }
  const c = new pg.Client({ connectionString: b.databaseUrl });
  await c.connect();
  try {
    await c.query('ALTER TABLE audit_entry DISABLE TRIGGER USER');
    await c.query('ALTER TABLE audit_checkpoint DISABLE TRIGGER USER');
    for (const s of statements) await c.query(s);
  } finally {
    await c.end();
  }
}

/** Reads rows with raw SQL (no app code), for tests that recompute hashes like an attacker would. */
export async function rawRows(b: Backend, query: string): Promise<Record<string, unknown>[]> {
  if (b.name === 'sqlite') {
    const db = new BetterSqlite3(b.sqlitePath, { readonly: true });
    try {
      return db.prepare(query).all() as Record<string, unknown>[];
    } finally {
      db.close();
    }
  }
  const c = new pg.Client({ connectionString: b.databaseUrl });
  await c.connect();
  try {
    return (await c.query(query)).rows as Record<string, unknown>[];
  } finally {
    await c.end();
  }
}
