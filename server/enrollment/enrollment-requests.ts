// Reading enrollment requests: the row shape turned into the service's view, joined with the account it concerns.
// Writes happen only in enrollment-service.ts, inside audit.change() transactions.
import type { EnrollmentMode, EnrollmentPurpose, EnrollmentState } from '../domain/enrollment-state.ts';
import { NotFoundError } from '../errors.ts';
import type { Db, EnrollmentRequestTable } from '../store/schema.ts';
import type { PrecheckFinding, PrecheckVerdict } from './precheck.ts';

export type TapState = 'none' | 'issuing' | 'issued' | 'consumed' | 'deleted' | 'cleanup_pending';

export interface EnrollmentRequest {
  id: string;
  accountId: string;
  upn: string;
  userId: string;
  mode: EnrollmentMode;
  purpose: EnrollmentPurpose;
  replacesKeyId: string | null;
  reason: string;
  state: EnrollmentState;
  key: { aaguid: string; model: string; serial: string | null };
  precheck: { verdict: PrecheckVerdict; findings: PrecheckFinding[]; checkedAt: string; virtual: boolean };
  displayName: string;
  location: string;
  sealNumber: string;
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
  approval: Record<string, unknown>;
  closedBy: string | null;
  closedAt: string | null;
  closeReason: string;
  error: { code: string; message: string } | null;
  stepStartedAt: string | null;
  knownMethodIds: string[];
  replacedKeyRevokedAt: string | null;
  tap: { state: TapState; methodId: string | null; lifetimeMinutes: number | null; issuedAt: string | null; expiresAt: string | null };
  credentialId: string | null;
  attestedAaguid: string | null;
  fido2MethodId: string | null;
  keyRegisteredAt: string | null;
  keyId: string | null;
  drillDueAt: string | null;
  updatedAt: string;
}

type Row = EnrollmentRequestTable & { upn: string; user_id: string };

export function toRequest(r: Row): EnrollmentRequest {
  const pre = JSON.parse(r.precheck) as { findings?: PrecheckFinding[]; checkedAt?: string; virtual?: boolean };
  return {
    id: r.id,
    accountId: r.account_id,
    upn: r.upn,
    userId: r.user_id,
    mode: r.mode as EnrollmentMode,
    purpose: r.purpose as EnrollmentPurpose,
    replacesKeyId: r.replaces_key_id,
    reason: r.reason,
    state: r.state as EnrollmentState,
    key: { aaguid: r.aaguid, model: r.model, serial: r.serial },
    precheck: { verdict: r.precheck_verdict as PrecheckVerdict, findings: pre.findings ?? [], checkedAt: pre.checkedAt ?? r.requested_at, virtual: pre.virtual === true },
    displayName: r.display_name,
    location: r.location,
    sealNumber: r.seal_number,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    expiresAt: r.expires_at,
    approvedBy: r.approved_by,
    approvedAt: r.approved_at,
    approval: JSON.parse(r.approval) as Record<string, unknown>,
    closedBy: r.closed_by,
    closedAt: r.closed_at,
    closeReason: r.close_reason,
    error: r.error_code ? { code: r.error_code, message: r.error_message } : null,
    stepStartedAt: r.step_started_at,
    knownMethodIds: JSON.parse(r.known_method_ids) as string[],
    replacedKeyRevokedAt: r.replaced_key_revoked_at,
    tap: {
      state: r.tap_state as TapState,
      methodId: r.tap_method_id,
      lifetimeMinutes: r.tap_lifetime_minutes === null ? null : Number(r.tap_lifetime_minutes),
      issuedAt: r.tap_issued_at,
      expiresAt: r.tap_expires_at,
    },
    credentialId: r.credential_id,
    attestedAaguid: r.attested_aaguid,
    fido2MethodId: r.fido2_method_id,
    keyRegisteredAt: r.key_registered_at,
    keyId: r.key_id,
    drillDueAt: r.drill_due_at,
    updatedAt: r.updated_at,
  };
}

function base(db: Db) {
  return db
    .selectFrom('enrollment_request')
    .innerJoin('emergency_account', 'emergency_account.id', 'enrollment_request.account_id')
    .selectAll('enrollment_request')
    .select(['emergency_account.upn as upn', 'emergency_account.user_id as user_id']);
}

export async function findRequest(db: Db, id: string): Promise<EnrollmentRequest | undefined> {
  const r = await base(db).where('enrollment_request.id', '=', id).executeTakeFirst();
  return r ? toRequest(r as Row) : undefined;
}

export async function requireRequest(db: Db, id: string): Promise<EnrollmentRequest> {
  const r = await findRequest(db, id);
  if (!r) throw new NotFoundError(`no enrollment request "${id}" (see \`breakglass enroll list\`)`);
  return r;
}

export interface RequestQuery {
  accountId?: string;
  states?: EnrollmentState[];
  limit?: number;
}

export async function listRequests(db: Db, q: RequestQuery = {}): Promise<EnrollmentRequest[]> {
  let query = base(db).orderBy('enrollment_request.requested_at', 'desc').orderBy('enrollment_request.id').limit(q.limit ?? 200);
  if (q.accountId) query = query.where('enrollment_request.account_id', '=', q.accountId);
  if (q.states?.length) query = query.where('enrollment_request.state', 'in', q.states);
  return (await query.execute()).map((r) => toRequest(r as Row));
}
