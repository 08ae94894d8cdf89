// Key profiles: JSON files that describe a security key model for the virtual authenticator — its getInfo (AAGUID,
// versions, options, firmware, …), USB identity and CTAPHID version. A profile may instead carry `getInfo`, the hex of
// a real key's recorded getInfo response (a leading 00 status byte is accepted), which the virtual key returns
// verbatim so a real key's answer can be replayed. Profiles for common models ship in hardware/profiles/.
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { basename, join } from 'node:path';
import { decodeCbor } from './cbor.ts';
import { normalizeAaguid } from './aaguids.ts';
import { CborError, HardwareError, ProfileError } from './errors.ts';
import { decodeGetInfo, type AlgorithmDescriptor, type AuthenticatorInfo } from './get-info.ts';
import { fromHex } from './bytes.ts';
import { Capability } from './ctaphid-framing.ts';

export interface KeyProfile {
  name: string;
  description?: string;
  /** Where the profile's data was recorded (an issue, a trace, a test vector). */
  reference?: string;
  /** Where the profile came from: a file path or `builtin:<name>`. */
  source: string;
  usb: { vendorId: number; productId: number; manufacturer?: string; product?: string; serialNumber?: string };
  ctaphid: { deviceVersion: { major: number; minor: number; build: number }; capabilities: number };
  /** What the virtual key reports and how it behaves (AAGUID, versions, options, PIN protocols, limits). */
  info: AuthenticatorInfo;
  /** A real key's getInfo CBOR (without status byte), answered verbatim. */
  recordedGetInfo?: Uint8Array;
  /** PIN tries left at power-up (the spec maximum is 8). */
  pinRetries: number;
}

const META_KEYS = new Set(['$comment', 'name', 'description', 'reference', 'usb', 'ctaphid', 'pinRetries', 'getInfo']);
const INFO_KEYS = new Set([
  'aaguid', 'versions', 'extensions', 'options', 'maxMsgSize', 'pinUvAuthProtocols', 'maxCredentialCountInList',
  'maxCredentialIdLength', 'transports', 'algorithms', 'maxSerializedLargeBlobArray', 'forcePINChange', 'minPINLength',
  'firmwareVersion', 'maxCredBlobLength', 'maxRPIDsForSetMinPINLength', 'preferredPlatformUvAttempts', 'uvModality',
  'certifications', 'remainingDiscoverableCredentials', 'vendorPrototypeConfigCommands', 'attestationFormats',
  'uvCountSinceLastPinEntry', 'longTouchForReset', 'transportsForReset', 'pinComplexityPolicy', 'pinComplexityPolicyURL',
  'maxPINLength', 'authenticatorConfigCommands',
]);
const UINT_KEYS = [
  'maxMsgSize', 'maxCredentialCountInList', 'maxCredentialIdLength', 'maxSerializedLargeBlobArray', 'minPINLength',
  'maxCredBlobLength', 'maxRPIDsForSetMinPINLength', 'preferredPlatformUvAttempts', 'uvModality',
  'remainingDiscoverableCredentials', 'uvCountSinceLastPinEntry', 'maxPINLength',
] as const;
const STRING_ARRAY_KEYS = ['extensions', 'transports', 'attestationFormats', 'transportsForReset'] as const;
const UINT_ARRAY_KEYS = ['pinUvAuthProtocols', 'vendorPrototypeConfigCommands', 'authenticatorConfigCommands'] as const;
const BOOL_KEYS = ['forcePINChange', 'longTouchForReset', 'pinComplexityPolicy'] as const;

/** Validates parsed JSON as a key profile. `source` names it in error messages. */
export function parseKeyProfile(json: unknown, source: string): KeyProfile {
  const fail = (reason: string, cause?: unknown): never => {
    throw new ProfileError(source, reason, cause);
  };
  if (!isRecord(json)) return fail('must be a JSON object');
  for (const key of Object.keys(json)) {
    if (!META_KEYS.has(key) && !INFO_KEYS.has(key)) fail(`unknown field "${key}" (see docs/hardware.md for the profile format)`);
  }
  const name = json.name;
  if (typeof name !== 'string' || !name.trim()) fail('"name" must be a non-empty string');
  const profile: KeyProfile = {
    name: name as string,
    source,
    usb: parseUsb(json.usb, name as string, fail),
    ctaphid: parseCtapHid(json.ctaphid, fail),
    info: { versions: [], aaguid: '' },
    pinRetries: 8,
  };
  if (json.description !== undefined) profile.description = str(json.description, 'description', fail);
  if (json.reference !== undefined) profile.reference = str(json.reference, 'reference', fail);
  if (json.pinRetries !== undefined) {
    const retries = json.pinRetries;
    if (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0 || retries > 8) fail('"pinRetries" must be an integer 0 to 8');
    profile.pinRetries = retries as number;
  }
  if (json.getInfo !== undefined) {
    const infoFields = Object.keys(json).filter((k) => INFO_KEYS.has(k));
    if (infoFields.length) fail(`"getInfo" replays a recording, so it cannot be combined with ${infoFields.map((k) => `"${k}"`).join(', ')}`);
    if (typeof json.getInfo !== 'string') fail('"getInfo" must be a hex string');
    let bytes: Uint8Array;
    try {
      bytes = fromHex(json.getInfo as string, '"getInfo"');
    } catch (err) {
      return fail('"getInfo" is not valid hex', err);
    }
    // A recording copied from a trace may include the CTAP status byte 00 in front of the map.
    if (bytes[0] === 0x00) bytes = bytes.subarray(1);
    let value;
    try {
      value = decodeCbor(bytes, { canonical: true });
    } catch (err) {
      return fail(`"getInfo" is not CTAP2 canonical CBOR (${err instanceof CborError ? err.message : 'unreadable'})`, err);
    }
    if (!(value instanceof Map)) fail('"getInfo" does not hold a CBOR map');
    try {
      profile.info = decodeGetInfo(value as Map<number, never>);
    } catch (err) {
      return fail(`"getInfo" is not a valid getInfo response (${err instanceof HardwareError ? err.message : 'unreadable'})`, err);
    }
    profile.recordedGetInfo = bytes.slice();
    return profile;
  }
  profile.info = parseInfoFields(json, fail);
  return profile;
}

function parseInfoFields(json: Record<string, unknown>, fail: (reason: string) => never): AuthenticatorInfo {
  if (typeof json.aaguid !== 'string') fail('"aaguid" is required (8-4-4-4-12 hex), or give a recorded "getInfo"');
  let aaguid = '';
  try {
    aaguid = normalizeAaguid(json.aaguid as string);
  } catch {
    fail(`"aaguid" ${JSON.stringify(json.aaguid)} is not an AAGUID`);
  }
  const versions = stringArray(json.versions, 'versions', fail);
  if (!versions?.length) fail('"versions" must list at least one version, e.g. ["FIDO_2_0", "FIDO_2_1"]');
  const info: AuthenticatorInfo = { versions: versions!, aaguid };
  const record = info as unknown as Record<string, unknown>;
  for (const k of STRING_ARRAY_KEYS) if (json[k] !== undefined) record[k] = stringArray(json[k], k, fail);
  for (const k of UINT_ARRAY_KEYS) if (json[k] !== undefined) record[k] = uintArray(json[k], k, fail);
  for (const k of UINT_KEYS) if (json[k] !== undefined) record[k] = uint(json[k], k, fail);
  for (const k of BOOL_KEYS) {
    if (json[k] !== undefined) {
      if (typeof json[k] !== 'boolean') fail(`"${k}" must be true or false`);
      record[k] = json[k];
    }
  }
  if (json.options !== undefined) {
    if (!isRecord(json.options)) fail('"options" must be an object of booleans');
    const options: Record<string, boolean> = {};
    for (const [k, v] of Object.entries(json.options as Record<string, unknown>)) {
      if (typeof v !== 'boolean') fail(`option "${k}" must be true or false`);
      Object.defineProperty(options, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    info.options = options;
  }
  if (json.firmwareVersion !== undefined) {
    const fw = json.firmwareVersion;
    if (typeof fw === 'string' && /^0x[0-9a-f]{1,8}$/i.test(fw)) info.firmwareVersion = parseInt(fw, 16);
    else info.firmwareVersion = uint(fw, 'firmwareVersion', fail);
  }
  if (json.algorithms !== undefined) {
    if (!Array.isArray(json.algorithms)) fail('"algorithms" must be an array of {"alg": n, "type": "public-key"}');
    info.algorithms = (json.algorithms as unknown[]).map((a, i): AlgorithmDescriptor => {
      if (!isRecord(a) || typeof a.alg !== 'number' || !Number.isInteger(a.alg) || typeof a.type !== 'string') {
        return fail(`"algorithms"[${i}] must be {"alg": integer, "type": string}`);
      }
      return { alg: a.alg, type: a.type };
    });
  }
  if (json.certifications !== undefined) {
    if (!isRecord(json.certifications)) fail('"certifications" must be an object of integers');
    const c: Record<string, number> = {};
    for (const [k, v] of Object.entries(json.certifications as Record<string, unknown>)) {
      Object.defineProperty(c, k, { value: uint(v, `certifications.${k}`, fail), enumerable: true, writable: true, configurable: true });
    }
    info.certifications = c;
  }
  if (json.pinComplexityPolicyURL !== undefined) {
    info.pinComplexityPolicyURL = new Uint8Array(Buffer.from(str(json.pinComplexityPolicyURL, 'pinComplexityPolicyURL', fail), 'utf8'));
  }
  for (const p of info.pinUvAuthProtocols ?? []) if (p !== 1 && p !== 2) fail(`PIN/UV auth protocol ${p} is not 1 or 2`);
  return info;
}

function parseUsb(value: unknown, name: string, fail: (reason: string) => never): KeyProfile['usb'] {
  const usb: KeyProfile['usb'] = { vendorId: 0x1209, productId: 0x0001, manufacturer: 'breakglass (virtual)', product: name };
  if (value === undefined) return usb;
  if (!isRecord(value)) return fail('"usb" must be an object');
  for (const key of Object.keys(value)) {
    if (!['vendorId', 'productId', 'manufacturer', 'product', 'serialNumber'].includes(key)) fail(`unknown field "usb.${key}"`);
  }
  if (value.vendorId !== undefined) usb.vendorId = hexOrUint16(value.vendorId, 'usb.vendorId', fail);
  usb.productId = value.productId === undefined ? 0 : hexOrUint16(value.productId, 'usb.productId', fail);
  if (value.manufacturer !== undefined) usb.manufacturer = str(value.manufacturer, 'usb.manufacturer', fail);
  if (value.product !== undefined) usb.product = str(value.product, 'usb.product', fail);
  if (value.serialNumber !== undefined) usb.serialNumber = str(value.serialNumber, 'usb.serialNumber', fail);
  return usb;
}

function parseCtapHid(value: unknown, fail: (reason: string) => never): KeyProfile['ctaphid'] {
  const out: KeyProfile['ctaphid'] = {
    deviceVersion: { major: 1, minor: 0, build: 0 },
    capabilities: Capability.WINK | Capability.CBOR | Capability.NMSG,
  };
  if (value === undefined) return out;
  if (!isRecord(value)) return fail('"ctaphid" must be an object');
  for (const key of Object.keys(value)) if (!['deviceVersion', 'capabilities'].includes(key)) fail(`unknown field "ctaphid.${key}"`);
  if (value.deviceVersion !== undefined) {
    const v = value.deviceVersion;
    if (!Array.isArray(v) || v.length !== 3 || !v.every((n) => Number.isInteger(n) && n >= 0 && n <= 255)) {
      fail('"ctaphid.deviceVersion" must be [major, minor, build], each 0 to 255');
    }
    const [major, minor, build] = v as number[];
    out.deviceVersion = { major: major!, minor: minor!, build: build! };
  }
  if (value.capabilities !== undefined) {
    const c = value.capabilities;
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > 255) fail('"ctaphid.capabilities" must be a byte');
    if (((c as number) & Capability.CBOR) === 0) fail('"ctaphid.capabilities" must include CBOR (0x04): the virtual key speaks CTAP2');
    out.capabilities = (c as number) | Capability.NMSG; // the virtual key has no CTAP1/U2F
  }
  return out;
}

/** Reads and validates a profile file; every failure is a ProfileError naming the file. */
export async function loadKeyProfile(path: string): Promise<KeyProfile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ProfileError(path, code === 'ENOENT' ? 'file not found' : `cannot read it (${code ?? 'I/O error'})`, err);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ProfileError(path, `not valid JSON (${(err as Error).message.split('\n')[0]})`, err);
  }
  return parseKeyProfile(json, path);
}

const PROFILES_DIR = fileURLToPath(new URL('./profiles/', import.meta.url));

/** Names of the profiles that ship with breakglass (hardware/profiles/*.json). */
export async function listBuiltinProfiles(): Promise<string[]> {
  const files = await readdir(PROFILES_DIR);
  return files.filter((f) => f.endsWith('.json')).map((f) => basename(f, '.json')).sort();
}

export async function loadBuiltinProfile(name: string): Promise<KeyProfile> {
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(name)) throw new ProfileError(`builtin:${name}`, 'not a profile name');
  const available = await listBuiltinProfiles();
  if (!available.includes(name)) throw new ProfileError(`builtin:${name}`, `no such built-in profile (available: ${available.join(', ')})`);
  const profile = await loadKeyProfile(join(PROFILES_DIR, `${name}.json`));
  return { ...profile, source: `builtin:${name}` };
}

/** A path to a profile file, or the name of a built-in profile. */
export async function resolveKeyProfile(pathOrName: string): Promise<KeyProfile> {
  if (/^[a-z0-9][a-z0-9.-]*$/.test(pathOrName) && !pathOrName.endsWith('.json')) return loadBuiltinProfile(pathOrName);
  return loadKeyProfile(pathOrName);
}

export const DEFAULT_VIRTUAL_PROFILE = 'breakglass-virtual';

// ---------------------------------------------------------------------------------------------------------------

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown, what: string, fail: (reason: string) => never): string {
  if (typeof v !== 'string') fail(`"${what}" must be a string`);
  return v as string;
}

function uint(v: unknown, what: string, fail: (reason: string) => never): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(`"${what}" must be a non-negative integer`);
  return v as number;
}

function hexOrUint16(v: unknown, what: string, fail: (reason: string) => never): number {
  if (typeof v === 'string' && /^0x[0-9a-f]{1,4}$/i.test(v)) return parseInt(v, 16);
  const n = uint(v, what, fail);
  if (n > 0xffff) fail(`"${what}" must fit in 16 bits`);
  return n;
}

function stringArray(v: unknown, what: string, fail: (reason: string) => never): string[] {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) fail(`"${what}" must be an array of strings`);
  return v as string[];
}

function uintArray(v: unknown, what: string, fail: (reason: string) => never): number[] {
  if (!Array.isArray(v)) fail(`"${what}" must be an array of integers`);
  return (v as unknown[]).map((n, i) => uint(n, `${what}[${i}]`, fail));
}
