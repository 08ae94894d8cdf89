// Real-browser harness: the real service on a free port (embedded simulated tenant, a manual clock so step-up windows
// can be crossed without waiting), Debian's Chromium through playwright-core, one CDP virtual authenticator per page
// (CTAP2, USB, resident keys, user verification), axe-core injected through the DevTools protocol (not a <script>, so
// the strict CSP stays on), and a record of any CSP violation the page reports.
import { PassThrough } from 'node:stream';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import type { Clock } from '../../server/clock.ts';
import { loadConfig } from '../../server/config.ts';
import { startService, type Service } from '../../server/main.ts';

// Browser globals for the functions that run inside the page (page.evaluate / addInitScript). The test program is
// typed for Node (no DOM lib), so they are declared loosely here, in this module only.
declare const document: any, window: any;

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = resolve(import.meta.dirname, '../../docs/screenshots');
const ROOT = resolve(import.meta.dirname, '../..');

/** Builds client/dist when it is missing or stale (shared with `npm start` and `npm test`). */
export function ensureClientBuilt(): void {
  execFileSync(process.execPath, [join(ROOT, 'client/build-if-needed.mjs')], { cwd: ROOT, stdio: 'inherit' });
}

/** Real time that a test can also move forward (to cross a step-up window without waiting). */
export class TickingClock implements Clock {
  #offset = 0;
  now(): Date {
    return new Date(Date.now() + this.#offset);
  }
  advance(ms: number): void {
    this.#offset += ms;
  }
}

export interface E2eService {
  service: Service;
  url: string;
  clock: TickingClock;
  dataDir: string;
  /** Every log line the service wrote (JSON lines, debug level), for secret scans. */
  logs(): string;
  bootstrapCode: string;
  close(): Promise<void>;
}

export async function startE2eService(opts: { env?: NodeJS.ProcessEnv } = {}): Promise<E2eService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bg-e2e-'));
  const clock = new TickingClock();
  const config = loadConfig({ env: { BREAKGLASS_DATA_DIR: dataDir, BREAKGLASS_PORT: '0', BREAKGLASS_AUTH_RATE_LIMIT: '1000', BREAKGLASS_AUDIT_ORIGIN: 'e2e.breakglass.local/audit', ...opts.env } });
  let logText = '';
  const stream = new PassThrough();
  stream.on('data', (d: Buffer) => (logText += d.toString()));
  const service = await startService(config, { logger: { level: 'debug', stream }, clock, checkpoints: false });
  await service.runtime.checkpointer.checkpoint();
  return {
    service,
    url: service.url,
    clock,
    dataDir,
    logs: () => logText,
    bootstrapCode: service.server.auth.bootstrapNotice?.code ?? '',
    async close() {
      await service.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface OfficerTab {
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
  authenticatorId: string;
  cspViolations: string[];
  consoleErrors: string[];
}

/** A fresh browser profile (context) with one page and its own virtual security key. */
export async function openTab(browser: Browser): Promise<OfficerTab> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB', timezoneId: 'UTC' });
  const page = await context.newPage();
  const cspViolations: string[] = [];
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  await page.exposeFunction('__bgCspViolation', (v: string) => cspViolations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e: { violatedDirective: string; blockedURI: string }) => {
      window.__bgCspViolation(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', ctap2Version: 'ctap2_1', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { context, page, cdp, authenticatorId, cspViolations, consoleErrors };
}

export async function credentialsOf(tab: OfficerTab, authenticatorId = tab.authenticatorId) {
  return (await tab.cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** Runs axe-core (WCAG 2.x A/AA rules and best practices) on the page; returns serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: not subject to the page's CSP (a <script> tag would be, rightly).
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = window.axe as { run(ctx: unknown, opts: object): Promise<{ violations: AxeViolation[] }> };
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact}: ${v.id} — ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Let focus rings and live regions settle; screenshots are documentation, not assertions.
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Names of the elements Tab reaches, in order, starting at the skip link (the first thing on every page). */
export async function tabOrder(page: Page, steps: number): Promise<string[]> {
  await page.focus('.skip-link');
  const names: string[] = [];
  for (let i = 0; i < steps; i++) {
    names.push(
      await page.evaluate(() => {
        const el = document.activeElement as { id: string; textContent: string | null; getAttribute(n: string): string | null } | null;
        if (!el || el === document.body) return '(body)';
        const label = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null;
        return (el.getAttribute('aria-label') ?? label ?? el.textContent ?? '').replace(/\s+/g, ' ').trim();
      }),
    );
    await page.keyboard.press('Tab');
  }
  return names;
}
