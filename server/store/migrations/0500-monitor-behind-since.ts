// Monitoring keeps two episodes apart: "behind" (more log records than one poll reads; read on, newest first) and
// "failing" (Graph refused or broke). They can overlap — a failure while catching up — so each has its own start:
// failing_since for failures, behind_since for the backlog, and each raises and ends its own alerts.
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('monitor_cursor').addColumn('behind_since', 'text').execute();
}
