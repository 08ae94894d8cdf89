// The pure cadence rules: due dates for each clock reason (triggers never postpone), the notices of a cycle, overdue
// escalation, which of several due notices goes out, titles computed from the real due date, and the drill state.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays, collapseDue, daysUntil, decideDueAt, drillState, nextOverdueNotice, noticeOffsetDays, noticeSeverity, noticeTitle, planNotices,
} from '../../../server/domain/drill-schedule.ts';

const rules = { reminderDays: [14, 7, 1], overdueDays: [1, 7], overdueRepeatDays: 7, changeDueDays: 14 };
const T = new Date('2026-03-01T10:00:00.000Z');

describe('decideDueAt', () => {
  it('puts a scheduled restart the interval after the event, in 24-hour UTC days', () => {
    for (const reason of ['designated', 'drill_passed', 'manual'] as const) {
      expect(decideDueAt({ reason, at: T, intervalDays: 90, currentDueAt: addDays(T, 3), rules })).toEqual({ dueAt: new Date('2026-05-30T10:00:00.000Z'), restart: true });
    }
    // Across the European DST change on 2026-03-29 the time of day stays put: days are UTC days.
    expect(decideDueAt({ reason: 'designated', at: T, intervalDays: 30, currentDueAt: undefined, rules }).dueAt.toISOString()).toBe('2026-03-31T10:00:00.000Z');
  });

  it('makes a change trigger due within changeDueDays, capped by the interval, and never later than now due', () => {
    expect(decideDueAt({ reason: 'key_replaced', at: T, intervalDays: 90, currentDueAt: addDays(T, 60), rules })).toEqual({ dueAt: addDays(T, 14), restart: true });
    expect(decideDueAt({ reason: 'key_enrolled', at: T, intervalDays: 7, currentDueAt: undefined, rules })).toEqual({ dueAt: addDays(T, 7), restart: true });
    expect(decideDueAt({ reason: 'custodian_left', at: T, intervalDays: 90, currentDueAt: addDays(T, 5), rules })).toEqual({ dueAt: addDays(T, 5), restart: false });
    // Already overdue stays overdue.
    expect(decideDueAt({ reason: 'custodian_left', at: T, intervalDays: 90, currentDueAt: addDays(T, -2), rules })).toEqual({ dueAt: addDays(T, -2), restart: false });
  });

  it('property: a trigger never moves an existing due date later', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 90 }), fc.integer({ min: -200, max: 200 }), fc.constantFrom('key_enrolled', 'key_replaced', 'custodian_left'), (interval, dueOffset, reason) => {
      const current = addDays(T, dueOffset);
      const d = decideDueAt({ reason: reason as 'key_replaced', at: T, intervalDays: interval, currentDueAt: current, rules });
      expect(d.dueAt.getTime()).toBeLessThanOrEqual(current.getTime());
      expect(d.dueAt.getTime()).toBeLessThanOrEqual(addDays(T, Math.min(interval, rules.changeDueDays)).getTime());
      expect(d.restart).toBe(d.dueAt.getTime() !== current.getTime());
    }));
  });
});

describe('notices', () => {
  it('plans reminders, the due notice and the configured escalations in time order', () => {
    expect(planNotices(addDays(T, 90), rules).map((n) => [n.kind, n.dueAt.toISOString()])).toEqual([
      ['reminder-14', addDays(T, 76).toISOString()],
      ['reminder-7', addDays(T, 83).toISOString()],
      ['reminder-1', addDays(T, 89).toISOString()],
      ['due', addDays(T, 90).toISOString()],
      ['overdue-1', addDays(T, 91).toISOString()],
      ['overdue-7', addDays(T, 97).toISOString()],
    ]);
  });

  it('keeps escalating every overdueRepeatDays after the last configured escalation', () => {
    const due = addDays(T, 90);
    expect(nextOverdueNotice('overdue-1', due, rules)).toBeUndefined();
    expect(nextOverdueNotice('reminder-7', due, rules)).toBeUndefined();
    expect(nextOverdueNotice('overdue-7', due, rules)).toEqual({ kind: 'overdue-14', dueAt: addDays(due, 14) });
    expect(nextOverdueNotice('overdue-21', due, rules)).toEqual({ kind: 'overdue-28', dueAt: addDays(due, 28) });
  });

  it('sends only the latest of several due notices of a cycle', () => {
    const n = (kind: string, d: number) => ({ kind, dueAt: addDays(T, d).toISOString() });
    expect(collapseDue([n('due', 90), n('reminder-7', 83), n('reminder-1', 89)])).toEqual({ send: n('due', 90), collapse: [n('reminder-7', 83), n('reminder-1', 89)] });
    expect(collapseDue([])).toEqual({ send: undefined, collapse: [] });
  });

  it('property: whatever came due, exactly one goes out and it is the latest', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.constantFrom(...planNotices(addDays(T, 90), rules)), { minLength: 1, selector: (x) => x.kind }), (picked) => {
      const items = picked.map((p) => ({ kind: p.kind, dueAt: p.dueAt.toISOString() }));
      const { send, collapse } = collapseDue(items);
      expect(collapse).toHaveLength(items.length - 1);
      expect(items.every((i) => i.dueAt <= send!.dueAt)).toBe(true);
    }));
  });

  it('grades severity: info before the last day, warning on the last day and the due day, critical when overdue', () => {
    expect(['reminder-14', 'reminder-7', 'reminder-1', 'due', 'overdue-1', 'overdue-35'].map(noticeSeverity)).toEqual(['info', 'info', 'warning', 'warning', 'critical', 'critical']);
    expect(() => noticeOffsetDays('sometime')).toThrow(/unknown notice kind/);
  });

  it('titles say what is true when the notice is sent, not what was planned', () => {
    const due = addDays(T, 90);
    expect(noticeTitle('reminder-14', 'bg@x', due, addDays(due, -11))).toBe('Drill due in 11 days for bg@x (2026-05-30)');
    expect(noticeTitle('reminder-1', 'bg@x', due, addDays(due, -1))).toBe('Drill due in 1 day for bg@x (2026-05-30)');
    expect(noticeTitle('due', 'bg@x', due, due)).toBe('Drill due today for bg@x (2026-05-30)');
    expect(noticeTitle('due', 'bg@x', due, addDays(due, 3))).toBe('Drill OVERDUE for bg@x: due 2026-05-30, 3 days ago');
    expect(daysUntil(due, new Date(due.getTime() - 1))).toBe(1);
  });
});

describe('drillState', () => {
  it('is ok, due soon from the first reminder, due on the day, overdue after a day, never without a cycle', () => {
    const due = addDays(T, 90);
    expect(drillState(due, addDays(T, 10), rules)).toBe('ok');
    expect(drillState(due, addDays(T, 77), rules)).toBe('due_soon');
    expect(drillState(due, new Date(due.getTime() - 3_600_000), rules)).toBe('due');
    expect(drillState(due, new Date(due.getTime() + 3_600_000), rules)).toBe('due');
    expect(drillState(due, addDays(due, 2), rules)).toBe('overdue');
    expect(drillState(undefined, T, rules)).toBe('never');
  });
});
