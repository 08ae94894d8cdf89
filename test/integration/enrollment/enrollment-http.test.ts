// Both modes through the HTTP API, as the web front end drives it: real sessions, CSRF, roles and passkey step-ups
// (the auth harness's soft authenticators), the embedded simulated tenant, and a virtual key as the service's key
// source. Afterwards every response, every log line and the database file are scanned for the TAP and the PIN.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredential, type CreationOptionsJSON } from '../../../hardware/index.ts';
import { sharedEnrollment } from '../../../server/enrollment/enrollment-wiring.ts';
import { backendEnv } from '../../helpers/audit-fixture.ts';
import { createBackend, type Backend } from '../../helpers/backends.ts';
import { runCli } from '../../helpers/cli.ts';
import { Browser, openHarness, signedInCast, type Harness } from '../auth/auth-harness.ts';
import { DEMO, SecurityInfoClient, sqliteBytes } from './enrollment-harness.ts';

/** A new YubiKey 5 NFC (no PIN yet) is the key attached to the service's workstation. */
const NEW_KEY_PROFILE = resolve(import.meta.dirname, '../../fixtures/enrollment/yubikey-5-nfc-new.json');
const NEW_PIN = '5551234';

interface Env {
  b: Backend;
  h: Harness;
  cast: { admin: Browser; officer: Browser; auditor: Browser };
}

async function open(): Promise<Env> {
  const b = await createBackend('sqlite');
  const h = await openHarness(b, { BREAKGLASS_KEY_SOURCE: `virtual:${NEW_KEY_PROFILE}`, BREAKGLASS_ENROLLMENT_POLL_SECONDS: '0', BREAKGLASS_RECONCILE_MINUTES: '0' }, { directory: true });
  const cast = await signedInCast(h);
  const d = await cast.admin.request('POST', '/api/accounts', { user: DEMO.bg02Upn });
  expect(d.statusCode, d.body).toBe(200);
  return { b, h, cast };
}

/** Everything the service said or wrote except the one response that carried the pass. */
function haystack(e: Env, exceptBodyWith?: string): Promise<string> {
  const responses = [e.cast.admin, e.cast.officer, e.cast.auditor].flatMap((x) => x.seen.map((r) => r.body)).filter((body) => !exceptBodyWith || !body.includes(exceptBodyWith));
  return e.h.runtime.audit.entries({ limit: 5000 }).then((entries) => [responses.join('\n'), e.h.logs(), JSON.stringify(entries), sqliteBytes(e.b)].join('\n'));
}

describe('guided enrollment over HTTP', () => {
  let e: Env;
  let h: Harness;
  let cast: Env['cast'];
  let id = '';
  let tap = '';
  beforeAll(async () => {
    e = await open();
    ({ h, cast } = e);
  });
  afterAll(async () => {
    await e.h.close();
    await e.b.dispose();
  });

  it('pre-checks the key attached to the service for the account, before anything is spent', async () => {
    const pre = await cast.officer.request('POST', '/api/enrollments/precheck', { account: DEMO.bg02Upn, mode: 'guided' });
    expect(pre.statusCode, pre.body).toBe(200);
    expect(pre.json()).toMatchObject({ verdict: 'allowed', key: { aaguid: '2fc0579f-8113-47ea-b116-bb5a8db9202a', virtual: true, pinSet: false }, policy: { profiles: ['Emergency access security keys'], tapLifetimeMinutes: 60 } });
    expect(await h.runtime.simulator!.state.methodsOf(DEMO.bg02).filter((m) => m.kind !== 'other')).toEqual([]);
  });

  it('four eyes: the requester cannot approve, an auditor may not, another officer approves with a fresh passkey', async () => {
    const req = await cast.officer.request('POST', '/api/enrollments', { account: DEMO.bg02Upn, mode: 'guided', reason: 'first key', location: 'Safe A', sealNumber: 'S-1' });
    expect(req.statusCode, req.body).toBe(200);
    id = req.json().request.id;
    const own = await cast.officer.request('POST', `/api/enrollments/${id}/approve`);
    expect(own.statusCode).toBe(409);
    expect(own.json().code).toBe('four_eyes');
    expect((await cast.auditor.request('POST', `/api/enrollments/${id}/approve`)).statusCode).toBe(403);
    // The admin's passkey check is old: approving asks for a step-up first.
    h.clock.advance(6 * 60_000);
    const stale = await cast.admin.request('POST', `/api/enrollments/${id}/approve`);
    expect(stale.json().code).toBe('step_up_required');
    expect((await cast.admin.stepUp()).statusCode).toBe(200);
    const ok = await cast.admin.request('POST', `/api/enrollments/${id}/approve`);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().request).toMatchObject({ state: 'approved' });
    expect(ok.json().you).toMatchObject({ isApprover: true, canRun: false });
    const mine = await cast.officer.request('GET', `/api/enrollments/${id}`);
    expect(mine.json().you).toMatchObject({ isRequester: true, canRun: true });
  });

  it('issues the TAP once, in a no-store response, and finishes when the key appears', async () => {
    expect((await cast.officer.stepUp()).statusCode).toBe(200);
    const res = await cast.officer.request('POST', `/api/enrollments/${id}/tap`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    tap = body.temporaryAccessPass;
    expect(tap).toMatch(/^\S{8,}$/);
    expect(body.request.state).toBe('awaiting_registration');
    expect(body.securityInfoUrl).toBe(h.runtime.simulator!.securityInfo!.url);
    expect((await cast.officer.request('POST', `/api/enrollments/${id}/watch`)).json().outcome).toBe('waiting');

    // The account's browser, with the same (pre-checked) key: it asks for a new PIN on the new key, then registers.
    const browser = new SecurityInfoClient(body.securityInfoUrl);
    expect((await browser.signIn(DEMO.bg02Upn, tap)).status).toBe(200);
    const options = await browser.call('POST', '/api/security-key/options', {});
    const response = await (await sharedEnrollment(h.runtime)).keys.withKey(async ({ key }) => {
      await key.clientPin().setPin(NEW_PIN);
      await key.refreshInfo();
      return createCredential(key, options.json as unknown as CreationOptionsJSON, { origin: body.securityInfoUrl, pin: NEW_PIN });
    });
    expect((await browser.call('POST', '/api/security-key/register', { displayName: 'BG-02 A', response })).status).toBe(201);
    const done = await cast.officer.request('POST', `/api/enrollments/${id}/watch`);
    expect(done.json()).toMatchObject({ outcome: 'completed', request: { state: 'completed', tap: { state: 'consumed' } } });
    // Nobody can get the pass again: the request view has its method id only.
    const view = await cast.auditor.request('GET', `/api/enrollments/${id}`);
    expect(view.json().steps.map((s: { action: string }) => s.action)).toContain('enrollment.completed');
    expect(view.body).not.toContain(tap);
  });

  it('the TAP appears nowhere else: not in other responses, the logs, the audit log, its exports or the database', async () => {
    expect(tap.length).toBeGreaterThan(0);
    expect(await haystack(e, '"temporaryAccessPass"')).not.toContain(tap);
    for (const format of ['jsonl', 'csv']) {
      const out = join(e.b.dataDir, `export.${format}`);
      const res = await runCli(['audit', 'export', '--format', format, '--out', out], backendEnv(e.b));
      expect(res.code, res.stderr).toBe(0);
      const exported = readFileSync(out, 'utf8');
      expect(exported).toContain('enrollment.tap_issued');
      expect(exported).not.toContain(tap);
    }
    expect([cast.admin, cast.officer, cast.auditor].flatMap((x) => x.seen).filter((r) => r.body.includes(tap))).toHaveLength(1);
    expect(await haystack(e)).not.toContain(NEW_PIN);
  });
});

describe('direct enrollment over HTTP', () => {
  let e: Env;
  beforeAll(async () => {
    e = await open();
  });
  afterAll(async () => {
    await e.h.close();
    await e.b.dispose();
  });

  it('sets the PIN on the new key and registers it on behalf of the account, in one step-up call', async () => {
    const { cast } = e;
    const req = await cast.admin.request('POST', '/api/enrollments', { account: DEMO.bg02Upn, mode: 'direct', reason: 'first key', location: 'Safe B' });
    expect(req.statusCode, req.body).toBe(200);
    const did = req.json().request.id;
    expect((await cast.officer.request('POST', `/api/enrollments/${did}/approve`)).statusCode).toBe(200);
    const short = await cast.admin.request('POST', `/api/enrollments/${did}/register`, { newPin: '12' });
    expect(short.statusCode).toBe(400);
    expect(short.body).not.toContain('"12"');
    const reg = await cast.admin.request('POST', `/api/enrollments/${did}/register`, { newPin: NEW_PIN });
    expect(reg.statusCode, reg.body).toBe(200);
    expect(reg.json().request).toMatchObject({ state: 'completed', mode: 'direct' });
    const account = (await cast.auditor.request('GET', '/api/inventory')).json().accounts[0];
    const detail = await cast.auditor.request('GET', `/api/inventory/accounts/${account.account.id}`);
    expect(detail.json().keys).toEqual([expect.objectContaining({ enrolledVia: 'direct', location: 'Safe B', serial: '30117422', status: 'active' })]);
    const rec = await cast.officer.request('POST', `/api/inventory/accounts/${account.account.id}/reconcile`);
    expect(rec.json()).toMatchObject({ problems: 0 });
    expect(await haystack(e)).not.toContain(NEW_PIN);
  });

  it('refuses free text with control or invisible formatting characters: 400 problem+json, nothing changed', async () => {
    const { cast, h } = e;
    const head = async () => (await h.runtime.audit.entries({ limit: 1 }))[0]!.seq;
    const account = (await cast.auditor.request('GET', '/api/inventory')).json().accounts[0].account;
    const keyOf = async () => (await cast.auditor.request('GET', `/api/inventory/accounts/${account.id}`)).json().keys[0];
    const key = await keyOf();
    const before = await head();
    const cases: [string, 'POST' | 'PATCH', string, Record<string, unknown>, string][] = [
      ['terminal escape in a reason', 'PATCH', `/api/inventory/keys/${key.id}`, { sealNumber: 'S-9', reason: 're-sealed\u001b[2K\rall keys accounted for' }, 'body.reason'],
      ['bidi override in a location', 'POST', '/api/enrollments', { account: DEMO.bg02Upn, mode: 'direct', reason: 'spare', location: 'Safe \u202eB' }, 'body.location'],
      ['NUL in a custodian name', 'POST', `/api/inventory/accounts/${account.id}/custodians`, { name: 'Dana\u0000Ruiz' }, 'body.name'],
    ];
    for (const [what, method, url, body, field] of cases) {
      const res = await cast.admin.request(method, url, body);
      expect(res.statusCode, what).toBe(400);
      expect(res.headers['content-type'], what).toMatch(/^application\/problem\+json/);
      expect(res.json(), what).toMatchObject({ code: 'invalid_input', errors: [{ field, message: 'must not contain control or invisible formatting characters' }] });
    }
    expect(await head()).toBe(before);
    expect(await keyOf()).toEqual(key);
    expect((await cast.auditor.request('GET', `/api/inventory/accounts/${account.id}`)).json().custodians).toEqual([]);
    expect((await cast.auditor.request('GET', '/api/enrollments')).json().requests).toHaveLength(1);
    // Ordinary text (accents, emoji, punctuation, and the letters of the pattern's own `\p{Cc}`) passes the same check.
    const ok = await cast.admin.request('PATCH', `/api/inventory/keys/${key.id}`, { sealNumber: 'S-9', reason: 'Re-sealed in cupboard C {p} after the drill — Zoë 🔒 (2026-11-02)' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ sealNumber: 'S-9' });
  });
});
