// The readiness rules: which Conditional Access policies apply to an emergency account and what they demand (both of
// Microsoft's models, blockers and report-only "would block"), the per-account and tenant checks, and the mandatory-MFA
// enforcement view with its CSV.
import { describe, expect, it } from 'vitest';
import { caCoverage, policyApplies, policyEffect } from '../../../server/domain/ca-coverage.ts';
import { enforcementCsv, enforcementRows, isMfaCapable } from '../../../server/domain/mfa-enforcement.ts';
import { accountChecks, overallStatus, tenantChecks, type AccountFacts } from '../../../server/domain/readiness.ts';
import type { GraphConditionalAccessPolicy, GraphSignIn } from '../../../server/graph/graph-types.ts';

const GA = '62e90394-69f5-4237-9190-012177145e10';
const scope = { userId: 'U1', groupIds: ['g-emergency'], roleTemplateIds: [GA] };

function policy(id: string, users: Partial<GraphConditionalAccessPolicy['conditions']['users']>, grant: Partial<NonNullable<GraphConditionalAccessPolicy['grantControls']>> | null, state = 'enabled', clientAppTypes = ['all']): GraphConditionalAccessPolicy {
  return {
    id, displayName: id, state,
    conditions: { users: { includeUsers: [], excludeUsers: [], includeGroups: [], excludeGroups: [], includeRoles: [], excludeRoles: [], ...users }, clientAppTypes },
    grantControls: grant ? { operator: 'OR', builtInControls: [], ...grant } : null,
  } as GraphConditionalAccessPolicy;
}
const PR = { id: '00000000-0000-0000-0000-000000000004', displayName: 'Phishing-resistant MFA', allowedCombinations: ['windowsHelloForBusiness', 'fido2', 'x509CertificateMultiFactor'] };

describe('Conditional Access coverage', () => {
  it('applies a policy through All, the user, a group or a role, unless excluded the same ways', () => {
    expect(policyApplies(policy('p', { includeUsers: ['All'] }, null), scope)).toBe(true);
    expect(policyApplies(policy('p', { includeUsers: ['u1'] }, null), scope)).toBe(true);
    expect(policyApplies(policy('p', { includeRoles: [GA] }, null), scope)).toBe(true);
    expect(policyApplies(policy('p', { includeUsers: ['All'], excludeGroups: ['G-EMERGENCY'] }, null), scope)).toBe(false);
    expect(policyApplies(policy('p', { includeGroups: ['g-emergency'], excludeRoles: [GA] }, null), scope)).toBe(false);
    expect(policyApplies(policy('p', { includeGroups: ['other'] }, null), scope)).toBe(false);
  });

  it('judges what each policy demands of a key-only account', () => {
    expect(policyEffect(policy('p', {}, { builtInControls: ['block'] }))).toEqual({ effect: 'block', demand: 'blocks access' });
    expect(policyEffect(policy('p', {}, { builtInControls: ['block'] }, 'enabled', ['exchangeActiveSync', 'other']))).toEqual({ effect: 'other', demand: 'blocks legacy authentication clients only' });
    expect(policyEffect(policy('p', {}, { builtInControls: ['mfa'] })).effect).toBe('mfa');
    expect(policyEffect(policy('p', {}, { authenticationStrength: PR }))).toEqual({ effect: 'phishing_resistant', demand: 'requires phishing-resistant strength "Phishing-resistant MFA"' });
    expect(policyEffect(policy('p', {}, { builtInControls: ['compliantDevice'] }))).toEqual({ effect: 'device_or_app', demand: 'requires a compliant device' });
    expect(policyEffect(policy('p', {}, { builtInControls: ['mfa', 'compliantDevice'] })).effect).toBe('mfa');
    expect(policyEffect(policy('p', {}, { operator: 'AND', builtInControls: ['mfa', 'domainJoinedDevice'] })).effect).toBe('device_or_app');
    expect(policyEffect(policy('p', {}, { authenticationStrength: { id: 'x', displayName: 'Passwordless', allowedCombinations: ['microsoftAuthenticatorPush'] } })).effect).toBe('device_or_app');
  });

  it('names the model in use and whatever would stop the account', () => {
    expect(caCoverage([policy('A', { includeUsers: ['All'], excludeGroups: ['g-emergency'] }, { builtInControls: ['mfa'] })], scope)).toMatchObject({ model: 'excluded', blocking: [] });
    const pr = caCoverage([policy('PR', { includeGroups: ['g-emergency'] }, { authenticationStrength: PR }), policy('RO', { includeRoles: [GA] }, { builtInControls: ['compliantDevice'] }, 'enabledForReportingButNotEnforced')], scope);
    expect(pr.model).toBe('phishing_resistant');
    expect(pr.wouldBlock.map((p) => p.id)).toEqual(['RO']);
    const mixed = caCoverage([policy('MFA', { includeUsers: ['All'] }, { builtInControls: ['mfa'] }), policy('BLOCK', { includeRoles: [GA] }, { builtInControls: ['block'] })], scope);
    expect([mixed.model, mixed.blocking.map((p) => p.id)]).toEqual(['mixed', ['BLOCK']]);
  });
});

describe('readiness checks', () => {
  const now = new Date('2026-06-01T00:00:00.000Z');
  const good: AccountFacts = {
    upn: 'bg-01@contoso.onmicrosoft.com', drillIntervalDays: 90,
    user: { userPrincipalName: 'bg-01@contoso.onmicrosoft.com', accountEnabled: true, userType: 'Member', onPremisesSyncEnabled: null },
    globalAdmin: 'direct',
    methods: [{ '@odata.type': '#microsoft.graph.passwordAuthenticationMethod', id: 'p' }, { '@odata.type': '#microsoft.graph.fido2AuthenticationMethod', id: 'k' }],
    fido2: [{ id: 'k', displayName: 'Key A', model: 'YubiKey 5', passkeyType: 'deviceBound' }],
    ca: { model: 'excluded', applying: [], reportOnly: [], blocking: [], wouldBlock: [] },
    lastPassedDrillAt: '2026-04-01T10:00:00.000Z', nextDueAt: '2026-06-30T10:00:00.000Z', openIncidents: 0,
  };
  const status = (f: AccountFacts) => Object.fromEntries(accountChecks(f, now).map((c) => [c.code, c.status]));

  it('finds a well-kept account ready', () => {
    const checks = accountChecks(good, now);
    expect(checks.every((c) => c.status === 'ok')).toBe(true);
    expect(overallStatus(checks)).toBe('ready');
  });

  it('flags each gap in Microsoft\'s checklist', () => {
    const s = status({
      ...good,
      user: { userPrincipalName: 'bg-01@contoso.com', accountEnabled: false, userType: 'Member', onPremisesSyncEnabled: true },
      globalAdmin: 'none',
      methods: [{ '@odata.type': '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod', id: 'a', displayName: 'Pixel 8' }],
      fido2: [{ id: 's', displayName: 'iCloud', passkeyType: 'synced' }],
      lastPassedDrillAt: '2026-01-01T00:00:00.000Z',
      ca: { model: 'mixed', applying: [{ id: 'x', displayName: 'CA001', state: 'enabled', effect: 'mfa', demand: 'requires multifactor authentication' }], reportOnly: [], blocking: [{ id: 'b', displayName: 'CA-BLOCK', state: 'enabled', effect: 'block', demand: 'blocks access' }], wouldBlock: [] },
      openIncidents: 2,
    });
    expect(s).toEqual({
      cloud_only: 'problem', onmicrosoft_domain: 'warning', enabled_member: 'problem', global_admin: 'problem', phishing_resistant_method: 'problem',
      no_personal_device: 'problem', drill_recent: 'problem', ca_model: 'warning', ca_blocking: 'problem', incidents: 'warning',
    });
    const detail = accountChecks({ ...good, methods: [{ '@odata.type': '#microsoft.graph.phoneAuthenticationMethod', id: 'p' }] }, now).find((c) => c.code === 'no_personal_device')!.detail;
    expect(detail).toBe('remove phone (SMS/voice): an emergency account must not depend on someone\'s phone, PC or mailbox');
  });

  it('says "unknown" for what could not be read, never "ok"', () => {
    const s = status({ ...good, user: undefined, globalAdmin: 'unknown', methods: undefined, fido2: undefined, ca: undefined });
    expect(s).toMatchObject({ cloud_only: 'unknown', global_admin: 'unknown', phishing_resistant_method: 'unknown', no_personal_device: 'unknown', ca_model: 'unknown' });
    expect(overallStatus(accountChecks({ ...good, ca: undefined }, now))).toBe('attention');
  });

  it('checks the tenant: two accounts, one-time TAPs, restricted key models, monitoring, a channel outside Entra', () => {
    const t = tenantChecks({
      accountCount: 1,
      tapPolicy: { id: 'TemporaryAccessPass', state: 'enabled', isUsableOnce: false, defaultLifetimeInMinutes: 60, minimumLifetimeInMinutes: 60, maximumLifetimeInMinutes: 480, defaultLength: 8, includeTargets: [], excludeTargets: [] },
      fido2Policy: { id: 'Fido2', state: 'enabled', isSelfServiceRegistrationAllowed: true, isAttestationEnforced: false, keyRestrictions: { isEnforced: false, enforcementType: 'allow', aaGuids: [] }, includeTargets: [], excludeTargets: [] },
      monitoring: { state: 'license_required', lastSuccessAt: null, detail: null },
      channels: [{ name: 'mail', kind: 'mail' }],
    });
    expect(t.map((c) => [c.code, c.status])).toEqual([['two_accounts', 'problem'], ['tap_one_time', 'warning'], ['fido2_restricted', 'warning'], ['monitoring', 'problem'], ['alert_channels', 'warning']]);
    expect(t.find((c) => c.code === 'monitoring')!.detail).toMatch(/no Entra ID P1\/P2 licence/);
  });

  it('a monitor that is behind on the logs is a problem that says what is unread, not "failing"', () => {
    const detail = 'records between 2026-11-20T09:00:00.000Z and 2026-11-20T09:02:05.000Z are not all read yet';
    const t = tenantChecks({
      accountCount: 2,
      tapPolicy: undefined,
      fido2Policy: undefined,
      monitoring: { state: 'behind', lastSuccessAt: '2026-11-20T09:00:00.000Z', detail },
      channels: [{ name: 'hook', kind: 'webhook' }],
    });
    const m = t.find((c) => c.code === 'monitoring')!;
    expect(m.status).toBe('problem');
    expect(m.detail).toMatch(/^monitoring is behind/);
    expect(m.detail).toContain(detail);
    expect(m.detail).not.toMatch(/failing/);
  });
});

describe('mandatory MFA enforcement view', () => {
  const s = (userId: string, appId: string, errorCode = 0, at = '2026-05-20T10:00:00.000Z'): GraphSignIn => ({ id: `${userId}-${appId}-${at}`, createdDateTime: at, userId, userPrincipalName: `${userId}@contoso.com`, userDisplayName: `User ${userId}`, appId, status: { errorCode } });
  const portal = 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c';
  const cli = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
  it('lists users with successful admin-app sign-ins and no MFA-capable method', () => {
    const rows = enforcementRows(
      [s('bram', portal), s('bram', cli, 0, '2026-05-21T10:00:00.000Z'), s('alice', portal), s('carl', portal, 50126), s('dora', '00000003-0000-0000-c000-000000000000')],
      new Map([
        ['bram', [{ '@odata.type': '#microsoft.graph.passwordAuthenticationMethod', id: 'p' }]],
        ['alice', [{ '@odata.type': '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod', id: 'a' }]],
        ['carl', []],
        ['dora', []],
      ]),
    );
    expect(rows).toEqual([{ userId: 'bram', userPrincipalName: 'bram@contoso.com', displayName: 'User bram', apps: ['Azure CLI', 'Azure portal / Microsoft Entra admin center / Intune admin center'], signIns: 2, lastSignIn: '2026-05-21T10:00:00.000Z', registeredMethods: ['password'] }]);
    expect(isMfaCapable([{ '@odata.type': '#microsoft.graph.emailAuthenticationMethod', id: 'e' }])).toBe(false);
    expect(isMfaCapable([{ '@odata.type': '#microsoft.graph.fido2AuthenticationMethod', id: 'f' }])).toBe(true);
  });

  it('writes RFC 4180 CSV that a spreadsheet cannot execute', () => {
    const csv = enforcementCsv([{ userId: 'u', userPrincipalName: '=HYPERLINK("x")@contoso.com', displayName: 'Name, "quoted"', apps: ['Azure CLI'], signIns: 1, lastSignIn: '2026-05-21T10:00:00.000Z', registeredMethods: [] }]);
    expect(csv).toBe('"userPrincipalName","displayName","userId","apps","signIns","lastSignIn","registeredMethods"\r\n"\'=HYPERLINK(""x"")@contoso.com","Name, ""quoted""","u","Azure CLI","1","2026-05-21T10:00:00.000Z","none"\r\n');
  });
});
