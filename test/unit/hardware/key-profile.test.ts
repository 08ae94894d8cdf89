// Key profiles for the virtual authenticator: the built-in ones load, recorded getInfo is accepted with or without
// its status byte, and every mistake in a profile file is a ProfileError naming the file and the field.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { listBuiltinProfiles, loadBuiltinProfile, loadKeyProfile, parseKeyProfile, resolveKeyProfile } from '../../../hardware/key-profile.ts';
import { ProfileError } from '../../../hardware/errors.ts';

const fixture = (p: string): string => fileURLToPath(new URL(`../../fixtures/hardware/profiles/${p}`, import.meta.url));

describe('built-in profiles', () => {
  it('ship for the virtual key and common models, and all load', async () => {
    const names = await listBuiltinProfiles();
    expect(names).toEqual(expect.arrayContaining(['breakglass-virtual', 'yubikey-5-nfc-5.4.3', 'security-key-by-yubico', 'token2-t2f2-nfc-dual']));
    for (const name of names) {
      const p = await loadBuiltinProfile(name);
      expect(p.source).toBe(`builtin:${name}`);
      expect(p.info.versions.length).toBeGreaterThan(0);
      expect(p.info.aaguid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
  });

  it('describes the YubiKey 5 NFC 5.4.3 as in its recorded fido2-token output', async () => {
    const p = await resolveKeyProfile('yubikey-5-nfc-5.4.3');
    expect(p.info).toMatchObject({ aaguid: '2fc0579f-8113-47ea-b116-bb5a8db9202a', firmwareVersion: 0x050403, maxMsgSize: 1200, pinUvAuthProtocols: [2, 1] });
    expect(p.usb).toMatchObject({ vendorId: 0x1050, productId: 0x0407 });
    expect(p.ctaphid.deviceVersion).toEqual({ major: 5, minor: 4, build: 3 });
  });

  it('refuses names that are not built-in profiles', async () => {
    await expect(loadBuiltinProfile('nope')).rejects.toThrow(/no such built-in profile \(available: /);
    await expect(loadBuiltinProfile('../etc/passwd')).rejects.toThrow(ProfileError);
  });
});

describe('recorded getInfo', () => {
  it('accepts a leading 00 status byte and keeps the recording verbatim', async () => {
    const p = await loadKeyProfile(fixture('recorded-getinfo-with-status.json'));
    expect(p.recordedGetInfo?.[0]).toBe(0xa6);
    expect(p.info.aaguid).toBe('f8a011f3-8c0a-4d15-8006-17111f9edc7d');
  });
});

describe('bad profiles', () => {
  it.each([
    ['bad-not-json.json', /not valid JSON/],
    ['bad-unknown-field.json', /unknown field "maxMsgSise"/],
    ['bad-aaguid.json', /"aaguid" .* is not an AAGUID/],
    ['bad-getinfo-noncanonical.json', /not CTAP2 canonical CBOR/],
    ['bad-getinfo-and-fields.json', /cannot be combined with "aaguid"/],
    ['does-not-exist.json', /file not found/],
  ])('%s → ProfileError (%s)', async (file, message) => {
    const err = await loadKeyProfile(fixture(file)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProfileError);
    expect((err as ProfileError).code).toBe('invalid_profile');
    expect((err as ProfileError).message).toMatch(message);
    expect((err as ProfileError).message).toContain(file);
  });

  it.each([
    [{ name: 'x', getInfo: 'zz' }, /not valid hex/],
    [{ name: 'x', getInfo: 'a0' }, /not a valid getInfo response/],
    [{ name: 'x', aaguid: '2fc0579f-8113-47ea-b116-bb5a8db9202a', versions: [] }, /at least one version/],
    [{ name: 'x', aaguid: '2fc0579f-8113-47ea-b116-bb5a8db9202a', versions: ['FIDO_2_0'], pinUvAuthProtocols: [3] }, /protocol 3/],
    [{ name: 'x', aaguid: '2fc0579f-8113-47ea-b116-bb5a8db9202a', versions: ['FIDO_2_0'], ctaphid: { capabilities: 1 } }, /must include CBOR/],
    [{ name: 'x', aaguid: '2fc0579f-8113-47ea-b116-bb5a8db9202a', versions: ['FIDO_2_0'], pinRetries: 9 }, /pinRetries/],
    [{ name: 'x', aaguid: '2fc0579f-8113-47ea-b116-bb5a8db9202a', versions: ['FIDO_2_0'], usb: { vendorId: 70000 } }, /16 bits/],
    [{ name: '' }, /"name"/],
  ])('rejects %j', (json, message) => {
    expect(() => parseKeyProfile(json, 'p.json')).toThrow(ProfileError);
    expect(() => parseKeyProfile(json, 'p.json')).toThrow(message);
  });
});
