// The drill calendar: per active emergency account, when its drill is due (and whether it is due soon, due, overdue),
// why the current cycle started, the last drill that passed, the open drill window if any, and the next notice.
// Read-only: cycles are planned by designation and the tick, never by looking at the calendar.
import { drillState, type DrillState } from '../domain/drill-schedule.ts';
import type { Db } from '../store/schema.ts';
import { lastPassedDrill, openCycle } from './drill-clock.ts';
import { readScheduleRules } from './schedule-rules.ts';

export interface CalendarEntry {
  accountId: string;
  upn: string;
  displayName: string;
  intervalDays: number;
  cycle: { no: number; reason: string; startedAt: string; dueAt: string } | null;
  state: DrillState;
  lastPassed: { drillId: string; at: string } | null;
  openDrill: { id: string; windowStart: string; windowEnd: string; verification: string } | null;
  nextNotice: { kind: string; dueAt: string } | null;
}

export async function drillCalendar(db: Db, now: Date, opts: { tenantId?: string } = {}): Promise<CalendarEntry[]> {
  const rules = await readScheduleRules(db);
  let q = db.selectFrom('emergency_account').select(['id', 'upn', 'display_name', 'drill_interval_days']).where('status', '=', 'active').orderBy('upn');
  if (opts.tenantId) q = q.where('tenant_id', '=', opts.tenantId);
  const accounts = await q.execute();
  const out: CalendarEntry[] = [];
  for (const a of accounts) {
    const cycle = await openCycle(db, a.id);
    const passed = await lastPassedDrill(db, a.id);
    const open = await db.selectFrom('drill').select(['id', 'window_start', 'window_end', 'verification']).where('account_id', '=', a.id).where('status', '=', 'open').orderBy('window_start', 'desc').limit(1).executeTakeFirst();
    const notice = await db.selectFrom('drill_notice').select(['kind', 'due_at']).where('account_id', '=', a.id).where('fired_at', 'is', null).where('superseded_at', 'is', null).orderBy('due_at').limit(1).executeTakeFirst();
    out.push({
      accountId: a.id,
      upn: a.upn,
      displayName: a.display_name,
      intervalDays: Number(a.drill_interval_days),
      cycle: cycle ? { no: Number(cycle.cycle_no), reason: cycle.reason, startedAt: cycle.started_at, dueAt: cycle.due_at } : null,
      state: drillState(cycle ? new Date(cycle.due_at) : undefined, now, rules),
      lastPassed: passed?.at ? { drillId: passed.id, at: passed.at } : null,
      openDrill: open ? { id: open.id, windowStart: open.window_start, windowEnd: open.window_end, verification: open.verification } : null,
      nextNotice: notice ? { kind: notice.kind, dueAt: notice.due_at } : null,
    });
  }
  return out;
}
