// The drill clock and the tick across months of virtual time, on SQLite and PostgreSQL: every reminder fires exactly
// once (however often the tick runs, also concurrently), a week of downtime sends one up-to-date notice instead of a
// burst, overdue escalation continues until a drill passes, triggers move the due date only ever closer, retired
// accounts go quiet, and every stored time is UTC.
import { afterEach, describe, expect, it } from 'vitest';
import { runDrillTick } from '../../../server/drills/drill-tick.ts';
import { restartDrillClock } from '../../../server/drills/drill-clock.ts';
import { backendsUnderTest, createBackend, type Backend } from '../../helpers/backends.ts';
import { alerts, DAY, deliveries, HOUR, notices, openDrillRuntime, seedAccount, TEST_WEBHOOK_SECRET, type DrillRuntime } from './drill-harness.ts';

const backends = await backendsUnderTest();
const T0 = '2026-01-05T09:00:00.000Z';
const at = (days: number, hours = 0) => new Date(Date.parse(T0) + days * DAY + hours * HOUR);
const WEBHOOK_ENV = { BREAKGLASS_ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/hook', BREAKGLASS_ALERT_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET };

describe.each(backends)('drill schedule on %s', (name) => {
  let b: Backend;
  let rt: DrillRuntime;
  afterEach(async () => {
    await rt?.close();
    await b?.dispose();
  });

  async function open(env: NodeJS.ProcessEnv = WEBHOOK_ENV): Promise<DrillRuntime> {
    b = await createBackend(name);
    rt = await openDrillRuntime(b, { start: T0, env });
    return rt;
  }

  it('fires T-14, T-7, T-1, due and the overdue escalations once each, at the right time, over four months of ticks', async () => {
    await open();
    const acct = await seedAccount(rt, 'bg-01@contoso.onmicrosoft.com');
    const fired: { kind: string; at: string }[] = [];
    // Tick every 6 hours for 125 days, twice each time: the second run of a tick must find nothing.
    for (let h = 0; h <= 125 * 24; h += 6) {
      rt.clock.set(at(0, h));
      const r1 = await runDrillTick({ audit: rt.runtime.audit, clock: rt.clock });
      const r2 = await runDrillTick({ audit: rt.runtime.audit, clock: rt.clock });
      expect(r2.sent).toEqual([]);
      for (const s of r1.sent) fired.push({ kind: s.kind, at: rt.clock.now().toISOString() });
    }
    expect(fired).toEqual([
      { kind: 'reminder-14', at: at(76).toISOString() },
      { kind: 'reminder-7', at: at(83).toISOString() },
      { kind: 'reminder-1', at: at(89).toISOString() },
      { kind: 'due', at: at(90).toISOString() },
      { kind: 'overdue-1', at: at(91).toISOString() },
      { kind: 'overdue-7', at: at(97).toISOString() },
      { kind: 'overdue-14', at: at(104).toISOString() },
      { kind: 'overdue-21', at: at(111).toISOString() },
      { kind: 'overdue-28', at: at(118).toISOString() },
      { kind: 'overdue-35', at: at(125).toISOString() },
    ]);
    const raised = await alerts(rt, 'drill.');
    expect(raised.map((a) => a.kind)).toEqual(['drill.reminder', 'drill.reminder', 'drill.reminder', 'drill.due', ...Array(6).fill('drill.overdue')]);
    expect(raised.map((a) => a.severity)).toEqual(['info', 'info', 'warning', 'warning', ...Array(6).fill('critical')]);
    expect(raised[0]!.title).toBe('Drill due in 14 days for bg-01@contoso.onmicrosoft.com (2026-04-05)');
    expect(raised[4]!.title).toBe('Drill OVERDUE for bg-01@contoso.onmicrosoft.com: due 2026-04-05, 1 day ago');
    // One outbox row per alert and channel (one webhook configured), nothing twice.
    const d = await deliveries(rt);
    expect(d).toHaveLength(raised.length);
    expect(new Set(d.map((x) => x.dedupe_key)).size).toBe(raised.length);
    expect(d.every((x) => x.channel === 'webhook:default' && x.state === 'pending')).toBe(true);
    // Every time the schedule stored is an ISO-8601 UTC instant.
    for (const n of await notices(rt, acct.id)) {
      for (const t of [n.due_at, n.fired_at]) if (t) expect(t).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  it('after a week of downtime sends the one notice that is true now, not the three that piled up', async () => {
    await open();
    const acct = await seedAccount(rt, 'bg-02@contoso.onmicrosoft.com');
    for (const [day, kind] of [[76, 'reminder-14'], [83, 'reminder-7']] as const) {
      rt.clock.set(at(day, 1));
      expect((await runDrillTick({ audit: rt.runtime.audit, clock: rt.clock })).sent.map((s) => s.kind)).toEqual([kind]);
    }
    // Down from day 85 to day 92: reminder-1 (day 89), due (90) and overdue-1 (91) came due meanwhile.
    rt.clock.set(at(92, 3));
    const r = await runDrillTick({ audit: rt.runtime.audit, clock: rt.clock });
    expect(r.sent.map((s) => s.kind)).toEqual(['overdue-1']);
    expect(r.collapsed.map((c) => c.kind)).toEqual(['reminder-1', 'due']);
    expect(r.sent[0]!.title).toBe('Drill OVERDUE for bg-02@contoso.onmicrosoft.com: due 2026-04-05, 2 days ago');
    const rows = await notices(rt, acct.id);
    expect(rows.map((n) => [n.kind, n.outcome])).toEqual([
      ['reminder-14', 'alerted'], ['reminder-7', 'alerted'], ['reminder-1', 'collapsed'], ['due', 'collapsed'], ['overdue-1', 'alerted'], ['overdue-7', null],
    ]);
    expect(await alerts(rt, 'drill.')).toHaveLength(3);
    // The next tick has nothing to send; overdue-7 comes on day 97.
    expect((await runDrillTick({ audit: rt.runtime.audit, clock: rt.clock })).sent).toEqual([]);
  });

  it('an outage across several escalations sends one escalation and schedules the next one in the future', async () => {
    await open();
    const acct = await seedAccount(rt, 'bg-03@contoso.onmicrosoft.com');
    rt.clock.set(at(91, 1));
    expect((await runDrillTick({ audit: rt.runtime.audit, clock: rt.clock })).sent.map((s) => s.kind)).toEqual(['overdue-1']);
    rt.clock.set(at(120));
    const r = await runDrillTick({ audit: rt.runtime.audit, clock: rt.clock });
    expect(r.sent.map((s) => s.kind)).toEqual(['overdue-7']);
    const pending = (await notices(rt, acct.id)).filter((n) => !n.fired_at && !n.superseded_at);
    expect(pending.map((n) => [n.kind, n.due_at])).toEqual([['overdue-35', at(125).toISOString()]]);
    // The notice the tick scheduled is on the record: named in the alert.raised event of the escalation it followed.
    const raised = (await rt.runtime.audit.entries({ limit: 50, action: 'alert.raised' })).map((e) => e.data as { details: { notice: string; nextNotice: unknown } });
    expect(raised.map((d) => [d.details.notice, d.details.nextNotice])).toEqual([
      ['overdue-7', { noticeId: pending[0]!.id, kind: 'overdue-35', dueAt: at(125).toISOString() }],
      ['overdue-1', null],
    ]);
    expect((await runDrillTick({ audit: rt.runtime.audit, clock: rt.clock })).sent).toEqual([]);
  });

  it('concurrent ticks still fire each notice once', async () => {
    await open();
    await seedAccount(rt, 'bg-04@contoso.onmicrosoft.com');
    await seedAccount(rt, 'bg-05@contoso.onmicrosoft.com');
    rt.clock.set(at(76, 1));
    const results = await Promise.all([1, 2, 3, 4].map(() => runDrillTick({ audit: rt.runtime.audit, clock: rt.clock })));
    expect(results.flatMap((r) => r.sent).map((s) => s.kind).sort()).toEqual(['reminder-14', 'reminder-14']);
    expect(await alerts(rt, 'drill.')).toHaveLength(2);
  });

  it('a passed drill starts the next cycle: the old reminders never fire, the new ones do', async () => {
    await open();
    const acct = await seedAccount(rt, 'bg-06@contoso.onmicrosoft.com');
    rt.clock.set(at(80));
    expect((await runDrillTick({ audit: rt.runtime.audit, clock: rt.clock })).sent.map((s) => s.kind)).toEqual(['reminder-14']);
    const passedAt = at(81);
    const { dueAt } = await rt.runtime.audit.change((tx, audit) => restartDrillClock(tx, audit, { accountId: acct.id, reason: 'drill_passed', at: passedAt, actor: 'officer:o1' }));
    expect(dueAt).toBe(at(171).toISOString());
    for (const d of [84, 90, 92, 100, 150, 157, 164]) {
      rt.clock.set(at(d, 1));
      await runDrillTick({ audit: rt.runtime.audit, clock: rt.clock });
    }
    const raised = await alerts(rt, 'drill.');
    expect(raised.map((a) => (JSON.parse(a.details) as { notice: string; cycleNo: number })).map((d) => `${d.cycleNo}:${d.notice}`)).toEqual(['1:reminder-14', '2:reminder-14', '2:reminder-7']);
    const cycles = await rt.runtime.database.db.selectFrom('drill_cycle').selectAll().where('account_id', '=', acct.id).orderBy('cycle_no').execute();
    expect(cycles.map((c) => [c.cycle_no, c.state, c.reason])).toEqual([[1, 'completed', 'designated'], [2, 'open', 'drill_passed']]);
    const old = (await notices(rt, acct.id)).filter((n) => n.cycle_id === cycles[0]!.id);
    expect(old.filter((n) => n.outcome === 'superseded').map((n) => n.kind)).toEqual(['reminder-7', 'reminder-1', 'due', 'overdue-1', 'overdue-7']);
  });

  it('a key replaced or a custodian leaving makes a drill due within 14 days, but never postpones one', async () => {
    await open();
    const acct = await seedAccount(rt, 'bg-07@contoso.onmicrosoft.com');
    const restart = (reason: 'key_replaced' | 'custodian_left' | 'manual', when: Date) =>
      rt.runtime.audit.change((tx, audit) => restartDrillClock(tx, audit, { accountId: acct.id, reason, at: when, actor: 'officer:o1' }));
    expect((await restart('key_replaced', at(10))).dueAt).toBe(at(24).toISOString());
    // Due at day 24; a custodian leaving at day 20 would put it at day 34: later, so nothing changes.
    expect((await restart('custodian_left', at(20))).dueAt).toBe(at(24).toISOString());
    const entries = (await rt.runtime.audit.entries({ limit: 20, action: 'drill.*' })).filter((e) => e.action.startsWith('drill.clock_'));
    expect(entries.map((e) => e.action)).toEqual(['drill.clock_unchanged', 'drill.clock_restarted', 'drill.clock_restarted']);
    // The new cycle announces itself once: "due in 14 days" at the time of the change.
    rt.clock.set(at(10, 1));
    expect((await runDrillTick({ audit: rt.runtime.audit, clock: rt.clock })).sent.map((s) => s.kind)).toEqual(['reminder-14']);
    expect((await restart('manual', at(11))).dueAt).toBe(at(101).toISOString());
  });

  it('retiring an account silences its notices without an alert', async () => {
    await open();
    const acct = await seedAccount(rt, 'bg-08@contoso.onmicrosoft.com');
    await rt.runtime.audit.change(async (tx, audit) => {
      await tx.updateTable('emergency_account').set({ status: 'retired', retired_at: at(1).toISOString() }).where('id', '=', acct.id).execute();
      audit.record({ actor: 'test', action: 'account.retired', subject: `account:${acct.id}`, data: {} });
    });
    rt.clock.set(at(100));
    const r = await runDrillTick({ audit: rt.runtime.audit, clock: rt.clock });
    expect(r.sent).toEqual([]);
    expect(r.closed.length).toBeGreaterThan(0);
    expect(r.closed.every((c) => c.reason === 'account_retired')).toBe(true);
    expect(await alerts(rt, 'drill.')).toHaveLength(0);
    // The cycle the tick ended is in the same audit entry as the notices it closed.
    const cycles = await rt.runtime.database.db.selectFrom('drill_cycle').select(['id', 'state', 'ended_reason']).where('account_id', '=', acct.id).execute();
    expect(cycles).toEqual([{ id: expect.any(String), state: 'superseded', ended_reason: 'account_retired' }]);
    expect(r.cyclesSuperseded).toEqual([{ cycleId: cycles[0]!.id, accountId: acct.id }]);
    const [closedEntry, ...more] = await rt.runtime.audit.entries({ limit: 10, action: 'drill.notices_closed' });
    expect(more).toEqual([]);
    expect(closedEntry!.data).toEqual({ at: at(100).toISOString(), collapsed: [], closed: r.closed, cyclesSuperseded: [{ cycleId: cycles[0]!.id, accountId: acct.id }] });
    const err = await rt.runtime.audit.change((tx, audit) => restartDrillClock(tx, audit, { accountId: acct.id, reason: 'manual', at: at(100), actor: 'x' })).catch((e: unknown) => e);
    expect((err as { code: string }).code).toBe('account_retired');
  });

  it('plans a first cycle for an account designated without one, from its designation time', async () => {
    await open({});
    const id = '11111111-2222-4333-8444-555555555555';
    await rt.runtime.audit.change(async (tx, audit) => {
      await tx.insertInto('emergency_account').values({ id, tenant_id: 't', user_id: 'u', upn: 'legacy@contoso.onmicrosoft.com', display_name: 'Legacy', status: 'active', drill_interval_days: 30, designated_by: 'x', designated_at: at(0).toISOString(), retired_at: null, notes: '' }).execute();
      audit.record({ actor: 'test', action: 'account.designated', subject: `account:${id}`, data: {} });
    });
    rt.clock.set(at(40));
    const r = await runDrillTick({ audit: rt.runtime.audit, clock: rt.clock });
    expect(r.planned).toEqual([id]);
    // 30-day interval from day 0: overdue by 10 days at day 40 → the latest due notice (overdue-7) goes out, once.
    expect(r.sent.map((s) => s.kind)).toEqual(['overdue-7']);
    // No channel configured: the alert is recorded, and nothing is queued for delivery.
    expect(await deliveries(rt)).toHaveLength(0);
    expect(await alerts(rt, 'drill.overdue')).toHaveLength(1);
  });
});
