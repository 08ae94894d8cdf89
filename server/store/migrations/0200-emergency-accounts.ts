// Emergency accounts: the tenant users explicitly designated as break-glass accounts (never guessed from names).
// Keys, custody and drills hang off these rows (later migrations).
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('emergency_account')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('upn', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('drill_interval_days', 'integer', (c) => c.notNull())
    .addColumn('designated_by', 'text', (c) => c.notNull())
    .addColumn('designated_at', 'text', (c) => c.notNull())
    .addColumn('retired_at', 'text')
    .addColumn('notes', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  // One active designation per directory user and tenant; a retired row may stay beside a new designation.
  await db.schema.createIndex('emergency_account_user').on('emergency_account').columns(['tenant_id', 'user_id', 'status']).execute();
  await db.schema.createIndex('emergency_account_upn').on('emergency_account').columns(['upn']).execute();
}
