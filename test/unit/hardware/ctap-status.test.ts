// Every CTAP status code becomes a typed error with a stable code and a message a person can act on; unknown codes
// never crash.
import { describe, expect, it } from 'vitest';
import { CTAP_STATUS_NAMES, ctapErrorFromStatus, ctapStatusName } from '../../../hardware/ctap-status.ts';
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
} from '../../../hardware/errors.ts';

describe('ctapErrorFromStatus', () => {
  const nonZero = Object.keys(CTAP_STATUS_NAMES)
    .map(Number)
    .filter((s) => s !== 0);

  it.each(nonZero)('maps status 0x%s to a CtapError carrying that status, its name and an actionable message', (status) => {
    const err = ctapErrorFromStatus(status);
    expect(err).toBeInstanceOf(CtapError);
    expect(err.status).toBe(status);
    expect(err.statusName).toBe(CTAP_STATUS_NAMES[status]);
    expect(err.code).toMatch(/^[a-z_]+$/);
    expect(err.message.length).toBeGreaterThan(20);
    expect(err.details).toMatchObject({ status, statusName: CTAP_STATUS_NAMES[status] });
    // One line: the CLI prints it as is.
    expect(err.message).not.toContain('\n');
  });

  it.each([
    [0x19, CredentialExcludedError, 'credential_excluded', /already registered/],
    [0x26, UnsupportedAlgorithmError, 'unsupported_algorithm', /ES256/],
    [0x27, OperationDeniedError, 'operation_denied', /operation denied/],
    [0x28, KeyStoreFullError, 'key_store_full', /no room/],
    [0x2d, KeepaliveCancelError, 'cancelled', /cancelled/],
    [0x2e, NoCredentialsError, 'no_credentials', /no credential/],
    [0x2f, UserActionTimeoutError, 'touch_timeout', /timed out waiting for touch/],
    [0x3a, UserActionTimeoutError, 'touch_timeout', /timed out waiting for touch/],
    [0x31, PinInvalidError, 'pin_invalid', /wrong PIN/],
    [0x32, PinBlockedError, 'pin_blocked', /blocked.*reset/],
    [0x33, PinAuthInvalidError, 'pin_auth_invalid', /fresh token/],
    [0x38, PinAuthInvalidError, 'pin_auth_invalid', /fresh token/],
    [0x34, PinAuthBlockedError, 'pin_auth_blocked', /re-insert the key/],
    [0x35, PinNotSetError, 'pin_not_set', /no PIN is set/],
    [0x36, PinRequiredError, 'pin_required', /requires its PIN/],
    [0x37, PinPolicyError, 'pin_policy_violation', /PIN policy/],
  ] as const)('gives status 0x%s its own class and code', (status, cls, code, message) => {
    const err = ctapErrorFromStatus(status);
    expect(err).toBeInstanceOf(cls);
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });

  it('says how many tries are left when it knows, and the minimum PIN length on a policy violation', () => {
    expect(new PinInvalidError(3).message).toBe('wrong PIN — 3 tries left before the key blocks its PIN for good');
    expect(new PinInvalidError(1).message).toContain('1 try left');
    expect(new PinAuthBlockedError(5).message).toContain('re-insert the key before trying again (5 tries left)');
    expect(ctapErrorFromStatus(0x37, { minPINLength: 6 }).message).toContain('at least 6 characters');
  });

  it.each([0x20, 0x55, 0xe3, 0xf7])('turns unknown status 0x%s into a generic error without crashing', (status) => {
    const err = ctapErrorFromStatus(status);
    expect(err.code).toBe('ctap_error');
    expect(err.message).toContain(`0x${status.toString(16)}`);
  });

  it('names the reserved ranges', () => {
    expect(ctapStatusName(0xe3)).toBe('EXTENSION (0xe3)');
    expect(ctapStatusName(0xf7)).toBe('VENDOR (0xf7)');
    expect(ctapStatusName(0x20)).toBe('UNKNOWN (0x20)');
  });
});
