// AAGUID formatting and the display-name catalogue.
import { describe, expect, it } from 'vitest';
import { AAGUID_CATALOGUE, describeAaguid, formatAaguid, lookupAaguid, normalizeAaguid, ZERO_AAGUID } from '../../../hardware/aaguids.ts';
import { InvalidArgumentError } from '../../../hardware/errors.ts';

describe('AAGUID formatting', () => {
  it('formats 16 bytes as lowercase 8-4-4-4-12', () => {
    const bytes = new Uint8Array(Buffer.from('2FC0579F811347EAB116BB5A8DB9202A', 'hex'));
    expect(formatAaguid(bytes)).toBe('2fc0579f-8113-47ea-b116-bb5a8db9202a');
    expect(() => formatAaguid(new Uint8Array(15))).toThrow(InvalidArgumentError);
  });

  it('normalises the spellings people paste (dashes or not, any case) and rejects the rest', () => {
    expect(normalizeAaguid('2FC0579F811347EAB116BB5A8DB9202A')).toBe('2fc0579f-8113-47ea-b116-bb5a8db9202a');
    expect(normalizeAaguid(' 2fc0579f-8113-47ea-b116-bb5a8db9202a ')).toBe('2fc0579f-8113-47ea-b116-bb5a8db9202a');
    // The blog typo "2ded745…" (31 digits) and misplaced dashes are not AAGUIDs.
    expect(() => normalizeAaguid('2ded745-4bed-47d4-abaa-e713f51d6393')).toThrow(InvalidArgumentError);
    expect(() => normalizeAaguid('2fc0579f8113-47ea-b116-bb5a8db9202a')).toThrow(InvalidArgumentError);
  });
});

describe('catalogue', () => {
  it('stores every AAGUID in canonical form, once', () => {
    for (const [aaguid, entry] of AAGUID_CATALOGUE) {
      expect(normalizeAaguid(aaguid)).toBe(aaguid);
      expect(entry.aaguid).toBe(aaguid);
      expect(entry.model.length).toBeGreaterThan(3);
    }
    expect(AAGUID_CATALOGUE.size).toBeGreaterThan(50);
  });

  it('names known keys and says when it does not know one', () => {
    expect(lookupAaguid('2FC0579F811347EAB116BB5A8DB9202A')).toMatchObject({ vendor: 'Yubico', model: 'YubiKey 5 Series with NFC' });
    expect(describeAaguid('ab32f0c6-2239-afbb-c470-d2ef4e254db7')).toBe('TOKEN2 FIDO2 Security Key');
    expect(describeAaguid('12ded745-4bed-47d4-abaa-e713f51d6393')).toBe('AllinOne FIDO2 Authenticator');
    expect(describeAaguid('11111111-2222-3333-4444-555555555555')).toMatch(/unknown model/);
    expect(describeAaguid(ZERO_AAGUID)).toMatch(/no AAGUID/);
    expect(lookupAaguid('garbage')).toBeUndefined();
  });
});
