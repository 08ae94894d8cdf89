// Pure analysis of how Conditional Access treats one emergency account (graph.md §5, anchors.md §1): which policies
// apply to it (include All / the user / a group it is in / a role it holds, minus the excludes), what each would
// demand, and so which of Microsoft's two supported models the tenant uses —
//   "excluded": excluded from every policy (the CA template pages' advice), or
//   "phishing_resistant": included only in policies that demand a phishing-resistant authentication strength
//   (the current emergency-access page's advice) —
// and any policy that would block the account or demand something a key from a safe cannot give (a compliant or
// joined device, an approved app). Report-only policies change nothing today and are listed as "would".
import type { GraphConditionalAccessPolicy } from '../graph/graph-types.ts';

export interface AccountScope {
  userId: string;
  /** Ids of groups containing the account (transitively), lower case. */
  groupIds: string[];
  /** Role template ids the account holds, lower case. */
  roleTemplateIds: string[];
}

export type PolicyEffect = 'block' | 'phishing_resistant' | 'mfa' | 'device_or_app' | 'other' | 'none';

export interface PolicyView {
  id: string;
  displayName: string;
  state: string;
  effect: PolicyEffect;
  /** Why the effect is what it is, in words. */
  demand: string;
}

export interface CaCoverage {
  model: 'excluded' | 'phishing_resistant' | 'mixed';
  /** Enabled policies that apply to the account. */
  applying: PolicyView[];
  /** Report-only policies that would apply. */
  reportOnly: PolicyView[];
  /** Enabled policies that block the account or demand what a key from a safe cannot give. */
  blocking: PolicyView[];
  /** Report-only policies that would do so if switched on. */
  wouldBlock: PolicyView[];
}

const PHISHING_RESISTANT = new Set(['fido2', 'windowshelloforbusiness', 'x509certificatemultifactor']);
const DEVICE_OR_APP = new Set(['compliantdevice', 'domainjoineddevice', 'approvedapplication', 'compliantapplication']);

const lower = (xs: string[] | undefined | null): string[] => (xs ?? []).map((x) => x.toLowerCase());

export function policyApplies(policy: GraphConditionalAccessPolicy, scope: AccountScope): boolean {
  const u = policy.conditions?.users;
  if (!u) return false;
  const uid = scope.userId.toLowerCase();
  const groups = new Set(scope.groupIds.map((g) => g.toLowerCase()));
  const roles = new Set(scope.roleTemplateIds.map((r) => r.toLowerCase()));
  const includeUsers = lower(u.includeUsers);
  const included = includeUsers.includes('all') || includeUsers.includes(uid)
    || lower(u.includeGroups).some((g) => groups.has(g)) || lower(u.includeRoles).some((r) => roles.has(r));
  if (!included) return false;
  const excluded = lower(u.excludeUsers).includes(uid) || lower(u.excludeGroups).some((g) => groups.has(g)) || lower(u.excludeRoles).some((r) => roles.has(r));
  return !excluded;
}

/** What a policy demands of a sign-in, judged for an account whose only credential is a FIDO2 key. */
export function policyEffect(policy: GraphConditionalAccessPolicy): { effect: PolicyEffect; demand: string } {
  const g = policy.grantControls;
  const controls = lower(g?.builtInControls);
  const clientApps = lower(policy.conditions?.clientAppTypes as string[] | undefined);
  // A policy limited to legacy clients (Exchange ActiveSync, "other") never sees a browser sign-in with a key.
  const legacyOnly = clientApps.length > 0 && !clientApps.includes('all') && !clientApps.includes('browser') && !clientApps.includes('mobileappsanddesktopclients');
  if (controls.includes('block')) return legacyOnly ? { effect: 'other', demand: 'blocks legacy authentication clients only' } : { effect: 'block', demand: 'blocks access' };
  const strength = g?.authenticationStrength;
  const combos = lower(strength?.allowedCombinations as string[] | undefined);
  const and = (g?.operator ?? 'OR').toUpperCase() === 'AND';
  const deviceControls = controls.filter((c) => DEVICE_OR_APP.has(c));
  // With OR, any satisfiable control is enough; with AND, every control must be met.
  const satisfiable: string[] = [];
  const unsatisfiable: string[] = [];
  if (strength) {
    if (combos.some((c) => c === 'fido2' || c.startsWith('fido2'))) satisfiable.push(`authentication strength "${strength.displayName ?? strength.id}"`);
    else unsatisfiable.push(`authentication strength "${strength.displayName ?? strength.id}" without FIDO2`);
  }
  if (controls.includes('mfa')) satisfiable.push('multifactor authentication');
  for (const c of deviceControls) unsatisfiable.push(c === 'compliantdevice' ? 'a compliant device' : c === 'domainjoineddevice' ? 'a hybrid-joined device' : 'an approved or compliant app');
  for (const c of controls) if (!['block', 'mfa', ...DEVICE_OR_APP].includes(c)) satisfiable.push(c);
  const blocked = and ? unsatisfiable.length > 0 : satisfiable.length === 0 && unsatisfiable.length > 0;
  if (blocked) return { effect: 'device_or_app', demand: `requires ${unsatisfiable.join(and ? ' and ' : ' or ')}` };
  if (strength && combos.length > 0 && combos.every((c) => PHISHING_RESISTANT.has(c)) && (and || satisfiable.length === 1)) {
    return { effect: 'phishing_resistant', demand: `requires phishing-resistant strength "${strength.displayName ?? strength.id}"` };
  }
  if (satisfiable.length) return { effect: controls.includes('mfa') || strength ? 'mfa' : 'other', demand: `requires ${satisfiable.join(and ? ' and ' : ' or ')}` };
  return { effect: 'none', demand: 'session controls only' };
}

function view(p: GraphConditionalAccessPolicy): PolicyView {
  const e = policyEffect(p);
  return { id: p.id, displayName: p.displayName, state: p.state, effect: e.effect, demand: e.demand };
}

export function caCoverage(policies: GraphConditionalAccessPolicy[], scope: AccountScope): CaCoverage {
  const relevant = policies.filter((p) => policyApplies(p, scope));
  const applying = relevant.filter((p) => p.state === 'enabled').map(view);
  const reportOnly = relevant.filter((p) => p.state === 'enabledForReportingButNotEnforced').map(view);
  const isBlocking = (v: PolicyView) => v.effect === 'block' || v.effect === 'device_or_app';
  const model = applying.length === 0 ? 'excluded' : applying.every((v) => v.effect === 'phishing_resistant') ? 'phishing_resistant' : 'mixed';
  return { model, applying, reportOnly, blocking: applying.filter(isBlocking), wouldBlock: reportOnly.filter(isBlocking) };
}
