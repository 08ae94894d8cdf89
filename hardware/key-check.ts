// The pre-check an officer runs before spending a key on a break-glass account: given the key's getInfo (and PIN
// retries), a local allow-list and the tenant's FIDO2 key policy supplied by the caller, decide allowed / blocked /
// unknown and say why, one finding per rule. Every result carries the reminder that a getInfo AAGUID is self-declared:
// this check is advisory, and only an attestation verified against the vendor's root proves the model.
import { readFile } from 'node:fs/promises';
import { describeAaguid, lookupAaguid, normalizeAaguid, ZERO_AAGUID } from './aaguids.ts';
import { AllowListError, HardwareError, TenantPolicyError } from './errors.ts';
import { effectiveOptions, formatFirmwareVersion, type AuthenticatorInfo } from './get-info.ts';
import { CoseAlg } from './cose-key.ts';
import { AAGUID_SELF_DECLARED_NOTE } from './security-key.ts';

/** CTAP versions in order; a key's version is the highest it lists. */
export const CTAP_VERSION_ORDER = ['U2F_V2', 'FIDO_2_0', 'FIDO_2_1_PRE', 'FIDO_2_1', 'FIDO_2_2'] as const;
export type CtapVersion = (typeof CTAP_VERSION_ORDER)[number];

export interface AllowListEntry {
  aaguid: string;
  description?: string;
  /** Vendor-defined getInfo firmwareVersion the key must reach (e.g. 0x050403 for YubiKey 5.4.3). */
  minFirmwareVersion?: number;
}

/** The local allow-list file (see docs/hardware.md). */
export interface LocalAllowList {
  name?: string;
  keys: AllowListEntry[];
  /** Lowest CTAP version accepted; default FIDO_2_0 (U2F-only keys cannot hold passkeys). */
  minCtapVersion: CtapVersion;
  /** A PIN must be set before the key is used; default true (Entra needs user verification). */
  requirePin: boolean;
  /** The key must store discoverable credentials; default true (Entra passkeys are discoverable). */
  requireResidentKeys: boolean;
  /** Fewer PIN tries left than this blocks the key; default 1 (only a blocked PIN). */
  minPinRetries: number;
}

/**
 * The tenant's FIDO2 policy as Microsoft Graph returns it (`fido2AuthenticationMethodConfiguration`), or just its
 * `keyRestrictions` object.
 */
export interface TenantKeyPolicy {
  /** "enabled" / "disabled"; absent when only key restrictions were supplied. */
  state?: 'enabled' | 'disabled';
  isAttestationEnforced?: boolean;
  keyRestrictions: { isEnforced: boolean; enforcementType: 'allow' | 'block'; aaGuids: string[] };
}

export type FindingOutcome = 'pass' | 'fail' | 'unknown' | 'info';

export interface KeyCheckFinding {
  /** Stable id of the rule, e.g. `tenant.key-restrictions`. */
  check: string;
  outcome: FindingOutcome;
  message: string;
}

export type KeyVerdict = 'allowed' | 'blocked' | 'unknown';

export interface KeyCheckResult {
  verdict: KeyVerdict;
  aaguid: string;
  model: string;
  findings: KeyCheckFinding[];
  /** Messages of the findings that decided a blocked or unknown verdict. */
  reasons: string[];
  note: string;
}

export interface KeyCheckInput {
  info: AuthenticatorInfo;
  /** PIN tries left, when read from the key. */
  pinRetries?: number;
  allowList: LocalAllowList;
  /** The tenant policy that applies to this account; undefined means it was not supplied. */
  tenantPolicy?: TenantKeyPolicy;
}

export function checkKey(input: KeyCheckInput): KeyCheckResult {
  const { info, allowList, tenantPolicy } = input;
  const aaguid = info.aaguid;
  const findings: KeyCheckFinding[] = [];
  const add = (check: string, outcome: FindingOutcome, message: string): void => {
    findings.push({ check, outcome, message });
  };
  const options = effectiveOptions(info);
  const zero = aaguid === ZERO_AAGUID;

  if (zero) add('aaguid.present', 'unknown', 'the key reports no AAGUID, so its model cannot be checked against any list');

  // Tenant policy (Graph fido2AuthenticationMethodConfiguration).
  if (!tenantPolicy) {
    add('tenant.key-restrictions', 'unknown', 'the tenant\'s FIDO2 key restrictions were not supplied, so the tenant may still refuse this key');
  } else {
    if (tenantPolicy.state === 'disabled') add('tenant.fido2-enabled', 'fail', 'FIDO2 security keys are disabled in the tenant\'s authentication methods policy');
    const kr = tenantPolicy.keyRestrictions;
    const listed = kr.aaGuids.includes(aaguid);
    if (!kr.isEnforced) add('tenant.key-restrictions', 'pass', 'the tenant does not restrict key models');
    else if (zero) add('tenant.key-restrictions', 'unknown', 'the tenant restricts key models, and this key reports no AAGUID');
    else if (kr.enforcementType === 'allow') {
      add('tenant.key-restrictions', listed ? 'pass' : 'fail', listed ? 'AAGUID is on the tenant\'s allowed list' : `AAGUID ${aaguid} is not on the tenant's allowed list`);
    } else {
      add('tenant.key-restrictions', listed ? 'fail' : 'pass', listed ? `AAGUID ${aaguid} is on the tenant's blocked list` : 'AAGUID is not on the tenant\'s blocked list');
    }
    if (tenantPolicy.isAttestationEnforced === true) {
      add('tenant.attestation', 'info', 'the tenant enforces attestation: Entra will verify the key\'s model when it is registered');
    }
  }

  // Local allow-list.
  const entry = allowList.keys.find((k) => k.aaguid === aaguid);
  if (zero) {
    add('local.allow-list', 'unknown', 'no AAGUID to look up in the local allow-list');
  } else if (!entry) {
    add('local.allow-list', 'fail', `AAGUID ${aaguid} (${describeAaguid(aaguid)}) is not on the local allow-list${allowList.name ? ` "${allowList.name}"` : ''}`);
  } else {
    add('local.allow-list', 'pass', `on the local allow-list${entry.description ? ` as "${entry.description}"` : ''}`);
  }

  // CTAP version.
  const rank = Math.max(-1, ...info.versions.map((v) => CTAP_VERSION_ORDER.indexOf(v as CtapVersion)));
  const needed = CTAP_VERSION_ORDER.indexOf(allowList.minCtapVersion);
  if (rank < needed) {
    add('ctap.version', 'fail', `CTAP version too old: the key speaks ${info.versions.join(', ') || 'nothing known'}, ${allowList.minCtapVersion} or newer is needed`);
  } else {
    add('ctap.version', 'pass', `speaks ${CTAP_VERSION_ORDER[rank]}`);
  }

  // Firmware minimum (per allow-list entry; the encoding is vendor-defined).
  if (entry?.minFirmwareVersion !== undefined) {
    if (info.firmwareVersion === undefined) {
      add('firmware.minimum', 'unknown', `the key does not report its firmware version; ${formatFirmwareVersion(entry.minFirmwareVersion)} or newer is required`);
    } else if (info.firmwareVersion < entry.minFirmwareVersion) {
      add('firmware.minimum', 'fail', `firmware ${formatFirmwareVersion(info.firmwareVersion)} is below the minimum ${formatFirmwareVersion(entry.minFirmwareVersion)}`);
    } else {
      add('firmware.minimum', 'pass', `firmware ${formatFirmwareVersion(info.firmwareVersion)} meets the minimum ${formatFirmwareVersion(entry.minFirmwareVersion)}`);
    }
  }

  // PIN.
  if (allowList.requirePin) {
    if (info.options?.clientPin === true) add('pin.set', 'pass', 'a PIN is set');
    else if (info.options?.clientPin === false) add('pin.set', 'fail', 'no PIN set: set one on the key before enrolling it');
    else add('pin.set', 'fail', 'the key has no PIN support');
    if (info.forcePINChange === true) add('pin.force-change', 'fail', 'the key demands a PIN change before it can be used');
  }
  if (input.pinRetries !== undefined) {
    if (input.pinRetries === 0) add('pin.retries', 'fail', 'the PIN is blocked (no tries left): the key must be reset or replaced');
    else if (input.pinRetries < allowList.minPinRetries) add('pin.retries', 'fail', `only ${input.pinRetries} PIN tries left (at least ${allowList.minPinRetries} required)`);
    else add('pin.retries', input.pinRetries < 8 ? 'info' : 'pass', `${input.pinRetries} PIN tries left${input.pinRetries < 8 ? ' (someone entered a wrong PIN since it was last right)' : ''}`);
  }

  // Discoverable credentials and algorithm.
  if (allowList.requireResidentKeys) {
    if (options.rk) add('rk.supported', 'pass', 'stores discoverable credentials');
    else add('rk.supported', 'fail', 'the key cannot store discoverable credentials, which Entra passkeys need');
    if (info.remainingDiscoverableCredentials === 0) add('rk.capacity', 'fail', 'no free slot for another discoverable credential');
  }
  if (info.algorithms && !info.algorithms.some((a) => a.alg === CoseAlg.ES256 && a.type === 'public-key')) {
    add('alg.es256', 'fail', 'the key does not offer ES256, which Entra requires');
  }

  const failed = findings.filter((f) => f.outcome === 'fail');
  const unknown = findings.filter((f) => f.outcome === 'unknown');
  const verdict: KeyVerdict = failed.length ? 'blocked' : unknown.length ? 'unknown' : 'allowed';
  return {
    verdict,
    aaguid,
    model: lookupAaguid(aaguid)?.model ?? describeAaguid(aaguid),
    findings,
    reasons: (failed.length ? failed : unknown).map((f) => f.message),
    note: AAGUID_SELF_DECLARED_NOTE,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Files

/**
 * Parses an allow-list:
 * `{"name"?, "minCtapVersion"?, "requirePin"?, "requireResidentKeys"?, "minPinRetries"?, "keys": [aaguid | {aaguid, description?, minFirmwareVersion?}]}`.
 */
export function parseAllowList(json: unknown, source: string): LocalAllowList {
  const fail = (reason: string): never => {
    throw new AllowListError(source, reason);
  };
  if (!isRecord(json)) return fail('must be a JSON object with a "keys" array');
  for (const k of Object.keys(json)) {
    if (!['$comment', 'name', 'keys', 'minCtapVersion', 'requirePin', 'requireResidentKeys', 'minPinRetries'].includes(k)) fail(`unknown field "${k}"`);
  }
  if (!Array.isArray(json.keys)) return fail('"keys" must be an array of AAGUIDs or {"aaguid": …} objects');
  const list: LocalAllowList = { keys: [], minCtapVersion: 'FIDO_2_0', requirePin: true, requireResidentKeys: true, minPinRetries: 1 };
  if (json.name !== undefined) {
    if (typeof json.name !== 'string') fail('"name" must be a string');
    list.name = json.name as string;
  }
  if (json.minCtapVersion !== undefined) {
    if (!CTAP_VERSION_ORDER.includes(json.minCtapVersion as CtapVersion)) fail(`"minCtapVersion" must be one of ${CTAP_VERSION_ORDER.join(', ')}`);
    list.minCtapVersion = json.minCtapVersion as CtapVersion;
  }
  for (const k of ['requirePin', 'requireResidentKeys'] as const) {
    if (json[k] !== undefined) {
      if (typeof json[k] !== 'boolean') fail(`"${k}" must be true or false`);
      list[k] = json[k] as boolean;
    }
  }
  if (json.minPinRetries !== undefined) {
    const n = json.minPinRetries;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 8) fail('"minPinRetries" must be an integer 1 to 8');
    list.minPinRetries = n as number;
  }
  (json.keys as unknown[]).forEach((item, i) => {
    const where = `"keys"[${i}]`;
    const raw = typeof item === 'string' ? { aaguid: item } : item;
    if (!isRecord(raw) || typeof raw.aaguid !== 'string') fail(`${where} must be an AAGUID string or an object with "aaguid"`);
    const r = raw as Record<string, unknown>;
    for (const k of Object.keys(r)) if (!['aaguid', 'description', 'minFirmwareVersion'].includes(k)) fail(`${where} has unknown field "${k}"`);
    let aaguid = '';
    try {
      aaguid = normalizeAaguid(r.aaguid as string);
    } catch {
      fail(`${where}: ${JSON.stringify(String(r.aaguid).slice(0, 48))} is not an AAGUID`);
    }
    const entry: AllowListEntry = { aaguid };
    if (r.description !== undefined) {
      if (typeof r.description !== 'string') fail(`${where}.description must be a string`);
      entry.description = r.description as string;
    }
    if (r.minFirmwareVersion !== undefined) {
      const fw = r.minFirmwareVersion;
      if (typeof fw === 'string' && /^0x[0-9a-f]{1,8}$/i.test(fw)) entry.minFirmwareVersion = parseInt(fw, 16);
      else if (typeof fw === 'number' && Number.isSafeInteger(fw) && fw >= 0) entry.minFirmwareVersion = fw;
      else fail(`${where}.minFirmwareVersion must be a non-negative integer or hex like "0x050403"`);
    }
    list.keys.push(entry);
  });
  return list;
}

/** Parses a Graph `fido2AuthenticationMethodConfiguration`, or just its `keyRestrictions` object. */
export function parseTenantPolicy(json: unknown, source: string): TenantKeyPolicy {
  const fail = (reason: string): never => {
    throw new TenantPolicyError(source, reason);
  };
  if (!isRecord(json)) return fail('must be a JSON object');
  const kr = isRecord(json.keyRestrictions) ? json.keyRestrictions : 'isEnforced' in json ? json : undefined;
  if (!kr) return fail('has no "keyRestrictions" (expected Graph\'s fido2AuthenticationMethodConfiguration or its keyRestrictions)');
  if (typeof kr.isEnforced !== 'boolean') fail('"keyRestrictions.isEnforced" must be true or false');
  const type = kr.enforcementType;
  if (type !== 'allow' && type !== 'block') fail('"keyRestrictions.enforcementType" must be "allow" or "block"');
  const list = kr.aaGuids ?? [];
  if (!Array.isArray(list)) return fail('"keyRestrictions.aaGuids" must be an array');
  const aaGuids = list.map((a, i) => {
    if (typeof a !== 'string') return fail(`"keyRestrictions.aaGuids"[${i}] must be a string`);
    try {
      return normalizeAaguid(a);
    } catch {
      return fail(`"keyRestrictions.aaGuids"[${i}] ${JSON.stringify(a.slice(0, 48))} is not an AAGUID`);
    }
  });
  const policy: TenantKeyPolicy = { keyRestrictions: { isEnforced: kr.isEnforced as boolean, enforcementType: type as 'allow' | 'block', aaGuids } };
  if (json.state !== undefined) {
    if (json.state !== 'enabled' && json.state !== 'disabled') fail('"state" must be "enabled" or "disabled"');
    policy.state = json.state as 'enabled' | 'disabled';
  }
  if (json.isAttestationEnforced !== undefined) {
    if (typeof json.isAttestationEnforced !== 'boolean') fail('"isAttestationEnforced" must be true or false');
    policy.isAttestationEnforced = json.isAttestationEnforced as boolean;
  }
  return policy;
}

export async function loadAllowList(path: string): Promise<LocalAllowList> {
  return parseAllowList(await readJson(path, (reason, cause) => new AllowListError(path, reason, cause)), path);
}

export async function loadTenantPolicy(path: string): Promise<TenantKeyPolicy> {
  return parseTenantPolicy(await readJson(path, (reason, cause) => new TenantPolicyError(path, reason, cause)), path);
}

async function readJson(path: string, error: (reason: string, cause: unknown) => HardwareError): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw error(code === 'ENOENT' ? 'file not found' : `cannot read it (${code ?? 'I/O error'})`, err);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw error(`not valid JSON (${(err as Error).message.split('\n')[0]})`, err);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
