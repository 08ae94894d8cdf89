// The reconcile job: compares each emergency account's key inventory with what Entra has registered (one Graph call
// per account: /authentication/methods carries the fido2 methods and every weak method), stores the latest result
// per account, audits it, and raises an alert for each problem not already reported. Run on demand
// (`breakglass account reconcile`, the inventory page) and on a schedule by the service.
import type { AuditLog } from '../audit/audit-log.ts';
import { keyDrift, type DriftFinding } from '../domain/key-drift.ts';
import { BreakglassError } from '../errors.ts';
import type { Directory } from '../graph/directory.ts';
import { GraphNotFoundError } from '../graph/graph-errors.ts';
import { ODATA_TYPE, type GraphFido2Method } from '../graph/graph-types.ts';
import type { Db } from '../store/schema.ts';
import { listAccounts, requireAccount, type EmergencyAccount } from './emergency-accounts.ts';
import { listKeys } from './key-inventory.ts';
import type { LifecycleHooks } from './lifecycle-hooks.ts';

export interface ReconcileResult {
  accountId: string;
  upn: string;
  at: string;
  findings: DriftFinding[];
  problems: number;
  warnings: number;
  /** Set when Graph could not be read for this account (nothing was recorded for it). */
  error?: { code: string; message: string };
}

export interface ReconcileDeps {
  audit: AuditLog;
  directory: Directory;
  hooks: Pick<LifecycleHooks, 'raiseAlert'>;
}

/** TAP method ids that open enrollment requests issued: expected on the account, not drift. */
async function expectedTaps(db: Db, accountId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('enrollment_request')
    .select('tap_method_id')
    .where('account_id', '=', accountId)
    .where('tap_method_id', 'is not', null)
    .where('tap_state', 'in', ['issuing', 'issued', 'cleanup_pending'])
    .execute();
  return rows.map((r) => r.tap_method_id!);
}

function findingKey(accountId: string, f: DriftFinding): string {
  return `drift:${accountId}:${f.code}:${f.methodId ?? f.keyId ?? f.kind ?? ''}`;
}

export async function reconcileAccount(deps: ReconcileDeps, account: EmergencyAccount, actor: string): Promise<ReconcileResult> {
  const db = deps.audit.database.db;
  let findings: DriftFinding[];
  try {
    const methods = await deps.directory.listAuthenticationMethods(account.userId);
    const fido2 = methods.filter((m) => m['@odata.type'] === ODATA_TYPE.fido2) as unknown as GraphFido2Method[];
    const inventory = await listKeys(db, { accountId: account.id, status: ['active', 'lost', 'replaced', 'revoked'] });
    findings = keyDrift({ inventory, fido2Methods: fido2, methods, expectedTapIds: await expectedTaps(db, account.id) });
  } catch (err) {
    if (err instanceof GraphNotFoundError) {
      findings = [{ code: 'account_missing', severity: 'problem', message: `Entra has no user ${account.userId} (${account.upn}) any more: the emergency account is gone` }];
    } else if (err instanceof BreakglassError) {
      return { accountId: account.id, upn: account.upn, at: deps.audit.clock.now().toISOString(), findings: [], problems: 0, warnings: 0, error: { code: err.code, message: err.message } };
    } else {
      throw err;
    }
  }
  const problems = findings.filter((f) => f.severity === 'problem').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  return deps.audit.change(async (tx, audit) => {
    const at = deps.audit.clock.now().toISOString();
    const previous = await tx.selectFrom('account_reconcile').select('findings').where('account_id', '=', account.id).executeTakeFirst();
    const before = new Set((previous ? (JSON.parse(previous.findings) as DriftFinding[]) : []).map((f) => findingKey(account.id, f)));
    const row = { account_id: account.id, at, by: actor, problems, warnings, findings: JSON.stringify(findings) };
    if (previous) await tx.updateTable('account_reconcile').set(row).where('account_id', '=', account.id).execute();
    else await tx.insertInto('account_reconcile').values(row).execute();
    audit.record({
      actor,
      action: 'account.reconciled',
      subject: `account:${account.id}`,
      data: { upn: account.upn, problems, warnings, findings: findings.map((f) => ({ code: f.code, severity: f.severity, methodId: f.methodId ?? null, keyId: f.keyId ?? null, kind: f.kind ?? null })) },
    });
    for (const f of findings) {
      if (f.severity !== 'problem' || before.has(findingKey(account.id, f))) continue;
      await deps.hooks.raiseAlert(tx, audit, {
        kind: 'inventory.drift',
        severity: f.code === 'unknown_key' || f.code === 'stray_tap' || f.code === 'inactive_key_registered' || f.code === 'account_missing' ? 'critical' : 'warning',
        subject: `account:${account.id}`,
        title: `Emergency account ${account.upn}: ${f.code.replace(/_/g, ' ')}`,
        details: { upn: account.upn, code: f.code, message: f.message, methodId: f.methodId ?? null, keyId: f.keyId ?? null },
        dedupeKey: findingKey(account.id, f),
      });
    }
    return { accountId: account.id, upn: account.upn, at, findings, problems, warnings };
  });
}

/** Reconciles one account (by id, UPN or object id) or every active account of the directory's tenant. */
export async function reconcileAccounts(deps: ReconcileDeps, input: { account?: string; actor: string }): Promise<ReconcileResult[]> {
  const db = deps.audit.database.db;
  const accounts = input.account ? [await requireAccount(db, input.account)] : await listAccounts(db, { status: 'active', tenantId: deps.directory.mode.tenantId });
  const out: ReconcileResult[] = [];
  for (const a of accounts) out.push(await reconcileAccount(deps, a, input.actor));
  return out;
}

export async function lastReconcile(db: Db, accountId: string): Promise<Omit<ReconcileResult, 'upn'> | undefined> {
  const r = await db.selectFrom('account_reconcile').selectAll().where('account_id', '=', accountId).executeTakeFirst();
  if (!r) return undefined;
  return { accountId: r.account_id, at: r.at, findings: JSON.parse(r.findings) as DriftFinding[], problems: Number(r.problems), warnings: Number(r.warnings) };
}
