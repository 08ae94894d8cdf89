// The drill tick: claims the notices that have come due and raises their alerts, in one serialised transaction, so a
// notice fires exactly once however many times the tick runs, whichever replica runs it, and after any downtime.
//   - Cycles are planned first for active accounts that have none (planMissingCycles).
//   - Of several notices of one cycle due together (after downtime), only the latest goes out; the stale ones are
//     marked `collapsed` (a week offline sends "due tomorrow", not also "due in 7 days").
//   - An overdue notice schedules the next escalation (every overdueRepeatDays), skipping to the first one still in
//     the future, so an outage never releases a burst of escalations.
//   - Notices of retired accounts are closed without an alert, and their open cycle is superseded.
// Everything the tick writes is in its audit events: notices closed or collapsed and cycles superseded in
// `drill.notices_closed`; a notice fired, and the escalation it schedules (`nextNotice`), in its `alert.raised`.
// Nothing lives only in a timer: the worker's timer merely decides when to look at the rows again.
import type { AuditLog } from '../audit/audit-log.ts';
import type { Clock } from '../clock.ts';
import { collapseDue, nextOverdueNotice, noticeOffsetDays, noticeSeverity, noticeTitle } from '../domain/drill-schedule.ts';
import { raiseAlert } from '../notify/alerts.ts';
import { randomUUID } from 'node:crypto';
import { planMissingCycles } from './drill-clock.ts';
import { readScheduleRules } from './schedule-rules.ts';

export interface TickResult {
  /** Accounts whose first cycle the tick planned. */
  planned: string[];
  sent: { noticeId: string; accountId: string; kind: string; title: string }[];
  collapsed: { noticeId: string; kind: string }[];
  closed: { noticeId: string; reason: string }[];
  /** Open cycles of retired accounts the tick ended (state `superseded`). */
  cyclesSuperseded: { cycleId: string; accountId: string }[];
}

class NothingToDo extends Error {}

const EMPTY = (): TickResult => ({ planned: [], sent: [], collapsed: [], closed: [], cyclesSuperseded: [] });

export async function runDrillTick(deps: { audit: AuditLog; clock: Clock }): Promise<TickResult> {
  try {
    return await deps.audit.change(async (tx, audit) => {
      const now = deps.clock.now();
      const nowIso = now.toISOString();
      const result = EMPTY();
      result.planned = await planMissingCycles(tx, audit, 'system');
      const due = await tx
        .selectFrom('drill_notice as n')
        .innerJoin('drill_cycle as c', 'c.id', 'n.cycle_id')
        .innerJoin('emergency_account as a', 'a.id', 'n.account_id')
        .select(['n.id', 'n.kind', 'n.due_at as dueAt', 'n.cycle_id as cycleId', 'n.account_id as accountId', 'c.state as cycleState', 'c.due_at as cycleDueAt', 'c.cycle_no as cycleNo', 'a.status as accountStatus', 'a.upn'])
        .where('n.fired_at', 'is', null)
        .where('n.superseded_at', 'is', null)
        .where('n.due_at', '<=', nowIso)
        .orderBy('n.due_at')
        .execute();
      if (due.length === 0 && result.planned.length === 0) throw new NothingToDo();
      const rules = await readScheduleRules(tx);
      const byCycle = new Map<string, typeof due>();
      for (const n of due) byCycle.set(n.cycleId, [...(byCycle.get(n.cycleId) ?? []), n]);
      for (const notices of byCycle.values()) {
        const first = notices[0]!;
        if (first.accountStatus !== 'active' || first.cycleState !== 'open') {
          const reason = first.accountStatus !== 'active' ? 'account_retired' : 'cycle_closed';
          await tx.updateTable('drill_notice').set({ superseded_at: nowIso, outcome: reason }).where('id', 'in', notices.map((n) => n.id)).execute();
          if (first.accountStatus !== 'active' && first.cycleState === 'open') {
            await tx.updateTable('drill_cycle').set({ state: 'superseded', ended_at: nowIso, ended_reason: 'account_retired' }).where('id', '=', first.cycleId).execute();
            result.cyclesSuperseded.push({ cycleId: first.cycleId, accountId: first.accountId });
          }
          for (const n of notices) result.closed.push({ noticeId: n.id, reason });
          continue;
        }
        const { send, collapse } = collapseDue(notices);
        if (collapse.length) {
          await tx.updateTable('drill_notice').set({ superseded_at: nowIso, outcome: 'collapsed' }).where('id', 'in', collapse.map((n) => n.id)).execute();
          for (const n of collapse) result.collapsed.push({ noticeId: n.id, kind: n.kind });
        }
        if (!send) continue;
        const cycleDue = new Date(send.cycleDueAt);
        const dedupeKey = `drill-notice:${send.id}`;
        const title = noticeTitle(send.kind, send.upn, cycleDue, now);
        const planned = await tx
          .selectFrom('drill')
          .select(['id', 'window_start', 'window_end'])
          .where('account_id', '=', send.accountId)
          .where('status', '=', 'open')
          .where('window_end', '>=', nowIso)
          .orderBy('window_start')
          .executeTakeFirst();
        await tx.updateTable('drill_notice').set({ fired_at: nowIso, outcome: 'alerted', alert_dedupe_key: dedupeKey }).where('id', '=', send.id).execute();
        // Keep escalating an overdue account, from the first escalation still ahead of now. The notice this schedules
        // is named in the alert's details (so in its alert.raised event); null when none was added.
        let next = nextOverdueNotice(send.kind, cycleDue, rules);
        while (next && next.dueAt.getTime() <= now.getTime()) next = nextOverdueNotice(next.kind, cycleDue, rules);
        let nextNotice: { noticeId: string; kind: string; dueAt: string } | null = null;
        if (next) {
          const row = { id: randomUUID(), kind: next.kind, due_at: next.dueAt.toISOString() };
          const inserted = await tx
            .insertInto('drill_notice')
            .values({ ...row, cycle_id: send.cycleId, account_id: send.accountId, fired_at: null, superseded_at: null, outcome: null, alert_dedupe_key: null })
            .onConflict((oc) => oc.columns(['cycle_id', 'kind']).doNothing())
            .executeTakeFirst();
          if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) nextNotice = { noticeId: row.id, kind: row.kind, dueAt: row.due_at };
        }
        const offset = noticeOffsetDays(send.kind);
        await raiseAlert(tx, audit, {
          kind: offset < 0 ? 'drill.reminder' : offset === 0 ? 'drill.due' : 'drill.overdue',
          severity: noticeSeverity(send.kind),
          subject: `account:${send.accountId}`,
          title: planned ? `${title} — drill planned ${planned.window_start}` : title,
          dedupeKey,
          details: {
            accountId: send.accountId,
            upn: send.upn,
            cycleNo: Number(send.cycleNo),
            dueAt: send.cycleDueAt,
            notice: send.kind,
            plannedFor: send.dueAt,
            collapsed: collapse.map((n) => n.kind),
            plannedDrill: planned ? { drillId: planned.id, windowStart: planned.window_start, windowEnd: planned.window_end } : null,
            nextNotice,
          },
        });
        result.sent.push({ noticeId: send.id, accountId: send.accountId, kind: send.kind, title });
      }
      if (result.closed.length || result.collapsed.length) {
        audit.record({
          actor: 'system',
          action: 'drill.notices_closed',
          subject: 'drills:schedule',
          data: { at: nowIso, collapsed: result.collapsed, closed: result.closed, cyclesSuperseded: result.cyclesSuperseded },
        });
      }
      // A tick that only sent notices is on the record through their alert.raised events.
      return result;
    });
  } catch (err) {
    if (err instanceof NothingToDo) return EMPTY();
    throw err;
  }
}

/** When the next pending notice falls due (for the worker's timer), or undefined. */
export async function nextNoticeDueAt(audit: AuditLog): Promise<Date | undefined> {
  const row = await audit.database.db
    .selectFrom('drill_notice')
    .select('due_at')
    .where('fired_at', 'is', null)
    .where('superseded_at', 'is', null)
    .orderBy('due_at')
    .limit(1)
    .executeTakeFirst();
  return row ? new Date(row.due_at) : undefined;
}
