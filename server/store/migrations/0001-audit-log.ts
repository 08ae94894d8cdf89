// The audit log's tables: entries (append-only, enforced by triggers as defence in depth), signed checkpoints, and a
// small key/value meta table (deployment id, audit origin, verifier key).
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const bytes = dialect === 'postgres' ? sql`bytea` : sql`blob`;
  const bigint = dialect === 'postgres' ? sql`bigint` : sql`integer`;
  await db.schema
    .createTable('audit_entry')
    .addColumn('seq', bigint, (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('leaf_hash', bytes, (c) => c.notNull())
    .addColumn('chain_hash', bytes, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_entry_action').on('audit_entry').columns(['action', 'seq']).execute();
  await db.schema.createIndex('audit_entry_subject').on('audit_entry').columns(['subject', 'seq']).execute();
  await db.schema.createIndex('audit_entry_actor').on('audit_entry').columns(['actor', 'seq']).execute();

  await db.schema
    .createTable('audit_checkpoint')
    .addColumn('id', bigint, (c) => c.primaryKey())
    .addColumn('tree_size', bigint, (c) => c.notNull())
    .addColumn('root_hash', bytes, (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('meta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  // Append-only: refuse UPDATE and DELETE on entries and checkpoints. Anyone with file or superuser access can drop
  // these; detection of that is the hash chain's and the checkpoints' job (docs/security.md).
  for (const table of ['audit_entry', 'audit_checkpoint']) {
    if (dialect === 'sqlite') {
      for (const op of ['UPDATE', 'DELETE']) {
        await sql
          .raw(`CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`)
          .execute(db);
      }
    } else {
      await sql
        .raw(
          `CREATE OR REPLACE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '${table} is append-only'; END $$`,
        )
        .execute(db);
      await sql.raw(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_append_only()`).execute(db);
      await sql.raw(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ${table}_append_only()`).execute(db);
    }
  }
}
