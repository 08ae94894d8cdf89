// Officer sign-in end to end through the HTTP app on both storage backends: bootstrap, sign-in/out, sessions and
// their timeouts, CSRF and origin checks, and every kind of bad ceremony input — each rejected with a stable code,
// recorded in the audit log, and changing nothing.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { backendsUnderTest, createBackend, type Backend } from '../../helpers/backends.ts';
import { rawRows } from '../../helpers/audit-fixture.ts';
import { auditEntries, Browser, openHarness, ORIGIN, type Harness } from './auth-harness.ts';

const backends = await backendsUnderTest();

describe.each(backends)('officer sign-in on %s', (name) => {
  let b: Backend;
  let h: Harness;
  let admin: Browser;

  beforeAll(async () => {
    b = await createBackend(name);
    h = await openHarness(b);
  });
  afterAll(async () => {
    await h.close();
    await b.dispose();
  });

  async function sessionRows(): Promise<number> {
    return Number((await rawRows(b, 'SELECT count(*) AS n FROM auth_session'))[0]!.n);
  }

  test('the first start issues a bootstrap code: in a 0600 file and the banner, stored only as a hash', async () => {
    expect(h.bootstrapCode).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){4}$/);
    const file = join(b.dataDir, 'bootstrap-code.txt');
    expect(readFileSync(file, 'utf8')).toContain(h.bootstrapCode);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const rows = await rawRows(b, 'SELECT code_hash FROM auth_bootstrap');
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(h.bootstrapCode);
    const status = await h.app.inject({ method: 'GET', url: '/api/auth/status' });
    expect(status.json()).toMatchObject({ bootstrapRequired: true, signedIn: false, origin: ORIGIN, rpId: 'localhost' });
  });

  test('a wrong bootstrap code is refused, recorded without the code, and creates nothing', async () => {
    const browser = new Browser(h.app);
    const wrong = 'AAAA-BBBB-CCCC-DDDD-EEEE';
    const res = await browser.bootstrap(wrong);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'bootstrap_invalid' });
    const [fail] = await auditEntries(h, 'auth.bootstrap_failed');
    expect(fail).toMatchObject({ actor: 'anonymous', data: { reason: 'bootstrap_invalid', codeFingerprint: expect.stringMatching(/^[0-9a-f]{12}$/) } });
    expect(JSON.stringify(fail)).not.toContain(wrong);
    expect(await rawRows(b, 'SELECT id FROM officer')).toHaveLength(0);
  });

  test('the right code registers the first admin, signs them in with a strict session cookie, and is used up', async () => {
    admin = new Browser(h.app);
    const res = await admin.bootstrap(h.bootstrapCode.toLowerCase().replace(/-/g, ' '));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ officer: { username: 'alice', displayName: 'Alice Admin', role: 'admin', status: 'active' }, permissions: expect.arrayContaining(['officers.manage', 'audit.read']) });
    const cookie = res.cookies.find((c) => c.name === 'breakglass_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie.secure).toBeFalsy(); // plain http://localhost: Secure would make the browser drop it
    expect(existsSync(join(b.dataDir, 'bootstrap-code.txt'))).toBe(false);
    // The session id is only in the cookie: the database keeps its hash.
    expect(JSON.stringify(await rawRows(b, 'SELECT * FROM auth_session'))).not.toContain(cookie.value);
    const again = await new Browser(h.app).bootstrap(h.bootstrapCode);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'bootstrap_done' });
    const actions = (await auditEntries(h)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['officer.created', 'officer.passkey_added', 'auth.signed_in', 'auth.bootstrap_issued']));
    expect((await h.app.inject({ method: 'GET', url: '/api/auth/status' })).json()).toMatchObject({ bootstrapRequired: false });
  });

  test('sign out ends the session; signing in again with the passkey starts a new one', async () => {
    const me = await admin.request('GET', '/api/auth/session');
    expect(me.statusCode).toBe(200);
    const oldCookie = admin.cookie;
    const out = await admin.request('POST', '/api/auth/sign-out');
    expect(out.statusCode).toBe(200);
    expect(admin.cookie).toBeUndefined();
    // The old cookie is dead on the server, not just forgotten by the browser.
    const stale = await h.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie: oldCookie! } });
    expect(stale.statusCode).toBe(401);
    const back = await admin.signIn();
    expect(back.statusCode).toBe(200);
    expect(back.json().officer.username).toBe('alice');
    expect((await admin.request('GET', '/api/auth/session')).statusCode).toBe(200);
    const [signedIn] = await auditEntries(h, 'auth.signed_in');
    expect(signedIn).toMatchObject({ actor: expect.stringMatching(/^officer:/), data: { via: 'passkey', userVerified: true } });
    expect((await auditEntries(h, 'auth.signed_out')).length).toBe(1);
  });

  describe('bad ceremony input is refused with a stable code, audited, and changes nothing', () => {
    async function attempt(mutate: (opts: { ceremonyId: string; options: Record<string, unknown> }) => Promise<{ statusCode: number; json(): unknown }>) {
      const before = { sessions: await sessionRows(), counters: await rawRows(b, 'SELECT id, counter FROM officer_passkey ORDER BY id'), audit: (await h.runtime.audit.head()).size };
      const start = await h.app.inject({ method: 'POST', url: '/api/auth/sign-in/options', payload: {} });
      const res = await mutate(start.json() as { ceremonyId: string; options: Record<string, unknown> });
      expect(await sessionRows()).toBe(before.sessions);
      expect(await rawRows(b, 'SELECT id, counter FROM officer_passkey ORDER BY id')).toEqual(before.counters);
      const [last] = await h.runtime.audit.entries({ limit: 1 });
      expect(last!.seq).toBe(before.audit); // exactly one new entry: the failure
      expect(last!.action).toBe('auth.sign_in_failed');
      return { res, entry: last! };
    }
    const verify = (body: unknown) => h.app.inject({ method: 'POST', url: '/api/auth/sign-in/verify', payload: body as object });

    test('a replayed response (same ceremony twice) → challenge_unknown', async () => {
      const start = await h.app.inject({ method: 'POST', url: '/api/auth/sign-in/options', payload: {} });
      const { ceremonyId, options } = start.json();
      const response = admin.authenticator.assert(options);
      const first = await verify({ ceremonyId, response });
      expect(first.statusCode).toBe(200);
      const { res, entry } = await attempt(() => verify({ ceremonyId, response }));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'challenge_unknown', detail: expect.stringMatching(/already used/) });
      expect(entry.data).toMatchObject({ reason: 'challenge_unknown', ceremony: 'sign-in' });
    });

    test('an old response replayed into a new ceremony, or a forged challenge → challenge_mismatch', async () => {
      const old = await h.app.inject({ method: 'POST', url: '/api/auth/sign-in/options', payload: {} });
      const oldResponse = admin.authenticator.assert(old.json().options);
      const { res } = await attempt(({ ceremonyId }) => verify({ ceremonyId, response: oldResponse }));
      expect(res.json()).toMatchObject({ code: 'challenge_mismatch' });
      const { res: forged } = await attempt(({ ceremonyId, options }) => verify({ ceremonyId, response: admin.authenticator.assert(options as never, { challenge: Buffer.from('forged challenge').toString('base64url') }) }));
      expect(forged.statusCode).toBe(400);
      expect(forged.json()).toMatchObject({ code: 'challenge_mismatch' });
    });

    test('an expired ceremony → challenge_expired', async () => {
      const { res } = await attempt(async ({ ceremonyId, options }) => {
        h.clock.advance(121_000);
        return verify({ ceremonyId, response: admin.authenticator.assert(options as never) });
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'challenge_expired' });
    });

    test('a response made for another site → origin_mismatch', async () => {
      const { res } = await attempt(({ ceremonyId, options }) => verify({ ceremonyId, response: admin.authenticator.assert(options as never, { origin: 'https://evil.example' }) }));
      expect(res.json()).toMatchObject({ code: 'origin_mismatch', detail: expect.stringContaining(ORIGIN) });
    });

    test('a passkey breakglass does not know → 401 credential_unknown', async () => {
      const stranger = new Browser(h.app);
      stranger.authenticator.register({ rp: { id: 'localhost' }, user: { id: 'AAAA', name: 'x' }, challenge: 'AAAA' });
      const { res, entry } = await attempt(({ ceremonyId, options }) => verify({ ceremonyId, response: stranger.authenticator.assert(options as never) }));
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'credential_unknown' });
      expect(entry.data).toMatchObject({ reason: 'credential_unknown', credentialFingerprint: expect.stringMatching(/^[0-9a-f]{12}$/) });
    });

    test('a signature counter that goes backwards (a cloned key?) → 401 counter_regressed', async () => {
      const { res, entry } = await attempt(({ ceremonyId, options }) => verify({ ceremonyId, response: admin.authenticator.assert(options as never, { counter: 1 }) }));
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'counter_regressed' });
      expect(entry).toMatchObject({ subject: expect.stringMatching(/^officer:/), data: { reason: 'counter_regressed', storedCounter: expect.any(Number) } });
    });

    test('no user verification, or a broken signature → webauthn_invalid', async () => {
      const { res: noUv } = await attempt(({ ceremonyId, options }) => verify({ ceremonyId, response: admin.authenticator.assert(options as never, { uv: false }) }));
      expect(noUv.json()).toMatchObject({ code: 'webauthn_invalid', detail: expect.stringMatching(/did not verify you/) });
      const { res: badSig } = await attempt(({ ceremonyId, options }) => verify({ ceremonyId, response: admin.authenticator.assert(options as never, { badSignature: true }) }));
      expect(badSig.statusCode).toBe(400);
      expect(badSig.json()).toMatchObject({ code: 'webauthn_invalid' });
      // The authenticator thinks it signed twice; the server's counter did not move, so the next real use still works.
      expect((await admin.signIn()).statusCode).toBe(200);
    });

    test('malformed JSON, a wrong content type, or a body of the wrong shape → 4xx problem+json, audited', async () => {
      const { res: badJson, entry } = await attempt(() => h.app.inject({ method: 'POST', url: '/api/auth/sign-in/verify', headers: { 'content-type': 'application/json' }, payload: '{"ceremonyId":' }));
      expect(badJson.statusCode).toBe(400);
      expect(badJson.json()).toMatchObject({ code: 'invalid_json' });
      expect(entry.data).toMatchObject({ reason: 'invalid_json' });
      const { res: text } = await attempt(() => h.app.inject({ method: 'POST', url: '/api/auth/sign-in/verify', headers: { 'content-type': 'text/plain' }, payload: 'hello' }));
      expect(text.statusCode).toBe(415);
      expect(text.json()).toMatchObject({ code: 'unsupported_media_type' });
      const { res: shape } = await attempt(({ ceremonyId }) => verify({ ceremonyId, response: { id: 'not base64!' } }));
      expect(shape.statusCode).toBe(400);
      expect(shape.json()).toMatchObject({ code: 'invalid_input' });
    });
  });

  describe('sessions', () => {
    test('end after the idle timeout, and the browser is told to forget the cookie', async () => {
      const br = new Browser(h.app, admin.authenticator);
      expect((await br.signIn()).statusCode).toBe(200);
      h.clock.advance(14 * 60_000);
      expect((await br.request('GET', '/api/auth/session')).statusCode).toBe(200);
      h.clock.advance(14 * 60_000); // 14 minutes since the last request: still inside the 15-minute idle window
      expect((await br.request('GET', '/api/auth/session')).statusCode).toBe(200);
      h.clock.advance(15 * 60_000 + 1000);
      const res = await br.request('GET', '/api/auth/session');
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'session_expired', detail: expect.stringMatching(/without activity/) });
      expect(res.cookies.find((c) => c.name === 'breakglass_session')?.value).toBe('');
    });

    test('end at the absolute timeout however active the officer is', async () => {
      const br = new Browser(h.app, admin.authenticator);
      expect((await br.signIn()).statusCode).toBe(200);
      for (let i = 0; i < 47; i++) {
        h.clock.advance(10 * 60_000);
        expect((await br.request('GET', '/api/auth/session')).statusCode).toBe(200);
      }
      h.clock.advance(10 * 60_000); // 8 hours after sign-in
      const res = await br.request('GET', '/api/auth/session');
      expect(res.json()).toMatchObject({ code: 'session_expired', detail: expect.stringMatching(/maximum length/) });
    });

    test('state changes need the CSRF token of the session, and must come from our own origin', async () => {
      expect((await admin.signIn()).statusCode).toBe(200);
      const noToken = await h.app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { cookie: admin.cookie!, origin: ORIGIN } });
      expect(noToken.statusCode).toBe(403);
      expect(noToken.json()).toMatchObject({ code: 'csrf_failed' });
      const wrongToken = await h.app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { cookie: admin.cookie!, 'x-csrf-token': 'x'.repeat(43) } });
      expect(wrongToken.json()).toMatchObject({ code: 'csrf_failed' });
      const crossSite = await h.app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { cookie: admin.cookie!, 'x-csrf-token': admin.csrf!, origin: 'https://evil.example' } });
      expect(crossSite.statusCode).toBe(403);
      expect(crossSite.json()).toMatchObject({ code: 'cross_origin' });
      const fetchMeta = await h.app.inject({ method: 'POST', url: '/api/auth/sign-in/options', headers: { 'sec-fetch-site': 'cross-site' }, payload: {} });
      expect(fetchMeta.json()).toMatchObject({ code: 'cross_origin' });
      // The session survived all of that.
      expect((await admin.request('GET', '/api/auth/session')).statusCode).toBe(200);
    });

    test('signing in again in the same browser replaces its session', async () => {
      const before = await sessionRows();
      const oldCookie = admin.cookie!;
      expect((await admin.signIn()).statusCode).toBe(200);
      expect(await sessionRows()).toBe(before);
      expect((await h.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie: oldCookie } })).statusCode).toBe(401);
    });
  });
});

describe('cookies under TLS', () => {
  test('a https public URL gives a __Host- cookie with Secure', async () => {
    const b = await createBackend('sqlite');
    const h = await openHarness(b, { BREAKGLASS_PUBLIC_URL: 'https://breakglass.example.org' });
    try {
      const br = new Browser(h.app);
      const res = await br.request('POST', '/api/auth/bootstrap/options', { code: h.bootstrapCode, username: 'tls', displayName: 'TLS' }, { origin: 'https://breakglass.example.org' });
      const { ceremonyId, options } = res.json();
      const auth = new (br.authenticator.constructor as typeof import('./soft-authenticator.ts').SoftAuthenticator)('https://breakglass.example.org');
      const done = await h.app.inject({
        method: 'POST',
        url: '/api/auth/bootstrap/verify',
        headers: { origin: 'https://breakglass.example.org' },
        payload: { ceremonyId, response: auth.register(options), passkeyName: 'k' },
      });
      expect(done.statusCode).toBe(200);
      expect(done.cookies[0]).toMatchObject({ name: '__Host-breakglass_session', secure: true, httpOnly: true, sameSite: 'Strict', path: '/' });
      expect(done.cookies[0]!.domain).toBeUndefined();
    } finally {
      await h.close();
      await b.dispose();
    }
  });
});
