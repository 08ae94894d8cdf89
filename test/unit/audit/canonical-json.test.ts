import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { canonicalJson } from '../../../server/audit/canonical-json.ts';

describe('canonical JSON (RFC 8785)', () => {
  test('sorts keys by UTF-16 code units and writes no whitespace', () => {
    // RFC 8785 §3.2.3 sorting example keys: "\u20ac" (€), "\r", "\ufb33", "1", "\ud83d\ude00", "\u0080", "\u00f6".
    const input = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  test('numbers follow ECMAScript serialisation (RFC 8785 §3.2.2.3)', () => {
    expect(canonicalJson({ n: [333333333.33333329, 1e30, 4.5, 0.002, 1e-27, -0] })).toBe('{"n":[333333333.3333333,1e+30,4.5,0.002,1e-27,0]}');
  });

  test('refuses values JSON cannot carry faithfully', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/NaN at \$\.a/);
    expect(() => canonicalJson({ a: Infinity })).toThrow();
    expect(() => canonicalJson({ a: 1n })).toThrow(/bigint/);
    expect(() => canonicalJson({ a: new Map() })).toThrow(/Map/);
    expect(() => canonicalJson([() => 1])).toThrow(/function/);
  });

  test('drops undefined members, like JSON.stringify', () => {
    expect(canonicalJson({ b: 1, a: undefined })).toBe('{"b":1}');
  });

  test('is stable under parse → canonicalise (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const once = canonicalJson(v);
        return canonicalJson(JSON.parse(once)) === once;
      }),
    );
  });
});

describe('canonical JSON with array-index-like keys', () => {
  test('sorts "10" before "9" (code units), unlike engine property order', () => {
    expect(canonicalJson({ 9: 'nine', 10: 'ten', a: { 2: true, 1: false } })).toBe('{"10":"ten","9":"nine","a":{"1":false,"2":true}}');
  });

  test('refuses forbidden keys anywhere when asked, naming the path', () => {
    expect(() => canonicalJson({ ok: [{ pin: '1234' }] }, { forbiddenKeys: /^pin$/ })).toThrow(/\$\.ok\[0\]\.pin/);
  });
});
