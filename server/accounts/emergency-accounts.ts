// Emergency accounts: designate a directory user as a break-glass account (explicitly, by UPN or object id), list
// them, retire one. Every change goes through the audit log in the same transaction.
import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.ts';
import { accountFindings, type Finding } from '../domain/account-findings.ts';
import { cleanText } from '../domain/clean-text.ts';
import { restartDrillClock } from '../drills/drill-clock.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.ts';
import type { Directory } from '../graph/directory.ts';
import type { Db, EmergencyAccountTable } from '../store/schema.ts';

export interface EmergencyAccount {
  id: string;
  tenantId: string;
  userId: string;
  upn: string;
  displayName: string;
  status: 'active' | 'retired';
  drillIntervalDays: number;
  designatedBy: string;
  designatedAt: string;
  retiredAt: string | null;
  notes: string;
}

export function toAccount(r: EmergencyAccountTable): EmergencyAccount {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    userId: r.user_id,
    upn: r.upn,
    displayName: r.display_name,
    status: r.status,
    drillIntervalDays: Number(r.drill_interval_days),
    designatedBy: r.designated_by,
    designatedAt: r.designated_at,
    retiredAt: r.retired_at,
    notes: r.notes,
  };
}

export const DEFAULT_DRILL_INTERVAL_DAYS = 90;
/** Longest retirement reason: it also becomes part of the cancel reason (at most 500) of the account's open enrollments. */
export const RETIRE_REASON_MAX = 400;

export interface AccountDeps {
  audit: AuditLog;
  directory: Directory;
}

export async function listAccounts(db: Db, opts: { tenantId?: string; status?: 'active' | 'retired' } = {}): Promise<EmergencyAccount[]> {
  let q = db.selectFrom('emergency_account').selectAll().orderBy('upn');
  if (opts.tenantId) q = q.where('tenant_id', '=', opts.tenantId);
  if (opts.status) q = q.where('status', '=', opts.status);
  return (await q.execute()).map(toAccount);
}

/** Finds an active account by its id, UPN (case-insensitive) or Entra object id. */
export async function findAccount(db: Db, ref: string): Promise<EmergencyAccount | undefined> {
  const rows = await db
    .selectFrom('emergency_account')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', ref), eb('user_id', '=', ref), eb(eb.fn('lower', ['upn']), '=', ref.toLowerCase())]))
    .orderBy('designated_at', 'desc')
    .execute();
  const row = rows.find((r) => r.status === 'active') ?? rows[0];
  return row ? toAccount(row) : undefined;
}

export async function requireAccount(db: Db, ref: string): Promise<EmergencyAccount> {
  const a = await findAccount(db, ref);
  if (!a) throw new NotFoundError(`no emergency account "${ref}"; designate it first with \`breakglass account designate\``);
  return a;
}

export interface DesignateInput {
  /** UPN or Entra object id of the user. */
  user: string;
  drillIntervalDays?: number;
  notes?: string;
  actor: string;
}

export async function designateAccount(deps: AccountDeps, input: DesignateInput): Promise<{ account: EmergencyAccount; findings: Finding[] }> {
  const notes = cleanText(input.notes, { field: 'the notes', max: 500 });
  const interval = input.drillIntervalDays ?? DEFAULT_DRILL_INTERVAL_DAYS;
  if (!Number.isInteger(interval) || interval < 1 || interval > 90) {
    throw new InvalidInputError('the drill interval must be a whole number of days from 1 to 90 (Microsoft asks for a test at least every 90 days)');
  }
  const user = await deps.directory.getUser(input.user);
  const findings = accountFindings(user);
  const tenantId = deps.directory.mode.tenantId;
  const account = await deps.audit.change(async (tx, audit) => {
    const existing = await tx.selectFrom('emergency_account').select('id').where('tenant_id', '=', tenantId).where('user_id', '=', user.id).where('status', '=', 'active').executeTakeFirst();
    if (existing) throw new ConflictError('already_designated', `${user.userPrincipalName} is already an emergency account`, { accountId: existing.id });
    const row: EmergencyAccountTable = {
      id: randomUUID(),
      tenant_id: tenantId,
      user_id: user.id,
      upn: user.userPrincipalName,
      display_name: user.displayName ?? user.userPrincipalName,
      status: 'active',
      drill_interval_days: interval,
      designated_by: input.actor,
      designated_at: deps.audit.clock.now().toISOString(),
      retired_at: null,
      notes,
    };
    await tx.insertInto('emergency_account').values(row).execute();
    audit.record({
      actor: input.actor,
      action: 'account.designated',
      subject: `account:${row.id}`,
      data: { tenantId, userId: user.id, upn: user.userPrincipalName, drillIntervalDays: interval, findings: findings.map((f) => f.code) },
    });
    // The first drill cycle starts with the designation (server/drills/drill-clock.ts).
    await restartDrillClock(tx, audit, { accountId: row.id, reason: 'designated', at: new Date(row.designated_at), actor: input.actor });
    return toAccount(row);
  });
  return { account, findings };
}

export async function retireAccount(deps: Pick<AccountDeps, 'audit'>, input: { account: string; reason: string; actor: string }): Promise<EmergencyAccount> {
  const reason = cleanText(input.reason, { field: 'the reason', max: RETIRE_REASON_MAX });
  if (!reason) throw new InvalidInputError('say why the account is retired (--reason)');
  return deps.audit.change(async (tx, audit) => {
    const a = await requireAccount(tx, input.account);
    if (a.status === 'retired') throw new ConflictError('already_retired', `${a.upn} was already retired on ${a.retiredAt}`);
    const at = deps.audit.clock.now().toISOString();
    await tx.updateTable('emergency_account').set({ status: 'retired', retired_at: at }).where('id', '=', a.id).execute();
    // Its keys leave service with it (the inventory keeps them, marked retired, for the record).
    const keys = await tx.selectFrom('account_key').select(['id', 'graph_method_id']).where('account_id', '=', a.id).where('status', 'in', ['active', 'lost']).execute();
    if (keys.length) await tx.updateTable('account_key').set({ status: 'retired', status_changed_at: at, status_changed_by: input.actor, status_reason: `account retired: ${reason}` }).where('id', 'in', keys.map((k) => k.id)).execute();
    audit.record({ actor: input.actor, action: 'account.retired', subject: `account:${a.id}`, data: { upn: a.upn, reason, keysRetired: keys.map((k) => ({ keyId: k.id, graphMethodId: k.graph_method_id })) } });
    return { ...a, status: 'retired' as const, retiredAt: at };
  });
}
