// The per-account drill clock (contract for other modules): restartDrillClock() (re)computes when the account's next
// drill is due and replaces the pending reminders of the old cycle with the new cycle's notice rows, inside the
// caller's transaction, with an audit event. Designation starts the first cycle; a passed drill starts the next one;
// a key enrolled or replaced, or a custodian leaving, makes a drill due soon (see decideDueAt in
// server/domain/drill-schedule.ts); `manual` restarts the interval from `at`.
//
// Cycles and notices are rows: drill_cycle (at most one open per account, enforced by a partial unique index) and
// drill_notice (UNIQUE(cycle_id, kind)). The tick (drill-tick.ts) claims the notices that come due.
import { randomUUID } from 'node:crypto';
import type { AuditRecorder } from '../audit/audit-log.ts';
import { CLOCK_REASONS, decideDueAt, planNotices, type ClockReason, type ScheduleRules } from '../domain/drill-schedule.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.ts';
import type { Db, DrillCycleTable } from '../store/schema.ts';
import { readScheduleRules } from './schedule-rules.ts';

export interface RestartDrillClockInput {
  accountId: string;
  reason: ClockReason;
  at: Date;
  actor: string;
}

/** The account's most recent passed drill (by its verified sign-in), if any. */
export async function lastPassedDrill(db: Db, accountId: string): Promise<{ id: string; at: string | null } | undefined> {
  const r = await db.selectFrom('drill').select(['id', 'evidence_sign_in_at']).where('account_id', '=', accountId).where('status', '=', 'passed').orderBy('evidence_sign_in_at', 'desc').limit(1).executeTakeFirst();
  return r ? { id: r.id, at: r.evidence_sign_in_at } : undefined;
}

export async function openCycle(tx: Db, accountId: string): Promise<DrillCycleTable | undefined> {
  return tx.selectFrom('drill_cycle').selectAll().where('account_id', '=', accountId).where('state', '=', 'open').executeTakeFirst();
}

/** Inserts the notices of a new cycle. Reminders already in the past are dropped except the latest, which announces the cycle. */
async function insertNotices(tx: Db, cycle: { id: string; account_id: string }, dueAt: Date, at: Date, rules: ScheduleRules): Promise<string[]> {
  const planned = planNotices(dueAt, rules);
  const past = planned.filter((n) => n.dueAt.getTime() < at.getTime());
  const keep = [...planned.filter((n) => n.dueAt.getTime() >= at.getTime()), ...(past.length ? [past[past.length - 1]!] : [])];
  if (keep.length === 0) return [];
  await tx
    .insertInto('drill_notice')
    .values(keep.map((n) => ({
      id: randomUUID(), cycle_id: cycle.id, account_id: cycle.account_id, kind: n.kind, due_at: n.dueAt.toISOString(),
      fired_at: null, superseded_at: null, outcome: null, alert_dedupe_key: null,
    })))
    .onConflict((oc) => oc.columns(['cycle_id', 'kind']).doNothing())
    .execute();
  return keep.map((n) => n.kind);
}

/**
 * (Re)computes the account's next due date from `at` (UTC, 24-hour days) and replaces the old cycle's pending
 * notices with the new cycle's, in the caller's transaction, recording `drill.clock_restarted` (or
 * `drill.clock_unchanged` when a change trigger finds the drill already due sooner).
 */
export async function restartDrillClock(tx: Db, audit: AuditRecorder, input: RestartDrillClockInput): Promise<{ dueAt: string }> {
  if (!(CLOCK_REASONS as readonly string[]).includes(input.reason)) throw new InvalidInputError(`unknown drill clock reason "${String(input.reason)}"`);
  if (!(input.at instanceof Date) || Number.isNaN(input.at.getTime())) throw new InvalidInputError('restartDrillClock needs a valid `at` instant');
  const account = await tx.selectFrom('emergency_account').select(['id', 'upn', 'status', 'drill_interval_days']).where('id', '=', input.accountId).executeTakeFirst();
  if (!account) throw new NotFoundError(`no emergency account with id ${input.accountId}`);
  if (account.status !== 'active') throw new ConflictError('account_retired', `${account.upn} is retired; its drill clock no longer runs`);
  const rules = await readScheduleRules(tx);
  const current = await openCycle(tx, account.id);
  const interval = Number(account.drill_interval_days);
  const decision = decideDueAt({ reason: input.reason, at: input.at, intervalDays: interval, currentDueAt: current ? new Date(current.due_at) : undefined, rules });
  const subject = `account:${account.id}`;
  if (!decision.restart && current) {
    audit.record({
      actor: input.actor, action: 'drill.clock_unchanged', subject,
      data: { reason: input.reason, at: input.at.toISOString(), cycleNo: Number(current.cycle_no), dueAt: current.due_at, why: 'the current cycle already falls due sooner' },
    });
    return { dueAt: current.due_at };
  }
  const atIso = input.at.toISOString();
  if (current) {
    await tx
      .updateTable('drill_cycle')
      .set({ state: input.reason === 'drill_passed' ? 'completed' : 'superseded', ended_at: atIso, ended_reason: input.reason })
      .where('id', '=', current.id)
      .execute();
    await tx
      .updateTable('drill_notice')
      .set({ superseded_at: atIso, outcome: 'superseded' })
      .where('cycle_id', '=', current.id)
      .where('fired_at', 'is', null)
      .where('superseded_at', 'is', null)
      .execute();
  }
  const last = await tx.selectFrom('drill_cycle').select('cycle_no').where('account_id', '=', account.id).orderBy('cycle_no', 'desc').limit(1).executeTakeFirst();
  const cycle: DrillCycleTable = {
    id: randomUUID(),
    account_id: account.id,
    cycle_no: last ? Number(last.cycle_no) + 1 : 1,
    reason: input.reason,
    started_at: atIso,
    interval_days: interval,
    due_at: decision.dueAt.toISOString(),
    state: 'open',
    ended_at: null,
    ended_reason: null,
  };
  await tx.insertInto('drill_cycle').values(cycle).execute();
  const notices = await insertNotices(tx, cycle, decision.dueAt, input.at, rules);
  audit.record({
    actor: input.actor,
    action: 'drill.clock_restarted',
    subject,
    data: {
      reason: input.reason,
      at: atIso,
      cycleNo: cycle.cycle_no,
      dueAt: cycle.due_at,
      intervalDays: interval,
      dayLength: '24h UTC',
      previous: current ? { cycleNo: Number(current.cycle_no), dueAt: current.due_at } : null,
      notices,
    },
  });
  return { dueAt: cycle.due_at };
}

/**
 * Starts the first cycle of every active account that has none (accounts designated before this module existed, or
 * by code that did not start the clock), from its designation time. Idempotent; returns the accounts it planned.
 */
export async function planMissingCycles(tx: Db, audit: AuditRecorder, actor: string): Promise<string[]> {
  const rows = await tx
    .selectFrom('emergency_account as a')
    .leftJoin('drill_cycle as c', (j) => j.onRef('c.account_id', '=', 'a.id').on('c.state', '=', 'open'))
    .select(['a.id', 'a.designated_at'])
    .where('a.status', '=', 'active')
    .where('c.id', 'is', null)
    .execute();
  for (const r of rows) await restartDrillClock(tx, audit, { accountId: r.id, reason: 'designated', at: new Date(r.designated_at), actor });
  return rows.map((r) => r.id);
}
