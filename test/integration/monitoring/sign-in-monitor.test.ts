// Monitoring through the real Graph client against the simulated tenant over HTTPS, on SQLite and PostgreSQL: sign-ins
// outside drill windows become incidents that alert once (also when Graph returns the same record again, or two
// records for one sign-in), drill sign-ins become evidence at once — including sign-ins that reach the logs late —
// and "not seen" is never "failed"; method changes are incidents; Graph faults, throttling and a tenant without an
// Entra ID P1 licence are survived and reported; an outage is caught up from the last successful poll.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDrill } from '../../../server/drills/drill-service.ts';
import { SignInMonitor } from '../../../server/monitoring/sign-in-monitor.ts';
import { recordDirectoryAudit } from '../../../server/simulator/directory-audit-writer.ts';
import { recordSignIn, type SignInEvent } from '../../../server/simulator/sign-in-writer.ts';
import { backendsUnderTest, type Backend } from '../../helpers/backends.ts';
import { DEMO, startHarness, type Harness } from '../../fixtures/graph/sim-harness.ts';
import { alerts, deliveries, type DrillRuntime, type SeededAccount } from '../drills/drill-harness.ts';
import { KEY, MIN, openMonitorTestbed } from './monitor-fixture.ts';

const backends = await backendsUnderTest();

describe.each(backends)('sign-in monitoring on %s', (name) => {
  let h: Harness;
  let b: Backend;
  let rt: DrillRuntime;
  let monitor: SignInMonitor;
  let bg01: SeededAccount;
  let bg02: SeededAccount;
  let t0: number;

  beforeAll(async () => {
    h = await startHarness({ start: '2026-11-20T09:00:00.000Z' });
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(async (ctx) => {
    // Each test: a fresh store; the shared tenant loses what earlier tests wrote to its logs.
    const bed = await openMonitorTestbed(h, name);
    ({ b, rt, bg01, bg02, t0 } = bed);
    monitor = new SignInMonitor({ audit: rt.runtime.audit, clock: h.clock, directory: h.dir, settings: rt.config.drills });
    ctx.onTestFinished(() => bed.close());
  });

  const signIn = (e: Partial<SignInEvent> & { user: string }) => recordSignIn(h.sim.state, { steps: KEY, ...e });
  const incidents = () => rt.runtime.database.db.selectFrom('incident').selectAll().orderBy('occurred_at').execute();
  const drillRow = (id: string) => rt.runtime.database.db.selectFrom('drill').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('a sign-in outside any drill window is one incident with one alert per channel, however often it is read', async () => {
    h.clock.advance(10 * MIN);
    const s = signIn({ user: DEMO.bg01, ipAddress: '198.51.100.77' });
    // Entra often writes a second record for the same interactive sign-in (same correlation id).
    const twin = recordSignIn(h.sim.state, { user: DEMO.bg01, steps: KEY });
    twin.correlationId = s.correlationId;
    h.clock.advance(5 * MIN);
    const r1 = await monitor.pollOnce();
    expect(r1.streams.map((x) => [x.stream, x.ok])).toEqual([['sign_ins', true], ['directory_audits', true]]);
    expect(r1.incidentsOpened).toHaveLength(1);
    for (let i = 0; i < 3; i++) {
      h.clock.advance(5 * MIN);
      expect((await monitor.pollOnce()).incidentsOpened).toEqual([]);
    }
    const inc = await incidents();
    expect(inc).toHaveLength(1);
    expect(inc[0]).toMatchObject({ account_id: bg01.id, kind: 'sign_in', severity: 'critical', status: 'open' });
    expect(JSON.parse(inc[0]!.record_ids).sort()).toEqual([s.id, twin.id].sort());
    expect(JSON.parse(inc[0]!.details)).toMatchObject({ signInId: s.id, ipAddress: '198.51.100.77', methods: ['Passkey (device-bound)'], errorCode: 0 });
    const raised = await alerts(rt, 'incident.');
    expect(raised.map((a) => [a.kind, a.severity])).toEqual([['incident.sign_in', 'critical']]);
    expect(raised[0]!.title).toBe(`Emergency account ${DEMO.bg01Upn} signed in outside any drill window`);
    expect((await deliveries(rt)).filter((d) => d.alert_id === raised[0]!.id).map((d) => d.channel)).toEqual(['webhook:default']);
    // Both records are kept once each, linked to the incident.
    const recs = await rt.runtime.database.db.selectFrom('monitor_record').selectAll().where('stream', '=', 'sign_ins').execute();
    expect(recs.map((r) => r.disposition)).toEqual(['incident', 'incident']);
    // One filtered call per stream and poll, for both accounts.
    const calls = h.wire('GET', '/auditLogs/signIns');
    expect(calls).toHaveLength(4);
    expect(h.sent.filter((x) => x.url.includes('/auditLogs/signIns')).every((x) => decodeURIComponent(x.url).includes(DEMO.bg01) && decodeURIComponent(x.url).includes(DEMO.bg02))).toBe(true);
  });

  it('a failed attempt outside a window is an incident too (a warning), and sign-ins before designation are not', async () => {
    signIn({ user: DEMO.bg02, at: new Date(t0 - 60 * MIN).toISOString() });
    h.clock.advance(3 * MIN);
    signIn({ user: DEMO.bg02, errorCode: 50126, failureReason: 'Invalid username or password.', steps: [{ method: 'Password', succeeded: false }] });
    h.clock.advance(5 * MIN);
    await monitor.pollOnce();
    const inc = await incidents();
    expect(inc.map((i) => [i.kind, i.severity])).toEqual([['failed_sign_in', 'warning']]);
    const recs = await rt.runtime.database.db.selectFrom('monitor_record').select(['disposition']).orderBy('occurred_at').execute();
    expect(recs.map((r) => r.disposition)).toEqual(['before_designation', 'incident']);
  });

  it('a drill sign-in is captured as evidence at once, alerts as planned activity, and is no incident', async () => {
    const drill = await openDrill({ audit: rt.runtime.audit }, { account: DEMO.bg01Upn, minutes: 60, performer: 'Dana Performer', witness: 'Wim Witness', expectedKey: 'YubiKey #21045871', actor: 'officer:o1' });
    h.clock.advance(12 * MIN);
    const s = signIn({ user: DEMO.bg01 });
    h.clock.advance(4 * MIN);
    const pollAt = h.clock.now().toISOString();
    const r = await monitor.pollOnce();
    expect(r.drillsVerified).toEqual([drill.id]);
    expect(r.incidentsOpened).toEqual([]);
    const row = await drillRow(drill.id);
    expect(row.verification).toBe('verified');
    expect(row.evidence_sign_in_id).toBe(s.id);
    expect(JSON.parse(row.evidence!)).toEqual(s);
    expect(row.evidence_captured_at).toBe(pollAt);
    expect((await alerts(rt)).map((a) => a.kind)).toEqual(['drill.announced', 'drill.sign_in_verified']);
  });

  it('a sign-in that reaches the logs late is still found; "not seen" after the grace period is not "failed"', async () => {
    const drill = await openDrill({ audit: rt.runtime.audit }, { account: DEMO.bg02Upn, minutes: 30, performer: 'P', witness: 'W', actor: 'officer:o1' });
    const windowEnd = Date.parse(drill.window.end);
    h.clock.advance(20 * MIN);
    expect((await monitor.pollOnce()).drillsVerified).toEqual([]);
    expect((await drillRow(drill.id)).verification).toBe('waiting');
    // Nothing arrives: 60 minutes after the window the drill is "not seen" — still open, never failed.
    h.clock.set(windowEnd + 61 * MIN);
    const r = await monitor.pollOnce();
    expect(r.drillsNotSeen).toEqual([drill.id]);
    let row = await drillRow(drill.id);
    expect([row.status, row.verification]).toEqual(['open', 'not_seen']);
    expect(JSON.parse(row.verification_reasons)[0]).toMatch(/this is not a failure/);
    expect((await alerts(rt, 'drill.sign_in_not_seen')).map((a) => a.severity)).toEqual(['warning']);
    // Then the record turns up, stamped inside the window (Entra writes createdDateTime, it just arrives late).
    const late = signIn({ user: DEMO.bg02, at: new Date(windowEnd - 10 * MIN).toISOString() });
    h.clock.advance(5 * MIN);
    expect((await monitor.pollOnce()).drillsVerified).toEqual([drill.id]);
    row = await drillRow(drill.id);
    expect([row.status, row.verification, row.evidence_sign_in_id]).toEqual(['open', 'verified', late.id]);
    expect(await incidents()).toEqual([]);
  });

  it('matches the key method tolerantly, and rejects a phone passkey or a password with reasons', async () => {
    const drill = await openDrill({ audit: rt.runtime.audit }, { account: DEMO.bg01Upn, minutes: 60, performer: 'P', witness: 'W', actor: 'officer:o1' });
    h.clock.advance(5 * MIN);
    signIn({ user: DEMO.bg01, steps: [{ method: 'Passkey (Microsoft Authenticator)', succeeded: true }] });
    h.clock.advance(1 * MIN);
    signIn({ user: DEMO.bg01, steps: [{ method: 'Password', succeeded: true }] });
    h.clock.advance(5 * MIN);
    await monitor.pollOnce();
    let row = await drillRow(drill.id);
    expect(row.verification).toBe('rejected');
    const reasons = JSON.parse(row.verification_reasons) as string[];
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toMatch(/Passkey \(Microsoft Authenticator\), a passkey on a phone or cloud account, not the security key from the safe/);
    expect(reasons[1]).toMatch(/no FIDO2 security key \/ device-bound passkey step \(methods: Password\)/);
    // The older method name still counts.
    h.clock.advance(2 * MIN);
    const ok = signIn({ user: DEMO.bg01, steps: [{ method: 'FIDO2 security key', succeeded: true }] });
    h.clock.advance(5 * MIN);
    await monitor.pollOnce();
    row = await drillRow(drill.id);
    expect([row.verification, row.evidence_sign_in_id]).toEqual(['verified', ok.id]);
  });

  it('an authentication method added to or removed from an emergency account is an incident', async () => {
    const target = h.sim.state.findUser(DEMO.bg02)!;
    const alice = h.sim.state.findUser(DEMO.alice)!;
    h.clock.advance(2 * MIN);
    const added = recordDirectoryAudit(h.sim.state, { activityDisplayName: 'User registered security info', resultReason: 'User registered Passkey (device-bound) method', operationType: 'Add', user: alice, target });
    const removed = recordDirectoryAudit(h.sim.state, { activityDisplayName: 'Admin deleted security info', resultReason: 'Admin deleted Passkey method for user', operationType: 'Delete', app: { appId: 'x', displayName: 'Some app' }, target });
    // Not about an emergency account: ignored.
    recordDirectoryAudit(h.sim.state, { activityDisplayName: 'User registered security info', resultReason: 'x', operationType: 'Add', user: alice, target: alice });
    h.clock.advance(5 * MIN);
    await monitor.pollOnce();
    await monitor.pollOnce();
    const inc = await incidents();
    expect(inc.map((i) => [i.kind, i.account_id, JSON.parse(i.record_ids)[0]])).toEqual([['method_added', bg02.id, added.id], ['method_removed', bg02.id, removed.id]]);
    expect(inc[0]!.title).toBe(`passkey / FIDO2 key added to emergency account ${DEMO.bg02Upn} by ${alice.userPrincipalName}`);
    expect((await alerts(rt, 'incident.')).map((a) => a.kind).sort()).toEqual(['incident.method_added', 'incident.method_removed']);
  });

  it('survives Graph faults while polling, alerts when the outage lasts, and catches up from the last success', async () => {
    await monitor.pollOnce(); // a successful poll at 09:00 sets the cursor
    h.sim.faults.add({ kind: 'status', status: 503, path: '/auditLogs/signIns' });
    h.clock.advance(5 * MIN);
    const missed = signIn({ user: DEMO.bg01 });
    const failures: string[] = [];
    for (let i = 0; i < 4; i++) {
      h.clock.advance(5 * MIN);
      const r = await monitor.pollOnce();
      failures.push(`${r.streams[0]!.ok}:${r.streams[0]!.state}:${r.streams[0]!.error?.code}`);
      expect(r.streams[1]!.ok).toBe(true); // the other stream is unaffected
    }
    expect(new Set(failures)).toEqual(new Set(['false:failing:graph_unavailable']));
    const cursor = await rt.runtime.database.db.selectFrom('monitor_cursor').selectAll().where('stream', '=', 'sign_ins').executeTakeFirstOrThrow();
    expect(cursor.state).toBe('failing');
    expect(cursor.last_error).toMatch(/unavailable/i);
    // Failing for more than 10 minutes (two polls) → one warning, not one per poll.
    expect((await alerts(rt, 'monitoring.')).map((a) => [a.kind, a.severity])).toEqual([['monitoring.failing', 'warning']]);
    // A long outage: the missed sign-in is now older than the look-back, yet it is found, from the last success.
    h.sim.faults.clear();
    h.clock.advance(6 * 60 * MIN);
    const r = await monitor.pollOnce();
    expect(r.streams[0]!.since).toBe(new Date(t0 - 120 * MIN).toISOString());
    expect(r.incidentsOpened).toHaveLength(1);
    expect(JSON.parse((await incidents())[0]!.record_ids)).toEqual([missed.id]);
    expect((await alerts(rt, 'monitoring.')).map((a) => a.kind)).toEqual(['monitoring.failing', 'monitoring.recovered']);
  });

  it('rides out throttling and malformed answers without losing a record', async () => {
    h.sim.faults.add({ kind: 'throttle', path: '/auditLogs/signIns', times: 2, retryAfterSeconds: 4 });
    const s = signIn({ user: DEMO.bg02 });
    h.clock.advance(2 * MIN);
    const r1 = await monitor.pollOnce();
    expect(r1.streams[0]!.ok).toBe(true);
    expect(h.sleeps).toContain(4000);
    h.sim.faults.add({ kind: 'malformed', path: '/auditLogs/directoryAudits', times: 1 });
    h.clock.advance(5 * MIN);
    const r2 = await monitor.pollOnce();
    expect(r2.streams[1]).toMatchObject({ ok: false, state: 'failing', error: { code: 'graph_malformed_response' } });
    h.clock.advance(5 * MIN);
    expect((await monitor.pollOnce()).streams.every((x) => x.ok)).toBe(true);
    expect(JSON.parse((await incidents())[0]!.record_ids)).toEqual([s.id]);
  });

  it('a tenant without Entra ID P1 says so plainly, alerts once, and polls less often', async () => {
    (h.sim.state.tenant as { license: string }).license = 'Free';
    const r = await monitor.pollOnce();
    expect(r.streams[0]).toMatchObject({ ok: false, state: 'license_required' });
    expect(r.streams[0]!.error!.message).toMatch(/no Microsoft Entra ID P1\/P2 licence.*cannot be detected/);
    for (let i = 0; i < 3; i++) {
      h.clock.advance(5 * MIN);
      await monitor.pollOnce();
    }
    const raised = await alerts(rt, 'monitoring.');
    expect(raised.map((a) => [a.kind, a.severity, a.title])).toEqual([['monitoring.license_required', 'critical', 'Emergency-account monitoring is BLIND: the tenant has no Entra ID P1/P2 licence for sign-in logs']]);
    expect(await monitor.nextDelayMs()).toBeGreaterThanOrEqual(60 * MIN);
  });

  it('polls faster while a drill waits for its sign-in, and at the normal interval otherwise', async () => {
    expect(await monitor.nextDelayMs()).toBe(rt.config.drills.monitoring.pollIntervalSeconds * 1000);
    await openDrill({ audit: rt.runtime.audit }, { account: DEMO.bg01Upn, minutes: 60, performer: 'P', witness: 'W', actor: 'officer:o1' });
    expect(await monitor.nextDelayMs()).toBe(MIN);
    h.clock.advance(3 * MIN);
    expect(await monitor.nextDelayMs()).toBe(MIN); // next point: 4 minutes after the start
    h.clock.advance(30 * MIN);
    expect(await monitor.nextDelayMs()).toBe(rt.config.drills.monitoring.pollIntervalSeconds * 1000);
  });
});
