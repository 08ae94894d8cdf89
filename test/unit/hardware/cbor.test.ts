// The strict CTAP2 CBOR codec: canonical encoding (CTAP 2.2 §8), exact rejection of everything CTAP forbids, and
// round trips over arbitrary values.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeCbor, decodeCborPrefix, encodeCbor, type CborValue } from '../../../hardware/cbor.ts';
import { CborError, InvalidArgumentError } from '../../../hardware/errors.ts';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('encodeCbor', () => {
  it.each([
    [0, '00'],
    [23, '17'],
    [24, '1818'],
    [255, '18ff'],
    [256, '190100'],
    [65535, '19ffff'],
    [65536, '1a00010000'],
    [4294967296, '1b0000000100000000'],
    [-1, '20'],
    [-24, '37'],
    [-25, '3818'],
    [-257, '390100'],
    [true, 'f5'],
    [false, 'f4'],
    [null, 'f6'],
    ['', '60'],
    ['a', '6161'],
    ['ü', '62c3bc'],
  ] as [CborValue, string][])('encodes %j in shortest form as %s (RFC 8949 appendix A)', (value, expected) => {
    expect(toHex(encodeCbor(value))).toBe(expected);
  });

  it('encodes 64-bit values given as bigint', () => {
    expect(toHex(encodeCbor(18446744073709551615n))).toBe('1bffffffffffffffff');
    expect(toHex(encodeCbor(-18446744073709551616n))).toBe('3bffffffffffffffff');
  });

  it('sorts map keys in CTAP2 canonical order: major type, then length, then bytes', () => {
    // The COSE key example from CTAP: keys 1, 3, -1, -2, -3 in that order whatever the insertion order.
    const cose = new Map<number, CborValue>([
      [-3, new Uint8Array(0)],
      [-1, 1],
      [3, -25],
      [-2, new Uint8Array(0)],
      [1, 2],
    ]);
    expect(toHex(encodeCbor(cose))).toBe('a5010203381820012140' + '2240');
    // Text keys: shorter first, then bytewise: rk, up, uv, plat, clientPin.
    const options = { clientPin: true, plat: false, uv: true, up: true, rk: true };
    const decoded = decodeCbor(encodeCbor(options)) as Map<string, boolean>;
    expect([...decoded.keys()]).toEqual(['rk', 'up', 'uv', 'plat', 'clientPin']);
    // 100 (major 0, two bytes) sorts before -1 (major 1, one byte): major type decides first.
    expect(toHex(encodeCbor(new Map([[-1, 0], [100, 0]])))).toBe('a2186400' + '2000');
  });

  it('omits undefined members of plain objects and refuses what CTAP2 cannot carry', () => {
    expect(toHex(encodeCbor({ a: 1, b: undefined }))).toBe('a1616101');
    expect(() => encodeCbor(1.5)).toThrow(InvalidArgumentError);
    expect(() => encodeCbor(Number.MAX_SAFE_INTEGER + 1)).toThrow(InvalidArgumentError);
    expect(() => encodeCbor(2n ** 64n)).toThrow(InvalidArgumentError);
  });
});

describe('decodeCbor', () => {
  it('decodes the python-fido2 getInfo vector into maps, arrays, text and bytes', () => {
    const info = decodeCbor(
      hex('a60182665532465f5632684649444f5f325f3002826375766d6b686d61632d7365637265740350f8a011f38c0a4d15800617111f9edc7d04a462726bf5627570f564706c6174f469636c69656e7450696ef4051904b0068101'),
    ) as Map<number, CborValue>;
    expect(info.get(1)).toEqual(['U2F_V2', 'FIDO_2_0']);
    expect(toHex(info.get(3) as Uint8Array)).toBe('f8a011f38c0a4d15800617111f9edc7d');
    expect(info.get(5)).toBe(1200);
    expect(info.get(6)).toEqual([1]);
  });

  it.each([
    ['1817', 'integer or length is not in its shortest form'],
    ['190017', 'not in its shortest form'],
    ['5801ff', 'not in its shortest form'],
    ['5fff', 'indefinite-length'],
    ['9f01ff', 'indefinite-length'],
    ['c11a514b67b0', 'tags are not allowed'],
    ['f93c00', 'floating-point'],
    ['fb3ff0000000000000', 'floating-point'],
    ['f7', 'simple value 23'],
    ['f820', 'simple value 24'],
    ['ff', '"break"'],
    ['1c', 'reserved additional information'],
    ['a2 03 00 01 00', 'not in CTAP2 canonical order'],
    ['a2 01 00 01 00', 'duplicate map key'],
    ['a2 20 00 18 64 00', 'not in CTAP2 canonical order'],
    ['a1 f5 00', 'map keys must be integers or text strings'],
    ['62 c3 28', 'not valid UTF-8'],
    ['0001', 'trailing byte'],
    ['', 'unexpected end of input'],
    ['5a ffffffff 00', 'runs past the end'],
    ['9b 0000000100000000', 'runs past the end'],
  ])('rejects %s with a CborError (%s)', (input, reason) => {
    let caught: unknown;
    try {
      decodeCbor(hex(input));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CborError);
    expect((caught as CborError).code).toBe('invalid_cbor');
    expect((caught as CborError).message).toContain(reason);
  });

  it('limits nesting depth (CTAP 2.2 §8 allows 4 levels)', () => {
    const five = hex('8181818181 00');
    expect(() => decodeCbor(five, { maxDepth: 4 })).toThrow(/nesting deeper than 4/);
    expect(decodeCbor(hex('81818181 00'), { maxDepth: 4 })).toEqual([[[[0]]]]);
    // Deep hostile nesting ends in an error, not a stack overflow.
    expect(() => decodeCbor(new Uint8Array(100_000).fill(0x81))).toThrow(CborError);
  });

  it('accepts non-canonical input only when asked, and still rejects duplicates', () => {
    expect(decodeCbor(hex('1817'), { canonical: false })).toBe(23);
    expect(decodeCbor(hex('a2 03 00 01 00'), { canonical: false })).toEqual(new Map([[3, 0], [1, 0]]));
    expect(() => decodeCbor(hex('a2 01 00 01 00'), { canonical: false })).toThrow(/duplicate/);
  });

  it('decodes integers outside the safe range as bigint', () => {
    expect(decodeCbor(hex('1bffffffffffffffff'))).toBe(18446744073709551615n);
    expect(decodeCbor(hex('3bffffffffffffffff'))).toBe(-18446744073709551616n);
    expect(decodeCbor(hex('1b001fffffffffffff'))).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('reports how many bytes the first item used', () => {
    expect(decodeCborPrefix(hex('a10102 ff ff'))).toEqual({ value: new Map([[1, 2]]), length: 3 });
  });
});

// Values the codec must round-trip: what CTAP carries.
const key = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.string({ maxLength: 8 }));
const value: fc.Arbitrary<CborValue> = fc.letrec<{ v: CborValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n }).filter((b) => b > BigInt(Number.MAX_SAFE_INTEGER) || b < BigInt(Number.MIN_SAFE_INTEGER)),
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 40 }),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.uniqueArray(fc.tuple(key, tie('v')), { maxLength: 4, selector: ([k]) => `${typeof k}:${String(k)}` }).map((e) => new Map(e)),
  ),
})).v;

describe('round trips', () => {
  it('decode(encode(v)) equals v and re-encodes to the same bytes (canonical form is unique)', () => {
    fc.assert(
      fc.property(value, (v) => {
        const bytes = encodeCbor(v);
        const back = decodeCbor(bytes, { maxDepth: 16 });
        expect(back).toEqual(v);
        expect(toHex(encodeCbor(back))).toBe(toHex(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it('any byte string either decodes to a value that re-encodes to the same bytes, or is a CborError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          const v = decodeCbor(bytes);
          expect(toHex(encodeCbor(v))).toBe(toHex(bytes));
        } catch (err) {
          expect(err).toBeInstanceOf(CborError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
