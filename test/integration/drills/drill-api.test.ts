// The drill console, incidents and readiness report through the HTTP API, as the web front end uses it: real app,
// real sessions (passkeys), the embedded simulated tenant behind the real Graph client. Bad input is a problem+json
// 4xx that changes nothing; closing a drill needs a fresh passkey step-up; the enforcement view comes as CSV and by
// mail with the CSV attached.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SignInMonitor } from '../../../server/monitoring/sign-in-monitor.ts';
import { recordSignIn } from '../../../server/simulator/sign-in-writer.ts';
import type { TenantState } from '../../../server/simulator/tenant-state.ts';
import { createBackend, type Backend } from '../../helpers/backends.ts';
import { openHarness, signedInCast, type Browser, type Harness } from '../auth/auth-harness.ts';

const BG01 = 'bg-01@contosodemo.onmicrosoft.com';
const BRAM = 'b4d6f8a0-2c3e-4a7b-9d1f-3e5a7c9e1f24';
const MIN = 60_000;

let b: Backend;
let h: Harness;
let officer: Browser;
let auditor: Browser;
let sim: TenantState;

beforeAll(async () => {
  b = await createBackend('sqlite');
  h = await openHarness(b, { BREAKGLASS_MAIL_SENDER: 'secops@contosodemo.onmicrosoft.com' }, { directory: true });
  sim = h.runtime.simulator!.state;
  ({ officer, auditor } = await signedInCast(h));
  expect((await officer.request('POST', '/api/accounts', { user: BG01 })).statusCode).toBe(200);
});
afterAll(async () => {
  await h.close();
  await b.dispose();
});

async function counts() {
  const db = h.runtime.database.db;
  return { audit: (await h.runtime.audit.head()).size, drills: (await db.selectFrom('drill').selectAll().execute()).length };
}

describe('the drill console over HTTP', () => {
  let drillId: string;

  test('bad input to open a drill is a 400 problem+json that changes nothing', async () => {
    const before = await counts();
    for (const body of [
      { account: BG01, performer: 'Dana', witness: 'dana' },
      { account: BG01, performer: 'Dana', witness: 'Wim', start: '2020-01-01T00:00:00Z' },
      { account: BG01, performer: 'Dana', witness: 'Wim', minutes: 5 },
      { account: BG01, performer: 'Dana' },
    ]) {
      const res = await officer.request('POST', '/api/drills', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json().detail).toBeTruthy();
    }
    const unknown = await officer.request('POST', '/api/drills', { account: 'nobody@contosodemo.onmicrosoft.com', performer: 'A', witness: 'B' });
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'not_found']);
    expect(await counts()).toEqual(before);
  });

  test('an officer announces a window; the calendar shows it', async () => {
    const res = await officer.request('POST', '/api/drills', { account: BG01, performer: 'Dana Okafor', witness: 'Wim de Boer', minutes: 45, expectedKey: 'BG-01 YubiKey 5 NFC #21045871' });
    expect(res.statusCode).toBe(200);
    drillId = res.json().id;
    expect(res.json()).toMatchObject({ status: 'open', phase: 'in_progress', verification: { state: 'waiting', signIn: null } });
    const cal = (await auditor.request('GET', '/api/drills/calendar')).json();
    expect(cal.accounts).toEqual([expect.objectContaining({ upn: BG01, state: 'ok', openDrill: expect.objectContaining({ id: drillId, verification: 'waiting' }) })]);
    expect(cal.schedule).toEqual({ reminderDays: [14, 7, 1], overdueDays: [1, 7], overdueRepeatDays: 7, changeDueDays: 14 });
    const again = await officer.request('POST', '/api/drills', { account: BG01, performer: 'X', witness: 'Y' });
    expect([again.statusCode, again.json().code]).toEqual([409, 'drill_open']);
  });

  test('verify finds the sign-in in the logs and captures it', async () => {
    h.clock.advance(6 * MIN);
    const s = recordSignIn(sim, { user: BG01, steps: [{ method: 'Passkey (device-bound)', succeeded: true }] });
    h.clock.advance(4 * MIN);
    const res = await officer.request('POST', `/api/drills/${drillId}/verify`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ verdict: 'verified', signInId: s.id, drill: { verification: { state: 'verified', signIn: { id: s.id, methods: ['Passkey (device-bound)'] } } } });
    // The drill page shows the alerts about the account, announcement included.
    const page = (await auditor.request('GET', `/api/drills/${drillId}`)).json();
    expect(page.alerts.map((a: { kind: string }) => a.kind).sort()).toEqual(['drill.announced', 'drill.sign_in_verified']);
  });

  test('closing needs a fresh passkey step-up and a complete checklist', async () => {
    h.clock.advance(6 * MIN);
    const checklist = { sealIntactBefore: true, sealNumberBefore: 'S-77', sealNumberAfter: 'S-78', witnessConfirmed: true, adminTaskProven: true };
    const stale = await officer.request('POST', `/api/drills/${drillId}/close`, { result: 'passed', checklist });
    expect([stale.statusCode, stale.json().code]).toEqual([403, 'step_up_required']);
    expect((await officer.stepUp()).statusCode).toBe(200);
    const incomplete = await officer.request('POST', `/api/drills/${drillId}/close`, { result: 'passed', checklist: { ...checklist, witnessConfirmed: false, sealNumberAfter: '' } });
    expect(incomplete.statusCode).toBe(409);
    expect(incomplete.json()).toMatchObject({ code: 'drill_not_passable', details: { blockers: ['record the new seal number after re-sealing', 'the witness (Wim de Boer) must confirm'] } });
    const ok = await officer.request('POST', `/api/drills/${drillId}/close`, { result: 'passed', checklist });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'passed', checklist, result: { closedBy: expect.stringMatching(/^officer:/) } });
    const due = ok.json().result.nextDueAt as string;
    expect(Date.parse(due) - Date.parse(ok.json().verification.signIn.createdDateTime)).toBe(90 * 86_400_000);
  });

  test('a later sign-in outside any window is an incident an officer classifies once; auditors only read', async () => {
    h.clock.advance(60 * MIN);
    recordSignIn(sim, { user: BG01, steps: [{ method: 'Passkey (device-bound)', succeeded: true }], ipAddress: '192.0.2.44' });
    h.clock.advance(5 * MIN);
    const monitor = new SignInMonitor({ audit: h.runtime.audit, clock: h.clock, directory: h.runtime.directory!, settings: h.runtime.config.drills });
    expect((await monitor.pollOnce()).incidentsOpened).toHaveLength(1);
    // An hour later the sessions have idled out: sign in again.
    expect((await auditor.signIn()).statusCode).toBe(200);
    expect((await officer.signIn()).statusCode).toBe(200);
    const list = (await auditor.request('GET', '/api/incidents?status=open')).json().incidents;
    expect(list).toEqual([expect.objectContaining({ upn: BG01, kind: 'sign_in', status: 'open', details: expect.objectContaining({ ipAddress: '192.0.2.44' }) })]);
    const bad = await officer.request('POST', `/api/incidents/${list[0].id}/classify`, { classification: 'authorized_change', notes: 'not for sign-ins' });
    expect(bad.statusCode).toBe(400);
    const ok = await officer.request('POST', `/api/incidents/${list[0].id}/classify`, { classification: 'emergency', notes: 'Federation outage 14:05; Dana used bg-01 to fix the IdP config.' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'classified', classification: 'emergency' });
    const twice = await officer.request('POST', `/api/incidents/${list[0].id}/classify`, { classification: 'misuse', notes: 'x y z' });
    expect([twice.statusCode, twice.json().code]).toEqual([409, 'already_classified']);
    const alerts = (await auditor.request('GET', '/api/alerts')).json().alerts;
    expect(alerts.map((a: { kind: string }) => a.kind)).toContain('incident.sign_in');
  });
});

describe('the readiness report over HTTP', () => {
  test('renders per account and tenant checks, with the enforcement view on request', async () => {
    // A password-only administrator signed in to the Azure portal: mandatory MFA will stop them.
    recordSignIn(sim, { user: BRAM, steps: [{ method: 'Password', succeeded: true }], appId: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c', appDisplayName: 'Azure Portal' });
    h.clock.advance(15_000);
    const res = await auditor.request('GET', '/api/reports/readiness?enforcementDays=7');
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r.accounts.map((a: { upn: string }) => a.upn)).toEqual([BG01]);
    const checks = Object.fromEntries(r.accounts[0].checks.map((c: { code: string; status: string }) => [c.code, c.status]));
    expect(checks).toMatchObject({ drill_recent: 'ok', phishing_resistant_method: 'ok', ca_model: 'ok', global_admin: 'ok' });
    expect(r.enforcement.rows).toEqual([expect.objectContaining({ userPrincipalName: 'bram.devries@contosodemo.onmicrosoft.com', apps: ['Azure portal / Microsoft Entra admin center / Intune admin center'], registeredMethods: ['password'] })]);
    h.clock.advance(15_000);
    const csv = await auditor.request('GET', '/api/reports/readiness/enforcement.csv?days=7');
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body.split('\r\n')[0]).toBe('"userPrincipalName","displayName","userId","apps","signIns","lastSignIn","registeredMethods"');
    expect(csv.body).toContain('"bram.devries@contosodemo.onmicrosoft.com","Bram de Vries"');
  });

  test('takes each account\'s methods from the batched posture read, not from a second read per account', async () => {
    h.clock.advance(15_000);
    const before = sim.requestLog.length;
    const res = await auditor.request('GET', '/api/reports/readiness');
    expect(res.statusCode).toBe(200);
    expect(Object.fromEntries(res.json().accounts[0].checks.map((c: { code: string; status: string }) => [c.code, c.status]))).toMatchObject({ phishing_resistant_method: 'ok', no_personal_device: 'ok' });
    const wire = sim.requestLog.slice(before);
    expect(wire.some((r) => r.path.endsWith('/$batch'))).toBe(true);
    expect(wire.filter((r) => r.path.includes('/authentication/'))).toEqual([]);
  });

  test('mails the enforcement view with the CSV attached; an auditor may not', async () => {
    h.clock.advance(15_000);
    const bad = await officer.request('POST', '/api/reports/readiness/mail', { days: 7, to: ['not an address'] });
    expect(bad.statusCode).toBe(400);
    expect((await auditor.request('POST', '/api/reports/readiness/mail', { days: 7, to: ['ciso@contosodemo.onmicrosoft.com'] })).statusCode).toBe(403);
    const sentBefore = sim.sentMail.length;
    const res = await officer.request('POST', '/api/reports/readiness/mail', { days: 7, to: ['ciso@contosodemo.onmicrosoft.com'] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ rows: 1, to: ['ciso@contosodemo.onmicrosoft.com'] });
    expect(sim.sentMail.length).toBe(sentBefore + 1);
    const m = sim.sentMail.at(-1)!.message as { subject: string; attachments: { name: string; contentType: string; contentBytes: string }[] };
    expect(m.subject).toBe('[breakglass] Mandatory MFA enforcement: 1 user not MFA-capable (last 7 days)');
    expect(m.attachments[0]!.contentType).toBe('text/csv');
    expect(Buffer.from(m.attachments[0]!.contentBytes, 'base64').toString('utf8')).toContain('"bram.devries@contosodemo.onmicrosoft.com"');
  });
});
