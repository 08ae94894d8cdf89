// Read models of the inventory for the CLI, the API and the front end: one account's keys, custodians, open
// enrollment and last reconcile, in one place so every surface shows the same facts.
import type { DriftFinding } from '../domain/key-drift.ts';
import { isTerminal, type EnrollmentState } from '../domain/enrollment-state.ts';
import type { Db } from '../store/schema.ts';
import { listCustodians, type Custodian } from './custodians.ts';
import type { EmergencyAccount } from './emergency-accounts.ts';
import { listKeys, type AccountKey } from './key-inventory.ts';
import { lastReconcile } from './reconcile.ts';

export interface InventorySummary {
  account: EmergencyAccount;
  keys: { active: number; lost: number; total: number };
  custodians: number;
  openRequest: { id: string; state: EnrollmentState; mode: string } | null;
  lastReconcile: { at: string; problems: number; warnings: number } | null;
}

export interface AccountDetail {
  account: EmergencyAccount;
  keys: AccountKey[];
  custodians: Custodian[];
  openRequest: { id: string; state: EnrollmentState; mode: string } | null;
  lastReconcile: { at: string; problems: number; warnings: number; findings: DriftFinding[] } | null;
}

async function openRequest(db: Db, accountId: string): Promise<InventorySummary['openRequest']> {
  const rows = await db.selectFrom('enrollment_request').select(['id', 'state', 'mode']).where('account_id', '=', accountId).orderBy('requested_at', 'desc').execute();
  const open = rows.find((r) => !isTerminal(r.state as EnrollmentState));
  return open ? { id: open.id, state: open.state as EnrollmentState, mode: open.mode } : null;
}

export async function inventorySummary(db: Db, account: EmergencyAccount): Promise<InventorySummary> {
  const keys = await listKeys(db, { accountId: account.id });
  const rec = await lastReconcile(db, account.id);
  return {
    account,
    keys: { active: keys.filter((k) => k.status === 'active').length, lost: keys.filter((k) => k.status === 'lost').length, total: keys.length },
    custodians: (await listCustodians(db, account.id)).length,
    openRequest: await openRequest(db, account.id),
    lastReconcile: rec ? { at: rec.at, problems: rec.problems, warnings: rec.warnings } : null,
  };
}

export async function accountDetail(db: Db, account: EmergencyAccount, opts: { includeInactive?: boolean } = {}): Promise<AccountDetail> {
  const rec = await lastReconcile(db, account.id);
  return {
    account,
    keys: await listKeys(db, { accountId: account.id, ...(opts.includeInactive ? {} : { status: ['active', 'lost'] }) }),
    custodians: await listCustodians(db, account.id),
    openRequest: await openRequest(db, account.id),
    lastReconcile: rec ? { at: rec.at, problems: rec.problems, warnings: rec.warnings, findings: rec.findings } : null,
  };
}
