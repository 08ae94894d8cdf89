// Words for the enrollment states, audit actions and finding outcomes, shared by the inventory and enrollment pages.
import type { Outcome, RequestState } from '../api/enrollment-types.ts';

export const STATE_LABEL: Record<RequestState, string> = {
  requested: 'Waiting for approval',
  approved: 'Approved — ready to run',
  tap_issuing: 'Issuing the Temporary Access Pass (interrupted?)',
  awaiting_registration: 'Waiting for the key to be registered',
  registering: 'Registering the key (interrupted?)',
  key_registered: 'Key registered — finishing',
  completed: 'Completed',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
  expired: 'Expired',
  failed: 'Failed',
};

export const OUTCOME_LABEL: Record<Outcome, string> = { pass: 'OK', fail: 'Blocks', unknown: 'Undecided', info: 'Note' };

const ACTIONS: Record<string, string> = {
  'enrollment.requested': 'Requested (key pre-checked)',
  'enrollment.approved': 'Approved with a passkey',
  'enrollment.rejected': 'Rejected',
  'enrollment.cancelled': 'Cancelled',
  'enrollment.expired': 'Expired',
  'enrollment.failed': 'Failed',
  'enrollment.tap_refused': 'TAP refused by the tenant policy',
  'enrollment.tap_issuing': 'Issuing the Temporary Access Pass',
  'enrollment.tap_issued': 'Temporary Access Pass issued (shown once)',
  'enrollment.tap_not_issued': 'Temporary Access Pass not created',
  'enrollment.tap_outcome_unknown': 'TAP creation outcome unknown',
  'enrollment.tap_expired': 'Temporary Access Pass expired unused',
  'enrollment.tap_deleted': 'Temporary Access Pass deleted',
  'enrollment.key_detected': 'Key found in Entra',
  'enrollment.key_pin_set': 'PIN set on the new key',
  'enrollment.key_pin_rejected': 'Wrong key PIN',
  'enrollment.credential_created': 'Credential made on the key and verified',
  'enrollment.key_registered': 'Key registered in Entra',
  'enrollment.registration_not_applied': 'Registration did not happen',
  'enrollment.registration_outcome_unknown': 'Registration outcome unknown',
  'enrollment.completed': 'Completed: inventory updated, drill scheduled',
};

export function actionLabel(action: string): string {
  return ACTIONS[action] ?? action;
}

export function who(officers: Record<string, string>, actor: string | null): string {
  if (!actor) return '—';
  if (actor === 'system') return 'breakglass';
  return officers[actor] ?? actor;
}

/** mm:ss (or h:mm:ss) until `iso`, never negative. */
export function remaining(iso: string, now: number): string {
  const s = Math.max(0, Math.floor((Date.parse(iso) - now) / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(h ? 2 : 1, '0');
  return `${h ? `${h}:` : ''}${mm}:${String(sec).padStart(2, '0')}`;
}
