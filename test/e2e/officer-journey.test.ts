// The officer journey in real Chromium against the real service (embedded simulated tenant), with the CDP virtual
// authenticator standing in for security keys: bootstrap → register the first admin's passkey → sign out → sign in
// again; invite an officer and an auditor (one of them keyboard-only); role enforcement in the UI; a step-up when the
// passkey check is too old; several passkeys; the audit log view; and on every page an axe-core scan (no serious or
// critical violations), no CSP violation, and a screenshot in docs/screenshots/.
// The steps share one browser and one service and run in order: each test starts where the previous one ended.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';

// The page's globals, for the small functions evaluated inside it (the test program has no DOM lib).
declare const document: { activeElement: { tagName: string; className: string } | null };
import { credentialsOf, ensureClientBuilt, launchChromium, openTab, screenshot, seriousA11yViolations, startE2eService, tabOrder, type E2eService, type OfficerTab } from './e2e-harness.ts';

let svc: E2eService;
let browser: Browser;
let admin: OfficerTab;
let officer: OfficerTab;
let auditor: OfficerTab;
const tabs: OfficerTab[] = [];

beforeAll(async () => {
  ensureClientBuilt();
  svc = await startE2eService();
  browser = await launchChromium();
  admin = await openTab(browser);
  tabs.push(admin);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await svc?.close();
});

/** The checks every page gets: no serious/critical axe violation, no CSP violation, and its screenshot. */
async function checkPage(tab: OfficerTab, name: string): Promise<void> {
  expect(await seriousA11yViolations(tab.page), `axe on ${name}`).toEqual([]);
  expect(tab.cspViolations, `CSP violations on ${name}`).toEqual([]);
  await screenshot(tab.page, name);
}

/** Waits for the page's <h1> to read `text` (navigation re-renders asynchronously). */
async function expectHeading(tab: OfficerTab, text: string): Promise<void> {
  await expect.poll(() => tab.page.locator('h1').textContent().catch(() => null)).toBe(text);
}

describe('officer journey in Chromium', () => {
  test('a first visit goes to set-up; the tenant in use is shown before anyone signs in', async () => {
    await admin.page.goto(`${svc.url}/`);
    await expect.poll(() => admin.page.url()).toBe(`${svc.url}/setup`);
    await expectHeading(admin, 'Set up breakglass');
    // The page's heading has focus, so keyboard and screen-reader users start at the new content.
    expect(await admin.page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    await expect.poll(() => admin.page.locator('#tenant').textContent()).toContain('SIMULATED tenant');
    await checkPage(admin, 'setup');
  });

  test('a wrong bootstrap code is explained in an error summary linked to nothing secret', async () => {
    const p = admin.page;
    await p.getByLabel('Bootstrap code').fill('AAAA-BBBB-CCCC-DDDD-EEEE');
    await p.getByLabel('Username').fill('alice');
    await p.getByLabel('Your name').fill('Alice Admin');
    await p.getByRole('button', { name: 'Create admin passkey' }).click();
    const alert = p.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('bootstrap code is wrong');
    // The summary takes focus so the problem is announced and read first.
    await expect.poll(() => p.evaluate(() => document.activeElement?.className)).toContain('error-summary');
    expect(await credentialsOf(admin)).toHaveLength(0);
  });

  test('the bootstrap code registers the first admin’s passkey on the security key and signs in', async () => {
    const p = admin.page;
    await p.getByLabel('Bootstrap code').fill(svc.bootstrapCode);
    await p.getByLabel('Name for this passkey').fill('YubiKey in safe A');
    await p.getByRole('button', { name: 'Create admin passkey' }).click();
    await expect.poll(() => p.url()).toBe(`${svc.url}/officers`);
    await expectHeading(admin, 'Officers');
    const creds = await credentialsOf(admin);
    expect(creds).toHaveLength(1);
    expect(creds[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });
    expect(await p.locator('.who').textContent()).toContain('Signed in as Alice Admin (Admin)');
    // Signed in, the header names the tenant itself.
    const tenant = svc.service.runtime.directory!.mode;
    expect(tenant.kind).toBe('simulated');
    const strip = (await p.locator('#tenant').textContent()) ?? '';
    expect(strip).toMatch(/^SIMULATED tenant/);
    expect(strip).toContain(tenant.tenantId);
    expect(strip).toContain('Contoso Demo');
    const cookies = await admin.context.cookies();
    expect(cookies.find((c) => c.name === 'breakglass_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });

  test('sign out, then sign in again with the same passkey', async () => {
    const p = admin.page;
    await p.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => p.url()).toBe(`${svc.url}/sign-in`);
    await expectHeading(admin, 'Sign in to breakglass');
    await expect.poll(() => p.getByRole('status').filter({ hasText: 'You have signed out' }).count()).toBe(1);
    // Back to an officer page while signed out: the sign-in page, not the data.
    await p.goto(`${svc.url}/officers`);
    await expect.poll(() => p.url()).toBe(`${svc.url}/sign-in`);
    await checkPage(admin, 'sign-in');
    const before = (await credentialsOf(admin))[0]!.signCount;
    await p.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect.poll(() => p.url()).toBe(`${svc.url}/accounts`);
    await expectHeading(admin, 'Emergency accounts');
    expect((await credentialsOf(admin))[0]!.signCount).toBeGreaterThan(before);
  });

  test('the emergency accounts page reads the simulated tenant; an admin designates its break-glass accounts', async () => {
    const p = admin.page;
    await expect.poll(() => p.locator('main').textContent()).toContain('No emergency accounts designated yet');
    for (const upn of ['bg-01@contosodemo.onmicrosoft.com', 'bg-02@contosodemo.onmicrosoft.com']) {
      await p.getByLabel('User principal name or object id').fill(upn);
      await p.getByRole('button', { name: 'Designate account' }).click();
      await expect.poll(() => p.locator('table').textContent()).toContain(upn);
    }
    const rows = p.locator('table tbody tr');
    expect(await rows.count()).toBe(2);
    const first = (await rows.nth(0).textContent()) ?? '';
    expect(first).toContain('Emergency Access 01');
    expect(first).toContain('Enabled');
    expect(first).toContain('Cloud-only');
    // bg-01 has an attested key in the demo tenant; bg-02 has none yet.
    expect(first).not.toContain('None registered');
    expect((await rows.nth(1).textContent()) ?? '').toContain('None registered');
    await checkPage(admin, 'accounts');
  });

  let officerLink = '';
  let auditorLink = '';

  test('an admin invites an officer and an auditor; each link is shown once', async () => {
    const p = admin.page;
    await p.getByRole('link', { name: 'Officers' }).click();
    await expectHeading(admin, 'Officers');
    for (const [name, role] of [
      ['Olivia Officer', 'Officer'],
      ['Aaron Auditor', 'Auditor'],
    ] as const) {
      await p.getByLabel('Their name').fill(name);
      await p.getByLabel(new RegExp(`^${role} —`)).check();
      await p.getByRole('button', { name: 'Create invite link' }).click();
      const link = p.getByLabel('Link', { exact: true });
      await expect.poll(() => link.inputValue()).toMatch(/\/invite#[A-Za-z0-9_-]{43}$/);
      if (role === 'Officer') officerLink = await link.inputValue();
      else auditorLink = await link.inputValue();
    }
    await expect.poll(() => p.locator('table').nth(1).textContent()).toMatch(/Aaron Auditor.*pending/);
    await checkPage(admin, 'officers');
    await p.getByRole('button', { name: 'I have sent it — hide the link' }).click();
    expect(await p.getByLabel('Link', { exact: true }).count()).toBe(0);
  });

  test('the officer accepts the invite with their own security key and sees only what an officer may', async () => {
    officer = await openTab(browser);
    tabs.push(officer);
    const p = officer.page;
    await p.goto(officerLink);
    await expectHeading(officer, 'Join breakglass');
    // The token left the address bar as soon as the page read it.
    expect(p.url()).toBe(`${svc.url}/invite`);
    expect(await p.locator('.lead').textContent()).toContain('Alice Admin invited you as officer');
    await checkPage(officer, 'invite');
    await p.getByLabel('Username').fill('olivia');
    await p.getByLabel('Name for this passkey').fill('Olivia key 1');
    await p.getByRole('button', { name: 'Create passkey and join' }).click();
    await expect.poll(() => p.url()).toBe(`${svc.url}/accounts`);
    const nav = p.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Emergency accounts', 'Key inventory', 'Enrollments', 'Drills', 'Incidents', 'Readiness', 'My passkeys']);
    await p.goto(`${svc.url}/officers`);
    await expectHeading(officer, 'You do not have access to this page');
    await checkPage(officer, 'no-access');
    // The same invite link does not work twice.
    const again = await openTab(browser);
    tabs.push(again);
    await again.page.goto(officerLink);
    await expectHeading(again, 'This invite cannot be used');
    expect(await again.page.getByRole('alert').textContent()).toContain('already used');
    await again.context.close();
  });

  test('the auditor joins using only the keyboard, in a sensible focus order', async () => {
    auditor = await openTab(browser);
    tabs.push(auditor);
    const p = auditor.page;
    await p.goto(auditorLink);
    await expectHeading(auditor, 'Join breakglass');
    expect(await tabOrder(p, 6)).toEqual(['Skip to main content', 'breakglass', 'Username', 'Your name', 'Name for this passkey', 'Create passkey and join']);
    await p.focus('.skip-link');
    await p.keyboard.press('Enter'); // skip link → main
    await p.keyboard.press('Tab');
    await p.keyboard.type('aaron');
    await p.keyboard.press('Tab'); // name is prefilled from the invite
    await p.keyboard.press('Tab');
    await p.keyboard.press('Control+A');
    await p.keyboard.type('Aaron key 1');
    await p.keyboard.press('Enter'); // submits the form
    await expect.poll(() => p.url()).toBe(`${svc.url}/accounts`);
    const nav = p.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Emergency accounts', 'Key inventory', 'Enrollments', 'Drills', 'Incidents', 'Readiness', 'Audit log', 'My passkeys']);
    // An auditor reads accounts but cannot designate them.
    expect(await p.getByRole('button', { name: 'Designate account' }).count()).toBe(0);
  });

  test('the auditor reads the audit log: verified intact, filtered, paged', async () => {
    const p = auditor.page;
    await p.getByRole('link', { name: 'Audit log' }).click();
    await expectHeading(auditor, 'Audit log');
    await expect.poll(() => p.locator('.verdict').textContent()).toMatch(/^INTACT/);
    expect(await p.locator('.facts').textContent()).toContain('Latest signed checkpoint');
    // Officers appear by name, with the recorded id beneath.
    expect(await p.locator('.audit-table tbody').textContent()).toContain('Aaron Auditor');
    await checkPage(auditor, 'audit-log');
    // More history than one page holds (25), so paging has somewhere to go.
    for (let i = 0; i < 20; i++) await svc.service.runtime.audit.record({ actor: 'system', action: 'test.padding', subject: `padding:${i}`, data: { i } });
    await p.getByLabel('Action').fill('officer.*');
    await p.getByRole('button', { name: 'Show entries' }).click();
    await expect.poll(async () => (await p.locator('.audit-table tbody tr td:nth-child(4)').allTextContents()).every((a) => a.startsWith('officer.'))).toBe(true);
    const actions = await p.locator('.audit-table tbody tr td:nth-child(4)').allTextContents();
    expect(actions).toEqual(expect.arrayContaining(['officer.created', 'officer.invited', 'officer.passkey_added']));
    await p.getByLabel('Action').fill('');
    await p.getByRole('button', { name: 'Show entries' }).click();
    await expect.poll(() => p.locator('.audit-table tbody tr').count()).toBe(25);
    const newest = await p.locator('.audit-table tbody tr td:first-child').first().textContent();
    await p.getByRole('button', { name: 'Older entries' }).click();
    await expect.poll(async () => Number(await p.locator('.audit-table tbody tr td:first-child').first().textContent())).toBeLessThan(Number(newest));
    await p.getByRole('button', { name: 'Newer entries' }).click();
    await expect.poll(() => p.locator('.audit-table tbody tr td:first-child').first().textContent()).toBe(newest);
    expect(await seriousA11yViolations(p)).toEqual([]);
    await p.goto(`${svc.url}/officers`);
    await expectHeading(auditor, 'You do not have access to this page');
  });

  test('an old passkey check triggers a step-up before a role change, then the change goes through', async () => {
    svc.clock.advance(6 * 60_000); // past the 5-minute step-up window, inside the 15-minute idle timeout
    const p = admin.page;
    await p.reload();
    await expectHeading(admin, 'Officers');
    const before = (await credentialsOf(admin))[0]!.signCount;
    await p.getByLabel('Role of Olivia Officer').selectOption('auditor');
    await p.getByRole('button', { name: 'Change role of Olivia Officer' }).click();
    await expect.poll(() => p.getByRole('status').textContent()).toContain('Olivia Officer: role changed to Auditor');
    // The virtual key signed once more: that was the step-up assertion.
    expect((await credentialsOf(admin))[0]!.signCount).toBeGreaterThan(before);
    const entries = await svc.service.runtime.audit.entries({ limit: 5 });
    expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['auth.step_up', 'officer.role_changed']));
    // Olivia's next page load reflects the new role at once.
    await officer.page.goto(`${svc.url}/audit`);
    await expectHeading(officer, 'Audit log');
  });

  test('an officer keeps several named passkeys and cannot remove the last one', async () => {
    const p = admin.page;
    await p.getByRole('link', { name: 'My passkeys' }).click();
    await expectHeading(admin, 'My passkeys');
    expect(await p.getByRole('button', { name: 'Remove YubiKey in safe A' }).isDisabled()).toBe(true);
    // A second security key: a new virtual authenticator (the first one is excluded by excludeCredentials).
    const first = admin.authenticatorId;
    await admin.cdp.send('WebAuthn.setUserVerified', { authenticatorId: first, isUserVerified: true });
    const { authenticatorId: second } = await admin.cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', ctap2Version: 'ctap2_1', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    await admin.cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId: first, enabled: false });
    await p.getByLabel('Name for the new passkey').fill('YubiKey in safe B');
    await p.getByRole('button', { name: 'Add passkey' }).click();
    await expect.poll(() => p.locator('table').textContent()).toContain('YubiKey in safe B');
    expect(await credentialsOf(admin, second)).toHaveLength(1);
    // Rename with the keyboard, then remove the first key: the second one remains and cannot be removed.
    await p.getByRole('button', { name: 'Rename YubiKey in safe B' }).click();
    await p.getByLabel('New name for YubiKey in safe B').fill('Backup key (safe B)');
    await p.keyboard.press('Enter');
    await expect.poll(() => p.locator('table').textContent()).toContain('Backup key (safe B)');
    await checkPage(admin, 'passkeys');
    p.once('dialog', (d) => void d.accept());
    await admin.cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId: first, enabled: true });
    await p.getByRole('button', { name: 'Remove YubiKey in safe A' }).click();
    await expect.poll(() => p.locator('table tbody tr').count()).toBe(1);
    expect(await p.getByRole('button', { name: 'Remove Backup key (safe B)' }).isDisabled()).toBe(true);
    expect(await p.locator('#last-key-help').textContent()).toContain('cannot remove your only passkey');
    // The removed key no longer signs in; the backup key does.
    await p.getByRole('button', { name: 'Sign out' }).click();
    await admin.cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: first });
    await p.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect.poll(() => p.url()).toBe(`${svc.url}/accounts`);
  });

  test('unknown pages say so, and no page broke the CSP or logged an error', async () => {
    await admin.page.goto(`${svc.url}/no-such-page`);
    await expectHeading(admin, 'Page not found');
    await checkPage(admin, 'not-found');
    for (const t of tabs) {
      expect(t.cspViolations).toEqual([]);
      // The only console errors allowed are the browser's own reports of the 4xx answers the tests provoked.
      expect(t.consoleErrors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
    }
  });
});
