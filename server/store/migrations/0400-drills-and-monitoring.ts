// Drills, monitoring and alerts (issue 7). Everything that must happen at a time is a row with a unique key:
//   drill_cycle     one per account and cycle: its due date (at most one open cycle per account)
//   drill_notice    the cycle's reminders (T-14, T-7, T-1, due, overdue…), UNIQUE(cycle_id, kind); fired by the tick
//   drill           announced drill windows, the captured sign-in evidence, custody checklist and result
//   monitor_cursor  per tenant and stream (sign-ins, directory audits): how far polling got, and its health
//   monitor_record  every sign-in / directory-audit record seen for an emergency account, once (PK = Graph's id)
//   incident        uses outside a drill window and method changes, awaiting classification
//   alert           what was raised, UNIQUE(dedupe_key); alert_delivery is the outbox, UNIQUE(dedupe_key, channel)
//   notify_channel  the channels configured when the service last started (no secrets: names and targets only)
// Times are ISO-8601 UTC text, booleans 0/1, JSON as text (portable across SQLite and PostgreSQL).
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('drill_cycle')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('emergency_account.id'))
    .addColumn('cycle_no', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('interval_days', 'integer', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .addColumn('ended_reason', 'text')
    .addUniqueConstraint('drill_cycle_account_no', ['account_id', 'cycle_no'])
    .execute();
  // At most one open cycle per account, enforced by the database (partial unique index: SQLite ≥ 3.8, PostgreSQL).
  await db.schema.createIndex('drill_cycle_one_open').on('drill_cycle').column('account_id').unique().where(sql.ref('state'), '=', 'open').execute();

  await db.schema
    .createTable('drill_notice')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('cycle_id', 'text', (c) => c.notNull().references('drill_cycle.id'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('fired_at', 'text')
    .addColumn('superseded_at', 'text')
    .addColumn('outcome', 'text')
    .addColumn('alert_dedupe_key', 'text')
    .addUniqueConstraint('drill_notice_cycle_kind', ['cycle_id', 'kind'])
    .execute();
  // The tick's claim query reads only pending notices (audit-sched-scale.md §3.5).
  await db.schema
    .createIndex('drill_notice_pending')
    .on('drill_notice')
    .column('due_at')
    .where(sql<boolean>`fired_at is null and superseded_at is null`)
    .execute();

  await db.schema
    .createTable('drill')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('emergency_account.id'))
    .addColumn('cycle_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('window_end', 'text', (c) => c.notNull())
    .addColumn('performer', 'text', (c) => c.notNull())
    .addColumn('witness', 'text', (c) => c.notNull())
    .addColumn('expected_key', 'text', (c) => c.notNull())
    .addColumn('notes', 'text', (c) => c.notNull())
    .addColumn('opened_by', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('verification', 'text', (c) => c.notNull())
    .addColumn('verification_reasons', 'text', (c) => c.notNull())
    .addColumn('evidence_sign_in_id', 'text')
    .addColumn('evidence_sign_in_at', 'text')
    .addColumn('evidence', 'text')
    .addColumn('evidence_captured_at', 'text')
    .addColumn('checklist', 'text')
    .addColumn('result_reasons', 'text')
    .addColumn('closed_by', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('next_due_at', 'text')
    .execute();
  await db.schema.createIndex('drill_account_status').on('drill').columns(['account_id', 'status']).execute();
  await db.schema.createIndex('drill_window').on('drill').columns(['window_start', 'window_end']).execute();

  await db.schema
    .createTable('monitor_cursor')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('polled_until', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('last_success_at', 'text')
    .addColumn('failing_since', 'text')
    .addColumn('last_error_code', 'text')
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('monitor_cursor_pk', ['tenant_id', 'stream'])
    .execute();

  await db.schema
    .createTable('monitor_record')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('record_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'text', (c) => c.notNull())
    .addColumn('disposition', 'text', (c) => c.notNull())
    .addColumn('drill_id', 'text')
    .addColumn('incident_id', 'text')
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('record', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('monitor_record_pk', ['tenant_id', 'stream', 'record_id'])
    .execute();
  await db.schema.createIndex('monitor_record_account').on('monitor_record').columns(['account_id', 'occurred_at']).execute();

  await db.schema
    .createTable('incident')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull().references('emergency_account.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('detected_at', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('record_ids', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('classification', 'text')
    .addColumn('classification_notes', 'text')
    .addColumn('classified_by', 'text')
    .addColumn('classified_at', 'text')
    .addColumn('alert_dedupe_key', 'text', (c) => c.notNull())
    .addUniqueConstraint('incident_account_dedupe', ['account_id', 'dedupe_key'])
    .execute();
  await db.schema.createIndex('incident_status').on('incident').columns(['status', 'occurred_at']).execute();

  await db.schema
    .createTable('alert')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('alert_delivery')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('alert_id', 'text', (c) => c.notNull().references('alert.id'))
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text')
    .addColumn('last_attempt_at', 'text')
    .addColumn('last_status', 'text')
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'text')
    .addUniqueConstraint('alert_delivery_once', ['dedupe_key', 'channel'])
    .execute();
  await db.schema
    .createIndex('alert_delivery_pending')
    .on('alert_delivery')
    .column('next_attempt_at')
    .where(sql.ref('state'), '=', 'pending')
    .execute();
  await db.schema.createIndex('alert_delivery_alert').on('alert_delivery').column('alert_id').execute();

  await db.schema
    .createTable('notify_channel')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
