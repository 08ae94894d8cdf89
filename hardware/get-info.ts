// authenticatorGetInfo (CTAP 2.2 §6.4): every member of the response map, 0x01 to 0x1F, under its spec name, plus
// the reverse encoding the virtual authenticator uses. Absent members stay absent (they mean "not reported", which
// is not the same as the spec default); `effectiveOptions` and friends apply the defaults where a caller needs them.
import type { CborInput, CborMap } from './cbor.ts';
import { cborToJson } from './cbor.ts';
import { optionalField, readers, requiredField, setOwn, type Fail } from './cbor-fields.ts';
import { aaguidToBytes, formatAaguid } from './aaguids.ts';
import { InvalidResponseError } from './errors.ts';
import { toHex } from './bytes.ts';

export interface AlgorithmDescriptor {
  alg: number;
  type: string;
}

export interface AuthenticatorInfo {
  /** 0x01 e.g. U2F_V2, FIDO_2_0, FIDO_2_1_PRE, FIDO_2_1, FIDO_2_2. */
  versions: string[];
  /** 0x02 e.g. credProtect, hmac-secret. */
  extensions?: string[];
  /** 0x03, lowercase 8-4-4-4-12. Self-declared by the key: only attestation proves it. */
  aaguid: string;
  /** 0x04 options (absent = not supported; false = supported but not set up). */
  options?: Record<string, boolean>;
  /** 0x05 largest CTAP request the key accepts (assume 1024 when absent). */
  maxMsgSize?: number;
  /** 0x06 in the key's order of preference, e.g. [2, 1]. */
  pinUvAuthProtocols?: number[];
  /** 0x07 */
  maxCredentialCountInList?: number;
  /** 0x08 */
  maxCredentialIdLength?: number;
  /** 0x09 usb, nfc, ble, internal, hybrid. */
  transports?: string[];
  /** 0x0A */
  algorithms?: AlgorithmDescriptor[];
  /** 0x0B */
  maxSerializedLargeBlobArray?: number;
  /** 0x0C the PIN must be changed before it can be used. */
  forcePINChange?: boolean;
  /** 0x0D in Unicode code points (default 4). */
  minPINLength?: number;
  /** 0x0E vendor-defined (a YubiKey 5.4.3 reports 0x050403). */
  firmwareVersion?: number;
  /** 0x0F */
  maxCredBlobLength?: number;
  /** 0x10 */
  maxRPIDsForSetMinPINLength?: number;
  /** 0x11 */
  preferredPlatformUvAttempts?: number;
  /** 0x12 FIDO registry bitfield. */
  uvModality?: number;
  /** 0x13 e.g. {"FIDO": 2}. */
  certifications?: Record<string, number>;
  /** 0x14 free discoverable-credential slots. */
  remainingDiscoverableCredentials?: number;
  /** 0x15 */
  vendorPrototypeConfigCommands?: number[];
  /** 0x16 CTAP 2.2 */
  attestationFormats?: string[];
  /** 0x17 CTAP 2.2 */
  uvCountSinceLastPinEntry?: number;
  /** 0x18 CTAP 2.2 */
  longTouchForReset?: boolean;
  /** 0x19 CTAP 2.2, encrypted under a pinUvAuthToken. */
  encIdentifier?: Uint8Array;
  /** 0x1A CTAP 2.2 */
  transportsForReset?: string[];
  /** 0x1B CTAP 2.2 */
  pinComplexityPolicy?: boolean;
  /** 0x1C CTAP 2.2 (a byte string holding a URL). */
  pinComplexityPolicyURL?: Uint8Array;
  /** 0x1D CTAP 2.2 (default 63). */
  maxPINLength?: number;
  /** 0x1E CTAP 2.2 */
  encCredStoreState?: Uint8Array;
  /** 0x1F CTAP 2.2 */
  authenticatorConfigCommands?: number[];
  /** Members this library does not know yet, by their number (forward compatibility), as JSON-friendly values. */
  unknown?: Record<string, unknown>;
}

/** getInfo member numbers (CTAP 2.2 §6.4). */
export const GetInfoKey = {
  versions: 0x01,
  extensions: 0x02,
  aaguid: 0x03,
  options: 0x04,
  maxMsgSize: 0x05,
  pinUvAuthProtocols: 0x06,
  maxCredentialCountInList: 0x07,
  maxCredentialIdLength: 0x08,
  transports: 0x09,
  algorithms: 0x0a,
  maxSerializedLargeBlobArray: 0x0b,
  forcePINChange: 0x0c,
  minPINLength: 0x0d,
  firmwareVersion: 0x0e,
  maxCredBlobLength: 0x0f,
  maxRPIDsForSetMinPINLength: 0x10,
  preferredPlatformUvAttempts: 0x11,
  uvModality: 0x12,
  certifications: 0x13,
  remainingDiscoverableCredentials: 0x14,
  vendorPrototypeConfigCommands: 0x15,
  attestationFormats: 0x16,
  uvCountSinceLastPinEntry: 0x17,
  longTouchForReset: 0x18,
  encIdentifier: 0x19,
  transportsForReset: 0x1a,
  pinComplexityPolicy: 0x1b,
  pinComplexityPolicyURL: 0x1c,
  maxPINLength: 0x1d,
  encCredStoreState: 0x1e,
  authenticatorConfigCommands: 0x1f,
} as const;

const KNOWN_KEYS = new Set<number>(Object.values(GetInfoKey));

export const DEFAULT_MAX_MSG_SIZE = 1024;
export const DEFAULT_MIN_PIN_LENGTH = 4;
export const DEFAULT_MAX_PIN_LENGTH = 63;

/** Decodes a getInfo response map; throws InvalidResponseError on a missing or mistyped member. */
export function decodeGetInfo(map: CborMap): AuthenticatorInfo {
  const fail: Fail = (reason) => {
    throw new InvalidResponseError('getInfo response', reason);
  };
  const r = readers(fail);
  const what = 'getInfo member';
  const aaguidBytes = requiredField(map, GetInfoKey.aaguid, r.bytes, what, fail);
  if (aaguidBytes.length !== 16) fail(`AAGUID is ${aaguidBytes.length} bytes, expected 16`);
  const info: AuthenticatorInfo = {
    versions: requiredField(map, GetInfoKey.versions, r.textArray, what, fail),
    aaguid: formatAaguid(aaguidBytes),
  };
  const set = <K extends keyof AuthenticatorInfo>(key: K, value: AuthenticatorInfo[K] | undefined): void => {
    if (value !== undefined) info[key] = value;
  };
  set('extensions', optionalField(map, GetInfoKey.extensions, r.textArray, what));
  set('options', optionalField(map, GetInfoKey.options, r.boolMap, what));
  set('maxMsgSize', optionalField(map, GetInfoKey.maxMsgSize, r.uint, what));
  set('pinUvAuthProtocols', optionalField(map, GetInfoKey.pinUvAuthProtocols, r.uintArray, what));
  set('maxCredentialCountInList', optionalField(map, GetInfoKey.maxCredentialCountInList, r.uint, what));
  set('maxCredentialIdLength', optionalField(map, GetInfoKey.maxCredentialIdLength, r.uint, what));
  set('transports', optionalField(map, GetInfoKey.transports, r.textArray, what));
  set(
    'algorithms',
    optionalField(map, GetInfoKey.algorithms, (v, w) =>
      r.array(v, w).map((entry, i) => {
        const m = r.map(entry, `${w}[${i}]`);
        return {
          alg: requiredField(m, 'alg', r.int, `${w}[${i}]`, fail),
          type: requiredField(m, 'type', r.text, `${w}[${i}]`, fail),
        };
      }),
    what),
  );
  set('maxSerializedLargeBlobArray', optionalField(map, GetInfoKey.maxSerializedLargeBlobArray, r.uint, what));
  set('forcePINChange', optionalField(map, GetInfoKey.forcePINChange, r.bool, what));
  set('minPINLength', optionalField(map, GetInfoKey.minPINLength, r.uint, what));
  set('firmwareVersion', optionalField(map, GetInfoKey.firmwareVersion, r.uint, what));
  set('maxCredBlobLength', optionalField(map, GetInfoKey.maxCredBlobLength, r.uint, what));
  set('maxRPIDsForSetMinPINLength', optionalField(map, GetInfoKey.maxRPIDsForSetMinPINLength, r.uint, what));
  set('preferredPlatformUvAttempts', optionalField(map, GetInfoKey.preferredPlatformUvAttempts, r.uint, what));
  set('uvModality', optionalField(map, GetInfoKey.uvModality, r.uint, what));
  set('certifications', optionalField(map, GetInfoKey.certifications, r.uintMap, what));
  set('remainingDiscoverableCredentials', optionalField(map, GetInfoKey.remainingDiscoverableCredentials, r.uint, what));
  set('vendorPrototypeConfigCommands', optionalField(map, GetInfoKey.vendorPrototypeConfigCommands, r.uintArray, what));
  set('attestationFormats', optionalField(map, GetInfoKey.attestationFormats, r.textArray, what));
  set('uvCountSinceLastPinEntry', optionalField(map, GetInfoKey.uvCountSinceLastPinEntry, r.uint, what));
  set('longTouchForReset', optionalField(map, GetInfoKey.longTouchForReset, r.bool, what));
  set('encIdentifier', optionalField(map, GetInfoKey.encIdentifier, r.bytes, what));
  set('transportsForReset', optionalField(map, GetInfoKey.transportsForReset, r.textArray, what));
  set('pinComplexityPolicy', optionalField(map, GetInfoKey.pinComplexityPolicy, r.bool, what));
  set('pinComplexityPolicyURL', optionalField(map, GetInfoKey.pinComplexityPolicyURL, r.bytes, what));
  set('maxPINLength', optionalField(map, GetInfoKey.maxPINLength, r.uint, what));
  set('encCredStoreState', optionalField(map, GetInfoKey.encCredStoreState, r.bytes, what));
  set('authenticatorConfigCommands', optionalField(map, GetInfoKey.authenticatorConfigCommands, r.uintArray, what));
  const unknown: Record<string, unknown> = {};
  for (const [key, value] of map) {
    if (typeof key !== 'number' || !KNOWN_KEYS.has(key)) setOwn(unknown, String(key), cborToJson(value));
  }
  if (Object.keys(unknown).length) info.unknown = unknown;
  return info;
}

/** Encodes an AuthenticatorInfo back to the getInfo map (virtual authenticator). Unknown members are not re-encoded. */
export function encodeGetInfo(info: AuthenticatorInfo): Map<number, CborInput> {
  const m = new Map<number, CborInput>();
  const put = (key: number, value: CborInput | undefined): void => {
    if (value !== undefined) m.set(key, value);
  };
  put(GetInfoKey.versions, info.versions);
  put(GetInfoKey.extensions, info.extensions);
  put(GetInfoKey.aaguid, aaguidToBytes(info.aaguid));
  put(GetInfoKey.options, info.options);
  put(GetInfoKey.maxMsgSize, info.maxMsgSize);
  put(GetInfoKey.pinUvAuthProtocols, info.pinUvAuthProtocols);
  put(GetInfoKey.maxCredentialCountInList, info.maxCredentialCountInList);
  put(GetInfoKey.maxCredentialIdLength, info.maxCredentialIdLength);
  put(GetInfoKey.transports, info.transports);
  put(GetInfoKey.algorithms, info.algorithms?.map((a) => ({ alg: a.alg, type: a.type })));
  put(GetInfoKey.maxSerializedLargeBlobArray, info.maxSerializedLargeBlobArray);
  put(GetInfoKey.forcePINChange, info.forcePINChange);
  put(GetInfoKey.minPINLength, info.minPINLength);
  put(GetInfoKey.firmwareVersion, info.firmwareVersion);
  put(GetInfoKey.maxCredBlobLength, info.maxCredBlobLength);
  put(GetInfoKey.maxRPIDsForSetMinPINLength, info.maxRPIDsForSetMinPINLength);
  put(GetInfoKey.preferredPlatformUvAttempts, info.preferredPlatformUvAttempts);
  put(GetInfoKey.uvModality, info.uvModality);
  put(GetInfoKey.certifications, info.certifications);
  put(GetInfoKey.remainingDiscoverableCredentials, info.remainingDiscoverableCredentials);
  put(GetInfoKey.vendorPrototypeConfigCommands, info.vendorPrototypeConfigCommands);
  put(GetInfoKey.attestationFormats, info.attestationFormats);
  put(GetInfoKey.uvCountSinceLastPinEntry, info.uvCountSinceLastPinEntry);
  put(GetInfoKey.longTouchForReset, info.longTouchForReset);
  put(GetInfoKey.encIdentifier, info.encIdentifier);
  put(GetInfoKey.transportsForReset, info.transportsForReset);
  put(GetInfoKey.pinComplexityPolicy, info.pinComplexityPolicy);
  put(GetInfoKey.pinComplexityPolicyURL, info.pinComplexityPolicyURL);
  put(GetInfoKey.maxPINLength, info.maxPINLength);
  put(GetInfoKey.encCredStoreState, info.encCredStoreState);
  put(GetInfoKey.authenticatorConfigCommands, info.authenticatorConfigCommands);
  return m;
}

/** Options with the spec defaults applied for the three that have one (plat false, rk false, up true). */
export function effectiveOptions(info: AuthenticatorInfo): Record<string, boolean> {
  return { plat: false, rk: false, up: true, ...(info.options ?? {}) };
}

export function effectiveMaxMsgSize(info: AuthenticatorInfo): number {
  return info.maxMsgSize ?? DEFAULT_MAX_MSG_SIZE;
}

/** The PIN/UV auth protocol to use: the key's first preference that this library implements. */
export function preferredPinProtocol(info: AuthenticatorInfo): 1 | 2 | undefined {
  for (const p of info.pinUvAuthProtocols ?? []) if (p === 1 || p === 2) return p;
  // CTAP 2.0 keys with clientPin but no list speak protocol 1 (CTAP 2.2 §6.4 pinUvAuthProtocols).
  if (info.options?.clientPin !== undefined && info.pinUvAuthProtocols === undefined) return 1;
  return undefined;
}

/** A JSON view with the CTAP spec names; byte strings become hex. */
export function getInfoToJson(info: AuthenticatorInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(info)) {
    out[k] = v instanceof Uint8Array ? toHex(v) : v;
  }
  if (info.pinComplexityPolicyURL) {
    const url = Buffer.from(info.pinComplexityPolicyURL).toString('utf8');
    if (!url.includes('\uFFFD')) out.pinComplexityPolicyURL = url;
  }
  return out;
}

/** Firmware version as libfido2 prints it (`0x50403`); the encoding is vendor-defined, so no dotted guess. */
export function formatFirmwareVersion(v: number | undefined): string {
  if (v === undefined) return 'not reported';
  return `0x${v.toString(16)}`;
}
