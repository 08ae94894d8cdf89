// Shared plumbing of the `breakglass account …`, `key inventory|adopt|custody|lost` and `enroll …` commands: opening
// the runtime with the directory the service uses (`connect`), building the EnrollmentService as the service does,
// choosing the break-glass key (--device / --virtual / the configured key source) and the officer's own passkey key,
// proving the officer for four-eyes commands, and rendering requests, pre-checks and inventories as text.
import { userInfo } from 'node:os';
import type { Writable } from 'node:stream';
import { VirtualSecurityKey } from '../../hardware/index.ts';
import { defaultLifecycleHooks, type LifecycleHooks } from '../accounts/lifecycle-hooks.ts';
import type { Permission } from '../auth/roles.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { cleanText } from '../domain/clean-text.ts';
import { STATE_LABEL } from '../domain/enrollment-state.ts';
import type { EnrollmentRequest } from '../enrollment/enrollment-requests.ts';
import { EnrollmentService } from '../enrollment/enrollment-service.ts';
import { loadAllowListFor } from '../enrollment/enrollment-wiring.ts';
import { hidKeyProvider, keyProviderFor, virtualKeyProvider, type KeyProvider } from '../enrollment/key-provider.ts';
import type { PrecheckResult } from '../enrollment/precheck.ts';
import { InvalidInputError } from '../errors.ts';
import { openRuntime, requireDirectory, type Runtime } from '../runtime.ts';
import { cliConfig } from './cli-config.ts';
import { CliError, EXIT_USAGE, stringOption, writeLine, type CommandContext, type OptionSpec } from './command.ts';
import { profileArgument } from './key-support.ts';
import { proveOfficer, type ProvenOfficer } from './officer-proof.ts';
import { readSecret } from './secret-input.ts';

export const EXIT_UNDECIDED = 3;

export interface EnrollmentCliDeps {
  /** The break-glass key being pre-checked or enrolled. */
  breakglassKeys?(ctx: CommandContext, config: Config): KeyProvider;
  /** The officer's own passkey key (proves who runs a four-eyes command). */
  officerKeys?(ctx: CommandContext, config: Config): KeyProvider;
  clock?: Clock;
  hooks?: LifecycleHooks;
  /** Waits between Graph polls while watching a guided enrollment. */
  sleep?(ms: number): Promise<void>;
}

export const breakglassKeyOptions: OptionSpec = { device: { type: 'string' }, virtual: { type: 'string' } };
export const officerKeyOptions: OptionSpec = { 'officer-device': { type: 'string' } };

export const breakglassKeyHelp = [
  '--device PATH          the break-glass key (from `breakglass key list`); default: the configured key source',
  '--virtual PROFILE      a VIRTUAL break-glass key instead (demos and training only)',
];
export const officerKeyHelp = [
  '--officer-device PATH  the security key holding YOUR breakglass passkey (default: the only key attached);',
  '                       you prove who you are with it and its PIN, as when signing in to the web front end',
];

/** The actor for single-officer CLI changes (inventory, custody, designation): the operating-system account. */
export { cliActor } from './drill-cli.ts';

export function breakglassKeys(ctx: CommandContext, config: Config, deps: EnrollmentCliDeps): KeyProvider {
  if (deps.breakglassKeys) return deps.breakglassKeys(ctx, config);
  const device = stringOption(ctx, 'device');
  const virtual = stringOption(ctx, 'virtual');
  if (device && virtual) throw new CliError('choose either --device or --virtual, not both');
  if (virtual) {
    let vk: Promise<VirtualSecurityKey> | undefined;
    let p: KeyProvider | undefined;
    return {
      description: `VIRTUAL key (${virtual}; software, not hardware)`,
      virtual: true,
      async withKey(fn) {
        vk ??= VirtualSecurityKey.load(profileArgument(ctx, virtual));
        p ??= virtualKeyProvider(await vk);
        return p.withKey(fn);
      },
    };
  }
  if (device) {
    const hid = hidKeyProvider();
    return { ...hid, withKey: (fn) => hid.withKey(fn, { device }) };
  }
  return keyProviderFor(config.enrollment.keySource, config.storage.dataDir);
}

export function officerKeys(ctx: CommandContext, config: Config, deps: EnrollmentCliDeps): KeyProvider {
  if (deps.officerKeys) return deps.officerKeys(ctx, config);
  const device = stringOption(ctx, 'officer-device');
  const hid = hidKeyProvider();
  return device ? { ...hid, withKey: (fn) => hid.withKey(fn, { device }) } : hid;
}

export interface EnrollmentEnv {
  config: Config;
  runtime: Runtime;
  service: EnrollmentService;
}

/** Opens the runtime (with the service's directory) and the enrollment service; always closes the runtime. */
export async function withEnrollment<T>(ctx: CommandContext, deps: EnrollmentCliDeps, fn: (env: EnrollmentEnv) => Promise<T>): Promise<T> {
  const config = cliConfig(ctx);
  const allowList = await loadAllowListFor(config.enrollment);
  const runtime = await openRuntime(config, { directory: 'connect', ...(deps.clock ? { clock: deps.clock } : {}) });
  try {
    const service = new EnrollmentService({
      audit: runtime.audit,
      directory: requireDirectory(runtime),
      keys: breakglassKeys(ctx, config, deps),
      settings: config.enrollment,
      allowList,
      hooks: deps.hooks ?? defaultLifecycleHooks,
    });
    return await fn({ config, runtime, service });
  } finally {
    await runtime.close();
  }
}

/** Proves the officer at the keyboard with their passkey (PIN asked on the terminal or read from stdin). */
export async function provenOfficer(ctx: CommandContext, deps: EnrollmentCliDeps, env: EnrollmentEnv, permission: Permission): Promise<ProvenOfficer> {
  const keys = officerKeys(ctx, env.config, deps);
  writeLine(ctx.io.stderr, 'Prove who you are: insert the security key with your breakglass passkey.');
  const pin = await readSecret(ctx.io, 'PIN of your officer security key: ');
  return proveOfficer(env.runtime, { keys, pin, permission, onTouch: () => writeLine(ctx.io.stderr, 'Touch your officer key now.') });
}

export function requireMode(ctx: CommandContext): 'guided' | 'direct' {
  const mode = stringOption(ctx, 'mode');
  if (mode !== 'guided' && mode !== 'direct') throw new CliError('--mode must be "guided" (TAP and the security-info page) or "direct" (on behalf, over USB)', EXIT_USAGE);
  return mode;
}

/** A required free-text option (a reason, a name), checked like the service checks it; a bad value is a usage error (exit 2). */
export function requireText(ctx: CommandContext, name: string, what: string, max = 500): string {
  const v = stringOption(ctx, name);
  if (!v?.trim()) throw new CliError(`--${name} is required: ${what}`);
  return optionText(v, name, max);
}

/** An optional free-text option, checked up front (before any passkey sign-in); undefined when not given or blank. */
export function optionalText(ctx: CommandContext, name: string, max: number): string | undefined {
  const v = stringOption(ctx, name);
  return v === undefined ? undefined : optionText(v, name, max) || undefined;
}

function optionText(v: string, name: string, max: number): string {
  try {
    return cleanText(v, { field: `--${name}`, max });
  } catch (err) {
    if (err instanceof InvalidInputError) throw new CliError(err.message, EXIT_USAGE);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

const MARK = { pass: 'ok     ', fail: 'FAIL   ', unknown: 'unknown', info: 'info   ' } as const;

export function printPrecheck(out: Writable, p: PrecheckResult): void {
  writeLine(out, `account: ${p.account.upn}`);
  writeLine(out, `key:     ${p.key.model}, AAGUID ${p.key.aaguid}${p.key.serial ? `, serial ${p.key.serial}` : ''}${p.key.virtual ? ' [VIRTUAL KEY]' : ''}`);
  writeLine(out, `mode:    ${p.mode}`);
  writeLine(out, `policy:  ${p.policy.source === 'legacy' ? 'tenant-wide FIDO2 settings' : `passkey profiles: ${p.policy.profiles.join(', ') || 'none'}`}${p.policy.tapLifetimeMinutes ? `; TAP ${p.policy.tapLifetimeMinutes} min` : ''}`);
  writeLine(out, `verdict: ${p.verdict.toUpperCase()}`);
  for (const f of p.findings) writeLine(out, `  ${MARK[f.outcome]}  ${f.message}`);
  writeLine(out, `note: ${p.note}`);
}

/** `Alice Admin (officer:…)` when the name is known. */
function named(names: Record<string, string>, actor: string | null): string {
  if (!actor) return '';
  return names[actor] ? `${names[actor]} (${actor})` : actor === 'system' ? 'breakglass' : actor;
}

export function requestLines(r: EnrollmentRequest, names: Record<string, string> = {}): string[] {
  const lines: [string, string | null | undefined][] = [
    ['request', r.id],
    ['account', r.upn],
    ['mode', `${r.mode}${r.purpose === 'replace' ? ` (replaces key ${r.replacesKeyId})` : ''}`],
    ['state', STATE_LABEL[r.state] === r.state ? r.state : `${r.state} — ${STATE_LABEL[r.state]}`],
    ['key', `${r.key.model}, AAGUID ${r.key.aaguid}${r.key.serial ? `, serial ${r.key.serial}` : ''}${r.precheck.virtual ? ' [VIRTUAL KEY]' : ''} (pre-check: ${r.precheck.verdict})`],
    ['display name', r.displayName],
    ['custody', [r.location, r.sealNumber ? `seal ${r.sealNumber}` : ''].filter(Boolean).join(', ') || null],
    ['reason', r.reason],
    ['requested', `${r.requestedAt} by ${named(names, r.requestedBy)}`],
    ['approved', r.approvedBy ? `${r.approvedAt} by ${named(names, r.approvedBy)}` : null],
    ['expires', r.state === 'requested' || r.state === 'approved' ? r.expiresAt : null],
    ['TAP', r.tap.methodId ? `method ${r.tap.methodId}, ${r.tap.state}${r.tap.expiresAt ? `, valid until ${r.tap.expiresAt}` : ''}` : null],
    ['credential', r.credentialId],
    ['Entra method', r.fido2MethodId],
    ['inventory key', r.keyId],
    ['first drill due', r.drillDueAt],
    ['closed', r.closedAt ? `${r.closedAt} by ${named(names, r.closedBy)}: ${r.closeReason}` : null],
    ['error', r.error ? `${r.error.code}: ${r.error.message}` : null],
  ];
  const shown = lines.filter((l): l is [string, string] => l[1] !== null && l[1] !== undefined && l[1] !== '');
  const width = Math.max(...shown.map(([k]) => k.length)) + 2;
  return shown.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`);
}

export function printRequest(out: Writable, r: EnrollmentRequest, names: Record<string, string> = {}): void {
  for (const l of requestLines(r, names)) writeLine(out, l);
}
