// hardware/ is a standalone library with its own HardwareError codes; the service turns them into BreakglassErrors
// (problem+json with a status and the same stable code) so routes and the CLI handle one error family. Messages and
// details come from hardware/, which never puts a PIN or token in them.
import { HardwareError } from '../../hardware/index.ts';
import { BreakglassError } from '../errors.ts';

const STATUS: Record<string, number> = {
  invalid_argument: 400,
  invalid_profile: 400,
  invalid_allow_list: 500,
  pin_invalid: 400,
  pin_policy_violation: 400,
  pin_required: 400,
  pin_not_set: 409,
  pin_blocked: 409,
  pin_auth_blocked: 409,
  no_key: 409,
  several_keys: 409,
  permission_denied: 409,
  touch_timeout: 409,
  operation_denied: 409,
  credential_excluded: 409,
  key_store_full: 409,
  unsupported: 409,
  unsupported_algorithm: 409,
  device_disconnected: 409,
  hid_unavailable: 503,
};

export class KeyError extends BreakglassError {}

export function fromHardwareError(err: HardwareError): KeyError {
  return new KeyError(err.code, err.message, { status: STATUS[err.code] ?? 502, details: { ...err.details }, cause: err });
}

/** Runs `fn`, turning a HardwareError into a KeyError. */
export async function withKeyErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof HardwareError) throw fromHardwareError(err);
    throw err;
  }
}
