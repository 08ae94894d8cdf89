// Enrollment test harness: the simulated tenant (real Graph client over HTTPS, shared ManualClock), a real store on a
// backend (SQLite file or PostgreSQL) with its audit log, the EnrollmentService wired as the service wires it, and a
// virtual security key behind the node-hid device interface. Lifecycle hooks are recorded so tests can assert the
// drill clock and alerts were called inside the same transactions. Also a scripted client for the simulated
// security-info page (the officer's browser in guided mode), using the same virtual key for the WebAuthn part.
import { readFileSync } from 'node:fs';
import { VirtualSecurityKey, SecurityKey, createCredential, type CreationOptionsJSON } from '../../../hardware/index.ts';
import { designateAccount, type EmergencyAccount } from '../../../server/accounts/emergency-accounts.ts';
import type { LifecycleHooks, RaiseAlertInput, RestartDrillClockInput } from '../../../server/accounts/lifecycle-hooks.ts';
import { loadConfig } from '../../../server/config.ts';
import { readEnrollmentSettings, type EnrollmentSettings } from '../../../server/enrollment/enrollment-settings.ts';
import { EnrollmentService } from '../../../server/enrollment/enrollment-service.ts';
import { virtualKeyProvider } from '../../../server/enrollment/key-provider.ts';
import { openRuntime, type Runtime } from '../../../server/runtime.ts';
import { SettingsSource } from '../../../server/settings-source.ts';
import { backendEnv } from '../../helpers/audit-fixture.ts';
import { createBackend, type Backend } from '../../helpers/backends.ts';
import { DEMO, startHarness, type Harness, type HarnessOptions } from '../../fixtures/graph/sim-harness.ts';

export { DEMO };

export const ALICE = 'officer:alice';
export const BOB = 'officer:bob';
export const KEY_PIN = '731946';

export interface RecordedHooks extends LifecycleHooks {
  drillClock: RestartDrillClockInput[];
  alerts: RaiseAlertInput[];
}

/** Records the calls and writes an audit event for each, as the real implementations do inside the caller's tx. */
export function recordingHooks(): RecordedHooks {
  const drillClock: RestartDrillClockInput[] = [];
  const alerts: RaiseAlertInput[] = [];
  return {
    drillClock,
    alerts,
    async restartDrillClock(_tx, audit, input) {
      drillClock.push(input);
      const dueAt = new Date(input.at.getTime() + 90 * 86_400_000).toISOString();
      audit.record({ actor: input.actor, action: 'test.drill_clock_restarted', subject: `account:${input.accountId}`, data: { reason: input.reason, dueAt } });
      return { dueAt };
    },
    async raiseAlert(_tx, audit, input) {
      alerts.push(input);
      audit.record({ actor: 'system', action: 'test.alert_raised', subject: input.subject, data: { kind: input.kind, dedupeKey: input.dedupeKey } });
    },
  };
}

export interface EnrollHarness {
  g: Harness;
  backend: Backend;
  runtime: Runtime;
  service: EnrollmentService;
  key: VirtualSecurityKey;
  hooks: RecordedHooks;
  settings: EnrollmentSettings;
  bg02: EmergencyAccount;
  close(): Promise<void>;
}

export interface EnrollHarnessOptions extends HarnessOptions {
  backend?: 'sqlite' | 'postgres';
  /** Virtual key profile (default: YubiKey 5 NFC, allowed by the demo tenant's emergency passkey profile). */
  profile?: string;
  /** PIN set on the virtual key at power-up; null = a new key without a PIN. Default KEY_PIN. */
  pin?: string | null;
  env?: NodeJS.ProcessEnv;
}

export async function openEnrollHarness(o: EnrollHarnessOptions = {}): Promise<EnrollHarness> {
  const g = await startHarness(o);
  const backend = await createBackend(o.backend ?? 'sqlite');
  const config = loadConfig({ env: { ...backendEnv(backend), ...(o.env ?? {}) } });
  const runtime = await openRuntime(config, { clock: g.clock });
  const settings = readEnrollmentSettings(new SettingsSource({ BREAKGLASS_ENROLLMENT_POLL_SECONDS: '0', ...(o.env ?? {}) }));
  const key = await VirtualSecurityKey.load(o.profile ?? 'yubikey-5-nfc-5.4.3', o.pin === null ? {} : { pin: o.pin ?? KEY_PIN });
  const hooks = recordingHooks();
  const service = new EnrollmentService({ audit: runtime.audit, directory: g.dir, keys: virtualKeyProvider(key), settings, allowList: undefined, hooks });
  const { account: bg02 } = await designateAccount({ audit: runtime.audit, directory: g.dir }, { user: DEMO.bg02Upn, actor: ALICE });
  return {
    g,
    backend,
    runtime,
    service,
    key,
    hooks,
    settings,
    bg02,
    async close() {
      await runtime.close();
      await g.close();
      await backend.dispose();
    },
  };
}

/**
 * The account's browser on the simulated security-info page: signs in with the TAP and registers the (virtual) key
 * with WebAuthn for the page's own origin, as Chromium would.
 */
export class SecurityInfoClient {
  readonly url: string;
  cookie: string | undefined;
  readonly bodies: string[] = [];

  constructor(url: string) {
    this.url = url;
  }

  async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(this.cookie ? { cookie: this.cookie } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0];
    const text = await res.text();
    this.bodies.push(text);
    return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  signIn(username: string, pass: string) {
    return this.call('POST', '/api/sign-in', { username, pass });
  }

  /** Options → makeCredential on the key (PIN, touch) → register; returns the register response. */
  async registerKey(vk: VirtualSecurityKey, displayName: string, pin = KEY_PIN) {
    const opts = await this.call('POST', '/api/security-key/options', {});
    if (opts.status !== 200) return opts;
    const key = await SecurityKey.open(vk.open(), { descriptor: vk.descriptor });
    try {
      const response = await createCredential(key, opts.json as unknown as CreationOptionsJSON, { origin: this.url, pin });
      return await this.call('POST', '/api/security-key/register', { displayName, response });
    } finally {
      await key.close();
    }
  }
}

/** Every byte the store wrote (SQLite file plus WAL), for secrecy scans. */
export function sqliteBytes(b: Backend): string {
  let out = '';
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      out += readFileSync(`${b.sqlitePath}${suffix}`).toString('latin1');
    } catch {
      /* absent */
    }
  }
  return out;
}
