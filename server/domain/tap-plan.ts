// Can a Temporary Access Pass be issued to this account, and with what lifetime? (pure). Entra enforces the tenant's
// TAP policy: `state`, include/exclude targets, and the policy's lifetime bounds (graph.md §1.2, §1.7); Graph itself
// accepts 10..43 200 minutes. breakglass always asks for a one-time pass with the shortest lifetime the policy allows,
// and refuses a policy whose shortest pass would outlive `maxLifetimeMinutes` (a pass is a credential for the most
// privileged account in the tenant). Every refusal says what to change.
import type { GraphTapPolicy } from '../graph/graph-types.ts';
import { coveringTargets, type PolicyFinding, type PolicySubject } from './key-policy.ts';

/** Graph's own bounds for lifetimeInMinutes (graph.md §1.2). */
export const GRAPH_TAP_MIN_MINUTES = 10;
export const GRAPH_TAP_MAX_MINUTES = 43_200;

export type TapPlan =
  | { ok: true; lifetimeInMinutes: number; isUsableOnce: true; findings: PolicyFinding[] }
  | { ok: false; findings: PolicyFinding[]; reasons: string[] };

export function planTap(policy: GraphTapPolicy, subject: PolicySubject, opts: { maxLifetimeMinutes: number }): TapPlan {
  const findings: PolicyFinding[] = [];
  const add = (check: string, outcome: PolicyFinding['outcome'], message: string) => findings.push({ check, outcome, message });

  add('tap.enabled', policy.state === 'enabled' ? 'pass' : 'fail', policy.state === 'enabled'
    ? 'the Temporary Access Pass method is enabled'
    : 'the Temporary Access Pass method is disabled in the tenant\'s authentication methods policy: enable it (scoped to the emergency-access group) or use direct mode');
  const included = coveringTargets(policy.includeTargets, subject);
  const excluded = coveringTargets(policy.excludeTargets, subject, { allUsers: false });
  if (excluded.length) add('tap.targeted', 'fail', `the TAP policy excludes this account (exclude target ${excluded.join(', ')}): a pass could be created but not used to sign in`);
  else if (included.length === 0) add('tap.targeted', 'fail', 'the TAP policy does not include this account: add its group to the policy\'s include targets, or use direct mode');
  else add('tap.targeted', 'pass', `the TAP policy includes this account (${included.join(', ')})`);

  const min = Math.max(GRAPH_TAP_MIN_MINUTES, Math.trunc(policy.minimumLifetimeInMinutes ?? GRAPH_TAP_MIN_MINUTES));
  const max = Math.min(GRAPH_TAP_MAX_MINUTES, Math.trunc(policy.maximumLifetimeInMinutes ?? GRAPH_TAP_MAX_MINUTES));
  let lifetime: number | undefined;
  if (min > max) {
    add('tap.lifetime', 'fail', `the TAP policy's minimum lifetime (${min} min) is longer than its maximum (${max} min): fix the policy`);
  } else if (min > opts.maxLifetimeMinutes) {
    add('tap.lifetime', 'fail', `the shortest pass the TAP policy allows lives ${min} minutes, longer than breakglass accepts for an emergency account (${opts.maxLifetimeMinutes}): lower the policy's minimum lifetime`);
  } else {
    lifetime = min;
    add('tap.lifetime', 'pass', `a one-time pass valid for ${min} minutes (the shortest the policy allows; policy range ${min}–${max})`);
  }
  if (policy.isUsableOnce === false) add('tap.one-time', 'info', 'the policy allows multi-use passes; breakglass asks for a one-time pass anyway');
  else add('tap.one-time', 'pass', 'the policy makes every pass one-time');

  const failed = findings.filter((f) => f.outcome === 'fail');
  if (failed.length || lifetime === undefined) return { ok: false, findings, reasons: failed.map((f) => f.message) };
  return { ok: true, lifetimeInMinutes: lifetime, isUsableOnce: true, findings };
}
