// Retiring an emergency account: open enrollment requests are cancelled first (which deletes any TAP they issued),
// then the account and its inventory keys are retired in one audited change. Entra is otherwise left alone: the
// account's keys stay registered until someone removes them or disables the account in Entra, and the result lists
// them so the officer can do that — breakglass holds no permission to disable users.
import type { AuditLog } from '../audit/audit-log.ts';
import { cleanText } from '../domain/clean-text.ts';
import type { EnrollmentService } from '../enrollment/enrollment-service.ts';
import { InvalidInputError } from '../errors.ts';
import { RETIRE_REASON_MAX, requireAccount, retireAccount, type EmergencyAccount } from './emergency-accounts.ts';
import { listKeys } from './key-inventory.ts';

export interface RetirementResult {
  account: EmergencyAccount;
  cancelledRequests: string[];
  /** Keys the inventory had for the account that Entra may still accept (remove them there). */
  stillRegisteredInEntra: { keyId: string; graphMethodId: string; displayName: string }[];
}

export async function retireEmergencyAccount(
  deps: { audit: AuditLog; enrollment: EnrollmentService },
  input: { account: string; reason: string; actor: string },
): Promise<RetirementResult> {
  // Checked before anything changes: the open enrollments are cancelled (each its own change) before the retirement.
  const reason = cleanText(input.reason, { field: 'the reason', max: RETIRE_REASON_MAX });
  if (!reason) throw new InvalidInputError('say why the account is retired (--reason)');
  const db = deps.audit.database.db;
  const account = await requireAccount(db, input.account);
  const cancelled: string[] = [];
  for (const r of await deps.enrollment.list({ account: account.id, open: true })) {
    await deps.enrollment.cancel({ id: r.id, actor: input.actor, reason: `the account is being retired: ${reason}` });
    cancelled.push(r.id);
  }
  const keys = await listKeys(db, { accountId: account.id, status: ['active', 'lost'] });
  const retired = await retireAccount({ audit: deps.audit }, { account: account.id, reason, actor: input.actor });
  return {
    account: retired,
    cancelledRequests: cancelled,
    stillRegisteredInEntra: keys.filter((k) => k.graphMethodId).map((k) => ({ keyId: k.id, graphMethodId: k.graphMethodId!, displayName: k.displayName })),
  };
}
