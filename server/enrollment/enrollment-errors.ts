// Typed errors of the enrollment flows. Each carries a stable code and a message an officer can act on; none ever
// carries a TAP or a PIN (they are built from ids, states and Graph's own codes only).
import { BreakglassError, ConflictError } from '../errors.ts';

/** The pre-check refused the key (or could not decide and the officer did not acknowledge it). */
export class PrecheckRefusedError extends BreakglassError {
  constructor(verdict: 'blocked' | 'unknown', reasons: string[]) {
    super(
      verdict === 'blocked' ? 'precheck_blocked' : 'precheck_unknown',
      verdict === 'blocked'
        ? `the key cannot be enrolled for this account: ${reasons.join('; ')}`
        : `the pre-check could not decide (${reasons.join('; ')}); request again acknowledging the open points if you accept them`,
      { status: 409, details: { verdict, reasons } },
    );
  }
}

/** The tenant's TAP policy does not allow a pass for this account; nothing was issued. */
export class TapPolicyError extends BreakglassError {
  constructor(reasons: string[]) {
    super('tap_policy', `no Temporary Access Pass can be issued: ${reasons.join('; ')}`, { status: 409, details: { reasons } });
  }
}

/** The request moved on while this operation ran (another officer, the watcher, another process). */
export class StaleRequestError extends ConflictError {
  constructor(id: string, state: string, expected: string[]) {
    super('request_state_changed', `enrollment request ${id} is now "${state}" (expected ${expected.join(' or ')}); reload it`, { state });
  }
}
