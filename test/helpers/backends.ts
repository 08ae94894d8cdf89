// Storage backends for tests: a SQLite file in a temp folder always, and a fresh PostgreSQL database whenever a
// server is reachable (BREAKGLASS_TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres). When
// BREAKGLASS_REQUIRE_PG=1 (set by .ci/run) an unreachable server fails the run instead of being skipped; otherwise
// the skip is printed loudly.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_ADMIN_URL = process.env.BREAKGLASS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface Backend {
  name: 'sqlite' | 'postgres';
  /** Settings for openDatabase / Config.storage. */
  sqlitePath: string;
  databaseUrl: string | undefined;
  dataDir: string;
  /** Drops the database and removes the folder. */
  dispose(): Promise<void>;
}

let pgReachable: Promise<string | undefined> | undefined;

/** undefined when reachable; otherwise the reason. */
export function postgresUnavailableReason(): Promise<string | undefined> {
  pgReachable ??= (async () => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return undefined;
    } catch (err) {
      return `PostgreSQL at ${new URL(PG_ADMIN_URL).host} is not reachable (${(err as Error).message})`;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return pgReachable;
}

export async function createBackend(name: 'sqlite' | 'postgres'): Promise<Backend> {
  const dataDir = mkdtempSync(join(tmpdir(), `bg-${name}-`));
  const sqlitePath = join(dataDir, 'breakglass.db');
  if (name === 'sqlite') {
    return { name, sqlitePath, databaseUrl: undefined, dataDir, dispose: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const dbName = `bg_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${dbName}`;
  return {
    name,
    sqlitePath,
    databaseUrl: url.toString(),
    dataDir,
    async dispose() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await c.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The backends a suite runs on. Call at module top level (top-level await) and use with describe.each.
 * PostgreSQL is included when reachable; if not, the reason is printed, or the run fails under BREAKGLASS_REQUIRE_PG=1.
 */
export async function backendsUnderTest(): Promise<('sqlite' | 'postgres')[]> {
  const reason = await postgresUnavailableReason();
  if (!reason) return ['sqlite', 'postgres'];
  if (process.env.BREAKGLASS_REQUIRE_PG === '1') throw new Error(`BREAKGLASS_REQUIRE_PG=1 but ${reason}`);
  console.warn(`\n*** PostgreSQL backend NOT TESTED: ${reason}. Start a server or set BREAKGLASS_TEST_PG_URL. ***\n`);
  return ['sqlite'];
}
