// The enrollment request's state machine (pure). One request = one key for one account, under four eyes:
//
//   requested ──approve (another officer, passkey step-up)──▶ approved ──┬─ guided: begin_tap ─▶ tap_issuing
//       │ reject ▶ rejected                                             │     tap_issued ─▶ awaiting_registration
//       │ cancel ▶ cancelled   (also from approved and the running       │     tap_not_issued (confirmed) ─▶ approved
//       │ expire ▶ expired      states, see below)                       │     key_found ─▶ key_registered
//                                                                        └─ direct: begin_register ─▶ registering
//                                                                              key_created ─▶ key_registered
//                                                                              register_not_applied ─▶ approved
//   key_registered ── complete ─▶ completed
//   awaiting_registration ── tap_expired ─▶ expired        any running state ── fail ─▶ failed
//
// A TAP is issued at most once per approval: the only way back from tap_issuing to approved is a read-back that
// confirmed no pass was created. Once a key is registered in Entra the request can no longer be cancelled: it is
// finished (inventory, drill) or fails with the Graph ids recorded for follow-up.

export const ENROLLMENT_MODES = ['guided', 'direct'] as const;
export type EnrollmentMode = (typeof ENROLLMENT_MODES)[number];

export const ENROLLMENT_PURPOSES = ['enroll', 'replace'] as const;
export type EnrollmentPurpose = (typeof ENROLLMENT_PURPOSES)[number];

export const ENROLLMENT_STATES = [
  'requested',
  'approved',
  'tap_issuing',
  'awaiting_registration',
  'registering',
  'key_registered',
  'completed',
  'rejected',
  'cancelled',
  'expired',
  'failed',
] as const;
export type EnrollmentState = (typeof ENROLLMENT_STATES)[number];

export type EnrollmentEvent =
  | 'approve'
  | 'reject'
  | 'cancel'
  | 'expire'
  | 'begin_tap'
  | 'tap_issued'
  | 'tap_not_issued'
  | 'key_found'
  | 'tap_expired'
  | 'begin_register'
  | 'key_created'
  | 'register_not_applied'
  | 'complete'
  | 'fail';

type Table = Partial<Record<EnrollmentEvent, EnrollmentState>>;

const COMMON: Record<EnrollmentState, Table> = {
  requested: { approve: 'approved', reject: 'rejected', cancel: 'cancelled', expire: 'expired' },
  approved: { cancel: 'cancelled', expire: 'expired', fail: 'failed' },
  tap_issuing: { tap_issued: 'awaiting_registration', tap_not_issued: 'approved', fail: 'failed', cancel: 'cancelled' },
  awaiting_registration: { key_found: 'key_registered', tap_expired: 'expired', fail: 'failed', cancel: 'cancelled' },
  registering: { key_created: 'key_registered', register_not_applied: 'approved', fail: 'failed', cancel: 'cancelled' },
  key_registered: { complete: 'completed', fail: 'failed' },
  completed: {},
  rejected: {},
  cancelled: {},
  expired: {},
  failed: {},
};

const BY_MODE: Record<EnrollmentMode, Partial<Record<EnrollmentState, Table>>> = {
  guided: { approved: { begin_tap: 'tap_issuing' } },
  direct: { approved: { begin_register: 'registering' } },
};

export class InvalidTransitionError extends Error {
  readonly state: EnrollmentState;
  readonly event: EnrollmentEvent;
  constructor(state: EnrollmentState, event: EnrollmentEvent, mode: EnrollmentMode) {
    super(`a ${mode} enrollment request in state "${state}" cannot "${event.replace(/_/g, ' ')}"`);
    this.name = 'InvalidTransitionError';
    this.state = state;
    this.event = event;
  }
}

export function transitions(state: EnrollmentState, mode: EnrollmentMode): Table {
  return { ...COMMON[state], ...(BY_MODE[mode][state] ?? {}) };
}

export function canTransition(state: EnrollmentState, event: EnrollmentEvent, mode: EnrollmentMode): boolean {
  return transitions(state, mode)[event] !== undefined;
}

/** The next state, or InvalidTransitionError. */
export function nextState(state: EnrollmentState, event: EnrollmentEvent, mode: EnrollmentMode): EnrollmentState {
  const to = transitions(state, mode)[event];
  if (!to) throw new InvalidTransitionError(state, event, mode);
  return to;
}

export const TERMINAL_STATES: readonly EnrollmentState[] = ['completed', 'rejected', 'cancelled', 'expired', 'failed'];
/** Every state that is not terminal: the requests `--open` lists and an account may have at most one of. */
export const OPEN_STATES: readonly EnrollmentState[] = ENROLLMENT_STATES.filter((s) => !TERMINAL_STATES.includes(s));

export function isTerminal(state: EnrollmentState): boolean {
  return TERMINAL_STATES.includes(state);
}

/** requested / approved requests lapse at `expiresAt`; running ones are bounded by their TAP or resolved on resume. */
export function isExpired(r: { state: EnrollmentState; expiresAt: string }, now: Date): boolean {
  return (r.state === 'requested' || r.state === 'approved') && now.getTime() >= Date.parse(r.expiresAt);
}

export interface Actors {
  requestedBy: string;
  approvedBy: string | null;
}

/** Four eyes: the approver is a different officer from the requester. */
export function approvalRefusal(r: Actors, actor: string): string | undefined {
  if (actor === r.requestedBy) return 'four eyes: a request must be approved by a different officer than the one who requested it';
  return undefined;
}

/**
 * Who may run (or resume) the enrollment: the requesting officer, who holds the key at the workstation and to whom
 * a TAP is shown. The approver only approves.
 */
export function runRefusal(r: Actors, actor: string): string | undefined {
  if (actor !== r.requestedBy) return 'only the officer who requested this enrollment (and holds the pre-checked key) may run it';
  return undefined;
}

export const STATE_LABEL: Record<EnrollmentState, string> = {
  requested: 'waiting for approval',
  approved: 'approved, ready to run',
  tap_issuing: 'issuing the Temporary Access Pass',
  awaiting_registration: 'waiting for the key to be registered',
  registering: 'registering the key with Entra',
  key_registered: 'key registered, finishing',
  completed: 'completed',
  rejected: 'rejected',
  cancelled: 'cancelled',
  expired: 'expired',
  failed: 'failed',
};
