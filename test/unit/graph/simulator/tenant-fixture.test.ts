// Fixture loading: the bundled demo tenant is valid and has what the issue asks of it; a broken fixture is refused
// with every problem and its JSON path, and never with a secret in the message.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTenantFixture, parseTenantFixture, TenantFixtureError } from '../../../../server/simulator/tenant-fixture.ts';
import { TenantState } from '../../../../server/simulator/tenant-state.ts';
import { ManualClock } from '../../../../server/clock.ts';

describe('the demo tenant', () => {
  it('has two cloud-only emergency accounts on onmicrosoft.com holding Global Administrator', async () => {
    const f = await loadTenantFixture();
    const state = new TenantState(f, new ManualClock());
    const emergency = f.users.filter((u) => u.userPrincipalName.startsWith('bg-'));
    expect(emergency).toHaveLength(2);
    for (const u of emergency) {
      expect(u.userPrincipalName).toMatch(/@[a-z0-9-]+\.onmicrosoft\.com$/);
      expect((u as Record<string, unknown>).onPremisesSyncEnabled ?? null).toBeNull();
      expect(state.directoryRolesOf(u.id).map((r) => r.displayName)).toContain('Global Administrator');
    }
    expect(f.users.length - emergency.length).toBeGreaterThanOrEqual(3);
  });
  it('has a TAP policy, a FIDO2 policy with an AAGUID allow-list, and CA policies in both models', async () => {
    const state = new TenantState(await loadTenantFixture(), new ManualClock());
    expect(state.tapPolicy).toMatchObject({ state: 'enabled', isUsableOnce: true });
    expect(state.fido2Policy.keyRestrictions).toMatchObject({ isEnforced: true, enforcementType: 'allow' });
    expect(state.fido2Policy.keyRestrictions.aaGuids).toContain('2fc0579f-8113-47ea-b116-bb5a8db9202a');
    expect(state.fido2Policy.passkeyProfiles?.length).toBeGreaterThanOrEqual(2);
    const group = '1e3f5a7c-9b0d-4f2a-a4c6-8e0a2c4e6a80';
    const excluding = state.conditionalAccessPolicies.filter((p) => p.conditions.users.excludeGroups.includes(group));
    const requiring = state.conditionalAccessPolicies.filter((p) => p.conditions.users.includeGroups.includes(group) && p.grantControls?.authenticationStrength?.allowedCombinations?.includes('fido2'));
    expect(excluding.length).toBeGreaterThanOrEqual(1);
    expect(requiring).toHaveLength(1);
  });
});

describe('invalid fixtures', () => {
  it('reports shape problems with JSON paths', () => {
    const err = (() => { try { parseTenantFixture({ tenant: { id: 't' }, users: [{}] }, 'x.json'); } catch (e) { return e; } })() as TenantFixtureError;
    expect(err).toBeInstanceOf(TenantFixtureError);
    expect(err.problems.length).toBeGreaterThan(1);
    expect(err.message).toMatch(/^tenant fixture x\.json is not usable:/);
  });
  it('reports reference problems all at once and keeps pass values out of the message', async () => {
    const f = structuredClone(await loadTenantFixture()) as any;
    f.users.push({ ...f.users[0] });
    f.groupMembers['1e3f5a7c-9b0d-4f2a-a4c6-8e0a2c4e6a80'].push('ffffffff-ffff-ffff-ffff-ffffffffffff');
    f.authenticationMethods['00000000-0000-0000-0000-000000000000'] = [];
    f.authenticationMethods[f.users[1].id].push({ '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethod', id: 'tap', temporaryAccessPass: 'Sekr1t!!' });
    f.signIns[0].createdDateTime = 'yesterday';
    const err = (() => { try { parseTenantFixture(f); } catch (e) { return e; } })() as TenantFixtureError;
    const text = err.problems.join('\n');
    expect(text).toMatch(/duplicate id/);
    expect(text).toMatch(/duplicate userPrincipalName/);
    expect(text).toMatch(/member ffffffff-ffff-ffff-ffff-ffffffffffff is neither a user nor a group/);
    expect(text).toMatch(/authenticationMethods\/00000000-0000-0000-0000-000000000000: no such user/);
    expect(text).toMatch(/must not carry a temporaryAccessPass value/);
    expect(text).toMatch(/signIns\/0\/createdDateTime: not an ISO instant/);
    expect(err.message).not.toContain('Sekr1t!!');
  });
  it('reports unreadable files and invalid JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bg-fixture-'));
    await expect(loadTenantFixture(join(dir, 'missing.json'))).rejects.toThrow(/cannot read the file: ENOENT/);
    writeFileSync(join(dir, 'bad.json'), '{"tenant": ');
    await expect(loadTenantFixture(join(dir, 'bad.json'))).rejects.toThrow(/not valid JSON/);
  });
});
