// Words for the drill and incident states: the text carries the meaning everywhere, colour only repeats it.
import type { DrillState, VerificationState } from './drill-types.ts';

export const DRILL_STATE_LABEL: Record<DrillState, string> = { ok: 'On schedule', due_soon: 'Due soon', due: 'Due now', overdue: 'OVERDUE', never: 'Not planned' };

export const VERIFICATION_LABEL: Record<VerificationState, string> = {
  waiting: 'Waiting for the sign-in to reach the logs',
  verified: 'Sign-in verified',
  rejected: 'A sign-in was found, but it does not prove the drill',
  not_seen: 'Not seen in the logs yet (not a failure)',
};

export const PHASE_LABEL = { scheduled: 'scheduled', in_progress: 'window open now', ended: 'window ended' } as const;

export const CLASSIFICATION_LABEL: Record<string, { label: string; hint: string }> = {
  drill: { label: 'Drill', hint: 'a planned test that was not announced in breakglass' },
  emergency: { label: 'Real emergency', hint: 'the account was needed: say what failed and what was done' },
  misuse: { label: 'Misuse', hint: 'nobody should have used it: alerts everyone again as critical' },
  authorized_change: { label: 'Authorised change', hint: 'a key or method change that was planned (e.g. an enrollment)' },
};

export const CHECK_LABEL: Record<string, string> = { ok: 'OK', warning: 'Warning', problem: 'Problem', unknown: 'Unknown' };
export const READINESS_LABEL: Record<string, string> = { ready: 'Ready', attention: 'Needs attention', not_ready: 'Not ready' };

export const REASON_LABEL: Record<string, string> = {
  designated: 'designated', key_enrolled: 'key enrolled', key_replaced: 'key replaced', custodian_left: 'custodian left', drill_passed: 'drill passed', manual: 'restarted by hand',
};

export function noticeLabel(kind: string): string {
  if (kind === 'due') return 'due-day notice';
  const m = /^(reminder|overdue)-(\d+)$/.exec(kind);
  if (!m) return kind;
  return m[1] === 'reminder' ? `reminder ${m[2]} day${m[2] === '1' ? '' : 's'} before` : `escalation ${m[2]} day${m[2] === '1' ? '' : 's'} overdue`;
}
