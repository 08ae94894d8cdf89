// A drill end to end in real Chromium against the real service, its workers and its embedded simulated tenant:
// an admin designates the emergency accounts and announces a drill window in the drill calendar; the performer, on
// their own browser profile whose CDP virtual authenticator holds the account's key, signs in on the simulated
// tenant's sign-in page; the drill console finds the sign-in in the logs, the officer records the custody checklist and
// the drill passes. The announcement and every alert reach a real local webhook receiver (Standard Webhooks signature
// verified with the `standardwebhooks` package) and the simulated tenant's mailbox once each. A later unannounced
// sign-in and the key registration become incidents, classified on the incidents page; the readiness report renders
// with the mandatory-MFA enforcement view. Every page: axe-core (no serious or critical violation), no CSP violation,
// a screenshot in docs/screenshots/.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SignInMonitor } from '../../server/monitoring/sign-in-monitor.ts';
import { simulatorRequest } from '../../server/simulator/simulator-access.ts';
import { recordSignIn } from '../../server/simulator/sign-in-writer.ts';
import { startReceiver, type Receiver } from '../integration/notify/webhook-receiver.ts';
import { TEST_WEBHOOK_SECRET } from '../integration/drills/drill-harness.ts';
import { ensureClientBuilt, launchChromium, openTab, screenshot, seriousA11yViolations, startE2eService, type E2eService, type OfficerTab } from './e2e-harness.ts';

const BG01 = 'bg-01@contosodemo.onmicrosoft.com';
const BG02 = 'bg-02@contosodemo.onmicrosoft.com';
const BRAM = 'b4d6f8a0-2c3e-4a7b-9d1f-3e5a7c9e1f24';

let svc: E2eService;
let receiver: Receiver;
let browser: Browser;
let admin: OfficerTab;
let performer: OfficerTab;
let drillUrl = '';

beforeAll(async () => {
  ensureClientBuilt();
  receiver = await startReceiver(TEST_WEBHOOK_SECRET);
  svc = await startE2eService({
    env: {
      BREAKGLASS_ALERT_WEBHOOKS: JSON.stringify([{ name: 'soc', url: receiver.url, secret: TEST_WEBHOOK_SECRET }]),
      BREAKGLASS_MAIL_SENDER: 'secops@contosodemo.onmicrosoft.com',
      BREAKGLASS_ALERT_MAIL_TO: 'soc@contosodemo.onmicrosoft.com',
    },
  });
  browser = await launchChromium();
  admin = await openTab(browser);
  performer = await openTab(browser);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await svc?.close();
  await receiver?.close();
});

async function checkPage(tab: OfficerTab, name: string): Promise<void> {
  expect(await seriousA11yViolations(tab.page), `axe on ${name}`).toEqual([]);
  expect(tab.cspViolations, `CSP violations on ${name}`).toEqual([]);
  await screenshot(tab.page, name);
}

async function expectHeading(tab: OfficerTab, text: string | RegExp): Promise<void> {
  await expect.poll(() => tab.page.locator('h1').textContent().catch(() => null)).toMatch(text);
}

/** What the receiver got, by alert type; each entry's signature was verified. */
function received(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of receiver.received) {
    expect(r.error, `webhook ${r.id}`).toBeUndefined();
    const type = (r.verified as { type: string }).type;
    out[type] = (out[type] ?? 0) + 1;
  }
  return out;
}

const mails = (about: string) => svc.service.runtime.simulator!.state.sentMail.filter((m) => String((m.message as { subject: string }).subject).includes(about));

describe('a drill in Chromium', () => {
  test('set-up: the first admin, and the two emergency accounts', async () => {
    const a = admin.page;
    await a.goto(`${svc.url}/setup`);
    await a.getByLabel('Bootstrap code').fill(svc.bootstrapCode);
    await a.getByLabel('Username').fill('alice');
    await a.getByLabel('Your name').fill('Alice Admin');
    await a.getByLabel('Name for this passkey').fill('Alice key');
    await a.getByRole('button', { name: 'Create admin passkey' }).click();
    await expect.poll(() => a.url()).toBe(`${svc.url}/officers`);
    await a.getByRole('link', { name: 'Emergency accounts' }).click();
    for (const upn of [BG01, BG02]) {
      await a.getByLabel('User principal name or object id').fill(upn);
      await a.getByRole('button', { name: 'Designate account' }).click();
      await expect.poll(() => a.locator('table').textContent()).toContain(upn);
    }
  });

  test('the performer\'s browser holds the key of bg-02, registered in the tenant', async () => {
    // The key lives in the performer's CDP virtual authenticator (RP ID localhost, as the simulated pages' host).
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const credentialId = randomBytes(32);
    await performer.cdp.send('WebAuthn.addCredential', {
      authenticatorId: performer.authenticatorId,
      credential: {
        credentialId: credentialId.toString('base64'), isResidentCredential: true, rpId: 'localhost', signCount: 0,
        privateKey: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'), userHandle: Buffer.from('bg-02').toString('base64'),
      },
    });
    const sim = svc.service.runtime.simulator!;
    const res = await simulatorRequest({ origin: sim.origin, ca: sim.ca }, 'POST', '/_simulator/passkeys', {
      user: BG02, credentialId: credentialId.toString('base64url'), publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), displayName: 'BG-02 key (safe B)',
    });
    expect(res.status).toBe(201);
  });

  test('the drill calendar shows both accounts due in 90 days; an admin announces a window for bg-02', async () => {
    const a = admin.page;
    await a.getByRole('link', { name: 'Drills' }).click();
    await expectHeading(admin, 'Drills');
    const rows = a.locator('table').first().locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(1).textContent()).toContain('On schedule');
    await a.getByLabel('Emergency account').selectOption({ label: BG02 });
    await a.getByLabel('Performer').fill('Dana Okafor');
    await a.getByLabel('Witness').fill('Wim de Boer');
    await a.getByLabel('Expected key (optional)').fill('BG-02 key (safe B), seal S-1001');
    await checkPage(admin, 'drill-calendar-announce');
    await a.getByRole('button', { name: 'Announce drill window' }).click();
    await expectHeading(admin, `Drill for ${BG02}`);
    drillUrl = a.url();
    await expect.poll(() => a.locator('.status-box').first().textContent()).toContain('Open — window open now');
    expect(await a.locator('.status-box').nth(1).textContent()).toMatch(/Waiting for the sign-in|Sign-in verified/);
    // The announcement went out as planned activity on both channels, once.
    await expect.poll(() => received()['drill.announced'] ?? 0).toBe(1);
    await expect.poll(() => mails('PLANNED: emergency account drill').length).toBe(1);
    await checkPage(admin, 'drill-console-waiting');
  });

  test('the performer signs in on the simulated tenant\'s sign-in page with the key', async () => {
    const p = performer.page;
    const site = svc.service.runtime.simulator!.securityInfo!.url;
    await p.goto(`${site}/_simulator/sign-in?upn=${encodeURIComponent(BG02)}`);
    await expectHeading(performer, 'Sign in');
    expect(await p.locator('.banner').textContent()).toContain('SIMULATED tenant');
    await p.getByRole('button', { name: 'Sign in with a security key' }).click();
    await expect.poll(() => p.locator('#result').textContent()).toContain('Signed in (simulated).');
    expect(await p.locator('#result').textContent()).toContain('Passkey (device-bound)');
    await checkPage(performer, 'simulated-sign-in');
  });

  test('the console finds the sign-in in the logs, and the drill passes with the custody checklist', async () => {
    const a = admin.page;
    svc.clock.advance(11_000); // room in the reports throttle for the on-demand check
    await a.getByRole('button', { name: 'Check the sign-in logs now' }).click();
    await expect.poll(() => a.locator('.status-box').nth(1).textContent()).toContain('Sign-in verified.');
    const evidence = (await a.locator('.status-box').nth(1).textContent()) ?? '';
    expect(evidence).toContain('Passkey (device-bound)');
    expect(evidence).toContain('inside the drill window');
    await a.getByLabel('Yes, intact').check();
    await a.getByLabel('Seal number before').fill('S-1001');
    await a.getByLabel('New seal number after').fill('S-1002');
    await a.getByLabel(/The witness \(Wim de Boer\) was present/).check();
    await a.getByLabel(/An admin task was performed/).check();
    await a.getByRole('button', { name: 'Close as passed' }).click();
    await expect.poll(() => a.locator('.status-box').first().textContent()).toMatch(/^PASSED · next drill due/);
    expect(await a.locator('main').textContent()).toContain('seal S-1001 intact before, re-sealed as S-1002');
    await expect.poll(() => a.locator('table').last().textContent()).toContain('Drill PASSED for');
    await expect.poll(() => received()).toMatchObject({ 'drill.announced': 1, 'drill.sign_in_verified': 1, 'drill.passed': 1 });
    // Once delivered, the console says so for every channel.
    await a.reload();
    await expect.poll(() => a.locator('table').last().locator('tbody tr').first().textContent()).toMatch(/mail: delivered.*webhook:soc: delivered/);
    await checkPage(admin, 'drill-console-passed');
    // The monitor worker's first poll after the designations (woken by them) has happened by now, or is about to.
    await expect.poll(() => svc.service.runtime.database.db.selectFrom('monitor_cursor').select('state').where('stream', '=', 'sign_ins').executeTakeFirst(), { timeout: 20_000 }).toEqual({ state: 'ok' });
    await a.getByRole('link', { name: 'All drills' }).click();
    await expectHeading(admin, 'Drills');
    await expect.poll(() => a.locator('#monitoring-heading + p').textContent()).toContain('Working.');
    await expect.poll(() => a.locator('table').first().textContent()).toMatch(/Emergency Access 02.*On schedule/);
    await checkPage(admin, 'drill-calendar');
  });

  test('a later sign-in outside any window, and the key registration, are incidents: alerted once, then classified', async () => {
    const p = performer.page;
    await p.reload();
    await expect.poll(() => p.locator('#result').textContent()).toBe('');
    await p.getByRole('button', { name: 'Sign in with a security key' }).click();
    await expect.poll(() => p.locator('#result').textContent()).toContain('Signed in (simulated).');
    // The monitor worker polls every few minutes; do its next poll now (it may already have found them).
    svc.clock.advance(11_000);
    const rt = svc.service.runtime;
    await new SignInMonitor({ audit: rt.audit, clock: rt.clock, directory: rt.directory!, settings: rt.config.drills }).pollOnce();
    const open = await rt.database.db.selectFrom('incident').select(['kind']).where('status', '=', 'open').orderBy('kind').execute();
    expect(open.map((i) => i.kind)).toEqual(['method_added', 'sign_in']);
    await expect.poll(() => received()).toMatchObject({ 'incident.sign_in': 1, 'incident.method_added': 1 });
    expect(mails(`Emergency account ${BG02} signed in outside any drill window`)).toHaveLength(1);

    const a = admin.page;
    await a.getByRole('link', { name: 'Incidents' }).click();
    await expectHeading(admin, 'Incidents');
    await expect.poll(() => a.locator('article.incident').count()).toBe(2);
    await checkPage(admin, 'incidents-open');
    const signIn = a.locator('article.incident', { hasText: 'signed in outside any drill window' });
    await signIn.getByLabel(/^Drill —/).check();
    await signIn.getByLabel('Post-mortem notes').fill('Dana signed in again after the drill to check the admin task; not announced. Reminded the team to announce.');
    await signIn.getByRole('button', { name: 'Record classification' }).click();
    await expect.poll(() => a.locator('article.incident').count()).toBe(1);
    const method = a.locator('article.incident', { hasText: 'added to emergency account' });
    await method.getByLabel(/^Authorised change —/).check();
    await method.getByLabel('Post-mortem notes').fill('Key for BG-02 registered for the drill set-up.');
    await method.getByRole('button', { name: 'Record classification' }).click();
    await expect.poll(() => a.locator('article.incident').count()).toBe(0);
    const classified = (await a.locator('table').first().textContent()) ?? '';
    expect(classified).toContain('Drill by officer:');
    expect(classified).toContain('Authorised change by officer:');
    await checkPage(admin, 'incidents');
    // Nothing went out twice.
    expect(Object.values(received()).every((n) => n === 1)).toBe(true);
  });

  test('the readiness report renders, with the mandatory-MFA enforcement view', async () => {
    const sim = svc.service.runtime.simulator!.state;
    recordSignIn(sim, { user: BRAM, steps: [{ method: 'Password', succeeded: true }], appId: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', appDisplayName: 'Microsoft Azure CLI' });
    svc.clock.advance(11_000);
    const a = admin.page;
    await a.getByRole('link', { name: 'Readiness' }).click();
    await expectHeading(admin, 'Readiness');
    await expect.poll(() => a.locator('.status-box').first().textContent()).toMatch(/^Not ready/);
    const text = (await a.locator('main').textContent()) ?? '';
    expect(text).toContain(`Emergency Access 02 ${BG02}: Needs attention`);
    expect(text).toContain(`Emergency Access 01 ${BG01}: Not ready`);
    expect(text).toContain('no drill has passed yet');
    await a.getByLabel('Look back').selectOption('30');
    await a.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => a.locator('table').last().textContent()).toContain('bram.devries@contosodemo.onmicrosoft.com');
    expect(await a.getByRole('link', { name: 'Download as CSV' }).getAttribute('href')).toBe('/api/reports/readiness/enforcement.csv?days=30');
    await checkPage(admin, 'readiness');
  });
});
