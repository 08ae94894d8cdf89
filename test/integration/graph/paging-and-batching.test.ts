// Paging and batching through the real graph-client against the simulator: @odata.nextLink followed verbatim across
// pages, record caps, $batch chunking at 20, item order, non-GET batches never resent, and the posture read's call
// budget (ceil(N/20) + 3) for a realistic tenant.
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../server/errors.ts';
import { GraphUnavailableError } from '../../../server/graph/graph-errors.ts';
import { recordSignIn } from '../../../server/simulator/sign-in-writer.ts';
import { DEMO, startHarness, type Harness } from '../../fixtures/graph/sim-harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('paging', () => {
  it('follows @odata.nextLink until the last page, newest first', async () => {
    h = await startHarness({ reportsThrottle: false });
    for (let i = 0; i < 23; i++) {
      recordSignIn(h.sim.state, { user: DEMO.bg02, at: new Date(Date.parse('2026-11-01T00:00:00Z') + i * 60_000).toISOString(), steps: [{ method: 'Passkey (device-bound)', succeeded: true }] });
    }
    const all = await h.dir.listSignIns({ userIds: [DEMO.bg02], since: '2026-11-01T00:00:00Z', pageSize: 5 });
    expect(all).toHaveLength(23);
    expect(new Set(all.map((s) => s.id)).size).toBe(23);
    expect(all[0]!.createdDateTime > all[22]!.createdDateTime).toBe(true);
    expect(h.wire('GET', '/beta/auditLogs/signIns')).toHaveLength(5);
    const capped = await h.dir.listSignIns({ userIds: [DEMO.bg02], since: '2026-11-01T00:00:00Z', pageSize: 5, maxRecords: 7 });
    expect(capped).toHaveLength(7);
  });

  it('reads many accounts in chunks of 15 per filter', async () => {
    h = await startHarness({ reportsThrottle: false });
    const ids = [DEMO.bg01, DEMO.bg02, ...Array.from({ length: 16 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`)];
    const found = await h.dir.listSignIns({ userIds: ids, since: '2026-01-01T00:00:00Z' });
    expect(found.every((s) => s.userId === DEMO.bg01)).toBe(true);
    expect(h.wire('GET', '/beta/auditLogs/signIns')).toHaveLength(2);
  });

  it('refuses bad queries before calling Graph', async () => {
    h = await startHarness();
    await expect(h.dir.listSignIns({ userIds: [], since: '2026-01-01T00:00:00Z' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(h.dir.listSignIns({ userIds: ['bg-01'], since: '2026-01-01T00:00:00Z' })).rejects.toThrow(/GUID/);
    await expect(h.dir.listSignIns({ userIds: [DEMO.bg01], since: 'last tuesday' })).rejects.toThrow(/ISO 8601/);
    await expect(h.dir.createTemporaryAccessPass(DEMO.bg02, { lifetimeInMinutes: 5 })).rejects.toThrow(/10 to 43200/);
    await expect(h.dir.getUser('a/b')).rejects.toBeInstanceOf(InvalidInputError);
    expect(h.wire()).toHaveLength(0);
  });
});

describe('$batch', () => {
  it('splits 45 requests into 3 batches and answers in request order', async () => {
    h = await startHarness();
    const requests = Array.from({ length: 45 }, (_, i) => ({ id: `q${i}`, method: 'GET' as const, url: `/users/${i % 2 ? DEMO.bg01 : DEMO.bg02}?$select=id` }));
    const res = await h.dir.batch(requests);
    expect(res.map((r) => r.id)).toEqual(requests.map((r) => r.id));
    expect(res.every((r, i) => (r.body as { id: string }).id === (i % 2 ? DEMO.bg01 : DEMO.bg02))).toBe(true);
    expect(h.wire('POST', '/$batch')).toHaveLength(3);
  });

  it('does not resend a batch that contains a write', async () => {
    h = await startHarness();
    h.sim.faults.add({ kind: 'status', status: 503, path: '/$batch', times: 1, retryAfterSeconds: 1 });
    const err = await h.dir.batch([
      { id: 'w', method: 'POST', url: `/users/${DEMO.sender}/sendMail`, body: { message: { subject: 's', body: { contentType: 'Text', content: 'c' }, toRecipients: [{ emailAddress: { address: 'a@example.com' } }] } } },
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphUnavailableError);
    expect(h.wire('POST', '/$batch')).toHaveLength(1);
    expect(h.sim.state.sentMail).toHaveLength(0);
  });

  it('refuses duplicate ids and absolute urls locally', async () => {
    h = await startHarness();
    await expect(h.dir.batch([{ id: 'a', method: 'GET', url: '/users' }, { id: 'a', method: 'GET', url: '/users' }])).rejects.toThrow(/unique/);
    await expect(h.dir.batch([{ id: 'a', method: 'GET', url: 'https://graph.microsoft.com/v1.0/users' }])).rejects.toThrow(/relative/);
  });
});

describe('posture read', () => {
  it('reads the demo tenant\'s two emergency accounts in two calls (goal ≤ ceil(2/20) + 3)', async () => {
    h = await startHarness();
    const p = await h.dir.readPosture([DEMO.bg01, DEMO.bg02]);
    expect(h.wire()).toHaveLength(2);
    expect(p.globalAdministratorIds).toEqual(expect.arrayContaining([DEMO.bg01, DEMO.bg02]));
    const [a, b] = p.accounts;
    expect(a).toMatchObject({ userId: DEMO.bg01, user: { userPrincipalName: DEMO.bg01Upn } });
    expect(a!.fido2Methods.map((m) => m.aaGuid)).toEqual(['2fc0579f-8113-47ea-b116-bb5a8db9202a']);
    expect(b!.fido2Methods).toEqual([]);
    expect(a!.policyGroupIds).toContain(DEMO.emergencyGroup);
    expect(p.conditionalAccessPolicies.length).toBe(4);
    expect(p.fido2Policy.passkeyProfiles?.length).toBe(2);
  });

  it('reads 20 accounts in two $batch calls: the group reads ride with the methods lists that did not fit the first', async () => {
    const extra = Array.from({ length: 18 }, (_, i) => `3c9e1f00-0000-4000-8000-${String(i).padStart(12, '0')}`);
    h = await startHarness({
      edit: (f) => {
        for (const [i, id] of extra.entries()) {
          f.users.push({ id, userPrincipalName: `bg-extra-${i}@${f.tenant.defaultDomain}`, displayName: `Emergency ${i}`, accountEnabled: true, userType: 'Member', onPremisesSyncEnabled: null } as never);
          f.groupMembers![DEMO.emergencyGroup]!.push(id);
        }
      },
    });
    const ids = [DEMO.bg01, DEMO.bg02, ...extra];
    const p = await h.dir.readPosture(ids);
    expect(h.wire()).toHaveLength(2);
    expect(h.wire().every((r) => r.method === 'POST' && r.path.endsWith('/$batch'))).toBe(true);
    // What each $batch carried: the second has the group reads (they need the policies from the first).
    const items = h.sent.map((r) => (JSON.parse(r.body!) as { requests: { url: string }[] }).requests.map((q) => q.url));
    expect(items[0]!.some((u) => u.includes('/policies/'))).toBe(true);
    expect(items[0]!.some((u) => u.includes('/authentication/methods'))).toBe(true);
    expect(items[1]!.some((u) => u.includes('/transitiveMembers'))).toBe(true);
    expect(items.flat().filter((u) => u.includes('/authentication/methods'))).toHaveLength(20);
    expect(p.accounts.map((a) => a.userId)).toEqual(ids);
    expect(p.accounts.every((a) => a.user !== null && a.policyGroupIds.includes(DEMO.emergencyGroup))).toBe(true);
  });

  it('reports a TAP just issued and a deleted account as a null user', async () => {
    h = await startHarness();
    await h.dir.createTemporaryAccessPass(DEMO.bg02, {});
    const ghost = '00000000-0000-4000-8000-00000000dead';
    const p = await h.dir.readPosture([DEMO.bg02, ghost]);
    expect(p.accounts[0]!.temporaryAccessPasses).toHaveLength(1);
    expect(p.accounts[0]!.temporaryAccessPasses[0]!.temporaryAccessPass ?? null).toBeNull();
    expect(p.accounts[1]).toMatchObject({ userId: ghost, user: null, fido2Methods: [], policyGroupIds: [] });
  });
});
