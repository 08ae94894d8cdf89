// Drill windows: an officer announces a window (account, planned start, length, performer, witness, expected key),
// which goes out on the alert channels as planned activity; the performer signs in at the portal with the key; the
// sign-in is found in the beta sign-in logs and captured as evidence (sign-in-monitor.ts); the officer records the
// custody checklist and closes the drill as passed (which restarts the 90-day clock from the proven sign-in) or
// failed, with reasons. Every step is one audited change.
import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.ts';
import { requireAccount, type EmergencyAccount } from '../accounts/emergency-accounts.ts';
import { cleanText } from '../domain/clean-text.ts';
import type { EvidenceDecision } from '../domain/sign-in-evidence.ts';
import { signInSummary, type SignInSummary } from '../domain/sign-in-evidence.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.ts';
import type { GraphSignIn } from '../graph/graph-types.ts';
import { raiseAlert } from '../notify/alerts.ts';
import type { Db, DrillTable } from '../store/schema.ts';
import { openCycle, restartDrillClock } from './drill-clock.ts';

const MINUTE = 60_000;
export const DRILL_MIN_MINUTES = 10;
export const DRILL_MAX_MINUTES = 24 * 60;
export const DRILL_DEFAULT_MINUTES = 60;

export type DrillStatus = 'open' | 'passed' | 'failed' | 'cancelled';
export type Verification = 'waiting' | 'verified' | 'rejected' | 'not_seen';

export interface CustodyChecklist {
  /** The seal on the key's envelope/safe was intact before the drill. */
  sealIntactBefore: boolean;
  /** Seal number found before (as written on the seal). */
  sealNumberBefore: string;
  /** New seal number after re-sealing. */
  sealNumberAfter: string;
  /** The witness was present and confirms. */
  witnessConfirmed: boolean;
  /** An admin task was performed and checked (Microsoft: prove sign-in *and* an admin task). */
  adminTaskProven: boolean;
}

export interface Drill {
  id: string;
  accountId: string;
  upn: string;
  status: DrillStatus;
  window: { start: string; end: string };
  /** Where the window is relative to now. */
  phase: 'scheduled' | 'in_progress' | 'ended';
  performer: string;
  witness: string;
  expectedKey: string;
  notes: string;
  openedBy: string;
  openedAt: string;
  verification: { state: Verification; reasons: string[]; signIn: SignInSummary | null; capturedAt: string | null };
  checklist: CustodyChecklist | null;
  result: { reasons: string[]; closedBy: string; closedAt: string; nextDueAt: string | null } | null;
}

export function toDrill(r: DrillTable & { upn: string }, now: Date): Drill {
  const evidence = r.evidence ? signInSummary(JSON.parse(r.evidence) as GraphSignIn) : null;
  const t = now.getTime();
  return {
    id: r.id,
    accountId: r.account_id,
    upn: r.upn,
    status: r.status as DrillStatus,
    window: { start: r.window_start, end: r.window_end },
    phase: t < Date.parse(r.window_start) ? 'scheduled' : t <= Date.parse(r.window_end) ? 'in_progress' : 'ended',
    performer: r.performer,
    witness: r.witness,
    expectedKey: r.expected_key,
    notes: r.notes,
    openedBy: r.opened_by,
    openedAt: r.opened_at,
    verification: { state: r.verification as Verification, reasons: JSON.parse(r.verification_reasons) as string[], signIn: evidence, capturedAt: r.evidence_captured_at },
    checklist: r.checklist ? (JSON.parse(r.checklist) as CustodyChecklist) : null,
    result: r.closed_at ? { reasons: r.result_reasons ? (JSON.parse(r.result_reasons) as string[]) : [], closedBy: r.closed_by ?? '', closedAt: r.closed_at, nextDueAt: r.next_due_at } : null,
  };
}

function selectDrills(db: Db) {
  return db.selectFrom('drill as d').innerJoin('emergency_account as a', 'a.id', 'd.account_id').selectAll('d').select('a.upn');
}

export async function listDrills(db: Db, now: Date, opts: { accountId?: string; status?: DrillStatus; from?: string; to?: string; limit?: number } = {}): Promise<Drill[]> {
  let q = selectDrills(db).orderBy('d.window_start', 'desc').limit(opts.limit ?? 200);
  if (opts.accountId) q = q.where('d.account_id', '=', opts.accountId);
  if (opts.status) q = q.where('d.status', '=', opts.status);
  if (opts.from) q = q.where('d.window_end', '>=', opts.from);
  if (opts.to) q = q.where('d.window_start', '<=', opts.to);
  return (await q.execute()).map((r) => toDrill(r, now));
}

export async function getDrill(db: Db, id: string, now: Date): Promise<Drill> {
  const r = await selectDrills(db).where('d.id', '=', id).executeTakeFirst();
  if (!r) throw new NotFoundError(`no drill ${id}`);
  return toDrill(r, now);
}

/** The drill an account reference points at: its open drill (there is at most one). */
export async function openDrillOf(db: Db, account: EmergencyAccount, now: Date): Promise<Drill | undefined> {
  const r = await selectDrills(db).where('d.account_id', '=', account.id).where('d.status', '=', 'open').orderBy('d.window_start', 'desc').executeTakeFirst();
  return r ? toDrill(r, now) : undefined;
}

export interface OpenDrillInput {
  /** Account id, UPN or object id. */
  account: string;
  /** Planned start (ISO instant); default now. */
  start?: string;
  /** Window length in minutes (10..1440, default 60). */
  minutes?: number;
  performer: string;
  witness: string;
  expectedKey?: string;
  notes?: string;
  actor: string;
}

export async function openDrill(deps: { audit: AuditLog }, input: OpenDrillInput): Promise<Drill> {
  const now = deps.audit.clock.now();
  const start = input.start === undefined ? now : new Date(input.start);
  if (input.start !== undefined && (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(input.start) || Number.isNaN(start.getTime()))) {
    throw new InvalidInputError(`the start must be an ISO-8601 instant with a time zone, e.g. 2026-03-02T14:00:00Z (got ${JSON.stringify(input.start)})`);
  }
  if (start.getTime() < now.getTime() - 10 * MINUTE) throw new InvalidInputError('a drill window cannot start in the past: announce it before the sign-in');
  if (start.getTime() > now.getTime() + 90 * 86_400_000) throw new InvalidInputError('a drill window can be announced at most 90 days ahead');
  const minutes = input.minutes ?? DRILL_DEFAULT_MINUTES;
  if (!Number.isInteger(minutes) || minutes < DRILL_MIN_MINUTES || minutes > DRILL_MAX_MINUTES) {
    throw new InvalidInputError(`the window lasts ${DRILL_MIN_MINUTES} to ${DRILL_MAX_MINUTES} minutes (got ${input.minutes})`);
  }
  const performer = cleanText(input.performer, { field: 'the performer (who signs in)', required: true, max: 120 });
  const witness = cleanText(input.witness, { field: 'the witness', required: true, max: 120 });
  if (performer.toLowerCase() === witness.toLowerCase()) throw new InvalidInputError('the witness must be someone other than the performer (four eyes)');
  const expectedKey = cleanText(input.expectedKey, { field: 'the expected key', required: false, max: 200 });
  const notes = cleanText(input.notes, { field: 'notes', required: false, max: 2000 });
  const end = new Date(start.getTime() + minutes * MINUTE);
  return deps.audit.change(async (tx, audit) => {
    const account = await requireAccount(tx, input.account);
    if (account.status !== 'active') throw new ConflictError('account_retired', `${account.upn} is retired`);
    const overlapping = await tx.selectFrom('drill').select(['id', 'window_start', 'window_end']).where('account_id', '=', account.id).where('status', '=', 'open').execute();
    if (overlapping.length) {
      const o = overlapping[0]!;
      throw new ConflictError('drill_open', `${account.upn} already has an open drill (${o.id}, ${o.window_start} – ${o.window_end}); close or cancel it first`, { drillId: o.id });
    }
    const cycle = await openCycle(tx, account.id);
    const row: DrillTable = {
      id: randomUUID(), account_id: account.id, cycle_id: cycle?.id ?? null, status: 'open', window_start: start.toISOString(), window_end: end.toISOString(),
      performer, witness, expected_key: expectedKey, notes, opened_by: input.actor, opened_at: now.toISOString(),
      verification: 'waiting', verification_reasons: JSON.stringify([]), evidence_sign_in_id: null, evidence_sign_in_at: null, evidence: null, evidence_captured_at: null,
      checklist: null, result_reasons: null, closed_by: null, closed_at: null, next_due_at: null,
    };
    await tx.insertInto('drill').values(row).execute();
    audit.record({
      actor: input.actor, action: 'drill.opened', subject: `drill:${row.id}`,
      data: { accountId: account.id, upn: account.upn, windowStart: row.window_start, windowEnd: row.window_end, performer, witness, expectedKey, cycleId: row.cycle_id, cycleDueAt: cycle?.due_at ?? null },
    });
    // Tell security monitoring before the sign-in, so the alert it causes is expected (Microsoft's validation step 1).
    await raiseAlert(tx, audit, {
      kind: 'drill.announced', severity: 'info', subject: `account:${account.id}`, dedupeKey: `drill:${row.id}:announced`,
      title: `PLANNED: emergency account drill for ${account.upn}, ${row.window_start} – ${row.window_end}`,
      details: { drillId: row.id, accountId: account.id, upn: account.upn, windowStart: row.window_start, windowEnd: row.window_end, performer, witness, expectedKey, announcedBy: input.actor, expectedDrill: true },
    });
    return toDrill({ ...row, upn: account.upn }, now);
  });
}

export async function cancelDrill(deps: { audit: AuditLog }, input: { id: string; reason: string; actor: string }): Promise<Drill> {
  const reason = cleanText(input.reason, { field: 'the reason', required: true, max: 1000 });
  return deps.audit.change(async (tx, audit) => {
    const now = deps.audit.clock.now();
    const d = await getDrill(tx, input.id, now);
    if (d.status !== 'open') throw new ConflictError('drill_closed', `drill ${d.id} is already ${d.status}`);
    if (now.getTime() >= Date.parse(d.window.start)) {
      throw new ConflictError('drill_started', `the window of drill ${d.id} has started; close it as failed (with the reason) instead of cancelling it, so the record shows what happened`);
    }
    await tx.updateTable('drill').set({ status: 'cancelled', closed_by: input.actor, closed_at: now.toISOString(), result_reasons: JSON.stringify([reason]) }).where('id', '=', d.id).execute();
    audit.record({ actor: input.actor, action: 'drill.cancelled', subject: `drill:${d.id}`, data: { accountId: d.accountId, reason } });
    await raiseAlert(tx, audit, {
      kind: 'drill.cancelled', severity: 'info', subject: `account:${d.accountId}`, dedupeKey: `drill:${d.id}:cancelled`,
      title: `CANCELLED: the announced drill for ${d.upn} (${d.window.start}) will not take place; a sign-in in that window is no longer expected`,
      details: { drillId: d.id, accountId: d.accountId, upn: d.upn, reason, cancelledBy: input.actor },
    });
    return { ...d, status: 'cancelled' as const, result: { reasons: [reason], closedBy: input.actor, closedAt: now.toISOString(), nextDueAt: null } };
  });
}

export interface CloseDrillInput {
  id: string;
  result: 'passed' | 'failed';
  checklist: Partial<CustodyChecklist>;
  notes?: string;
  actor: string;
}

/** What a pass still needs, in words; empty when the drill may pass. */
export function passBlockers(d: Drill, c: Partial<CustodyChecklist>): string[] {
  const out: string[] = [];
  if (d.verification.state !== 'verified') {
    out.push(d.verification.state === 'rejected'
      ? `the sign-in found does not prove the drill (${d.verification.reasons.join('; ')})`
      : 'no verified sign-in yet: run `drill verify` once the sign-in has reached the logs (minutes after it happened)');
  }
  if (c.sealIntactBefore !== true) out.push('the seal must have been intact before the drill (otherwise the key may have been used unseen: close as failed and investigate)');
  if (!c.sealNumberBefore?.trim()) out.push('record the seal number found before the drill');
  if (!c.sealNumberAfter?.trim()) out.push('record the new seal number after re-sealing');
  else if (c.sealNumberBefore?.trim() && c.sealNumberAfter.trim() === c.sealNumberBefore.trim()) out.push('the new seal number must differ from the old one (a seal is used once)');
  if (c.witnessConfirmed !== true) out.push(`the witness (${d.witness}) must confirm`);
  return out;
}

export async function closeDrill(deps: { audit: AuditLog }, input: CloseDrillInput): Promise<Drill> {
  if (input.result !== 'passed' && input.result !== 'failed') throw new InvalidInputError('the result is passed or failed');
  const notes = cleanText(input.notes, { field: 'notes', required: input.result === 'failed', max: 4000 });
  const checklist: CustodyChecklist = {
    sealIntactBefore: input.checklist.sealIntactBefore === true,
    sealNumberBefore: cleanText(input.checklist.sealNumberBefore, { field: 'the seal number before', required: false, max: 80 }),
    sealNumberAfter: cleanText(input.checklist.sealNumberAfter, { field: 'the seal number after', required: false, max: 80 }),
    witnessConfirmed: input.checklist.witnessConfirmed === true,
    adminTaskProven: input.checklist.adminTaskProven === true,
  };
  return deps.audit.change(async (tx, audit) => {
    const now = deps.audit.clock.now();
    const d = await getDrill(tx, input.id, now);
    if (d.status !== 'open') throw new ConflictError('drill_closed', `drill ${d.id} is already ${d.status}`);
    let reasons: string[];
    let nextDueAt: string | null = null;
    if (input.result === 'passed') {
      const blockers = passBlockers(d, { ...input.checklist, sealNumberBefore: checklist.sealNumberBefore, sealNumberAfter: checklist.sealNumberAfter });
      if (blockers.length) throw new ConflictError('drill_not_passable', `drill ${d.id} cannot pass yet: ${blockers.join('; ')}`, { blockers });
      reasons = [...d.verification.reasons, `seal ${checklist.sealNumberBefore} intact before, re-sealed as ${checklist.sealNumberAfter}`, `witness ${d.witness} confirmed`];
      if (checklist.adminTaskProven) reasons.push('an admin task was performed and checked');
      if (notes) reasons.push(notes);
      const signInAt = d.verification.signIn!.createdDateTime;
      ({ dueAt: nextDueAt } = await restartDrillClock(tx, audit, { accountId: d.accountId, reason: 'drill_passed', at: new Date(signInAt), actor: input.actor }));
    } else {
      reasons = [notes];
      if (!checklist.sealIntactBefore) reasons.push('the seal was not confirmed intact before the drill');
      if (d.verification.state !== 'verified') reasons.push(`sign-in evidence: ${d.verification.state.replace('_', ' ')}`);
    }
    await tx.updateTable('drill').set({
      status: input.result, checklist: JSON.stringify(checklist), result_reasons: JSON.stringify(reasons), closed_by: input.actor, closed_at: now.toISOString(), next_due_at: nextDueAt,
    }).where('id', '=', d.id).execute();
    audit.record({
      actor: input.actor, action: input.result === 'passed' ? 'drill.passed' : 'drill.failed', subject: `drill:${d.id}`,
      data: { accountId: d.accountId, upn: d.upn, windowStart: d.window.start, windowEnd: d.window.end, performer: d.performer, witness: d.witness, evidenceSignInId: d.verification.signIn?.id ?? null, checklist, reasons, nextDueAt },
    });
    await raiseAlert(tx, audit, {
      kind: input.result === 'passed' ? 'drill.passed' : 'drill.failed',
      severity: input.result === 'passed' ? 'info' : 'warning',
      subject: `account:${d.accountId}`,
      dedupeKey: `drill:${d.id}:closed`,
      title: input.result === 'passed' ? `Drill PASSED for ${d.upn}; next drill due ${nextDueAt?.slice(0, 10)}` : `Drill FAILED for ${d.upn}: ${notes}`,
      details: { drillId: d.id, accountId: d.accountId, upn: d.upn, reasons, nextDueAt, closedBy: input.actor },
    });
    return { ...d, status: input.result, checklist, result: { reasons, closedBy: input.actor, closedAt: now.toISOString(), nextDueAt } };
  });
}

/** Maps a verification decision to what the CLI and API report. */
export function verdictOf(decision: EvidenceDecision): { verdict: 'verified' | 'rejected' | 'not_seen'; signInId: string | null; signIn: SignInSummary | null; reasons: string[] } {
  return { verdict: decision.verdict, signInId: decision.match?.id ?? null, signIn: decision.match ? signInSummary(decision.match) : null, reasons: decision.reasons };
}
