// CTAP status codes (CTAP 2.2 §8.2 "Status codes", plus the CTAP 2.0 codes some keys still send) and the mapping
// from a status byte to a typed error with an actionable message. Unknown codes never crash: they become a generic
// CtapError named "UNKNOWN (0xNN)".
import {
  CredentialExcludedError,
  CtapError,
  KeepaliveCancelError,
  KeyStoreFullError,
  NoCredentialsError,
  OperationDeniedError,
  PinAuthBlockedError,
  PinAuthInvalidError,
  PinBlockedError,
  PinInvalidError,
  PinNotSetError,
  PinPolicyError,
  PinRequiredError,
  UnsupportedAlgorithmError,
  UserActionTimeoutError,
} from './errors.ts';

/** Status byte → spec name. The CTAPHID error codes (0x01–0x0B, 0x7F) share these numbers. */
export const CTAP_STATUS_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0x00: 'SUCCESS',
  0x01: 'INVALID_COMMAND',
  0x02: 'INVALID_PARAMETER',
  0x03: 'INVALID_LENGTH',
  0x04: 'INVALID_SEQ',
  0x05: 'TIMEOUT',
  0x06: 'CHANNEL_BUSY',
  0x0a: 'LOCK_REQUIRED',
  0x0b: 'INVALID_CHANNEL',
  0x10: 'CBOR_PARSING', // CTAP 2.0
  0x11: 'CBOR_UNEXPECTED_TYPE',
  0x12: 'INVALID_CBOR',
  0x13: 'INVALID_CBOR_TYPE', // CTAP 2.0
  0x14: 'MISSING_PARAMETER',
  0x15: 'LIMIT_EXCEEDED',
  0x16: 'UNSUPPORTED_EXTENSION', // CTAP 2.0
  0x17: 'FP_DATABASE_FULL',
  0x18: 'LARGE_BLOB_STORAGE_FULL',
  0x19: 'CREDENTIAL_EXCLUDED',
  0x21: 'PROCESSING',
  0x22: 'INVALID_CREDENTIAL',
  0x23: 'USER_ACTION_PENDING',
  0x24: 'OPERATION_PENDING',
  0x25: 'NO_OPERATIONS',
  0x26: 'UNSUPPORTED_ALGORITHM',
  0x27: 'OPERATION_DENIED',
  0x28: 'KEY_STORE_FULL',
  0x29: 'NOT_BUSY', // CTAP 2.0
  0x2a: 'NO_OPERATION_PENDING', // CTAP 2.0
  0x2b: 'UNSUPPORTED_OPTION',
  0x2c: 'INVALID_OPTION',
  0x2d: 'KEEPALIVE_CANCEL',
  0x2e: 'NO_CREDENTIALS',
  0x2f: 'USER_ACTION_TIMEOUT',
  0x30: 'NOT_ALLOWED',
  0x31: 'PIN_INVALID',
  0x32: 'PIN_BLOCKED',
  0x33: 'PIN_AUTH_INVALID',
  0x34: 'PIN_AUTH_BLOCKED',
  0x35: 'PIN_NOT_SET',
  0x36: 'PUAT_REQUIRED',
  0x37: 'PIN_POLICY_VIOLATION',
  0x38: 'PIN_TOKEN_EXPIRED',
  0x39: 'REQUEST_TOO_LARGE',
  0x3a: 'ACTION_TIMEOUT',
  0x3b: 'UP_REQUIRED',
  0x3c: 'UV_BLOCKED',
  0x3d: 'INTEGRITY_FAILURE',
  0x3e: 'INVALID_SUBCOMMAND',
  0x3f: 'UV_INVALID',
  0x40: 'UNAUTHORIZED_PERMISSION',
  0x7f: 'OTHER',
  0xdf: 'SPEC_LAST',
});

/** CTAP status byte values, by name, for readable code. */
export const CtapStatus = {
  SUCCESS: 0x00,
  INVALID_COMMAND: 0x01,
  INVALID_PARAMETER: 0x02,
  INVALID_LENGTH: 0x03,
  INVALID_SEQ: 0x04,
  TIMEOUT: 0x05,
  CHANNEL_BUSY: 0x06,
  LOCK_REQUIRED: 0x0a,
  INVALID_CHANNEL: 0x0b,
  CBOR_UNEXPECTED_TYPE: 0x11,
  INVALID_CBOR: 0x12,
  MISSING_PARAMETER: 0x14,
  LIMIT_EXCEEDED: 0x15,
  CREDENTIAL_EXCLUDED: 0x19,
  INVALID_CREDENTIAL: 0x22,
  UNSUPPORTED_ALGORITHM: 0x26,
  OPERATION_DENIED: 0x27,
  KEY_STORE_FULL: 0x28,
  UNSUPPORTED_OPTION: 0x2b,
  INVALID_OPTION: 0x2c,
  KEEPALIVE_CANCEL: 0x2d,
  NO_CREDENTIALS: 0x2e,
  USER_ACTION_TIMEOUT: 0x2f,
  NOT_ALLOWED: 0x30,
  PIN_INVALID: 0x31,
  PIN_BLOCKED: 0x32,
  PIN_AUTH_INVALID: 0x33,
  PIN_AUTH_BLOCKED: 0x34,
  PIN_NOT_SET: 0x35,
  PUAT_REQUIRED: 0x36,
  PIN_POLICY_VIOLATION: 0x37,
  PIN_TOKEN_EXPIRED: 0x38,
  REQUEST_TOO_LARGE: 0x39,
  ACTION_TIMEOUT: 0x3a,
  UP_REQUIRED: 0x3b,
  UV_BLOCKED: 0x3c,
  INTEGRITY_FAILURE: 0x3d,
  INVALID_SUBCOMMAND: 0x3e,
  UV_INVALID: 0x3f,
  UNAUTHORIZED_PERMISSION: 0x40,
  OTHER: 0x7f,
} as const;

/** The spec name of a status byte, or "UNKNOWN (0xNN)" / the vendor and extension ranges. */
export function ctapStatusName(status: number): string {
  const known = CTAP_STATUS_NAMES[status];
  if (known) return known;
  const hex = `0x${status.toString(16).padStart(2, '0')}`;
  if (status >= 0xe0 && status <= 0xef) return `EXTENSION (${hex})`;
  if (status >= 0xf0 && status <= 0xff) return `VENDOR (${hex})`;
  return `UNKNOWN (${hex})`;
}

/** What a person should do for the statuses without a dedicated class. */
const GENERIC_ADVICE: Readonly<Record<number, string>> = {
  0x01: 'the key does not support this command (is its firmware too old?)',
  0x02: 'the key rejected a parameter of the request',
  0x11: 'the key rejected the request encoding',
  0x12: 'the key rejected the request encoding',
  0x14: 'the request lacked a parameter the key needs',
  0x15: 'the request exceeded a limit of the key',
  0x22: 'the key found a credential it cannot use',
  0x2b: 'the key does not support a requested option (e.g. discoverable credentials)',
  0x2c: 'the key does not accept a requested option',
  0x30: 'the key does not allow this now (is a PIN already set?)',
  0x39: 'the request is too large for the key',
  0x3b: 'the key needs a touch for this operation',
  0x3c: 'the key\'s built-in user verification is blocked; use the PIN',
  0x3d: 'the key reported an integrity failure; do not use it for a break-glass account',
  0x3e: 'the key does not support this sub-command',
  0x3f: 'the key\'s built-in user verification failed',
  0x40: 'the key refused a requested permission',
  0x7f: 'the key reported an unspecified error',
};

/**
 * Turns a non-zero status byte into a typed error. `context.minPINLength` enriches PIN policy errors; PIN_INVALID's
 * retry count is filled in by ClientPin, which asks the key for it.
 */
export function ctapErrorFromStatus(status: number, context: { minPINLength?: number } = {}): CtapError {
  switch (status) {
    case 0x19:
      return new CredentialExcludedError();
    case 0x26:
      return new UnsupportedAlgorithmError();
    case 0x27:
      return new OperationDeniedError();
    case 0x28:
      return new KeyStoreFullError();
    case 0x2d:
      return new KeepaliveCancelError();
    case 0x2e:
      return new NoCredentialsError();
    case 0x2f:
      return new UserActionTimeoutError(0x2f, 'USER_ACTION_TIMEOUT');
    case 0x3a:
      return new UserActionTimeoutError(0x3a, 'ACTION_TIMEOUT');
    case 0x31:
      return new PinInvalidError();
    case 0x32:
      return new PinBlockedError();
    case 0x33:
      return new PinAuthInvalidError(0x33, 'PIN_AUTH_INVALID');
    case 0x38:
      return new PinAuthInvalidError(0x38, 'PIN_TOKEN_EXPIRED');
    case 0x34:
      return new PinAuthBlockedError();
    case 0x35:
      return new PinNotSetError();
    case 0x36:
      return new PinRequiredError();
    case 0x37:
      return new PinPolicyError(context.minPINLength);
    default: {
      const name = ctapStatusName(status);
      const hex = `0x${status.toString(16).padStart(2, '0')}`;
      const advice = GENERIC_ADVICE[status] ?? 'the key refused the request';
      return new CtapError(status, name, `${advice} (CTAP status ${name}, ${hex}); re-insert the key and try again`);
    }
  }
}
