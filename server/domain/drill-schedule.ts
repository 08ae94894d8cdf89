// Pure rules of the drill cadence: when an account's next drill is due, which notices a cycle has (reminders before
// the due date, the due notice, overdue escalations) and which of several notices that came due together is sent.
// No clock reads: every function takes the instant it reasons about.
//
// Days are 24-hour UTC days (90 days = 90 × 86 400 s), recorded with each cycle, so a due date never moves with a
// daylight-saving change and two replicas in different time zones agree (audit-sched-scale.md §3.5).

export const DAY_MS = 86_400_000;

export const CLOCK_REASONS = ['designated', 'key_enrolled', 'key_replaced', 'custodian_left', 'drill_passed', 'manual'] as const;
export type ClockReason = (typeof CLOCK_REASONS)[number];

/** Reasons that mean "something changed, prove the account still works soon" (Microsoft: validate after changes). */
export const CHANGE_TRIGGERS: readonly ClockReason[] = ['key_enrolled', 'key_replaced', 'custodian_left'];

export interface ScheduleRules {
  /** Days before the due date, e.g. [14, 7, 1]. */
  reminderDays: number[];
  /** Days after the due date, e.g. [1, 7]; after the last one, every `overdueRepeatDays`. */
  overdueDays: number[];
  overdueRepeatDays: number;
  /** After a change trigger a drill is due within this many days (never later than the interval). */
  changeDueDays: number;
}

export function addDays(at: Date, days: number): Date {
  return new Date(at.getTime() + days * DAY_MS);
}

export interface DueDecision {
  dueAt: Date;
  /** false: the current cycle already falls due sooner, so the trigger changes nothing. */
  restart: boolean;
}

/**
 * The next due date after `reason` at `at`. A scheduled restart (designation, a passed drill, a manual restart) puts the
 * due date `intervalDays` after `at`. A change trigger makes a drill due within `changeDueDays` (capped by the
 * interval) but never pushes an earlier due date later: a key replaced three days before a due drill leaves it due in
 * three days.
 */
export function decideDueAt(input: { reason: ClockReason; at: Date; intervalDays: number; currentDueAt: Date | undefined; rules: Pick<ScheduleRules, 'changeDueDays'> }): DueDecision {
  const { reason, at, intervalDays, currentDueAt, rules } = input;
  if (!CHANGE_TRIGGERS.includes(reason)) return { dueAt: addDays(at, intervalDays), restart: true };
  const candidate = addDays(at, Math.min(intervalDays, rules.changeDueDays));
  if (currentDueAt && currentDueAt.getTime() <= candidate.getTime()) return { dueAt: currentDueAt, restart: false };
  return { dueAt: candidate, restart: true };
}

export interface PlannedNotice {
  kind: string;
  dueAt: Date;
}

export function reminderKind(days: number): string {
  return `reminder-${days}`;
}

export function overdueKind(days: number): string {
  return `overdue-${days}`;
}

/** The notices of a cycle that falls due at `dueAt`, in time order. */
export function planNotices(dueAt: Date, rules: Pick<ScheduleRules, 'reminderDays' | 'overdueDays'>): PlannedNotice[] {
  const out: PlannedNotice[] = [];
  for (const d of [...rules.reminderDays].sort((a, b) => b - a)) out.push({ kind: reminderKind(d), dueAt: addDays(dueAt, -d) });
  out.push({ kind: 'due', dueAt });
  for (const d of [...rules.overdueDays].sort((a, b) => a - b)) out.push({ kind: overdueKind(d), dueAt: addDays(dueAt, d) });
  return out;
}

/** Days after the due date a notice kind stands for (negative before it). */
export function noticeOffsetDays(kind: string): number {
  if (kind === 'due') return 0;
  const m = /^(reminder|overdue)-(\d+)$/.exec(kind);
  if (!m) throw new Error(`unknown notice kind ${kind}`);
  return m[1] === 'reminder' ? -Number(m[2]) : Number(m[2]);
}

/**
 * The escalation that follows an overdue notice once the configured ones are used up (every `overdueRepeatDays`),
 * so an overdue account keeps being escalated until a drill passes. Undefined when the next one is already planned.
 */
export function nextOverdueNotice(kind: string, cycleDueAt: Date, rules: Pick<ScheduleRules, 'overdueDays' | 'overdueRepeatDays'>): PlannedNotice | undefined {
  const offset = noticeOffsetDays(kind);
  const last = Math.max(0, ...rules.overdueDays);
  if (offset <= 0 || offset < last) return undefined;
  const next = offset + rules.overdueRepeatDays;
  return { kind: overdueKind(next), dueAt: addDays(cycleDueAt, next) };
}

/**
 * Of the notices of one cycle that are due together (after downtime, or a cycle that starts close to its due date),
 * only the latest is sent; the older ones are stale ("due in 14 days" when it is due tomorrow) and are collapsed.
 */
export function collapseDue<T extends { kind: string; dueAt: string }>(due: T[]): { send: T | undefined; collapse: T[] } {
  if (due.length === 0) return { send: undefined, collapse: [] };
  const sorted = [...due].sort((a, b) => a.dueAt.localeCompare(b.dueAt) || noticeOffsetDays(a.kind) - noticeOffsetDays(b.kind));
  return { send: sorted[sorted.length - 1], collapse: sorted.slice(0, -1) };
}

export type NoticeSeverity = 'info' | 'warning' | 'critical';

export function noticeSeverity(kind: string): NoticeSeverity {
  const offset = noticeOffsetDays(kind);
  if (offset > 0) return 'critical';
  if (offset === 0 || offset >= -1) return 'warning';
  return 'info';
}

/** Whole days from `now` until `dueAt` (negative when overdue), rounded towards "sooner". */
export function daysUntil(dueAt: Date, now: Date): number {
  const ms = dueAt.getTime() - now.getTime();
  return ms >= 0 ? Math.ceil(ms / DAY_MS) : -Math.floor(-ms / DAY_MS);
}

/** The one-line title of a notice, computed from the real due date and the time it is sent (not the planned offset). */
export function noticeTitle(kind: string, account: string, dueAt: Date, now: Date): string {
  const days = daysUntil(dueAt, now);
  const date = dueAt.toISOString().slice(0, 10);
  if (noticeOffsetDays(kind) > 0 || days < 0) {
    const late = Math.max(1, -days);
    return `Drill OVERDUE for ${account}: due ${date}, ${late} day${late === 1 ? '' : 's'} ago`;
  }
  if (days === 0) return `Drill due today for ${account} (${date})`;
  return `Drill due in ${days} day${days === 1 ? '' : 's'} for ${account} (${date})`;
}

export type DrillState = 'ok' | 'due_soon' | 'due' | 'overdue' | 'never';

/** The account's drill state for lists and the readiness report. "Due soon" starts at the first reminder. */
export function drillState(dueAt: Date | undefined, now: Date, rules: Pick<ScheduleRules, 'reminderDays'>): DrillState {
  if (!dueAt) return 'never';
  const ms = dueAt.getTime() - now.getTime();
  if (ms < 0) return daysUntil(dueAt, now) <= -1 ? 'overdue' : 'due';
  if (ms < DAY_MS) return 'due';
  if (ms <= Math.max(0, ...rules.reminderDays) * DAY_MS) return 'due_soon';
  return 'ok';
}
