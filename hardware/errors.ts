// Typed errors of the hardware layer. Every error carries a stable `code` (for callers, the API and tests) and a
// message a person can act on. hardware/ is a standalone library, so these do not extend server/errors.ts; the
// server maps them by `code`.
//
// Secrets rule: no message, detail or cause built here may contain a PIN, a PIN hash, a shared secret or a
// pinUvAuthToken. Build messages from counts, codes and public identifiers only.

export type HardwareErrorCode =
  // transport / device
  | 'no_key'
  | 'several_keys'
  | 'permission_denied'
  | 'hid_unavailable'
  | 'device_disconnected'
  | 'device_closed'
  | 'timeout'
  | 'channel_busy'
  | 'ctaphid_error'
  | 'protocol_error'
  | 'request_too_large'
  | 'cancelled'
  // encoding
  | 'invalid_cbor'
  | 'invalid_response'
  // CTAP2 status codes
  | 'ctap_error'
  | 'pin_invalid'
  | 'pin_auth_blocked'
  | 'pin_blocked'
  | 'pin_not_set'
  | 'pin_required'
  | 'pin_auth_invalid'
  | 'pin_policy_violation'
  | 'operation_denied'
  | 'touch_timeout'
  | 'credential_excluded'
  | 'no_credentials'
  | 'key_store_full'
  | 'unsupported_algorithm'
  | 'unsupported'
  // caller input
  | 'invalid_argument'
  | 'invalid_profile'
  | 'invalid_allow_list'
  | 'invalid_tenant_policy'
  | 'invalid_registration';

export interface HardwareErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** Base class of every error thrown by hardware/. */
export class HardwareError extends Error {
  readonly code: HardwareErrorCode;
  /** Non-secret facts that help a caller decide what to do (retries left, status byte, path, …). */
  readonly details: Record<string, unknown>;

  constructor(code: HardwareErrorCode, message: string, options: HardwareErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
  }

  /** A JSON shape for `--json` output and logs: code, message and details, never a stack. */
  toJSON(): { code: HardwareErrorCode; message: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** Shared by the transport-level and CTAP-status forms of the same failure, so both read the same. */
const TOUCH_TIMEOUT_MESSAGE = 'timed out waiting for touch: touch the key\'s contact when it blinks, then try again';
const CANCELLED_MESSAGE = 'the operation was cancelled before the key finished';

// ---------------------------------------------------------------------------------------------------------------
// Finding and opening keys

/** Linux needs read/write access to /dev/hidraw*; this is the hint printed when no key shows up or open fails. */
export const LINUX_PERMISSION_HINT =
  'on Linux the hidraw node must be readable and writable by you: install the libfido2 udev rules ' +
  '(Debian/Ubuntu: apt install libfido2-1) or a rule with TAG+="uaccess", then unplug and re-insert the key ' +
  '(see docs/hardware.md)';

export const WINDOWS_ELEVATION_HINT =
  'on Windows only an elevated process (Run as administrator) can talk to a FIDO key over HID';

export function platformHint(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'linux') return LINUX_PERMISSION_HINT;
  if (platform === 'win32') return WINDOWS_ELEVATION_HINT;
  return 'check that the key is plugged in and not held open exclusively by another program';
}

export class NoKeyFoundError extends HardwareError {
  constructor(platform: NodeJS.Platform = process.platform) {
    super('no_key', `no FIDO2 security key found; plug one in (${platformHint(platform)})`);
  }
}

export class KeyNotFoundAtPathError extends HardwareError {
  constructor(path: string, cause?: unknown) {
    super('no_key', `no FIDO2 security key at ${path} (unplugged?); run "breakglass key list" to see the keys attached`, { details: { path }, cause });
  }
}

export class SeveralKeysError extends HardwareError {
  constructor(paths: string[]) {
    super('several_keys', `${paths.length} FIDO2 security keys found; choose one with --device PATH (${paths.join(', ')}) or remove the others`, {
      details: { paths },
    });
  }
}

export class DevicePermissionError extends HardwareError {
  constructor(path: string, platform: NodeJS.Platform = process.platform, cause?: unknown) {
    super('permission_denied', `found a key at ${path} but may not open it (${platformHint(platform)})`, {
      details: { path },
      cause,
    });
  }
}

/** node-hid's native binding could not load (no prebuilt for this platform, libusb/libudev missing). */
export class HidUnavailableError extends HardwareError {
  constructor(reason: string, cause?: unknown) {
    super('hid_unavailable', `USB HID access is unavailable on this machine (${reason}); on Linux install libusb-1.0-0 and libudev1`, { cause });
  }
}

export class DeviceDisconnectedError extends HardwareError {
  constructor(reason = 'the key stopped answering') {
    super('device_disconnected', `the security key was disconnected or failed (${reason}); re-insert it and try again`);
  }
}

export class DeviceClosedError extends HardwareError {
  constructor() {
    super('device_closed', 'the connection to the security key is already closed; open it again');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// CTAPHID transport (CTAP 2.2 §11.2)

export class TransportTimeoutError extends HardwareError {
  constructor(what: string, timeoutMs: number) {
    super('timeout', `the key did not answer ${what} within ${timeoutMs} ms; re-insert it and try again`, {
      details: { timeoutMs },
    });
  }
}

/** Timed out while the key was waiting for a touch (last keepalive said UPNEEDED). */
export class TouchTimeoutError extends HardwareError {
  constructor(details: Record<string, unknown> = {}) {
    super('touch_timeout', TOUCH_TIMEOUT_MESSAGE, { details });
  }
}

export class ChannelBusyError extends HardwareError {
  constructor(waitedMs: number) {
    super('channel_busy', `the key stayed busy with another program for ${waitedMs} ms (a browser or ssh-agent?); close it and try again`, {
      details: { waitedMs },
    });
  }
}

/** CTAPHID_ERROR frame (CTAP 2.2 §11.2.9.1.6). */
export class CtapHidError extends HardwareError {
  readonly hidError: number;
  constructor(hidError: number, name: string) {
    super('ctaphid_error', `the key rejected the USB message (CTAPHID ${name}, 0x${hex2(hidError)}); re-insert it and try again`, {
      details: { hidError, name },
    });
    this.hidError = hidError;
  }
}

/** The device sent frames that break CTAPHID framing (bad length, sequence, command). */
export class ProtocolError extends HardwareError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('protocol_error', `the key sent a malformed USB report (${message}); re-insert it and try again`, { details });
  }
}

export class RequestTooLargeError extends HardwareError {
  constructor(size: number, limit: number) {
    super('request_too_large', `the request is ${size} bytes but the key accepts at most ${limit}; send fewer excluded credentials or shorter names`, {
      details: { size, limit },
    });
  }
}

export class CancelledError extends HardwareError {
  constructor() {
    super('cancelled', CANCELLED_MESSAGE);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding

export class CborError extends HardwareError {
  readonly offset: number;
  constructor(reason: string, offset: number) {
    super('invalid_cbor', `invalid CBOR at byte ${offset}: ${reason}`, { details: { offset, reason } });
    this.offset = offset;
  }
}

/** A response that decoded as CBOR but does not have the shape the spec requires. */
export class InvalidResponseError extends HardwareError {
  constructor(what: string, reason: string, cause?: unknown) {
    super('invalid_response', `the key sent an invalid ${what} (${reason}); re-insert it, and report the key model if this repeats`, {
      details: { what, reason },
      cause,
    });
  }
}

export class InvalidArgumentError extends HardwareError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('invalid_argument', message, { details });
  }
}

/** The key lacks a feature the operation needs (no PIN support, no CTAP2, …). */
export class UnsupportedOperationError extends HardwareError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('unsupported', message, { details });
  }
}

/** A key profile JSON (virtual authenticator) is unusable. */
export class ProfileError extends HardwareError {
  constructor(source: string, reason: string, cause?: unknown) {
    super('invalid_profile', `key profile ${source}: ${reason}`, { details: { source, reason }, cause });
  }
}

export class AllowListError extends HardwareError {
  constructor(source: string, reason: string, cause?: unknown) {
    super('invalid_allow_list', `allow-list ${source}: ${reason}`, { details: { source, reason }, cause });
  }
}

export class TenantPolicyError extends HardwareError {
  constructor(source: string, reason: string, cause?: unknown) {
    super('invalid_tenant_policy', `tenant policy ${source}: ${reason}`, { details: { source, reason }, cause });
  }
}

export class RegistrationFileError extends HardwareError {
  constructor(source: string, reason: string, cause?: unknown) {
    super('invalid_registration', `registration response ${source}: ${reason}`, { details: { source, reason }, cause });
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

// ---------------------------------------------------------------------------------------------------------------
// CTAP2 status codes (CTAP 2.2 §8.2 "Status codes"). `CtapError` is the base; the subclasses below are the states a
// caller branches on and a person must act on. ctap-status.ts maps a status byte to the right class.

export class CtapError extends HardwareError {
  /** The CTAP status byte, e.g. 0x31. */
  readonly status: number;
  /** The spec name without prefix, e.g. PIN_INVALID. */
  readonly statusName: string;
  constructor(status: number, statusName: string, message: string, code: HardwareErrorCode = 'ctap_error', details: Record<string, unknown> = {}) {
    super(code, message, { details: { status, statusName, ...details } });
    this.status = status;
    this.statusName = statusName;
  }
}

/** 0x31 PIN_INVALID. `retriesLeft` is filled in by ClientPin, which reads the counter after a failure. */
export class PinInvalidError extends CtapError {
  readonly retriesLeft: number | undefined;
  constructor(retriesLeft?: number) {
    super(
      0x31,
      'PIN_INVALID',
      retriesLeft === undefined
        ? 'wrong PIN; check it before trying again, every wrong attempt uses up one of the key\'s few tries'
        : `wrong PIN — ${retriesLeft} ${retriesLeft === 1 ? 'try' : 'tries'} left before the key blocks its PIN for good`,
      'pin_invalid',
      retriesLeft === undefined ? {} : { retriesLeft },
    );
    this.retriesLeft = retriesLeft;
  }
}

/** 0x34 PIN_AUTH_BLOCKED: three wrong PINs in a row; the key needs a power cycle (CTAP 2.2 §6.5.5.7). */
export class PinAuthBlockedError extends CtapError {
  readonly retriesLeft: number | undefined;
  constructor(retriesLeft?: number) {
    super(
      0x34,
      'PIN_AUTH_BLOCKED',
      `PIN blocked after 3 wrong attempts in a row, re-insert the key before trying again${retriesLeft === undefined ? '' : ` (${retriesLeft} ${retriesLeft === 1 ? 'try' : 'tries'} left)`}`,
      'pin_auth_blocked',
      retriesLeft === undefined ? {} : { retriesLeft },
    );
    this.retriesLeft = retriesLeft;
  }
}

/** 0x32 PIN_BLOCKED: no tries left; only authenticatorReset (which erases every credential) recovers the key. */
export class PinBlockedError extends CtapError {
  constructor() {
    super(0x32, 'PIN_BLOCKED', 'the key\'s PIN is blocked (no tries left); only a reset, which erases every credential on it, recovers it: replace the key for this account', 'pin_blocked');
  }
}

/** 0x35 PIN_NOT_SET. */
export class PinNotSetError extends CtapError {
  constructor() {
    super(0x35, 'PIN_NOT_SET', 'no PIN is set on this key; set one before using it for a break-glass account', 'pin_not_set');
  }
}

/** 0x36 PUAT_REQUIRED (CTAP 2.0 name PIN_REQUIRED). */
export class PinRequiredError extends CtapError {
  constructor() {
    super(0x36, 'PUAT_REQUIRED', 'the key requires its PIN for this operation; supply the PIN and try again', 'pin_required');
  }
}

/** 0x33 PIN_AUTH_INVALID and 0x38 PIN_TOKEN_EXPIRED: the pinUvAuthToken was refused. */
export class PinAuthInvalidError extends CtapError {
  constructor(status = 0x33, statusName = 'PIN_AUTH_INVALID') {
    super(status, statusName, 'the key refused the PIN token (expired, used up or for another site); enter the PIN again to get a fresh token', 'pin_auth_invalid');
  }
}

/** 0x37 PIN_POLICY_VIOLATION. */
export class PinPolicyError extends CtapError {
  constructor(minPINLength?: number) {
    super(
      0x37,
      'PIN_POLICY_VIOLATION',
      `the key refused the PIN under its PIN policy${minPINLength === undefined ? '' : ` (at least ${minPINLength} characters)`}, or requires the PIN to be changed first; choose another PIN`,
      'pin_policy_violation',
      minPINLength === undefined ? {} : { minPINLength },
    );
  }
}

/** 0x27 OPERATION_DENIED. */
export class OperationDeniedError extends CtapError {
  constructor() {
    super(0x27, 'OPERATION_DENIED', 'operation denied: the key (or the person at it) declined the request', 'operation_denied');
  }
}

/** 0x2F USER_ACTION_TIMEOUT and 0x3A ACTION_TIMEOUT: the key gave up waiting for a touch. */
export class UserActionTimeoutError extends CtapError {
  constructor(status = 0x2f, statusName = 'USER_ACTION_TIMEOUT') {
    super(status, statusName, TOUCH_TIMEOUT_MESSAGE, 'touch_timeout');
  }
}

/** 0x2D KEEPALIVE_CANCEL: the platform cancelled the pending request. */
export class KeepaliveCancelError extends CtapError {
  constructor() {
    super(0x2d, 'KEEPALIVE_CANCEL', CANCELLED_MESSAGE, 'cancelled');
  }
}

/** 0x19 CREDENTIAL_EXCLUDED. */
export class CredentialExcludedError extends CtapError {
  constructor() {
    super(0x19, 'CREDENTIAL_EXCLUDED', 'this key is already registered for this account (it holds a credential from the exclude list); use another key', 'credential_excluded');
  }
}

/** 0x2E NO_CREDENTIALS. */
export class NoCredentialsError extends CtapError {
  constructor() {
    super(0x2e, 'NO_CREDENTIALS', 'this key holds no credential for this site and account; is it the right key?', 'no_credentials');
  }
}

/** 0x28 KEY_STORE_FULL. */
export class KeyStoreFullError extends CtapError {
  constructor() {
    super(0x28, 'KEY_STORE_FULL', 'the key has no room for another discoverable credential; remove an old one or use another key', 'key_store_full');
  }
}

/** 0x26 UNSUPPORTED_ALGORITHM. */
export class UnsupportedAlgorithmError extends CtapError {
  constructor() {
    super(0x26, 'UNSUPPORTED_ALGORITHM', 'the key supports none of the requested credential algorithms (ES256 is needed)', 'unsupported_algorithm');
  }
}
