// The effective key policy for an account (passkey profiles targeting its groups, or the legacy restrictions) and
// the tenant's verdict on one key; the TAP plan (shortest lifetime the policy allows, refusals explained).
import { describe, expect, it } from 'vitest';
import type { GraphFido2Policy, GraphTapPolicy } from '../../../server/graph/graph-types.ts';
import { effectiveKeyPolicy, tenantKeyFindings } from '../../../server/domain/key-policy.ts';
import { planTap } from '../../../server/domain/tap-plan.ts';

const USER = '0b7e9d2a-4c1f-4a3e-b5d6-9e8f7a6b5c42';
const EMERGENCY = '1e3f5a7c-9b0d-4f2a-a4c6-8e0a2c4e6a80';
const ADMINS = '2f4a6b8d-0c1e-4a3b-b5d7-9f1b3d5f7b91';
const YK5NFC = '2fc0579f-8113-47ea-b116-bb5a8db9202a';
const YK5 = 'ee882879-721c-4913-9775-3dfcce97072a';
const DEFAULT_PROFILE = '00000000-0000-0000-0000-000000000001';
const BG_PROFILE = '9b1c2d3e-4f5a-4b6c-8d7e-0f1a2b3c4d5e';

function policy(over: Partial<GraphFido2Policy> = {}): GraphFido2Policy {
  return {
    id: 'Fido2',
    state: 'enabled',
    isSelfServiceRegistrationAllowed: true,
    isAttestationEnforced: false,
    keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [YK5, YK5NFC] },
    includeTargets: [
      { id: ADMINS, targetType: 'group', allowedPasskeyProfiles: [DEFAULT_PROFILE] },
      { id: EMERGENCY, targetType: 'group', allowedPasskeyProfiles: [BG_PROFILE] },
    ],
    excludeTargets: [],
    passkeyProfiles: [
      { id: DEFAULT_PROFILE, name: 'Default passkey profile', passkeyTypes: 'deviceBound,synced', attestationEnforcement: 'disabled', keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [YK5, YK5NFC] } },
      { id: BG_PROFILE, name: 'Emergency access security keys', passkeyTypes: 'deviceBound', attestationEnforcement: 'registrationOnly', keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [YK5NFC.toUpperCase()] } },
    ],
    defaultPasskeyProfile: DEFAULT_PROFILE,
    ...over,
  };
}

const outcome = (f: ReturnType<typeof tenantKeyFindings>, check: string) => f.find((x) => x.check === check)?.outcome;

describe('effective key policy', () => {
  it('takes the passkey profile allowed on the account\'s group, not the tenant-wide list', () => {
    const eff = effectiveKeyPolicy(policy(), { userId: USER, groupIds: [EMERGENCY] });
    expect(eff.source).toBe('passkey-profiles');
    expect(eff.profiles.map((p) => p.name)).toEqual(['Emergency access security keys']);
    expect(eff.profiles[0]).toMatchObject({ passkeyTypes: ['deviceBound'], attestationEnforced: true });
    // YubiKey 5 (no NFC) is on the default profile's and the tenant-wide lists, but not on the emergency profile's.
    const f = tenantKeyFindings(eff, { aaguid: YK5 });
    expect(outcome(f, 'tenant.passkey-profile')).toBe('fail');
    expect(f.find((x) => x.check === 'tenant.passkey-profile')!.message).toContain('passkey profile "Emergency access security keys" does not list AAGUID ee882879');
    expect(outcome(tenantKeyFindings(eff, { aaguid: YK5NFC }), 'tenant.passkey-profile')).toBe('pass');
  });

  it('unions the profiles of every include target covering the account (any one accepting the key is enough)', () => {
    const eff = effectiveKeyPolicy(policy(), { userId: USER, groupIds: [EMERGENCY, ADMINS] });
    expect(eff.profiles.map((p) => p.id).sort()).toEqual([DEFAULT_PROFILE, BG_PROFILE].sort());
    expect(outcome(tenantKeyFindings(eff, { aaguid: YK5 }), 'tenant.passkey-profile')).toBe('pass');
  });

  it('a target without allowedPasskeyProfiles gets the default profile; a profile id nobody defines is reported', () => {
    const p = policy({ includeTargets: [{ id: EMERGENCY, targetType: 'group' }, { id: 'all_users', targetType: 'group', allowedPasskeyProfiles: ['11111111-2222-3333-4444-555555555555'] }] });
    const eff = effectiveKeyPolicy(p, { userId: USER, groupIds: [EMERGENCY] });
    expect(eff.profiles.map((x) => x.id)).toEqual([DEFAULT_PROFILE]);
    expect(eff.missingProfileIds).toEqual(['11111111-2222-3333-4444-555555555555']);
    expect(outcome(tenantKeyFindings(eff, { aaguid: YK5 }), 'tenant.passkey-profile-missing')).toBe('fail');
  });

  it('falls back to the legacy restrictions when the tenant has no passkey profiles', () => {
    const eff = effectiveKeyPolicy(policy({ passkeyProfiles: [], keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [YK5] } }), { userId: USER, groupIds: [EMERGENCY] });
    expect(eff.source).toBe('legacy');
    expect(outcome(tenantKeyFindings(eff, { aaguid: YK5 }), 'tenant.passkey-profile')).toBe('fail');
    const ok = tenantKeyFindings(eff, { aaguid: YK5NFC });
    expect(outcome(ok, 'tenant.passkey-profile')).toBe('pass');
    expect(ok.find((f) => f.check === 'tenant.attestation')!.message).toContain('advisory');
  });

  it('refuses when passkeys are off, the account is not targeted or is excluded, or self-service setup is off', () => {
    const off = tenantKeyFindings(effectiveKeyPolicy(policy({ state: 'disabled' }), { userId: USER, groupIds: [EMERGENCY] }), { aaguid: YK5NFC });
    expect(outcome(off, 'tenant.fido2-enabled')).toBe('fail');
    const untargeted = tenantKeyFindings(effectiveKeyPolicy(policy(), { userId: USER, groupIds: [] }), { aaguid: YK5NFC });
    expect(outcome(untargeted, 'tenant.targeted')).toBe('fail');
    const excluded = tenantKeyFindings(effectiveKeyPolicy(policy({ excludeTargets: [{ id: EMERGENCY, targetType: 'group' }] }), { userId: USER, groupIds: [EMERGENCY] }), { aaguid: YK5NFC });
    expect(excluded.find((f) => f.check === 'tenant.targeted')!.message).toContain('excludes this account');
    const noSelf = tenantKeyFindings(effectiveKeyPolicy(policy({ isSelfServiceRegistrationAllowed: false }), { userId: USER, groupIds: [EMERGENCY] }), { aaguid: YK5NFC });
    expect(outcome(noSelf, 'tenant.self-service')).toBe('fail');
  });

  it('a synced passkey is refused by a device-bound-only profile; a key without AAGUID is undecidable under restrictions', () => {
    const eff = effectiveKeyPolicy(policy(), { userId: USER, groupIds: [EMERGENCY] });
    expect(tenantKeyFindings(eff, { aaguid: YK5NFC, passkeyType: 'synced' }).find((f) => f.check === 'tenant.passkey-profile')!.message).toContain('does not allow synced passkeys');
    expect(outcome(tenantKeyFindings(eff, { aaguid: '00000000-0000-0000-0000-000000000000' }), 'tenant.passkey-profile')).toBe('unknown');
  });
});

describe('TAP plan', () => {
  const tap = (over: Partial<GraphTapPolicy> = {}): GraphTapPolicy => ({
    id: 'TemporaryAccessPass', state: 'enabled', defaultLifetimeInMinutes: 60, minimumLifetimeInMinutes: 60, maximumLifetimeInMinutes: 480,
    isUsableOnce: true, defaultLength: 8, includeTargets: [{ id: EMERGENCY, targetType: 'group' }], excludeTargets: [], ...over,
  });
  const subject = { userId: USER, groupIds: [EMERGENCY] };

  it('asks for a one-time pass with the shortest lifetime the policy allows (never below Graph\'s 10 minutes)', () => {
    expect(planTap(tap(), subject, { maxLifetimeMinutes: 480 })).toMatchObject({ ok: true, lifetimeInMinutes: 60, isUsableOnce: true });
    expect(planTap(tap({ minimumLifetimeInMinutes: 1 }), subject, { maxLifetimeMinutes: 480 })).toMatchObject({ ok: true, lifetimeInMinutes: 10 });
    const multi = planTap(tap({ isUsableOnce: false }), subject, { maxLifetimeMinutes: 480 });
    expect(multi.ok && multi.findings.find((f) => f.check === 'tap.one-time')!.message).toContain('asks for a one-time pass anyway');
  });

  it('explains each refusal', () => {
    const r = planTap(tap({ state: 'disabled', includeTargets: [{ id: ADMINS, targetType: 'group' }], minimumLifetimeInMinutes: 500, maximumLifetimeInMinutes: 400 }), subject, { maxLifetimeMinutes: 480 });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reasons).toEqual([
      expect.stringContaining('is disabled'),
      expect.stringContaining('does not include this account'),
      expect.stringContaining('minimum lifetime (500 min) is longer than its maximum (400 min)'),
    ]);
    const tooLong = planTap(tap({ minimumLifetimeInMinutes: 600, maximumLifetimeInMinutes: 900 }), subject, { maxLifetimeMinutes: 480 });
    expect(!tooLong.ok && tooLong.reasons[0]).toContain('lives 600 minutes, longer than breakglass accepts');
    const excluded = planTap(tap({ excludeTargets: [{ id: EMERGENCY, targetType: 'group' }] }), subject, { maxLifetimeMinutes: 480 });
    expect(!excluded.ok && excluded.reasons[0]).toContain('excludes this account');
  });

  it('all_users targets everyone, but cannot be an exclusion', () => {
    expect(planTap(tap({ includeTargets: [{ id: 'all_users', targetType: 'group' }], excludeTargets: [{ id: 'all_users', targetType: 'group' }] }), subject, { maxLifetimeMinutes: 480 }).ok).toBe(true);
  });
});
