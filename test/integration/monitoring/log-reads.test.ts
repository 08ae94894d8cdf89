// The capped log reads monitoring is built on, through the real Graph client against the simulated tenant: a read that
// stops at its cap says so and says down to which instant it read (rounded up to the millisecond the filters work in),
// reading on from there gets the rest, every batch of 15 users gets its own cap, directory audits are asked per target
// user and newest first the way Graph documents it, and the simulator refuses an ordering Graph does not offer.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../server/errors.ts';
import { recordDirectoryAudit } from '../../../server/simulator/directory-audit-writer.ts';
import { recordSignIn } from '../../../server/simulator/sign-in-writer.ts';
import { DEMO, startHarness, type Harness } from '../../fixtures/graph/sim-harness.ts';

const KEY = [{ method: 'Passkey (device-bound)', succeeded: true }];
const T = Date.parse('2026-11-02T10:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();

describe('capped log reads', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ start: '2026-11-03T00:00:00.000Z' });
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.sim.state.signIns.length = 0;
    h.sim.state.directoryAudits.length = 0;
    h.sim.state.requestLog.length = 0;
    h.sent.length = 0;
  });

  it('says when it stopped with records left, and down to which instant it read everything', async () => {
    const all = Array.from({ length: 9 }, (_, i) => recordSignIn(h.sim.state, { user: DEMO.bg02, at: at(T + i * 1000), steps: KEY }));
    const first = await h.dir.readSignIns({ userIds: [DEMO.bg02], since: at(T - 60_000), until: at(T + 60_000), pageSize: 2, maxRecords: 3 });
    // The whole page that reaches the cap is kept: four records, the newest.
    expect(first).toMatchObject({ complete: false, queries: 1, truncatedQueries: 1, coveredAfter: all[5]!.createdDateTime });
    expect(first.records.map((r) => r.id)).toEqual(all.slice(5).reverse().map((r) => r.id));
    // Reading on up to that instant (inclusive) gets the rest; together nothing is missing.
    const rest = await h.dir.readSignIns({ userIds: [DEMO.bg02], since: at(T - 60_000), until: first.coveredAfter!, pageSize: 2, maxRecords: 100 });
    expect(rest).toMatchObject({ complete: true, truncatedQueries: 0 });
    expect(rest.coveredAfter).toBeUndefined();
    expect(new Set([...first.records, ...rest.records].map((r) => r.id))).toEqual(new Set(all.map((r) => r.id)));
    // The old list call still returns at most maxRecords, the newest.
    expect((await h.dir.listSignIns({ userIds: [DEMO.bg02], since: at(T - 60_000), pageSize: 2, maxRecords: 3 })).map((r) => r.id)).toEqual(all.slice(6).reverse().map((r) => r.id));
  });

  it('rounds the instant up to the millisecond, so Graph\'s 7-digit timestamps are never cut off', async () => {
    recordSignIn(h.sim.state, { user: DEMO.bg02, at: '2026-11-02T10:00:05.0000000Z', steps: KEY });
    recordSignIn(h.sim.state, { user: DEMO.bg02, at: '2026-11-02T10:00:00.1234567Z', steps: KEY });
    recordSignIn(h.sim.state, { user: DEMO.bg02, at: '2026-11-02T09:59:00.0000000Z', steps: KEY });
    const r = await h.dir.readSignIns({ userIds: [DEMO.bg02], since: at(T - 3_600_000), pageSize: 2, maxRecords: 2 });
    expect(r.complete).toBe(false);
    expect(r.coveredAfter).toBe('2026-11-02T10:00:00.124Z');
  });

  it('gives every batch of 15 users its own cap, so a busy batch cannot hide another', async () => {
    const others = Array.from({ length: 15 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    for (let i = 0; i < 6; i++) recordSignIn(h.sim.state, { user: DEMO.bg01, at: at(T + i * 1000), steps: KEY });
    const quiet = recordSignIn(h.sim.state, { user: DEMO.bg02, at: at(T - 30_000), steps: KEY });
    // bg-01 and 14 unknown ids make the first batch (full: six records, cap 2); bg-02 is alone in the second.
    const r = await h.dir.readSignIns({ userIds: [DEMO.bg01, ...others.slice(0, 14), DEMO.bg02], since: at(T - 60_000), pageSize: 2, maxRecords: 2 });
    expect(r).toMatchObject({ complete: false, queries: 2, truncatedQueries: 1 });
    expect(r.records.map((x) => x.id)).toContain(quiet.id);
    expect(h.wire('GET', '/beta/auditLogs/signIns')).toHaveLength(2);
  });

  it('asks for directory audits per target user, newest first, and refuses ambiguous targets before calling Graph', async () => {
    const bg01 = h.sim.state.findUser(DEMO.bg01)!;
    const bg02 = h.sim.state.findUser(DEMO.bg02)!;
    const alice = h.sim.state.findUser(DEMO.alice)!;
    const mine = [recordDirectoryAudit(h.sim.state, { activityDisplayName: 'User registered security info', resultReason: 'x', operationType: 'Add', user: alice, target: bg01 })];
    h.clock.advance(1000);
    recordDirectoryAudit(h.sim.state, { activityDisplayName: 'User registered security info', resultReason: 'x', operationType: 'Add', user: alice, target: alice });
    h.clock.advance(1000);
    mine.push(recordDirectoryAudit(h.sim.state, { activityDisplayName: 'Admin deleted security info', resultReason: 'x', operationType: 'Delete', user: alice, target: bg02 }));
    const since = at(h.clock.now().getTime() - 60_000);
    const r = await h.dir.readDirectoryAudits({ since, targetUserIds: [DEMO.bg01, DEMO.bg02, DEMO.bg01.toUpperCase()], loggedByService: 'Authentication Methods' });
    expect(r).toMatchObject({ complete: true, queries: 2 });
    expect(r.records.map((a) => a.id)).toEqual(mine.reverse().map((a) => a.id));
    for (const x of h.sent.filter((s) => s.url.includes('/auditLogs/directoryAudits'))) {
      const q = new URL(x.url).searchParams;
      expect(q.get('$orderby')).toBe('activityDateTime desc');
      expect(q.get('$filter')).toMatch(/^activityDateTime ge \S+ and loggedByService eq 'Authentication Methods' and targetResources\/any\(t: t\/id eq '[0-9a-f-]{36}'\)$/);
    }
    h.sim.state.requestLog.length = 0;
    await expect(h.dir.readDirectoryAudits({ since, targetUserIds: [] })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(h.dir.readDirectoryAudits({ since, targetUserId: DEMO.bg01, targetUserIds: [DEMO.bg02] })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(h.dir.readDirectoryAudits({ since, targetUserIds: ['bg-01'] })).rejects.toThrow(/GUID/);
    expect(h.wire()).toHaveLength(0);
  });

  it('the simulated tenant orders directory audits by activityDateTime only, as Graph documents', async () => {
    const bg01 = h.sim.state.findUser(DEMO.bg01)!;
    const older = recordDirectoryAudit(h.sim.state, { activityDisplayName: 'User registered security info', resultReason: 'x', operationType: 'Add', target: bg01 });
    h.clock.advance(1000);
    const newer = recordDirectoryAudit(h.sim.state, { activityDisplayName: 'User registered security info', resultReason: 'x', operationType: 'Add', target: bg01 });
    const [asc, desc, bad] = await h.dir.batch([
      { id: 'asc', method: 'GET', url: '/auditLogs/directoryAudits?$orderby=activityDateTime asc' },
      { id: 'desc', method: 'GET', url: '/auditLogs/directoryAudits?$orderby=activityDateTime desc' },
      { id: 'bad', method: 'GET', url: '/auditLogs/directoryAudits?$orderby=id' },
    ]);
    expect((asc!.body as { value: { id: string }[] }).value.map((a) => a.id)).toEqual([older.id, newer.id]);
    expect((desc!.body as { value: { id: string }[] }).value.map((a) => a.id)).toEqual([newer.id, older.id]);
    expect(bad!.status).toBe(400);
  });
});
