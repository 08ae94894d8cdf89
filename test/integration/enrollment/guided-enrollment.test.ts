// Guided mode end to end against the simulated tenant: officer A requests (the pre-check reads the virtual key over
// HID), officer B approves, A gets a one-time TAP with the policy's shortest lifetime, the account signs in on the
// simulated security-info page and registers the key, and breakglass notices the key, confirms the TAP was consumed,
// adds the key to the inventory and schedules the first drill — with every step in the audit log.
import { afterEach, describe, expect, it } from 'vitest';
import { listKeys } from '../../../server/accounts/key-inventory.ts';
import { ALICE, BOB, DEMO, openEnrollHarness, SecurityInfoClient, sqliteBytes, type EnrollHarness } from './enrollment-harness.ts';

let h: EnrollHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function approvedGuided(x: EnrollHarness) {
  const { request } = await x.service.request({ account: DEMO.bg02Upn, mode: 'guided', reason: 'first key for BG-02', location: 'Safe A, shelf 2', sealNumber: 'SEAL-0001', actor: ALICE });
  await x.service.approve({ id: request.id, actor: BOB, evidence: { method: 'passkey-step-up', via: 'web', stepUpAt: x.g.clock.now().toISOString() } });
  return request.id;
}

describe('guided enrollment', () => {
  it('runs from request to a completed inventory entry, and the TAP never reaches the store, the logs or the audit log', async () => {
    h = await openEnrollHarness();
    const id = await approvedGuided(h);
    const issued = await h.service.issueTap({ id, actor: ALICE });
    expect(issued.lifetimeMinutes).toBe(60); // the demo policy's minimum
    expect(issued.request.state).toBe('awaiting_registration');
    expect(issued.securityInfoUrl).toBe(h.g.sim.securityInfo!.url);
    const tapOnGraph = await h.g.dir.listTemporaryAccessPasses(DEMO.bg02);
    expect(tapOnGraph).toHaveLength(1);
    expect(tapOnGraph[0]).toMatchObject({ isUsableOnce: true, lifetimeInMinutes: 60, isUsable: true });

    // Nothing registered yet: the watch keeps waiting.
    expect((await h.service.watch({ id })).outcome).toBe('waiting');

    const browser = new SecurityInfoClient(issued.securityInfoUrl);
    expect((await browser.signIn(DEMO.bg02Upn, issued.temporaryAccessPass)).status).toBe(200);
    const reg = await browser.registerKey(h.key, 'BG-02 key');
    expect(reg.status).toBe(201);

    const done = await h.service.watch({ id });
    expect(done.outcome).toBe('completed');
    const r = done.request;
    expect(r.state).toBe('completed');
    expect(r.tap.state).toBe('consumed');
    expect(r.fido2MethodId).toBe(reg.json.id);
    expect(r.drillDueAt).toBeTruthy();
    expect(h.hooks.drillClock).toEqual([expect.objectContaining({ accountId: h.bg02.id, reason: 'key_enrolled' })]);

    const keys = await listKeys(h.runtime.database.db, { accountId: h.bg02.id });
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ status: 'active', aaguid: '2fc0579f-8113-47ea-b116-bb5a8db9202a', model: 'YubiKey 5 Series with NFC', graphMethodId: reg.json.id, enrolledVia: 'guided', location: 'Safe A, shelf 2', sealNumber: 'SEAL-0001', enrollmentId: id });

    const evidence = (await h.runtime.audit.entries({ limit: 100, subject: `enrollment:${id}` })).reverse();
    expect(evidence.map((e) => e.action)).toEqual(['enrollment.requested', 'enrollment.approved', 'enrollment.tap_issuing', 'enrollment.tap_issued', 'enrollment.key_detected', 'enrollment.completed']);
    const completed = evidence.at(-1)!.data as Record<string, any>;
    expect(completed).toMatchObject({ requestedBy: ALICE, approvedBy: BOB, mode: 'guided', graph: { fido2MethodId: reg.json.id, tapMethodId: tapOnGraph[0]!.id, tapOutcome: 'consumed (OneTimeUsed)' } });
    expect(completed.key).toMatchObject({ aaguid: '2fc0579f-8113-47ea-b116-bb5a8db9202a', sealNumber: 'SEAL-0001' });

    // The TAP value: nowhere but the one response.
    const everything = [sqliteBytes(h.backend), h.g.logs.join('\n'), JSON.stringify(await h.runtime.audit.entries({ limit: 1000 })), JSON.stringify(r)].join('\n');
    expect(everything).not.toContain(issued.temporaryAccessPass);
  });
});
