// Invites, roles, several passkeys per officer, and step-up, on both storage backends; plus rate limits and the
// rule that secrets (session ids, CSRF tokens, the bootstrap code, invite tokens) never reach the log, the audit log,
// an error message or a URL.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { backendsUnderTest, createBackend, type Backend } from '../../helpers/backends.ts';
import { rawRows } from '../../helpers/audit-fixture.ts';
import { auditEntries, Browser, openHarness, signedInCast, type Harness } from './auth-harness.ts';

const backends = await backendsUnderTest();

describe.each(backends)('officers, invites and passkeys on %s', (name) => {
  let b: Backend;
  let h: Harness;
  let admin: Browser;
  let officer: Browser;
  let auditor: Browser;

  beforeAll(async () => {
    b = await createBackend(name);
    h = await openHarness(b);
    ({ admin, officer, auditor } = await signedInCast(h));
  });
  afterAll(async () => {
    await h.close();
    await b.dispose();
  });

  test('an invite makes an officer with the invited role; the link works once', async () => {
    const list = await admin.request('GET', '/api/officers');
    expect(list.json().officers.map((o: { username: string; role: string; passkeys: number }) => [o.username, o.role, o.passkeys])).toEqual(
      expect.arrayContaining([
        ['alice', 'admin', 1],
        ['officer1', 'officer', 1],
        ['auditor1', 'auditor', 1],
      ]),
    );
    const inv = await admin.request('POST', '/api/officers/invites', { displayName: 'Bob', role: 'officer', hours: 2 });
    expect(inv.statusCode).toBe(200);
    const { link, invite } = inv.json();
    expect(link).toMatch(/^http:\/\/localhost:3999\/invite#[A-Za-z0-9_-]{43}$/);
    expect(invite).toMatchObject({ displayName: 'Bob', role: 'officer', status: 'pending' });
    const token = link.split('#')[1];
    // Only the token's hash is stored.
    expect(JSON.stringify(await rawRows(b, 'SELECT * FROM officer_invite'))).not.toContain(token);
    const bob = new Browser(h.app);
    const peek = await bob.request('POST', '/api/auth/invite/inspect', { token });
    expect(peek.json()).toMatchObject({ displayName: 'Bob', role: 'officer', invitedBy: 'Alice Admin' });
    expect((await bob.acceptInvite(link, 'bob', 'Bob')).json()).toMatchObject({ officer: { username: 'bob', role: 'officer' } });
    const twice = await new Browser(h.app).acceptInvite(link, 'bob2', 'Bob again');
    expect(twice.statusCode).toBe(410);
    expect(twice.json()).toMatchObject({ code: 'invite_invalid', details: { reason: 'used' } });
    const [created] = await auditEntries(h, 'officer.created');
    expect(created!.data).toMatchObject({ username: 'bob', role: 'officer', inviteId: invite.id });
    const [failed] = await auditEntries(h, 'auth.invite_failed');
    expect(failed).toMatchObject({ subject: `invite:${invite.id}`, data: { reason: 'invite_invalid' } });
  });

  test('invites expire, can be revoked, and unknown tokens are refused', async () => {
    const inv = (await admin.request('POST', '/api/officers/invites', { displayName: 'Late', role: 'auditor', hours: 1 })).json();
    const revoke = (await admin.request('POST', '/api/officers/invites', { displayName: 'Revoked', role: 'auditor' })).json();
    expect((await admin.request('DELETE', `/api/officers/invites/${revoke.invite.id}`)).json()).toMatchObject({ status: 'revoked' });
    expect((await new Browser(h.app).acceptInvite(revoke.link, 'rev', 'Rev')).json()).toMatchObject({ code: 'invite_invalid', details: { reason: 'revoked' } });
    h.clock.advance(61 * 60_000);
    expect((await new Browser(h.app).acceptInvite(inv.link, 'late', 'Late')).json()).toMatchObject({ code: 'invite_invalid', details: { reason: 'expired' } });
    // An hour without requests also ended every session (15-minute idle timeout): sign everyone in again.
    expect((await admin.request('GET', '/api/officers/invites')).json()).toMatchObject({ code: 'session_expired' });
    for (const br of [admin, officer, auditor]) expect((await br.signIn()).statusCode).toBe(200);
    const unknown = await new Browser(h.app).request('POST', '/api/auth/invite/inspect', { token: 'A'.repeat(43) });
    expect(unknown.statusCode).toBe(404);
    const states = (await admin.request('GET', '/api/officers/invites')).json().invites.map((i: { displayName: string; status: string }) => `${i.displayName}:${i.status}`);
    expect(states).toEqual(expect.arrayContaining(['Late:expired', 'Revoked:revoked', 'Bob:used']));
    expect(await rawRows(b, "SELECT id FROM officer WHERE username IN ('late', 'rev')")).toHaveLength(0);
  });

  test('admin actions need a fresh step-up; a passkey assertion opens the window for a few minutes', async () => {
    h.clock.advance(6 * 60_000);
    expect((await admin.request('GET', '/api/auth/session')).json().stepUpValidUntil < h.clock.now().toISOString()).toBe(true);
    const refused = await admin.request('POST', '/api/officers/invites', { displayName: 'X', role: 'auditor' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'step_up_required', details: { windowMinutes: 5 } });
    const up = await admin.stepUp();
    expect(up.statusCode).toBe(200);
    expect((await admin.request('POST', '/api/officers/invites', { displayName: 'X', role: 'auditor' })).statusCode).toBe(200);
    const [entry] = await auditEntries(h, 'auth.step_up');
    expect(entry!.data).toMatchObject({ passkeyId: expect.any(String), validUntil: expect.any(String) });
    h.clock.advance(5 * 60_000 + 1000);
    expect((await admin.request('POST', '/api/officers/invites', { displayName: 'Y', role: 'auditor' })).json()).toMatchObject({ code: 'step_up_required' });
  });

  test('a step-up with a failed assertion is refused and recorded', async () => {
    const res = await admin.stepUp({ uv: false });
    expect(res.json()).toMatchObject({ code: 'webauthn_invalid' });
    const [entry] = await auditEntries(h, 'auth.step_up_failed');
    expect(entry).toMatchObject({ actor: expect.stringMatching(/^officer:/), data: { reason: 'webauthn_invalid' } });
    // Another officer's passkey cannot step up this session.
    const start = (await admin.request('POST', '/api/auth/step-up/options', {})).json();
    const other = officer.authenticator.assert({ ...start.options, allowCredentials: [] });
    const res2 = await admin.request('POST', '/api/auth/step-up/verify', { ceremonyId: start.ceremonyId, response: other });
    expect(res2.statusCode).toBe(401);
    expect((await admin.request('GET', '/api/auth/session')).json().stepUpValidUntil < h.clock.now().toISOString()).toBe(true);
  });

  test('roles change under step-up and take effect at once; the last admin and yourself are protected', async () => {
    await admin.stepUp();
    const officers = (await admin.request('GET', '/api/officers')).json().officers as { id: string; username: string }[];
    const id = (u: string) => officers.find((o) => o.username === u)!.id;
    expect((await auditor.request('GET', '/api/audit/entries')).statusCode).toBe(200);
    const demote = await admin.request('PATCH', `/api/officers/${id('auditor1')}`, { role: 'officer' });
    expect(demote.json()).toMatchObject({ role: 'officer' });
    // The same session, the new role: the audit log is no longer readable.
    expect((await auditor.request('GET', '/api/audit/entries')).json()).toMatchObject({ code: 'forbidden', details: { role: 'officer' } });
    const [changed] = await auditEntries(h, 'officer.role_changed');
    expect(changed).toMatchObject({ subject: `officer:${id('auditor1')}`, data: { from: 'auditor', to: 'officer' } });
    expect((await admin.request('PATCH', `/api/officers/${id('alice')}`, { role: 'auditor' })).json()).toMatchObject({ code: 'self_change' });
    // Make bob admin, then bob cannot demote alice? He can — two admins. But demoting the last one is refused.
    expect((await admin.request('PATCH', `/api/officers/${id('auditor1')}`, { role: 'auditor' })).statusCode).toBe(200);
  });

  test('the last active admin cannot be demoted or disabled', async () => {
    // Promote officer1, let officer1 try to demote alice while alice is the only other admin: allowed (two admins);
    // then alice cannot demote officer1 once alice herself is demoted — the count guard is what we check here.
    await admin.stepUp();
    const officers = (await admin.request('GET', '/api/officers')).json().officers as { id: string; username: string }[];
    const officerId = officers.find((o) => o.username === 'officer1')!.id;
    const aliceId = officers.find((o) => o.username === 'alice')!.id;
    expect((await admin.request('PATCH', `/api/officers/${officerId}`, { role: 'admin' })).statusCode).toBe(200);
    await officer.stepUp();
    expect((await officer.request('PATCH', `/api/officers/${aliceId}`, { status: 'disabled' })).json()).toMatchObject({ status: 'disabled' });
    // alice's sessions ended with the change.
    expect((await admin.request('GET', '/api/auth/session')).statusCode).toBe(401);
    // Now officer1 is the only active admin: nobody can take that away (and not themselves).
    expect((await officer.request('PATCH', `/api/officers/${officerId}`, { role: 'officer' })).json()).toMatchObject({ code: 'self_change' });
    // A disabled officer's passkey no longer signs in.
    const refused = await admin.signIn();
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'officer_disabled' });
    expect((await officer.request('PATCH', `/api/officers/${aliceId}`, { status: 'active', role: 'admin' })).json()).toMatchObject({ status: 'active', role: 'admin' });
    expect((await admin.signIn()).statusCode).toBe(200);
    await admin.stepUp();
    expect((await admin.request('PATCH', `/api/officers/${officerId}`, { role: 'officer' })).statusCode).toBe(200);
    // alice is the last admin again; officer1 is no admin, so only a count of one admin remains.
    expect(Number((await rawRows(b, "SELECT count(*) AS n FROM officer WHERE role = 'admin' AND status = 'active'"))[0]!.n)).toBe(1);
    const [disabled] = await auditEntries(h, 'officer.disabled');
    expect(disabled!.data).toMatchObject({ sessionsEnded: expect.any(Number) });
  });

  test('an officer holds several named passkeys, renames them, and cannot remove the last one', async () => {
    await officer.stepUp();
    const start = await officer.request('POST', '/api/me/passkeys/options', {});
    expect(start.statusCode).toBe(200);
    const { ceremonyId, options } = start.json();
    // The options exclude the key already registered, so the same authenticator is not registered twice.
    expect(options.excludeCredentials).toHaveLength(1);
    const added = await officer.request('POST', '/api/me/passkeys/verify', { ceremonyId, response: officer.authenticator.register(options), name: 'Backup key' });
    expect(added.json()).toMatchObject({ name: 'Backup key', aaguid: expect.any(String), backedUp: false });
    const list = (await officer.request('GET', '/api/me/passkeys')).json().passkeys as { id: string; name: string }[];
    expect(list.map((p) => p.name)).toEqual(["officer1's key", 'Backup key']);
    expect((await officer.request('PATCH', `/api/me/passkeys/${list[1]!.id}`, { name: 'Safe B key' })).json()).toMatchObject({ name: 'Safe B key' });
    // The second key signs in too.
    const second = new Browser(h.app, officer.authenticator);
    expect((await second.signIn({ credentialId: officer.authenticator.credentials[1]!.id })).statusCode).toBe(200);
    // Removing the first key ends the other session signed in with it, not this one.
    const other = new Browser(h.app, officer.authenticator);
    expect((await other.signIn({ credentialId: officer.authenticator.credentials[0]!.id })).statusCode).toBe(200);
    const removed = await officer.request('DELETE', `/api/me/passkeys/${list[0]!.id}`);
    expect(removed.statusCode).toBe(200);
    expect((await other.request('GET', '/api/auth/session')).statusCode).toBe(401);
    expect((await second.request('GET', '/api/auth/session')).statusCode).toBe(200);
    const last = await officer.request('DELETE', `/api/me/passkeys/${list[1]!.id}`);
    expect(last.statusCode).toBe(409);
    expect(last.json()).toMatchObject({ code: 'last_passkey' });
    expect((await auditEntries(h, 'officer.passkey_removed'))[0]!.data).toMatchObject({ name: "officer1's key" });
    expect((await auditEntries(h, 'officer.passkey_renamed'))[0]!.data).toMatchObject({ from: 'Backup key', to: 'Safe B key' });
  });

  test("one officer cannot rename or remove another officer's passkey", async () => {
    const theirs = (await admin.request('GET', '/api/me/passkeys')).json().passkeys[0].id;
    await officer.stepUp();
    expect((await officer.request('PATCH', `/api/me/passkeys/${theirs}`, { name: 'mine now' })).statusCode).toBe(404);
    expect((await officer.request('DELETE', `/api/me/passkeys/${theirs}`)).statusCode).toBe(404);
  });
});

describe('rate limits and secrecy', () => {
  let b: Backend;
  let h: Harness;
  beforeAll(async () => {
    b = await createBackend('sqlite');
    h = await openHarness(b, { BREAKGLASS_AUTH_RATE_LIMIT: '5' });
  });
  afterAll(async () => {
    await h.close();
    await b.dispose();
  });

  test('the sign-in routes answer 429 with Retry-After once a client exceeds the limit', async () => {
    const codes: number[] = [];
    let last;
    for (let i = 0; i < 6; i++) {
      last = await h.app.inject({ method: 'POST', url: '/api/auth/sign-in/options', payload: {} });
      codes.push(last.statusCode);
    }
    expect(codes).toEqual([200, 200, 200, 200, 200, 429]);
    expect(last!.json()).toMatchObject({ code: 'rate_limited', details: { retryAfterSeconds: expect.any(Number) } });
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    // Other routes are not limited by it.
    expect((await h.app.inject({ method: 'GET', url: '/api/auth/status' })).statusCode).toBe(200);
  });

  test('no secret reaches the service log, the audit log, an error message or a URL', async () => {
    const code = h.bootstrapCode;
    const admin = new Browser(h.app);
    await admin.bootstrap(code);
    const sessionId = admin.cookie!.split('=')[1]!;
    const csrf = admin.csrf!;
    const inv = await admin.request('POST', '/api/officers/invites', { displayName: 'Carol', role: 'auditor' });
    const token = inv.json().link.split('#')[1] as string;
    const carol = new Browser(h.app);
    await carol.acceptInvite(inv.json().link, 'carol', 'Carol');
    const carolSession = carol.cookie!.split('=')[1]!;
    // Some failures, so error paths are covered too.
    await new Browser(h.app).bootstrap(code);
    await h.app.inject({ method: 'POST', url: '/api/auth/invite/inspect', payload: { token } });
    await h.app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { cookie: admin.cookie!, 'x-csrf-token': `${csrf}x` } });
    await admin.request('POST', '/api/auth/sign-out');
    const secrets = { code, sessionId, csrf, token, carolSession };
    const logs = h.logs();
    expect(logs.length).toBeGreaterThan(1000); // trace level: every request was logged
    const audit = JSON.stringify(await auditEntries(h));
    const errors = [...admin.seen, ...carol.seen].filter((r) => r.statusCode >= 400).map((r) => r.body).join('\n');
    const urls = logs.match(/"url":"[^"]*"/g)?.join('\n') ?? '';
    for (const [what, value] of Object.entries(secrets)) {
      expect(logs, `${what} in the service log`).not.toContain(value);
      expect(audit, `${what} in the audit log`).not.toContain(value);
      expect(errors, `${what} in an error message`).not.toContain(value);
      expect(urls, `${what} in a URL`).not.toContain(value);
    }
    // And the database keeps none of them either.
    const db = JSON.stringify([...(await rawRows(b, 'SELECT * FROM auth_session')), ...(await rawRows(b, 'SELECT * FROM officer_invite')), ...(await rawRows(b, 'SELECT * FROM auth_bootstrap'))]);
    for (const value of Object.values(secrets)) expect(db).not.toContain(value);
  });
});
