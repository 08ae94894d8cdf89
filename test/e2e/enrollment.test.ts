// Key enrollment in real Chromium against the real service and its embedded simulated tenant, both modes, end to end:
//   guided — an officer pre-checks and requests, an admin approves with a passkey, the officer issues the TAP (shown
//   once, with a countdown), opens the simulated security-info page in a private window whose CDP virtual
//   authenticator is "the key", signs in with the pass and registers the key; the wizard sees it appear in Entra;
//   direct — the officer types a new PIN for the key attached to the service and breakglass registers it on behalf.
// The service's key source is a virtual key with the CDP authenticator's AAGUID (Chromium's virtual authenticator has
// no HID side to pre-check). Every page gets an axe-core scan, a CSP check and its screenshot in docs/screenshots/.
// The steps share one browser and one service and run in order.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { ensureClientBuilt, launchChromium, openTab, screenshot, seriousA11yViolations, startE2eService, type E2eService, type OfficerTab } from './e2e-harness.ts';

declare const document: { querySelector(s: string): { style: Record<string, string> } | null };

const CHROMIUM_KEY = resolve(import.meta.dirname, '../fixtures/enrollment/chromium-virtual-authenticator.json');
const CHROMIUM_AAGUID = '01020304-0506-0708-0102-030405060708';
const BG01 = 'bg-01@contosodemo.onmicrosoft.com';
const BG02 = 'bg-02@contosodemo.onmicrosoft.com';

let svc: E2eService;
let browser: Browser;
let admin: OfficerTab;
let officer: OfficerTab;
const tabs: OfficerTab[] = [];

beforeAll(async () => {
  ensureClientBuilt();
  svc = await startE2eService({ env: { BREAKGLASS_KEY_SOURCE: `virtual:${CHROMIUM_KEY}`, BREAKGLASS_ENROLLMENT_POLL_SECONDS: '0', BREAKGLASS_RECONCILE_MINUTES: '0' } });
  // The tenant's emergency passkey profile lists the model of the keys in use (here: Chromium's virtual authenticator).
  const profile = svc.service.runtime.simulator!.state.fido2Policy.passkeyProfiles!.find((p) => p.name === 'Emergency access security keys')!;
  profile.keyRestrictions.aaGuids.push(CHROMIUM_AAGUID);
  browser = await launchChromium();
  admin = await openTab(browser);
  officer = await openTab(browser);
  tabs.push(admin, officer);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await svc?.close();
});

async function checkPage(tab: OfficerTab, name: string): Promise<void> {
  expect(await seriousA11yViolations(tab.page), `axe on ${name}`).toEqual([]);
  expect(tab.cspViolations, `CSP violations on ${name}`).toEqual([]);
  await screenshot(tab.page, name);
}

async function expectHeading(tab: OfficerTab, text: string | RegExp): Promise<void> {
  await expect.poll(() => tab.page.locator('h1').textContent().catch(() => null)).toMatch(text);
}

async function stateBanner(tab: OfficerTab): Promise<string> {
  return (await tab.page.locator('.state-banner').textContent().catch(() => '')) ?? '';
}

describe('key enrollment in Chromium', () => {
  test('set-up: an admin, an officer, and the two emergency accounts', async () => {
    const a = admin.page;
    await a.goto(`${svc.url}/setup`);
    await a.getByLabel('Bootstrap code').fill(svc.bootstrapCode);
    await a.getByLabel('Username').fill('alice');
    await a.getByLabel('Your name').fill('Alice Admin');
    await a.getByLabel('Name for this passkey').fill('Alice key');
    await a.getByRole('button', { name: 'Create admin passkey' }).click();
    await expect.poll(() => a.url()).toBe(`${svc.url}/officers`);
    await a.getByLabel('Their name').fill('Olivia Officer');
    await a.getByLabel(/^Officer —/).check();
    await a.getByRole('button', { name: 'Create invite link' }).click();
    const link = a.getByLabel('Link', { exact: true });
    await expect.poll(() => link.inputValue()).toMatch(/\/invite#/);
    const invite = await link.inputValue();
    await a.getByRole('link', { name: 'Emergency accounts' }).click();
    for (const upn of [BG01, BG02]) {
      await a.getByLabel('User principal name or object id').fill(upn);
      await a.getByRole('button', { name: 'Designate account' }).click();
      await expect.poll(() => a.locator('table').textContent()).toContain(upn);
    }
    const o = officer.page;
    await o.goto(invite);
    await o.getByLabel('Username').fill('olivia');
    await o.getByLabel('Name for this passkey').fill('Olivia key');
    await o.getByRole('button', { name: 'Create passkey and join' }).click();
    await expect.poll(() => o.url()).toBe(`${svc.url}/accounts`);
    expect(await o.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual(['Emergency accounts', 'Key inventory', 'Enrollments', 'Drills', 'Incidents', 'Readiness', 'My passkeys']);
  });

  test('the inventory shows bg-02 without a key; the officer pre-checks the key for it and requests a guided enrollment', async () => {
    const o = officer.page;
    await o.getByRole('link', { name: 'Key inventory' }).click();
    await expectHeading(officer, 'Key inventory');
    await expect.poll(() => o.locator('table').textContent()).toContain('No key: the account cannot be used');
    await checkPage(officer, 'enrollment-01-inventory');
    await o.getByRole('link', { name: 'Emergency Access 02' }).click();
    await expectHeading(officer, 'Emergency Access 02');
    await checkPage(officer, 'enrollment-02-account');
    await o.getByRole('button', { name: 'Enroll a key' }).click();
    await expectHeading(officer, 'Start an enrollment');
    await o.getByLabel(/^Guided/).check();
    await o.getByRole('button', { name: 'Check the key' }).click();
    await expect.poll(() => o.locator('.verdict').textContent()).toContain('Allowed');
    const findings = (await o.locator('.findings').textContent()) ?? '';
    expect(findings).toContain('accepted by passkey profile "Emergency access security keys"');
    expect(findings).toContain('a one-time pass valid for 60 minutes');
    await o.getByLabel('Reason').fill('First key for BG-02');
    await o.getByLabel('Where it will be kept (optional)').fill('Safe A, head office');
    await o.getByLabel('Seal number (optional)').fill('S-0042');
    await checkPage(officer, 'enrollment-03-precheck');
    await o.getByRole('button', { name: 'Request enrollment' }).click();
    await expectHeading(officer, `Enrollment for ${BG02}`);
    await expect.poll(() => stateBanner(officer)).toContain('Waiting for approval');
    expect(await o.locator('.notice').textContent()).toContain('You cannot approve your own request');
    expect(await o.getByRole('button', { name: 'Approve with my passkey' }).count()).toBe(0);
    await checkPage(officer, 'enrollment-04-requested');
  });

  let requestUrl = '';

  test('a different officer (the admin) approves it with a passkey', async () => {
    requestUrl = officer.page.url();
    const a = admin.page;
    await a.getByRole('link', { name: 'Enrollments' }).click();
    await expectHeading(admin, 'Key enrollments');
    await a.getByRole('link', { name: BG02 }).click();
    await expectHeading(admin, `Enrollment for ${BG02}`);
    await checkPage(admin, 'enrollment-05-approve');
    await a.getByRole('button', { name: 'Approve with my passkey' }).click();
    await expect.poll(() => stateBanner(admin)).toContain('Approved');
    expect(await a.locator('.notice').textContent()).toContain('Olivia Officer, who requested it, runs it');
  });

  let tap = '';
  let securityInfoUrl = '';

  test('the requester confirms, and gets the TAP once, with a countdown and the steps', async () => {
    const o = officer.page;
    await o.goto(requestUrl);
    await expect.poll(() => stateBanner(officer)).toContain('Approved');
    await expect.poll(() => o.getByRole('heading', { name: 'Before you start' }).count()).toBe(1);
    await checkPage(officer, 'enrollment-06-guided-checklist');
    await o.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => o.getByRole('heading', { name: 'Issue the Temporary Access Pass?' }).count()).toBe(1);
    await checkPage(officer, 'enrollment-07-guided-confirm');
    await o.getByRole('button', { name: 'Issue the pass' }).click();
    const pass = o.locator('.tap-pass');
    await expect.poll(() => pass.count()).toBe(1);
    tap = ((await pass.textContent()) ?? '').trim();
    expect(tap).toMatch(/^\S{8,}$/);
    expect(o.url()).toBe(requestUrl);
    expect(o.url()).not.toContain(tap);
    await expect.poll(() => o.getByRole('timer').textContent()).toMatch(/^Valid for (59:5\d|1:00:00)$/);
    securityInfoUrl = (await o.getByRole('link', { name: 'the security-info page' }).getAttribute('href'))!;
    expect(securityInfoUrl).toBe(svc.service.runtime.simulator!.securityInfo!.url);
    expect(await seriousA11yViolations(o)).toEqual([]);
    // Documentation screenshot with the pass blurred: even a simulated, used-up pass does not go into the docs.
    await o.evaluate(() => {
      const el = document.querySelector('.tap-pass');
      if (el) el.style.filter = 'blur(7px)';
    });
    await screenshot(o, 'enrollment-08-guided-tap');
    await o.evaluate(() => {
      const el = document.querySelector('.tap-pass');
      if (el) el.style.filter = '';
    });
  });

  test('in a private window, the account signs in with the pass and registers its key; breakglass sees it and completes', async () => {
    const win = await openTab(browser); // a fresh browser profile with its own virtual authenticator: the key
    tabs.push(win);
    const p = win.page;
    await p.goto(securityInfoUrl);
    await expect.poll(() => p.locator('h1:visible').textContent()).toBe('Sign in');
    expect(await p.locator('.sim-banner').textContent()).toContain('SIMULATED');
    await p.getByLabel('Account name').fill(BG02);
    await p.getByLabel('Temporary Access Pass').fill(tap);
    await checkPage(win, 'enrollment-09-security-info-sign-in');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => p.locator('h1:visible').textContent()).toBe('Security info');
    await p.getByLabel('Key name').fill('BG-02 key A');
    await p.getByRole('button', { name: 'Register security key' }).click();
    await expect.poll(() => p.locator('#add-key-done').textContent()).toContain('Security key "BG-02 key A" was registered.');
    await checkPage(win, 'enrollment-10-security-info-registered');
    const creds = (await win.cdp.send('WebAuthn.getCredentials', { authenticatorId: win.authenticatorId })).credentials;
    expect(creds).toHaveLength(1);
    expect(creds[0]).toMatchObject({ rpId: 'localhost', isResidentCredential: true });

    // The same pass does not work twice.
    await p.getByRole('button', { name: 'Sign out' }).click();
    await p.getByLabel('Account name').fill(BG02);
    await p.getByLabel('Temporary Access Pass').fill(tap);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => p.getByRole('alert').textContent()).toContain('already been used');
    await win.context.close();

    const o = officer.page;
    await expect.poll(() => stateBanner(officer), { timeout: 20_000 }).toContain('Completed');
    expect(await o.locator('.tap-pass').count()).toBe(0);
    const steps = (await o.locator('table').last().textContent()) ?? '';
    for (const s of ['Requested (key pre-checked)', 'Approved with a passkey', 'Temporary Access Pass issued (shown once)', 'Key found in Entra', 'Completed: inventory updated, drill scheduled']) expect(steps).toContain(s);
    expect((await o.locator('.facts').textContent()) ?? '').toContain('First drill due');
    await checkPage(officer, 'enrollment-11-guided-completed');
    const methods = await svc.service.runtime.directory!.listFido2Methods('0b7e9d2a-4c1f-4a3e-b5d6-9e8f7a6b5c42');
    expect(methods).toEqual([expect.objectContaining({ aaGuid: CHROMIUM_AAGUID, displayName: 'BG-02 key A', passkeyType: 'deviceBound' })]);
    expect(await svc.service.runtime.directory!.listTemporaryAccessPasses('0b7e9d2a-4c1f-4a3e-b5d6-9e8f7a6b5c42')).toEqual([expect.objectContaining({ methodUsabilityReason: 'OneTimeUsed' })]);
  });

  test('direct mode: the officer chooses a PIN for the new key and breakglass registers it for bg-01', async () => {
    const o = officer.page;
    await o.goto(`${svc.url}/enrollments/new`);
    await expectHeading(officer, 'Start an enrollment');
    await o.getByLabel('Emergency account').selectOption({ label: BG01 });
    await o.getByLabel(/^Direct/).check();
    await o.getByRole('button', { name: 'Check the key' }).click();
    await expect.poll(() => o.locator('.verdict').textContent()).toContain('Allowed');
    expect(await o.locator('.findings').textContent()).toContain('no PIN set yet: you will choose one when the key is registered');
    await o.getByLabel('Reason').fill('Second account needs its own key');
    await o.getByRole('button', { name: 'Request enrollment' }).click();
    await expect.poll(() => stateBanner(officer)).toContain('Waiting for approval');
    const url = o.url();
    await admin.page.goto(url);
    await admin.page.getByRole('button', { name: 'Approve with my passkey' }).click();
    await expect.poll(() => stateBanner(admin)).toContain('Approved');

    await o.goto(url);
    await o.getByRole('button', { name: 'Continue' }).click();
    await o.getByLabel('New PIN for the key').fill('246810');
    await o.getByLabel('The same PIN again').fill('246810');
    await checkPage(officer, 'enrollment-12-direct-confirm');
    await o.getByRole('button', { name: 'Register the key' }).click();
    await expect.poll(() => stateBanner(officer), { timeout: 20_000 }).toContain('Completed');
    expect(await o.getByLabel('New PIN for the key').count()).toBe(0);
    await checkPage(officer, 'enrollment-13-direct-completed');
  });

  test('the inventory lists both keys; comparing bg-01 with Entra finds the demo key nobody recorded', async () => {
    const o = officer.page;
    await o.getByRole('link', { name: 'Key inventory' }).click();
    await o.getByRole('link', { name: 'Emergency Access 01' }).click();
    await expectHeading(officer, 'Emergency Access 01');
    await o.getByRole('button', { name: 'Compare with Entra now' }).click();
    await expect.poll(() => o.locator('.drift').textContent()).toContain('Entra has a key the inventory does not know: "BG-01 YubiKey 5 NFC #21045871"');
    await checkPage(officer, 'enrollment-14-drift');
    const table = (await o.locator('table').first().textContent()) ?? '';
    expect(table).toContain(CHROMIUM_AAGUID);
    expect(table).toContain('enrolled (direct)');
  });

  test('after the whole run, the TAP and the key PIN are nowhere: data folder, service log, audit exports', async () => {
    expect(tap).toMatch(/^\S{8,}$/);
    const exportsDir = mkdtempSync(join(tmpdir(), 'bg-e2e-exports-'));
    const env = { BREAKGLASS_DATA_DIR: svc.dataDir, BREAKGLASS_AUDIT_ORIGIN: 'e2e.breakglass.local/audit' };
    for (const format of ['jsonl', 'csv']) {
      const r = await runCli(['audit', 'export', '--format', format, '--out', join(exportsDir, `audit.${format}`)], env);
      expect(r.code).toBe(0);
    }
    const files = [...listFiles(svc.dataDir), ...listFiles(exportsDir)];
    // The database (and its WAL), checkpoint copies, the simulated tenant's state, the virtual keys, the exports.
    expect(files.some((f) => f.endsWith('breakglass.db'))).toBe(true);
    expect(files.some((f) => f.endsWith('audit.jsonl'))).toBe(true);
    for (const f of files) {
      const bytes = readFileSync(f).toString('latin1');
      expect(bytes.includes(tap), `the TAP appears in ${f}`).toBe(false);
      expect(bytes.includes('246810'), `the key PIN appears in ${f}`).toBe(false);
    }
    const logs = svc.logs();
    expect(logs.length).toBeGreaterThan(1000);
    expect(logs).not.toContain(tap);
    expect(logs).not.toContain('246810');
    rmSync(exportsDir, { recursive: true, force: true });
  });

  test('no page showed a CSP violation or a console error', () => {
    for (const t of tabs) {
      expect(t.cspViolations).toEqual([]);
      expect(t.consoleErrors.filter((e) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(e))).toEqual([]);
    }
  });
});

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}
