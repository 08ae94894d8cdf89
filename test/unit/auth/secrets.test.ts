// Secrets the sign-in layer makes and how it compares them: bootstrap codes people type, CSRF tokens derived from
// session ids, fingerprints for logs.
import { describe, expect, test } from 'vitest';
import { csrfTokenFor, fingerprint, newBootstrapCode, newToken, normaliseBootstrapCode, safeEqual, sha256b64url } from '../../../server/auth/secrets.ts';

describe('bootstrap codes', () => {
  test('are five groups of four characters with no look-alikes (0/O, 1/I)', () => {
    for (let i = 0; i < 200; i++) expect(newBootstrapCode()).toMatch(/^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){4}$/);
  });

  test('are not repeated', () => {
    const codes = new Set(Array.from({ length: 1000 }, () => newBootstrapCode()));
    expect(codes.size).toBe(1000);
  });

  test('what a person types is normalised: case, spaces and dashes do not matter', () => {
    const code = 'ABCD-EFGH-JKLM-NPQR-STUV';
    for (const typed of ['abcd efgh jklm npqr stuv', 'ABCDEFGHJKLMNPQRSTUV', ' abcd-EFGH-jklm-NPQR-stuv ']) {
      expect(normaliseBootstrapCode(typed)).toBe(code);
      expect(sha256b64url(normaliseBootstrapCode(typed))).toBe(sha256b64url(code));
    }
  });
});

describe('CSRF tokens', () => {
  test('differ per session and reveal nothing of the session id', () => {
    const a = newToken();
    const b = newToken();
    expect(csrfTokenFor(a)).not.toBe(csrfTokenFor(b));
    expect(csrfTokenFor(a)).toBe(csrfTokenFor(a));
    expect(csrfTokenFor(a)).not.toContain(a.slice(0, 8));
    expect(csrfTokenFor(a)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('helpers', () => {
  test('tokens carry 256 bits in base64url', () => {
    expect(newToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test('fingerprints are short, stable, and depend on the label', () => {
    expect(fingerprint('session', 'x')).toMatch(/^[0-9a-f]{12}$/);
    expect(fingerprint('session', 'x')).toBe(fingerprint('session', 'x'));
    expect(fingerprint('session', 'x')).not.toBe(fingerprint('invite', 'x'));
  });

  test('safeEqual compares exactly, whatever the lengths', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });
});
