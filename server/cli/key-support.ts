// Shared plumbing of the `breakglass key …` commands: choosing the key (--device PATH, --virtual PROFILE or the one
// key attached), turning hardware errors into one actionable CLI line with the right exit code, and rendering a
// key report the way `fido2-token -I` does. The hardware layer is injected so tests can run without node-hid.
import { resolve } from 'node:path';
import {
  HardwareError,
  SecurityKey,
  VirtualSecurityKey,
  formatFirmwareVersion,
  getInfoToJson,
  nodeHidBackend,
  type HidBackend,
  type HidDeviceInfo,
  type KeyReport,
} from '../../hardware/index.ts';
import { CliError, EXIT_FAILURE, EXIT_USAGE, stringOption, type CommandContext, type OptionSpec } from './command.ts';

export interface KeyCommandDeps {
  /** Where real keys come from; node-hid by default. */
  backend: () => HidBackend;
}

export const defaultKeyDeps: KeyCommandDeps = { backend: () => nodeHidBackend() };

export const keySelectionOptions: OptionSpec = {
  device: { type: 'string' },
  virtual: { type: 'string' },
};

export const keySelectionHelp = [
  '--device PATH        the key to use (from `breakglass key list`); default: the only key attached',
  '--virtual PROFILE    use a virtual key instead: a profile file, or a built-in profile name',
  '                     (breakglass-virtual, yubikey-5-nfc-5.4.3, security-key-by-yubico, token2-t2f2-nfc-dual)',
];

/** Error codes that mean the user's input was wrong (exit 2); everything else is a key problem (exit 1). */
const INPUT_CODES = new Set(['invalid_profile', 'invalid_allow_list', 'invalid_tenant_policy', 'invalid_registration', 'invalid_argument']);

/** Runs `fn`, turning a HardwareError into a one-line CliError (never a stack trace). */
export async function translateHardwareErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof HardwareError) throw new CliError(err.message, INPUT_CODES.has(err.code) ? EXIT_USAGE : EXIT_FAILURE);
    throw err;
  }
}

/** A profile argument: a built-in profile name stays a name, anything else is a path relative to the CLI's cwd. */
export function profileArgument(ctx: CommandContext, value: string): string {
  return /^[a-z0-9][a-z0-9.-]*$/.test(value) && !value.endsWith('.json') ? value : resolve(ctx.io.cwd, value);
}

export function fileArgument(ctx: CommandContext, value: string): string {
  return resolve(ctx.io.cwd, value);
}

export interface OpenedKey {
  key: SecurityKey;
  virtual: boolean;
}

/** Opens the key the options select, runs `fn`, and always closes it. */
export async function withSelectedKey<T>(ctx: CommandContext, deps: KeyCommandDeps, fn: (opened: OpenedKey) => Promise<T>): Promise<T> {
  const device = stringOption(ctx, 'device');
  const virtualProfile = stringOption(ctx, 'virtual');
  if (device && virtualProfile) throw new CliError('choose either --device or --virtual, not both');
  return translateHardwareErrors(async () => {
    let key: SecurityKey;
    let virtual = false;
    if (virtualProfile) {
      const vk = await VirtualSecurityKey.load(profileArgument(ctx, virtualProfile));
      key = await SecurityKey.open(vk.open(), { descriptor: vk.descriptor });
      virtual = true;
    } else if (device) {
      key = await SecurityKey.openPath(device, { backend: deps.backend() });
    } else {
      key = await SecurityKey.openOnly({ backend: deps.backend() });
    }
    try {
      return await fn({ key, virtual });
    } finally {
      await key.close().catch(() => undefined);
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

export function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

export function describeDevice(d: Pick<HidDeviceInfo, 'path' | 'vendorId' | 'productId' | 'manufacturer' | 'product'>): string {
  const name = [d.manufacturer, d.product].filter(Boolean).join(' ') || 'unnamed device';
  return `${d.path ?? '?'} — ${name} (${hex4(d.vendorId)}:${hex4(d.productId)})`;
}

function capabilityNames(caps: number): string[] {
  const names: string[] = [];
  if (caps & 0x01) names.push('wink');
  if (caps & 0x02) names.push('lock');
  if (caps & 0x04) names.push('cbor');
  names.push(caps & 0x08 ? 'nomsg' : 'msg');
  return names;
}

const ALG_NAMES: Record<number, string> = { [-7]: 'es256', [-8]: 'eddsa', [-35]: 'es384', [-36]: 'es512', [-257]: 'rs256', [-47]: 'es256k' };

function pinLine(report: KeyReport): string {
  const pin = report.pin;
  if (!pin.supported) return 'not supported by this key';
  if (pin.retries === 0) return 'BLOCKED (no tries left): the key must be reset, which erases it';
  const retries = pin.retries === undefined ? `tries left unknown (${pin.error ?? 'not reported'})` : `${pin.retries} ${pin.retries === 1 ? 'try' : 'tries'} left`;
  const blocked = pin.powerCycleRequired ? ' — temporarily blocked: remove and re-insert the key' : '';
  return `${pin.set ? 'set' : 'NOT SET'}, ${retries}${blocked}`;
}

/** The `--json` shape of `key info`: getInfo members under their CTAP spec names, plus what the key said over HID. */
export function keyReportJson(report: KeyReport, virtual: boolean): Record<string, unknown> {
  const c = report.ctaphid;
  return {
    device: report.device ? { ...report.device, vendorId: hex4(report.device.vendorId), productId: hex4(report.device.productId) } : null,
    virtual,
    model: report.model,
    vendor: report.vendor ?? null,
    ...getInfoToJson(report.info),
    pinRetries: report.pin.retries ?? null,
    powerCycleState: report.pin.powerCycleRequired ?? null,
    ...(report.uvRetries === undefined ? {} : { uvRetries: report.uvRetries }),
    ctaphid: {
      protocolVersion: c.protocolVersion,
      deviceVersion: `${c.deviceVersion.major}.${c.deviceVersion.minor}.${c.deviceVersion.build}`,
      capabilities: capabilityNames(c.capabilities),
    },
    notes: report.notes,
  };
}

/** Text lines in the spirit of `fido2-token -I`, with the inventory facts first. */
export function keyReportLines(report: KeyReport, virtual: boolean): string[] {
  const info = report.info;
  const lines: [string, string][] = [];
  const add = (label: string, value: string | undefined): void => {
    if (value !== undefined) lines.push([label, value]);
  };
  add('device', report.device ? `${describeDevice(report.device)}${virtual ? ' [VIRTUAL KEY, not hardware]' : ''}` : virtual ? 'virtual key (not hardware)' : undefined);
  add('model', `${report.model}${report.vendor ? ` (${report.vendor})` : ''}`);
  add('aaguid', info.aaguid);
  add('versions', info.versions.join(', '));
  add('extensions', info.extensions?.join(', ') || 'none');
  add('transports', info.transports?.join(', '));
  add('algorithms', info.algorithms?.map((a) => ALG_NAMES[a.alg] ?? `${a.alg}`).join(', '));
  add('options', info.options ? Object.entries(info.options).map(([k, v]) => (v ? k : `no${k}`)).join(', ') : 'none reported');
  add('PIN', pinLine(report));
  add('min PIN length', String(info.minPINLength ?? '4 (default)'));
  if (info.maxPINLength !== undefined) add('max PIN length', String(info.maxPINLength));
  if (info.forcePINChange) add('PIN change required', 'yes: change the PIN before using the key');
  if (report.uvRetries !== undefined) add('UV retries', String(report.uvRetries));
  add('firmware', formatFirmwareVersion(info.firmwareVersion));
  add('remaining discoverable credentials', info.remainingDiscoverableCredentials === undefined ? 'not reported' : String(info.remainingDiscoverableCredentials));
  add('max message size', String(info.maxMsgSize ?? '1024 (default)'));
  add('PIN/UV auth protocols', info.pinUvAuthProtocols?.join(', ') ?? 'none reported');
  if (info.maxCredentialCountInList !== undefined) add('max credentials in list', String(info.maxCredentialCountInList));
  if (info.maxCredentialIdLength !== undefined) add('max credential id length', String(info.maxCredentialIdLength));
  if (info.certifications) add('certifications', Object.entries(info.certifications).map(([k, v]) => `${k} ${v}`).join(', '));
  if (info.attestationFormats) add('attestation formats', info.attestationFormats.join(', '));
  if (info.uvModality !== undefined) add('UV modality', `0x${info.uvModality.toString(16)}`);
  const c = report.ctaphid;
  add('CTAPHID', `protocol ${c.protocolVersion}, device version ${c.deviceVersion.major}.${c.deviceVersion.minor}.${c.deviceVersion.build}, capabilities 0x${c.capabilities.toString(16).padStart(2, '0')} (${capabilityNames(c.capabilities).join(', ')})`);
  const width = Math.max(...lines.map(([l]) => l.length)) + 2;
  return [...lines.map(([l, v]) => `${`${l}:`.padEnd(width)}${v}`), ...report.notes.map((n) => `note: ${n}`)];
}
