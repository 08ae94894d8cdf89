// Monitoring when one poll cannot read everything, through the real Graph client against the simulated tenant, on
// SQLite and PostgreSQL. The per-query cap is injected (a handful of records instead of 20 000) so the fixtures stay
// small; what is tested is the behaviour at the cap: a read cut short says so, what it read is processed, the cursor
// does not move past what it did not read, the stream is "behind" with one alert, and later polls read the rest —
// including a successful sign-in buried under failed ones, every batch of 15 accounts, and a method change on an
// emergency account in a tenant whose other users fill the audit log. All of it within Graph's reports throttle.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { retireAccount } from '../../../server/accounts/emergency-accounts.ts';
import { openDrill } from '../../../server/drills/drill-service.ts';
import type { GraphUser } from '../../../server/graph/graph-types.ts';
import { SignInMonitor, type MonitorLimits } from '../../../server/monitoring/sign-in-monitor.ts';
import { recordDirectoryAudit } from '../../../server/simulator/directory-audit-writer.ts';
import { recordSignIn, type SignInEvent } from '../../../server/simulator/sign-in-writer.ts';
import { backendsUnderTest, type Backend } from '../../helpers/backends.ts';
import { DEMO, startHarness, type Harness } from '../../fixtures/graph/sim-harness.ts';
import { alerts, seedAccount, type DrillRuntime, type SeededAccount } from '../drills/drill-harness.ts';
import { KEY, MIN, openMonitorTestbed } from './monitor-fixture.ts';

const backends = await backendsUnderTest();
const BAD_PASSWORD: Partial<SignInEvent> = { errorCode: 50126, failureReason: 'Invalid username or password.', steps: [{ method: 'Password', succeeded: false }] };
/** Five records per query and poll, two per page: a full read is three pages (six records). */
const SMALL: MonitorLimits = { maxRecordsPerQuery: 5, pageSize: 2 };

describe.each(backends)('monitoring that falls behind, on %s', (name) => {
  let h: Harness;
  let b: Backend;
  let rt: DrillRuntime;
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
    const bed = await openMonitorTestbed(h, name);
    ({ b, rt, bg01, bg02, t0 } = bed);
    ctx.onTestFinished(() => bed.close());
  });

  const monitorWith = (limits: Partial<MonitorLimits> = SMALL) => new SignInMonitor({ audit: rt.runtime.audit, clock: h.clock, directory: h.dir, settings: rt.config.drills, limits });
  const at = (ms: number) => new Date(ms).toISOString();
  const signIn = (e: Partial<SignInEvent> & { user: string }) => recordSignIn(h.sim.state, { steps: KEY, ...e });
  const cursor = (stream: string) => rt.runtime.database.db.selectFrom('monitor_cursor').selectAll().where('stream', '=', stream).executeTakeFirstOrThrow();
  const incidents = () => rt.runtime.database.db.selectFrom('incident').selectAll().orderBy('occurred_at').execute();
  const recordIds = async (stream: string) => new Set((await rt.runtime.database.db.selectFrom('monitor_record').select('record_id').where('stream', '=', stream).execute()).map((r) => r.record_id));
  /** Graph never had to refuse a reports call: the adapter paced them. */
  const throttled = () => h.wire(undefined, '/auditLogs/').filter((r) => r.status === 429);

  it('a read cut short loses nothing and does not move the cursor past it; one "behind" alert; later polls find the buried sign-in', async () => {
    const monitor = monitorWith();
    await monitor.pollOnce(); // the cursor starts at t0
    const buried = signIn({ user: DEMO.bg01, at: at(t0 + 1 * MIN) });
    const failed = Array.from({ length: 12 }, (_, i) => signIn({ user: DEMO.bg01, at: at(t0 + 2 * MIN + i * 1000), ...BAD_PASSWORD }));
    h.clock.set(t0 + 5 * MIN);

    const r1 = await monitor.pollOnce();
    const s1 = r1.streams[0]!;
    expect(s1).toMatchObject({ stream: 'sign_ins', ok: true, state: 'behind', complete: false, fetched: 6, newRecords: 6 });
    // What was read (the six newest failures) is processed at once…
    expect(await recordIds('sign_ins')).toEqual(new Set(failed.slice(6).map((f) => f.id)));
    expect((await incidents()).map((i) => i.kind)).toEqual(Array(6).fill('failed_sign_in'));
    // …the cursor stays where everything had been read, and the stream says what is left.
    let c = await cursor('sign_ins');
    // A backlog is its own episode (behind_since), not a failure (failing_since stays empty).
    expect([c.polled_until, c.state, c.last_error_code, c.behind_since, c.failing_since]).toEqual([at(t0), 'behind', 'monitoring_behind', at(t0 + 5 * MIN), null]);
    expect(c.last_error).toContain(`records between ${s1.pending!.since} and ${s1.pending!.until} are not all read yet`);
    expect(s1.pending).toEqual({ since: at(t0 - 120 * MIN), until: failed[6]!.createdDateTime });
    expect(r1.streams[1]).toMatchObject({ stream: 'directory_audits', state: 'ok', complete: true });
    const behind = await alerts(rt, 'monitoring.');
    expect(behind.map((a) => [a.kind, a.severity])).toEqual([['monitoring.behind', 'critical']]);

    h.clock.advance(1 * MIN);
    const r2 = await monitor.pollOnce();
    expect(r2.streams[0]).toMatchObject({ state: 'behind', complete: false, newRecords: 5 });
    c = await cursor('sign_ins');
    expect([c.polled_until, c.state]).toEqual([at(t0), 'behind']);
    expect((await incidents()).some((i) => i.kind === 'sign_in')).toBe(false);

    h.clock.advance(1 * MIN);
    const r3 = await monitor.pollOnce();
    expect(r3.streams[0]).toMatchObject({ state: 'ok', complete: true, newRecords: 2 });
    // The buried successful sign-in is an incident with its critical alert.
    const inc = await incidents();
    expect(inc.filter((i) => i.kind === 'sign_in').map((i) => [i.severity, JSON.parse(i.record_ids)[0]])).toEqual([['critical', buried.id]]);
    expect(inc.filter((i) => i.kind === 'failed_sign_in')).toHaveLength(12);
    expect(await recordIds('sign_ins')).toEqual(new Set([buried, ...failed].map((s) => s.id)));
    // Caught up: the cursor moves to where the first cut-short read started (its window's late records are re-read).
    c = await cursor('sign_ins');
    expect([c.polled_until, c.state, c.last_error, c.behind_since, c.failing_since]).toEqual([at(t0 + 5 * MIN), 'ok', null, null, null]);
    expect((await alerts(rt, 'monitoring.')).map((a) => a.kind)).toEqual(['monitoring.behind', 'monitoring.recovered']);
    expect((await alerts(rt, 'monitoring.recovered'))[0]!.title).toMatch(/has caught up/);
    expect(throttled()).toEqual([]);
  });

  it('reads what happens meanwhile at once, and a restart while behind still reads everything with one alert', async () => {
    let monitor = monitorWith();
    await monitor.pollOnce();
    const buried = signIn({ user: DEMO.bg02, at: at(t0 + 1 * MIN) });
    const failed = Array.from({ length: 14 }, (_, i) => signIn({ user: DEMO.bg02, at: at(t0 + 2 * MIN + i * 1000), ...BAD_PASSWORD }));
    h.clock.set(t0 + 5 * MIN);
    expect((await monitor.pollOnce()).streams[0]!.state).toBe('behind');

    // A sign-in after the cut-short read began is found by the very next poll, while the backlog is still being read.
    const meanwhile = signIn({ user: DEMO.bg01, at: at(t0 + 5 * MIN + 30_000) });
    h.clock.set(t0 + 6 * MIN);
    const r = await monitor.pollOnce();
    expect(r.streams[0]!.state).toBe('behind');
    expect((await incidents()).filter((i) => i.kind === 'sign_in').map((i) => [i.account_id, JSON.parse(i.record_ids)[0]])).toEqual([[bg01.id, meanwhile.id]]);
    expect(await monitor.nextDelayMs()).toBe(MIN); // behind: the next poll comes sooner

    // The service restarts: the pass in memory is gone, the cursor never moved past unread records, so nothing is lost.
    monitor = monitorWith();
    const states: string[] = [];
    for (let i = 0; i < 8 && states.at(-1) !== 'ok'; i++) {
      h.clock.advance(1 * MIN);
      states.push((await monitor.pollOnce()).streams[0]!.state);
    }
    expect(states.at(-1)).toBe('ok');
    expect(await recordIds('sign_ins')).toEqual(new Set([buried, ...failed, meanwhile].map((s) => s.id)));
    expect((await incidents()).filter((i) => i.kind === 'sign_in').map((i) => JSON.parse(i.record_ids)[0]).sort()).toEqual([buried.id, meanwhile.id].sort());
    // One episode, one alert, however many polls and restarts it took.
    expect((await alerts(rt, 'monitoring.')).map((a) => a.kind)).toEqual(['monitoring.behind', 'monitoring.recovered']);
    expect(throttled()).toEqual([]);
  });

  it('with more than 15 accounts, a full first batch does not stop the others from being read', async () => {
    const extra: SeededAccount[] = [];
    for (let i = 0; i < 15; i++) {
      const user = { id: randomUUID(), displayName: `Emergency ${i}`, userPrincipalName: `bg-x${i}-${randomUUID().slice(0, 8)}@contosodemo.onmicrosoft.com`, accountEnabled: true, userType: 'Member' } as GraphUser;
      h.sim.state.users.set(user.id, user);
      extra.push(await seedAccount(rt, user.userPrincipalName, user.id));
    }
    const all = [bg01, bg02, ...extra]; // 17 accounts: batches of 15 and 2
    const monitor = monitorWith({ maxRecordsPerQuery: 10, pageSize: 5 });
    await monitor.pollOnce();
    const used = all.map((a, i) => signIn({ user: a.userId, at: at(t0 + 1 * MIN + i * 1000) }));
    h.clock.set(t0 + 5 * MIN);
    h.sent.length = 0;

    const r1 = await monitor.pollOnce();
    expect(r1.streams[0]).toMatchObject({ state: 'behind', complete: false });
    // Both batches were asked for; the batch of two was read to its end although the batch of 15 filled its cap.
    const batches = h.sent.filter((x) => x.url.includes('/auditLogs/signIns') && !x.url.includes('skiptoken'))
      .map((x) => [...new URL(x.url).searchParams.get('$filter')!.matchAll(/userId eq '([^']+)'/g)].map((m) => m[1]!));
    expect(batches.map((ids) => ids.length).sort((x, y) => x - y)).toEqual([2, 15]);
    expect(new Set(batches.flat())).toEqual(new Set(all.map((a) => a.userId.toLowerCase())));
    const small = batches.find((ids) => ids.length === 2)!;
    const alerted = new Set((await incidents()).map((i) => i.account_id));
    expect(alerted.size).toBe(12); // 10 of the big batch (its cap) + both of the small one
    for (const id of small) expect(alerted.has(all.find((a) => a.userId.toLowerCase() === id)!.id)).toBe(true);

    h.clock.advance(1 * MIN);
    expect((await monitor.pollOnce()).streams[0]).toMatchObject({ state: 'ok', complete: true });
    // Every account's sign-in is an incident.
    expect(new Set((await incidents()).filter((i) => i.kind === 'sign_in').map((i) => i.account_id))).toEqual(new Set(all.map((a) => a.id)));
    expect(await recordIds('sign_ins')).toEqual(new Set(used.map((s) => s.id)));
    expect(throttled()).toEqual([]);
  });

  it('a method added to an emergency account is found in a busy tenant, without reading the other users\' audits', async () => {
    const monitor = monitorWith();
    await monitor.pollOnce();
    const alice = h.sim.state.findUser(DEMO.alice)!;
    const guest = h.sim.state.findUser(DEMO.guest)!;
    h.clock.set(t0 + 1 * MIN);
    const added = recordDirectoryAudit(h.sim.state, { activityDisplayName: 'Admin registered security info', resultReason: 'Admin registered Passkey (device-bound) method for user', operationType: 'Add', app: { appId: 'x', displayName: 'Some app' }, target: h.sim.state.findUser(DEMO.bg02)! });
    // The rest of the tenant keeps registering methods afterwards: far more than one query reads per poll.
    for (let i = 0; i < 30; i++) {
      h.clock.advance(1000);
      recordDirectoryAudit(h.sim.state, { activityDisplayName: 'User registered security info', resultReason: 'User registered Authenticator App', operationType: 'Add', user: alice, target: i % 2 ? alice : guest });
    }
    h.clock.set(t0 + 5 * MIN);
    h.sent.length = 0;

    const r = await monitor.pollOnce();
    expect(r.streams[1]).toMatchObject({ stream: 'directory_audits', state: 'ok', complete: true, fetched: 1 });
    const inc = await incidents();
    expect(inc.map((i) => [i.kind, i.account_id, JSON.parse(i.record_ids)[0]])).toEqual([['method_added', bg02.id, added.id]]);
    // One query per emergency account, filtered on the target the way Graph documents, newest first by contract.
    const queries = h.sent.filter((x) => x.url.includes('/auditLogs/directoryAudits')).map((x) => new URL(x.url).searchParams);
    expect(queries.map((q) => q.get('$filter')!.match(/targetResources\/any\(t: t\/id eq '([^']+)'\)/)?.[1]).sort()).toEqual([DEMO.bg01, DEMO.bg02].map((x) => x.toLowerCase()).sort());
    expect(queries.every((q) => q.get('$orderby') === 'activityDateTime desc' && q.get('$filter')!.includes("loggedByService eq 'Authentication Methods'"))).toBe(true);
    expect((await alerts(rt, 'monitoring.'))).toEqual([]);
    expect(throttled()).toEqual([]);
  });

  it('more records than the cap in one millisecond still move the read on, and nothing is skipped', async () => {
    const monitor = monitorWith({ maxRecordsPerQuery: 3, pageSize: 2 });
    await monitor.pollOnce();
    const buried = signIn({ user: DEMO.bg01, at: at(t0 + 1 * MIN) });
    const burst = Array.from({ length: 5 }, () => signIn({ user: DEMO.bg01, at: at(t0 + 2 * MIN), ...BAD_PASSWORD }));
    h.clock.set(t0 + 5 * MIN);
    const states: string[] = [];
    for (let i = 0; i < 6 && states.at(-1) !== 'ok'; i++) {
      states.push((await monitor.pollOnce()).streams[0]!.state);
      h.clock.advance(1 * MIN);
    }
    expect(states).toEqual(['behind', 'behind', 'ok']);
    expect(await recordIds('sign_ins')).toEqual(new Set([buried, ...burst].map((s) => s.id)));
    expect((await alerts(rt, 'monitoring.')).map((a) => a.kind)).toEqual(['monitoring.behind', 'monitoring.recovered']);
  });

  it('while behind, a drill whose sign-in is still unread is not called "not seen"; it is verified once read', async () => {
    const monitor = monitorWith();
    await monitor.pollOnce();
    const drill = await openDrill({ audit: rt.runtime.audit }, { account: DEMO.bg01Upn, minutes: 30, performer: 'P', witness: 'W', actor: 'officer:o1' });
    const proof = signIn({ user: DEMO.bg01, at: at(t0 + 20 * MIN) });
    // After the window, failed attempts pile up on top of the drill's sign-in.
    for (let i = 0; i < 12; i++) signIn({ user: DEMO.bg01, at: at(t0 + 40 * MIN + i * 1000), ...BAD_PASSWORD });
    h.clock.set(t0 + 95 * MIN); // past the window and the 60-minute grace
    expect((await monitor.pollOnce()).drillsNotSeen).toEqual([]);
    const row = () => rt.runtime.database.db.selectFrom('drill').selectAll().where('id', '=', drill.id).executeTakeFirstOrThrow();
    expect((await row()).verification).toBe('waiting');
    let verified: string[] = [];
    for (let i = 0; i < 4 && verified.length === 0; i++) {
      h.clock.advance(1 * MIN);
      const r = await monitor.pollOnce();
      expect(r.drillsNotSeen).toEqual([]);
      verified = r.drillsVerified;
    }
    expect(verified).toEqual([drill.id]);
    expect([(await row()).verification, (await row()).evidence_sign_in_id]).toEqual(['verified', proof.id]);
    expect(await alerts(rt, 'drill.sign_in_not_seen')).toEqual([]);
  });

  it('a Graph failure while behind keeps the episode: no second "behind" alert, and the read goes on where it was', async () => {
    const monitor = monitorWith();
    await monitor.pollOnce();
    const buried = signIn({ user: DEMO.bg01, at: at(t0 + 1 * MIN) });
    const failed = Array.from({ length: 8 }, (_, i) => signIn({ user: DEMO.bg01, at: at(t0 + 2 * MIN + i * 1000), ...BAD_PASSWORD }));
    h.clock.set(t0 + 5 * MIN);
    expect((await monitor.pollOnce()).streams[0]!.state).toBe('behind');
    h.sim.faults.add({ kind: 'status', status: 503, path: '/auditLogs/signIns', times: 20 });
    h.clock.advance(1 * MIN);
    const failing = await monitor.pollOnce();
    expect(failing.streams[0]).toMatchObject({ ok: false, state: 'failing' });
    // The failure is its own episode, from its own start; the backlog's start is kept for when the reads resume.
    let c = await cursor('sign_ins');
    expect([c.polled_until, c.failing_since, c.behind_since]).toEqual([at(t0), at(t0 + 6 * MIN), at(t0 + 5 * MIN)]);
    // A short failure stays under the grace period: no "failing" alert just because the stream was already behind.
    h.clock.advance(1 * MIN);
    expect((await monitor.pollOnce()).streams[0]).toMatchObject({ ok: false, state: 'failing' });
    expect((await alerts(rt, 'monitoring.failing'))).toEqual([]);
    h.sim.faults.clear();
    h.clock.advance(1 * MIN);
    const r = await monitor.pollOnce();
    expect(r.streams[0]).toMatchObject({ ok: true, state: 'ok', complete: true });
    expect(await recordIds('sign_ins')).toEqual(new Set([buried, ...failed].map((s) => s.id)));
    c = await cursor('sign_ins');
    expect([c.state, c.failing_since, c.behind_since]).toEqual(['ok', null, null]);
    const all = await alerts(rt, 'monitoring.');
    expect(all.filter((a) => a.kind === 'monitoring.behind')).toHaveLength(1);
    // Both episodes end, each said in its own words (raised in one transaction: their order is not meaningful).
    const recovered = all.filter((a) => a.kind === 'monitoring.recovered').map((a) => a.title);
    expect(recovered).toHaveLength(2);
    expect(recovered).toEqual(expect.arrayContaining([
      expect.stringMatching(/works again$/),
      expect.stringMatching(/has caught up: every record since .* has been read/),
    ]));
  });

  it('with no cursor yet, a restart while the very first read is behind still reads the records it had not reached', async () => {
    // The first poll ever (40 minutes after designation): nothing stored yet, a successful sign-in buried under failures.
    const buried = signIn({ user: DEMO.bg01, at: at(t0 + 10 * MIN) });
    const failed = Array.from({ length: 12 }, (_, i) => signIn({ user: DEMO.bg01, at: at(t0 + 20 * MIN + i * 1000), ...BAD_PASSWORD }));
    h.clock.set(t0 + 40 * MIN);
    let monitor = monitorWith();
    expect((await monitor.pollOnce()).streams[0]).toMatchObject({ state: 'behind', complete: false });
    // The cursor is where that read started, so a restart re-reads from there, however much later it comes.
    expect((await cursor('sign_ins')).polled_until).toBe(at(t0 + 40 * MIN - 120 * MIN));
    h.clock.advance(90 * MIN);
    monitor = monitorWith();
    const states: string[] = [];
    for (let i = 0; i < 8 && states.at(-1) !== 'ok'; i++) {
      states.push((await monitor.pollOnce()).streams[0]!.state);
      h.clock.advance(1 * MIN);
    }
    expect(states.at(-1)).toBe('ok');
    expect(await recordIds('sign_ins')).toEqual(new Set([buried, ...failed].map((x) => x.id)));
    expect((await incidents()).filter((i) => i.kind === 'sign_in').map((i) => JSON.parse(i.record_ids)[0])).toEqual([buried.id]);
  });

  it('an account retired while its records are still unread is read to its retirement; what follows raises nothing', async () => {
    const monitor = monitorWith();
    await monitor.pollOnce();
    const buried = signIn({ user: DEMO.bg02, at: at(t0 + 1 * MIN) });
    const failed = Array.from({ length: 12 }, (_, i) => signIn({ user: DEMO.bg02, at: at(t0 + 2 * MIN + i * 1000), ...BAD_PASSWORD }));
    h.clock.set(t0 + 5 * MIN);
    expect((await monitor.pollOnce()).streams[0]!.state).toBe('behind');
    await retireAccount({ audit: rt.runtime.audit }, { account: DEMO.bg02Upn, reason: 'replaced by a new account', actor: 'officer:test' });
    const afterRetirement = signIn({ user: DEMO.bg02, at: at(t0 + 5 * MIN + 20_000) });
    const states: string[] = [];
    for (let i = 0; i < 8 && states.at(-1) !== 'ok'; i++) {
      h.clock.advance(1 * MIN);
      states.push((await monitor.pollOnce()).streams[0]!.state);
    }
    expect(states.at(-1)).toBe('ok');
    expect(await recordIds('sign_ins')).toEqual(new Set([buried, ...failed, afterRetirement].map((x) => x.id)));
    // The use while it was still an emergency account alerts; the one after retirement is kept and raises nothing.
    expect((await incidents()).filter((i) => i.kind === 'sign_in').map((i) => JSON.parse(i.record_ids)[0])).toEqual([buried.id]);
    const kept = await rt.runtime.database.db.selectFrom('monitor_record').select(['record_id', 'disposition']).where('record_id', '=', afterRetirement.id).executeTakeFirstOrThrow();
    expect(kept.disposition).toBe('after_retirement');
  });
});
