// The effective FIDO2 / passkey policy for one emergency account, and what it says about one key (pure; no I/O).
// Entra decides per user: the passkey profiles allowed on the policy's include targets that contain the user (their
// `allowedPasskeyProfiles`, else the default profile), or — in tenants not migrated to profiles — the legacy
// top-level `keyRestrictions` and `isAttestationEnforced` (graph.md §3). Key restrictions govern registration *and*
// sign-in, and without attestation enforcement an AAGUID list is advisory: a key can claim any AAGUID.
import type { GraphFido2KeyRestrictions, GraphFido2Policy } from '../graph/graph-types.ts';

export const ZERO_AAGUID = '00000000-0000-0000-0000-000000000000';

export type PasskeyType = 'deviceBound' | 'synced';

/** Who the account is, as policy targeting sees it. */
export interface PolicySubject {
  /** Entra object id. */
  userId: string;
  /** Ids of every group containing the user, transitively. */
  groupIds: string[];
}

export interface EffectiveProfile {
  id: string;
  name: string;
  passkeyTypes: PasskeyType[];
  attestationEnforced: boolean;
  keyRestrictions: { isEnforced: boolean; enforcementType: 'allow' | 'block'; aaGuids: string[] };
}

export interface EffectiveKeyPolicy {
  source: 'passkey-profiles' | 'legacy';
  fido2Enabled: boolean;
  /** Include targets that cover the account (`all_users`, its own id, or a group it is in). */
  includedBy: string[];
  /** Exclude targets that cover the account. */
  excludedBy: string[];
  /** "Allow self-service setup": needed for the security-info page and for Graph's on-behalf provisioning. */
  selfServiceAllowed: boolean;
  /** The profiles that apply (empty when the account is not targeted). */
  profiles: EffectiveProfile[];
  /** Profile ids a target names that the policy does not define (a broken policy, reported as a finding). */
  missingProfileIds: string[];
}

export type FindingOutcome = 'pass' | 'fail' | 'unknown' | 'info';

export interface PolicyFinding {
  /** Stable rule id, e.g. `tenant.passkey-profile`. */
  check: string;
  outcome: FindingOutcome;
  message: string;
}

export function normalizeGuid(s: string): string {
  return s.trim().toLowerCase();
}

/** A subject is covered by a target list when it names `all_users`, the user, or one of the user's groups. */
export function coveringTargets(targets: readonly { id: string }[] | null | undefined, subject: PolicySubject, opts: { allUsers: boolean } = { allUsers: true }): string[] {
  const uid = normalizeGuid(subject.userId);
  const groups = new Set(subject.groupIds.map(normalizeGuid));
  return (targets ?? [])
    .map((t) => normalizeGuid(t.id))
    .filter((id) => (opts.allUsers && id === 'all_users') || id === uid || groups.has(id));
}

function restrictions(r: GraphFido2KeyRestrictions | null | undefined): EffectiveProfile['keyRestrictions'] {
  return {
    isEnforced: r?.isEnforced === true,
    enforcementType: r?.enforcementType === 'allow' ? 'allow' : 'block',
    aaGuids: (r?.aaGuids ?? []).map(normalizeGuid),
  };
}

/** `passkeyTypes` is a flags enum serialised as "deviceBound,synced". */
export function parsePasskeyTypes(flags: string | null | undefined): PasskeyType[] {
  return (flags ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is PasskeyType => s === 'deviceBound' || s === 'synced');
}

export function effectiveKeyPolicy(policy: GraphFido2Policy, subject: PolicySubject): EffectiveKeyPolicy {
  const includes = policy.includeTargets ?? [];
  const includedBy = coveringTargets(includes, subject);
  // Exclusions name groups (or users); "all users" is not an exclusion Entra accepts.
  const excludedBy = coveringTargets(policy.excludeTargets, subject, { allUsers: false });
  const targeted = includedBy.length > 0 && excludedBy.length === 0;
  const base = {
    fido2Enabled: policy.state === 'enabled',
    includedBy,
    excludedBy,
    selfServiceAllowed: policy.isSelfServiceRegistrationAllowed === true,
  };
  const defined = policy.passkeyProfiles ?? [];
  if (defined.length === 0) {
    return {
      ...base,
      source: 'legacy',
      missingProfileIds: [],
      profiles: targeted
        ? [{ id: 'legacy', name: 'tenant-wide FIDO2 settings', passkeyTypes: ['deviceBound', 'synced'], attestationEnforced: policy.isAttestationEnforced === true, keyRestrictions: restrictions(policy.keyRestrictions) }]
        : [],
    };
  }
  const wanted = new Set<string>();
  if (targeted) {
    for (const t of includes) {
      if (!includedBy.includes(normalizeGuid(t.id))) continue;
      const allowed = t.allowedPasskeyProfiles?.length ? t.allowedPasskeyProfiles : policy.defaultPasskeyProfile ? [policy.defaultPasskeyProfile] : [];
      for (const a of allowed) wanted.add(normalizeGuid(a));
    }
  }
  const profiles: EffectiveProfile[] = [];
  for (const p of defined) {
    if (!wanted.has(normalizeGuid(p.id))) continue;
    profiles.push({
      id: normalizeGuid(p.id),
      name: p.name,
      passkeyTypes: parsePasskeyTypes(p.passkeyTypes),
      attestationEnforced: p.attestationEnforcement === 'registrationOnly',
      keyRestrictions: restrictions(p.keyRestrictions),
    });
  }
  const missingProfileIds = [...wanted].filter((id) => !profiles.some((p) => p.id === id));
  return { ...base, source: 'passkey-profiles', profiles, missingProfileIds };
}

/** Does one profile accept this AAGUID? undefined = cannot tell (the key reports no AAGUID). */
function aaguidAccepted(r: EffectiveProfile['keyRestrictions'], aaguid: string): boolean | undefined {
  if (!r.isEnforced) return true;
  if (aaguid === ZERO_AAGUID) return undefined;
  const listed = r.aaGuids.includes(aaguid);
  return r.enforcementType === 'allow' ? listed : !listed;
}

function describeProfile(p: EffectiveProfile): string {
  return p.id === 'legacy' ? 'the tenant-wide FIDO2 settings' : `passkey profile "${p.name}"`;
}

/**
 * The tenant's verdict on registering a security key with `aaguid` for the account. A key passes when at least one
 * applicable profile accepts its type and model (Entra's rule); each refusal says which profile refused and why.
 */
export function tenantKeyFindings(eff: EffectiveKeyPolicy, key: { aaguid: string; passkeyType?: PasskeyType }): PolicyFinding[] {
  const out: PolicyFinding[] = [];
  const add = (check: string, outcome: FindingOutcome, message: string) => out.push({ check, outcome, message });
  const aaguid = normalizeGuid(key.aaguid);
  const type = key.passkeyType ?? 'deviceBound';

  add('tenant.fido2-enabled', eff.fido2Enabled ? 'pass' : 'fail', eff.fido2Enabled ? 'passkeys (FIDO2) are enabled in the tenant' : 'passkeys (FIDO2) are disabled in the tenant\'s authentication methods policy');
  if (eff.excludedBy.length) {
    add('tenant.targeted', 'fail', `the passkey policy excludes this account (exclude target ${eff.excludedBy.join(', ')})`);
  } else if (eff.includedBy.length === 0) {
    add('tenant.targeted', 'fail', 'the passkey policy does not include this account: add its group to the policy\'s include targets');
  } else {
    add('tenant.targeted', 'pass', `the passkey policy includes this account (${eff.includedBy.join(', ')})`);
  }
  add(
    'tenant.self-service',
    eff.selfServiceAllowed ? 'pass' : 'fail',
    eff.selfServiceAllowed
      ? '"Allow self-service setup" is on (the security-info page and on-behalf provisioning both need it)'
      : '"Allow self-service setup" is off: neither the security-info page nor Graph\'s on-behalf provisioning can register a key (turn it on in the passkey policy)',
  );
  for (const id of eff.missingProfileIds) add('tenant.passkey-profile-missing', 'fail', `an include target names passkey profile ${id}, which the policy does not define`);

  if (eff.profiles.length === 0) {
    if (eff.includedBy.length && !eff.excludedBy.length) add('tenant.passkey-profile', 'fail', 'no passkey profile applies to this account');
    return out;
  }
  const accepted: EffectiveProfile[] = [];
  const refusals: string[] = [];
  let undecided = false;
  for (const p of eff.profiles) {
    if (!p.passkeyTypes.includes(type)) {
      refusals.push(`${describeProfile(p)} does not allow ${type === 'deviceBound' ? 'device-bound' : 'synced'} passkeys`);
      continue;
    }
    const ok = aaguidAccepted(p.keyRestrictions, aaguid);
    if (ok === undefined) {
      undecided = true;
      refusals.push(`${describeProfile(p)} restricts key models and this key reports no AAGUID`);
    } else if (!ok) {
      refusals.push(`${describeProfile(p)} ${p.keyRestrictions.enforcementType === 'allow' ? 'does not list' : 'blocks'} AAGUID ${aaguid}`);
    } else {
      accepted.push(p);
    }
  }
  if (accepted.length) {
    const p = accepted[0]!;
    const why = p.keyRestrictions.isEnforced ? (p.keyRestrictions.enforcementType === 'allow' ? 'its allow-list names this AAGUID' : 'its block-list does not name this AAGUID') : 'it does not restrict key models';
    add('tenant.passkey-profile', 'pass', `accepted by ${describeProfile(p)}: ${why}`);
    if (accepted.every((a) => a.attestationEnforced)) {
      add('tenant.attestation', 'info', 'attestation is enforced at registration: Entra verifies the key\'s model from its attestation certificate');
    } else if (accepted.some((a) => a.keyRestrictions.isEnforced)) {
      add('tenant.attestation', 'info', 'attestation is not enforced: the AAGUID restriction is advisory, because a key can claim any AAGUID');
    }
  } else {
    add('tenant.passkey-profile', undecided && refusals.every((r) => r.includes('reports no AAGUID')) ? 'unknown' : 'fail', `no passkey profile that applies to this account accepts the key: ${refusals.join('; ')}`);
  }
  return out;
}
