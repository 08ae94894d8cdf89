// Typed field access on decoded CBOR maps. Both directions use it: the client reading an authenticator's response
// and the virtual authenticator reading a platform's request. Each reader takes a `fail` callback so the caller
// decides which typed error a wrong type becomes (InvalidResponseError on the client, a CTAP status in the fake).
import type { CborKey, CborMap, CborValue } from './cbor.ts';

export type Fail = (reason: string) => never;

function describe(key: CborKey): string {
  return typeof key === 'number' ? `0x${key.toString(16).padStart(2, '0')}` : `"${key}"`;
}

export function asMap(value: CborValue | undefined, what: string, fail: Fail): CborMap {
  if (!(value instanceof Map)) fail(`${what} is not a map`);
  return value as CborMap;
}

export function optionalField<T>(map: CborMap, key: CborKey, read: (v: CborValue, what: string) => T, what: string): T | undefined {
  const v = map.get(key);
  return v === undefined ? undefined : read(v, `${what} ${describe(key)}`);
}

export function requiredField<T>(map: CborMap, key: CborKey, read: (v: CborValue, what: string) => T, what: string, fail: Fail): T {
  const v = map.get(key);
  if (v === undefined) fail(`${what} ${describe(key)} is missing`);
  return read(v as CborValue, `${what} ${describe(key)}`);
}

export function readers(fail: Fail) {
  const uint = (v: CborValue, what: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(`${what} is not an unsigned integer`);
    return v as number;
  };
  const int = (v: CborValue, what: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v)) fail(`${what} is not an integer`);
    return v as number;
  };
  const text = (v: CborValue, what: string): string => {
    if (typeof v !== 'string') fail(`${what} is not a text string`);
    return v as string;
  };
  const bytes = (v: CborValue, what: string): Uint8Array => {
    if (!(v instanceof Uint8Array)) fail(`${what} is not a byte string`);
    return v as Uint8Array;
  };
  const bool = (v: CborValue, what: string): boolean => {
    if (typeof v !== 'boolean') fail(`${what} is not a boolean`);
    return v as boolean;
  };
  const map = (v: CborValue, what: string): CborMap => asMap(v, what, fail);
  const array = (v: CborValue, what: string): CborValue[] => {
    if (!Array.isArray(v)) fail(`${what} is not an array`);
    return v as CborValue[];
  };
  const textArray = (v: CborValue, what: string): string[] => array(v, what).map((x, i) => text(x, `${what}[${i}]`));
  const uintArray = (v: CborValue, what: string): number[] => array(v, what).map((x, i) => uint(x, `${what}[${i}]`));
  const boolMap = (v: CborValue, what: string): Record<string, boolean> => {
    const out: Record<string, boolean> = {};
    for (const [k, x] of map(v, what)) {
      if (typeof k !== 'string') fail(`${what} has a non-text key`);
      setOwn(out, k as string, bool(x, `${what}.${String(k)}`));
    }
    return out;
  };
  const uintMap = (v: CborValue, what: string): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [k, x] of map(v, what)) {
      if (typeof k !== 'string') fail(`${what} has a non-text key`);
      setOwn(out, k as string, uint(x, `${what}.${String(k)}`));
    }
    return out;
  };
  return { uint, int, text, bytes, bool, map, array, textArray, uintArray, boolMap, uintMap };
}

/** Sets an own property even for names like "__proto__", so hostile keys cannot touch a prototype. */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
