// Custodians of an emergency account: the people authorised to open the safe that holds its keys and to use them in
// an emergency (Microsoft asks that this list is reviewed at every validation). A custodian leaving restarts the
// account's drill clock: the account must be proven again after a staff change.
import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.ts';
import { cleanText } from '../domain/clean-text.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { AccountCustodianTable, Db } from '../store/schema.ts';
import { requireAccount } from './emergency-accounts.ts';
import type { LifecycleHooks } from './lifecycle-hooks.ts';

export interface Custodian {
  id: string;
  accountId: string;
  name: string;
  contact: string;
  role: string;
  addedAt: string;
  addedBy: string;
  removedAt: string | null;
  removedBy: string | null;
  removedReason: string;
}

export function toCustodian(r: AccountCustodianTable): Custodian {
  return {
    id: r.id,
    accountId: r.account_id,
    name: r.name,
    contact: r.contact,
    role: r.role,
    addedAt: r.added_at,
    addedBy: r.added_by,
    removedAt: r.removed_at,
    removedBy: r.removed_by,
    removedReason: r.removed_reason,
  };
}

export async function listCustodians(db: Db, accountId: string, opts: { includeRemoved?: boolean } = {}): Promise<Custodian[]> {
  let q = db.selectFrom('account_custodian').selectAll().where('account_id', '=', accountId).orderBy('added_at').orderBy('id');
  if (!opts.includeRemoved) q = q.where('removed_at', 'is', null);
  return (await q.execute()).map(toCustodian);
}

export async function addCustodian(
  deps: { audit: AuditLog },
  input: { account: string; name: string; contact?: string; role?: string; actor: string },
): Promise<Custodian> {
  const name = cleanText(input.name, { field: 'the custodian\'s name', max: 120, required: true });
  const contact = cleanText(input.contact, { field: 'the contact', max: 200 });
  const role = cleanText(input.role, { field: 'the role', max: 80 });
  return deps.audit.change(async (tx, audit) => {
    const account = await requireAccount(tx, input.account);
    if (account.status !== 'active') throw new ConflictError('account_retired', `${account.upn} is retired`);
    const same = await tx.selectFrom('account_custodian').select('id').where('account_id', '=', account.id).where('removed_at', 'is', null).where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase())).executeTakeFirst();
    if (same) throw new ConflictError('custodian_exists', `${name} is already a custodian of ${account.upn}`, { custodianId: same.id });
    const row: AccountCustodianTable = {
      id: randomUUID(),
      account_id: account.id,
      name,
      contact,
      role,
      added_at: deps.audit.clock.now().toISOString(),
      added_by: input.actor,
      removed_at: null,
      removed_by: null,
      removed_reason: '',
    };
    await tx.insertInto('account_custodian').values(row).execute();
    audit.record({ actor: input.actor, action: 'custodian.added', subject: `account:${account.id}`, data: { custodianId: row.id, name, contact, role } });
    return toCustodian(row);
  });
}

/**
 * Removes a custodian (they left, or changed role). Restarts the account's drill clock: Microsoft asks for a
 * validation after staff changes, and the safe's combination should change too (the reminder is in the result).
 */
export async function removeCustodian(
  deps: { audit: AuditLog; hooks: Pick<LifecycleHooks, 'restartDrillClock'> },
  input: { custodian: string; reason: string; actor: string },
): Promise<{ custodian: Custodian; drillDueAt: string }> {
  const reason = cleanText(input.reason, { field: 'the reason', max: 500, required: true });
  return deps.audit.change(async (tx, audit) => {
    const r = await tx.selectFrom('account_custodian').selectAll().where('id', '=', input.custodian).executeTakeFirst();
    if (!r) throw new NotFoundError(`no custodian "${input.custodian}"`);
    if (r.removed_at) throw new ConflictError('custodian_removed', `${r.name} was already removed on ${r.removed_at}`);
    const at = deps.audit.clock.now().toISOString();
    await tx.updateTable('account_custodian').set({ removed_at: at, removed_by: input.actor, removed_reason: reason }).where('id', '=', r.id).execute();
    audit.record({ actor: input.actor, action: 'custodian.removed', subject: `account:${r.account_id}`, data: { custodianId: r.id, name: r.name, reason } });
    const { dueAt } = await deps.hooks.restartDrillClock(tx, audit, { accountId: r.account_id, reason: 'custodian_left', at: new Date(at), actor: input.actor });
    return { custodian: toCustodian({ ...r, removed_at: at, removed_by: input.actor, removed_reason: reason }), drillDueAt: dueAt };
  });
}
