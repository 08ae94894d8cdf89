// The key pre-check: allowed / blocked / unknown with one finding per rule, against a local allow-list and the
// tenant's Graph FIDO2 policy.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { checkKey, loadAllowList, loadTenantPolicy, parseAllowList, parseTenantPolicy, type LocalAllowList, type TenantKeyPolicy } from '../../../hardware/key-check.ts';
import type { AuthenticatorInfo } from '../../../hardware/get-info.ts';
import { AllowListError, TenantPolicyError } from '../../../hardware/errors.ts';

const fixture = (p: string): string => fileURLToPath(new URL(`../../fixtures/hardware/${p}`, import.meta.url));
const YUBIKEY = '2fc0579f-8113-47ea-b116-bb5a8db9202a';

const yubikey = (over: Partial<AuthenticatorInfo> = {}): AuthenticatorInfo => ({
  versions: ['U2F_V2', 'FIDO_2_0', 'FIDO_2_1_PRE'],
  aaguid: YUBIKEY,
  options: { rk: true, up: true, plat: false, clientPin: true },
  firmwareVersion: 0x050403,
  algorithms: [{ alg: -7, type: 'public-key' }],
  ...over,
});
const allowList = (over: Partial<LocalAllowList> = {}): LocalAllowList => ({
  keys: [{ aaguid: YUBIKEY, description: 'YubiKey 5 NFC', minFirmwareVersion: 0x050403 }],
  minCtapVersion: 'FIDO_2_0',
  requirePin: true,
  requireResidentKeys: true,
  minPinRetries: 1,
  ...over,
});
const allowTenant: TenantKeyPolicy = { state: 'enabled', keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [YUBIKEY] } };

describe('checkKey', () => {
  it('allows a listed key with a PIN set, recent firmware, and a tenant that allows it', () => {
    const result = checkKey({ info: yubikey(), allowList: allowList(), tenantPolicy: allowTenant, pinRetries: 8 });
    expect(result.verdict).toBe('allowed');
    expect(result.reasons).toEqual([]);
    expect(result.model).toBe('YubiKey 5 Series with NFC');
    expect(result.findings.every((f) => f.outcome === 'pass')).toBe(true);
    expect(result.note).toMatch(/self-declared/);
  });

  it.each([
    ['AAGUID not on the tenant allow list', { tenantPolicy: { keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [] } } }, /not on the tenant's allowed list/],
    ['AAGUID on the tenant block list', { tenantPolicy: { keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [YUBIKEY] } } }, /tenant's blocked list/],
    ['FIDO2 disabled in the tenant', { tenantPolicy: { state: 'disabled', keyRestrictions: { isEnforced: false, enforcementType: 'allow', aaGuids: [] } } }, /disabled in the tenant/],
    ['AAGUID not on the local allow-list', { allowList: allowList({ keys: [] }) }, /not on the local allow-list/],
    ['no PIN set', { info: yubikey({ options: { rk: true, clientPin: false } }) }, /no PIN set/],
    ['no PIN support', { info: yubikey({ options: { rk: true } }) }, /no PIN support/],
    ['a forced PIN change', { info: yubikey({ forcePINChange: true }) }, /demands a PIN change/],
    ['CTAP version too old', { info: yubikey({ versions: ['U2F_V2'] }) }, /CTAP version too old/],
    ['CTAP 2.0 under a FIDO_2_1 minimum', { allowList: allowList({ minCtapVersion: 'FIDO_2_1' }) }, /FIDO_2_1 or newer is needed/],
    ['firmware below the minimum', { info: yubikey({ firmwareVersion: 0x050102 }) }, /firmware 0x50102 is below the minimum 0x50403/],
    ['a blocked PIN', { pinRetries: 0 }, /PIN is blocked/],
    ['fewer tries than required', { pinRetries: 2, allowList: allowList({ minPinRetries: 3 }) }, /only 2 PIN tries left/],
    ['no discoverable credentials', { info: yubikey({ options: { rk: false, clientPin: true } }) }, /cannot store discoverable credentials/],
    ['no free credential slot', { info: yubikey({ remainingDiscoverableCredentials: 0 }) }, /no free slot/],
    ['no ES256', { info: yubikey({ algorithms: [{ alg: -8, type: 'public-key' }] }) }, /does not offer ES256/],
  ])('blocks a key with %s and says so', (_what, over, reason) => {
    const input = { info: yubikey(), allowList: allowList(), tenantPolicy: allowTenant, ...over } as Parameters<typeof checkKey>[0];
    const result = checkKey(input);
    expect(result.verdict).toBe('blocked');
    expect(result.reasons.some((r) => reason.test(r))).toBe(true);
  });

  it('is unknown, not allowed, when the tenant policy was not supplied', () => {
    const result = checkKey({ info: yubikey(), allowList: allowList() });
    expect(result.verdict).toBe('unknown');
    expect(result.reasons).toEqual([expect.stringMatching(/key restrictions were not supplied/)]);
  });

  it('is unknown when the firmware minimum cannot be checked, or the key hides its AAGUID', () => {
    expect(checkKey({ info: yubikey({ firmwareVersion: undefined }), allowList: allowList(), tenantPolicy: allowTenant }).reasons).toEqual([
      expect.stringMatching(/does not report its firmware version/),
    ]);
    const zero = checkKey({ info: yubikey({ aaguid: '00000000-0000-0000-0000-000000000000' }), allowList: allowList(), tenantPolicy: allowTenant });
    expect(zero.verdict).toBe('unknown');
  });

  it('prefers blocked over unknown and lists only the blocking reasons then', () => {
    const result = checkKey({ info: yubikey({ options: { rk: true, clientPin: false } }), allowList: allowList() });
    expect(result.verdict).toBe('blocked');
    expect(result.reasons).toEqual(['no PIN set: set one on the key before enrolling it']);
  });

  it('notes a tenant that enforces attestation', () => {
    const result = checkKey({ info: yubikey(), allowList: allowList(), tenantPolicy: { ...allowTenant, isAttestationEnforced: true } });
    expect(result.findings).toContainEqual(expect.objectContaining({ check: 'tenant.attestation', outcome: 'info' }));
    expect(result.verdict).toBe('allowed');
  });
});

describe('allow-list and tenant policy files', () => {
  it('reads the documented allow-list format, normalising AAGUIDs and hex firmware', async () => {
    const list = await loadAllowList(fixture('allow-lists/yubikey-5-nfc.json'));
    expect(list.keys).toEqual([
      { aaguid: YUBIKEY, description: 'YubiKey 5 NFC', minFirmwareVersion: 0x050403 },
      { aaguid: '57e466f2-2f74-44f2-a7fd-a5a438446aed', description: 'breakglass virtual authenticator (drills)' },
    ]);
    expect(list).toMatchObject({ name: 'Contoso break-glass keys', requirePin: true, requireResidentKeys: true, minCtapVersion: 'FIDO_2_0' });
  });

  it('reads Graph fido2AuthenticationMethodConfiguration and bare keyRestrictions', async () => {
    expect(await loadTenantPolicy(fixture('tenant-policies/allow-yubikey-5-nfc.json'))).toMatchObject({
      state: 'enabled',
      isAttestationEnforced: true,
      keyRestrictions: { isEnforced: true, enforcementType: 'allow' },
    });
    expect(await loadTenantPolicy(fixture('tenant-policies/block-yubikey-5-nfc.json'))).toEqual({
      keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [YUBIKEY] },
    });
  });

  it.each([
    [{ keys: 'x' }, /"keys" must be an array/],
    [{ keys: [], extra: 1 }, /unknown field "extra"/],
    [{ keys: [{ aaguid: YUBIKEY, minFirmwareVersion: '5.4.3' }] }, /minFirmwareVersion/],
    [{ keys: [], minCtapVersion: 'FIDO_3' }, /minCtapVersion/],
    [[], /JSON object/],
  ])('rejects a bad allow-list %j with a typed error', (json, message) => {
    expect(() => parseAllowList(json, 'list.json')).toThrow(AllowListError);
    expect(() => parseAllowList(json, 'list.json')).toThrow(message);
  });

  it('rejects bad tenant policies and unreadable files with typed errors', async () => {
    expect(() => parseTenantPolicy({ state: 'enabled' }, 't.json')).toThrow(TenantPolicyError);
    expect(() => parseTenantPolicy({ isEnforced: true, enforcementType: 'deny', aaGuids: [] }, 't.json')).toThrow(/"allow" or "block"/);
    await expect(loadAllowList(fixture('allow-lists/bad-aaguid.json'))).rejects.toThrow(/is not an AAGUID/);
    await expect(loadAllowList(fixture('allow-lists/missing.json'))).rejects.toThrow(/file not found/);
    await expect(loadTenantPolicy(fixture('profiles/bad-not-json.json'))).rejects.toThrow(/not valid JSON/);
  });
});
