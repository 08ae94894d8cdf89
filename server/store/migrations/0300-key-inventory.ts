// Key inventory and enrollment: the FIDO2 keys of each emergency account (model, serial, Entra method id, credential
// id, where the key is kept and under which seal), the account's custodians, the four-eyes enrollment requests with
// their recorded progress (so an interrupted flow resumes from what was recorded), and the last reconcile result per
// account. No secret is stored: never a TAP value or a PIN, nor anything derived from them.
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('account_key')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('emergency_account.id'))
    // active | lost | replaced | revoked | retired
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('aaguid', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('serial', 'text')
    .addColumn('graph_method_id', 'text')
    .addColumn('credential_id', 'text')
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('registered_at', 'text')
    .addColumn('attestation_level', 'text')
    .addColumn('passkey_type', 'text')
    // guided | direct | adopted
    .addColumn('enrolled_via', 'text', (c) => c.notNull())
    .addColumn('enrollment_id', 'text')
    .addColumn('location', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('seal_number', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addColumn('status_changed_at', 'text')
    .addColumn('status_changed_by', 'text')
    .addColumn('status_reason', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('account_key_account').on('account_key').columns(['account_id', 'status']).execute();
  await db.schema.createIndex('account_key_method').on('account_key').column('graph_method_id').execute();

  await db.schema
    .createTable('account_custodian')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('emergency_account.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('contact', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('role', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addColumn('removed_at', 'text')
    .addColumn('removed_by', 'text')
    .addColumn('removed_reason', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('account_custodian_account').on('account_custodian').column('account_id').execute();

  await db.schema
    .createTable('enrollment_request')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('emergency_account.id'))
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('replaces_key_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    // The key as pre-checked at the workstation.
    .addColumn('aaguid', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('serial', 'text')
    .addColumn('precheck_verdict', 'text', (c) => c.notNull())
    .addColumn('precheck', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('location', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('seal_number', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('approved_by', 'text')
    .addColumn('approved_at', 'text')
    .addColumn('approval', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('closed_by', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('close_reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text', (c) => c.notNull().defaultTo(''))
    // Progress recorded before and after each Graph call.
    .addColumn('step_started_at', 'text')
    .addColumn('known_method_ids', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('replaced_key_revoked_at', 'text')
    // none | issuing | issued | consumed | deleted | cleanup_pending
    .addColumn('tap_state', 'text', (c) => c.notNull().defaultTo('none'))
    .addColumn('tap_method_id', 'text')
    .addColumn('tap_lifetime_minutes', 'integer')
    .addColumn('tap_issued_at', 'text')
    .addColumn('tap_expires_at', 'text')
    .addColumn('credential_id', 'text')
    .addColumn('attested_aaguid', 'text')
    .addColumn('fido2_method_id', 'text')
    .addColumn('key_registered_at', 'text')
    .addColumn('key_id', 'text')
    .addColumn('drill_due_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('enrollment_request_account').on('enrollment_request').columns(['account_id', 'state']).execute();
  await db.schema.createIndex('enrollment_request_state').on('enrollment_request').column('state').execute();

  await db.schema
    .createTable('account_reconcile')
    .addColumn('account_id', 'text', (c) => c.primaryKey().references('emergency_account.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('problems', 'integer', (c) => c.notNull())
    .addColumn('warnings', 'integer', (c) => c.notNull())
    .addColumn('findings', 'text', (c) => c.notNull())
    .execute();
}
