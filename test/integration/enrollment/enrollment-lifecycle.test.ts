// The request's life outside the happy path: four eyes, expiry, a TAP that expires unused (deleted and alerted), a
// pass used without a key, a different key registered than the one pre-checked, an existing pass nobody explains,
// a TAP policy that refuses (explained, nothing issued), a key swapped between pre-check and run, and two officers
// racing to run the same approval (one TAP).
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualSecurityKey } from '../../../hardware/index.ts';
import { EnrollmentService } from '../../../server/enrollment/enrollment-service.ts';
import { virtualKeyProvider } from '../../../server/enrollment/key-provider.ts';
import { ALICE, BOB, DEMO, KEY_PIN, openEnrollHarness, SecurityInfoClient, type EnrollHarness } from './enrollment-harness.ts';

const NEW_YUBIKEY = resolve(import.meta.dirname, '../../fixtures/enrollment/yubikey-5-nfc-new.json');

let h: EnrollHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const stepUp = (x: EnrollHarness) => ({ method: 'passkey-step-up' as const, via: 'web' as const, stepUpAt: x.g.clock.now().toISOString() });

async function requested(x: EnrollHarness, mode: 'guided' | 'direct' = 'guided') {
  return (await x.service.request({ account: DEMO.bg02Upn, mode, reason: 'test', actor: ALICE })).request.id;
}

describe('four eyes and expiry', () => {
  it('the requester cannot approve, run before approval, or reject their own request; only the requester runs it', async () => {
    h = await openEnrollHarness();
    const id = await requested(h);
    await expect(h.service.approve({ id, actor: ALICE, evidence: stepUp(h) })).rejects.toMatchObject({ code: 'four_eyes' });
    await expect(h.service.issueTap({ id, actor: ALICE })).rejects.toMatchObject({ code: 'not_approved' });
    await expect(h.service.reject({ id, actor: ALICE, reason: 'no' })).rejects.toMatchObject({ code: 'own_request' });
    await h.service.approve({ id, actor: BOB, evidence: stepUp(h) });
    await expect(h.service.approve({ id, actor: BOB, evidence: stepUp(h) })).rejects.toMatchObject({ code: 'not_awaiting_approval' });
    await expect(h.service.issueTap({ id, actor: BOB })).rejects.toMatchObject({ code: 'not_requester' });
    expect(await h.g.dir.listTemporaryAccessPasses(DEMO.bg02)).toEqual([]);
  });

  it('one open request per account', async () => {
    h = await openEnrollHarness();
    await requested(h);
    await expect(h.service.request({ account: DEMO.bg02Upn, mode: 'direct', reason: 'again', actor: BOB })).rejects.toMatchObject({ code: 'enrollment_open' });
  });

  it('requests expire: an expired request can be neither approved nor run, and the sweep closes it', async () => {
    h = await openEnrollHarness({ env: { BREAKGLASS_ENROLLMENT_TTL_HOURS: '2' } });
    const a = await requested(h);
    h.g.clock.advance(2 * 3_600_000);
    await expect(h.service.approve({ id: a, actor: BOB, evidence: stepUp(h) })).rejects.toMatchObject({ code: 'request_expired' });
    expect((await h.service.get(a)).state).toBe('expired');

    const b = await requested(h);
    await h.service.approve({ id: b, actor: BOB, evidence: stepUp(h) });
    h.g.clock.advance(2 * 3_600_000 + 1);
    const swept = await h.service.sweep();
    expect(swept.changed).toBe(1);
    expect((await h.service.get(b)).state).toBe('expired');
    await expect(h.service.issueTap({ id: b, actor: ALICE })).rejects.toMatchObject({ code: 'request_expired' });
    expect(await h.g.dir.listTemporaryAccessPasses(DEMO.bg02)).toEqual([]);
    expect((await h.runtime.audit.entries({ limit: 10, action: 'enrollment.expired' })).map((e) => e.subject).sort()).toEqual([`enrollment:${a}`, `enrollment:${b}`].sort());
  });
});

describe('the TAP after it was issued', () => {
  it('a TAP that expires unused is deleted, the request expires, and an alert is raised once', async () => {
    h = await openEnrollHarness();
    const id = await requested(h);
    await h.service.approve({ id, actor: BOB, evidence: stepUp(h) });
    const issued = await h.service.issueTap({ id, actor: ALICE });
    h.g.clock.advance(60 * 60_000);
    expect((await h.g.dir.getTemporaryAccessPass(DEMO.bg02, issued.request.tap.methodId!)).methodUsabilityReason).toBe('Expired');
    const w = await h.service.watch({ id });
    expect(w.outcome).toBe('expired');
    expect(w.request).toMatchObject({ state: 'expired', error: { code: 'tap_expired_unused' }, tap: { state: 'deleted' } });
    expect(await h.g.dir.listTemporaryAccessPasses(DEMO.bg02)).toEqual([]);
    expect(h.hooks.alerts).toEqual([expect.objectContaining({ kind: 'enrollment.tap_expired_unused', severity: 'warning', subject: `account:${h.bg02.id}`, dedupeKey: `enrollment:${id}:tap` })]);
    await h.service.sweep();
    expect(h.hooks.alerts).toHaveLength(1);
  });

  it('a TAP used to sign in with no key registered by its expiry is a critical anomaly', async () => {
    h = await openEnrollHarness();
    const id = await requested(h);
    await h.service.approve({ id, actor: BOB, evidence: stepUp(h) });
    const issued = await h.service.issueTap({ id, actor: ALICE });
    await new SecurityInfoClient(issued.securityInfoUrl).signIn(DEMO.bg02Upn, issued.temporaryAccessPass);
    expect((await h.service.watch({ id })).tap).toEqual({ usable: false, reason: 'OneTimeUsed' });
    h.g.clock.advance(60 * 60_000 + 5 * 60_000);
    const w = await h.service.watch({ id });
    expect(w.request.error?.code).toBe('tap_used_no_key');
    expect(h.hooks.alerts[0]).toMatchObject({ kind: 'enrollment.tap_anomaly', severity: 'critical' });
  });

  it('a different key registered with the pass fails the request, deletes the pass and alerts; the stray key stays for review', async () => {
    h = await openEnrollHarness();
    const id = await requested(h);
    await h.service.approve({ id, actor: BOB, evidence: stepUp(h) });
    const issued = await h.service.issueTap({ id, actor: ALICE });
    // Another model the tenant also accepts (so Entra registers it), but not the one pre-checked and approved.
    h.g.sim.state.fido2Policy.passkeyProfiles![1]!.keyRestrictions.aaGuids.push('57e466f2-2f74-44f2-a7fd-a5a438446aed');
    const wrong = await VirtualSecurityKey.load('breakglass-virtual', { pin: KEY_PIN });
    const browser = new SecurityInfoClient(issued.securityInfoUrl);
    await browser.signIn(DEMO.bg02Upn, issued.temporaryAccessPass);
    const reg = await browser.registerKey(wrong, 'not the one');
    expect(reg.status).toBe(201);
    const w = await h.service.watch({ id });
    expect(w.outcome).toBe('failed');
    expect(w.request.error?.code).toBe('aaguid_mismatch');
    expect(w.request.error?.message).toContain(String(reg.json.id));
    expect(await h.g.dir.listTemporaryAccessPasses(DEMO.bg02)).toEqual([]);
    expect(h.hooks.alerts[0]).toMatchObject({ kind: 'enrollment.key_mismatch', severity: 'critical' });
  });

  it('an existing usable TAP that breakglass did not issue blocks issuing (it would be silently replaced)', async () => {
    h = await openEnrollHarness();
    const id = await requested(h);
    await h.service.approve({ id, actor: BOB, evidence: stepUp(h) });
    const stray = await h.g.dir.createTemporaryAccessPass(DEMO.bg02, { lifetimeInMinutes: 60 });
    await expect(h.service.issueTap({ id, actor: ALICE })).rejects.toMatchObject({ code: 'tap_exists', details: { tapMethodId: stray.method.id } });
    expect((await h.service.get(id)).state).toBe('approved');
    expect((await h.g.dir.listTemporaryAccessPasses(DEMO.bg02)).map((t) => t.id)).toEqual([stray.method.id]);
  });

  it('a TAP policy that refuses is explained; nothing is issued and the request stays approved', async () => {
    h = await openEnrollHarness();
    const id = await requested(h);
    await h.service.approve({ id, actor: BOB, evidence: stepUp(h) });
    h.g.sim.state.tapPolicy.state = 'disabled';
    await expect(h.service.issueTap({ id, actor: ALICE })).rejects.toMatchObject({ code: 'tap_policy', message: expect.stringContaining('disabled in the tenant\'s authentication methods policy') });
    h.g.sim.state.tapPolicy.state = 'enabled';
    h.g.sim.state.tapPolicy.minimumLifetimeInMinutes = 600;
    h.g.sim.state.tapPolicy.maximumLifetimeInMinutes = 900;
    await expect(h.service.issueTap({ id, actor: ALICE })).rejects.toMatchObject({ message: expect.stringContaining('lives 600 minutes, longer than breakglass accepts') });
    expect((await h.service.get(id)).state).toBe('approved');
    expect(await h.g.dir.listTemporaryAccessPasses(DEMO.bg02)).toEqual([]);
    expect((await h.runtime.audit.entries({ limit: 5, action: 'enrollment.tap_refused' }))).toHaveLength(2);
  });

  it('two runs of the same approval at once issue one TAP', async () => {
    h = await openEnrollHarness();
    const id = await requested(h);
    await h.service.approve({ id, actor: BOB, evidence: stepUp(h) });
    // A second service instance on the same store: another process (the CLI beside the web service).
    const twin = new EnrollmentService({ audit: h.runtime.audit, directory: h.g.dir, keys: virtualKeyProvider(h.key), settings: h.settings, allowList: undefined, hooks: h.hooks });
    const results = await Promise.allSettled([h.service.issueTap({ id, actor: ALICE }), twin.issueTap({ id, actor: ALICE })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(['request_state_changed', 'not_runnable']).toContain((failed.reason as { code: string }).code);
    expect(h.g.wire('POST', '/temporaryAccessPassMethods')).toHaveLength(1);
  });
});

describe('direct mode checks', () => {
  it('refuses a key other than the pre-checked one, and a wrong PIN, without touching Entra', async () => {
    h = await openEnrollHarness();
    const id = await requested(h, 'direct');
    await h.service.approve({ id, actor: BOB, evidence: stepUp(h) });
    await expect(h.service.registerDirect({ id, actor: ALICE, pin: '000000' })).rejects.toMatchObject({ code: 'pin_invalid' });
    expect((await h.runtime.audit.entries({ limit: 1, action: 'enrollment.key_pin_rejected' }))[0]!.data).toMatchObject({ retriesLeft: 7 });
    const swapped = new EnrollmentService({ audit: h.runtime.audit, directory: h.g.dir, keys: virtualKeyProvider(await VirtualSecurityKey.load('breakglass-virtual', { pin: KEY_PIN })), settings: h.settings, allowList: undefined, hooks: h.hooks });
    await expect(swapped.registerDirect({ id, actor: ALICE, pin: KEY_PIN })).rejects.toMatchObject({ code: 'wrong_key' });
    expect(h.g.wire('POST', '/fido2Methods')).toHaveLength(0);
    expect((await h.service.get(id)).state).toBe('approved');
  });

  it('sets a PIN on a new key, then registers it', async () => {
    h = await openEnrollHarness({ profile: NEW_YUBIKEY, pin: null });
    expect(h.key.state.pinSet).toBe(false);
    const pre = await h.service.precheck({ account: DEMO.bg02Upn, mode: 'direct' });
    expect(pre.findings.find((f) => f.check === 'pin.set')).toMatchObject({ outcome: 'info' });
    const id = await requested(h, 'direct');
    await h.service.approve({ id, actor: BOB, evidence: stepUp(h) });
    const r = await h.service.registerDirect({ id, actor: ALICE, newPin: '192837' });
    expect(r.state).toBe('completed');
    expect(h.key.state.pinSet).toBe(true);
  });
});
