// Canonical JSON per RFC 8785 (JCS): object keys sorted by UTF-16 code units, no whitespace, strings and numbers as
// ECMAScript's JSON.stringify writes them. Audit entries are hashed over these bytes, so the encoding must be
// deterministic and must refuse values JSON cannot carry faithfully (undefined in arrays, NaN, Infinity, BigInt,
// functions, class instances).
//
// Fast path: build a key-sorted plain copy and let the engine's JSON.stringify write it (its number and string
// output is exactly what RFC 8785 §3.2.2 prescribes). Engines always enumerate array-index keys ("0", "17") first in
// numeric order, which differs from code-unit order, so objects with such keys are written by hand instead.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export class CanonicalJsonError extends Error {
  constructor(path: string, what: string) {
    super(`cannot encode ${what} at ${path} as canonical JSON`);
    this.name = 'CanonicalJsonError';
  }
}

export interface CanonicalOptions {
  /** Keys that must not appear anywhere (e.g. secret field names); throws with the path when one does. */
  forbiddenKeys?: RegExp;
  forbiddenMessage?: (path: string) => string;
}

const INDEX_KEY = /^(?:0|[1-9]\d{0,9})$/;

/** A key-sorted deep copy ready for JSON.stringify, or `undefined` when a slow-path encoding is needed. */
function sortedCopy(value: unknown, path: string, opts: CanonicalOptions | undefined, needSlow: { v: boolean }): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path, String(value));
      return value;
    case 'object': {
      if (Array.isArray(value)) {
        const out = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
          if (value[i] === undefined) throw new CanonicalJsonError(`${path}[${i}]`, 'undefined');
          out[i] = sortedCopy(value[i], `${path}[${i}]`, opts, needSlow);
        }
        return out;
      }
      if (value instanceof Date) return value.toISOString();
      const proto = Object.getPrototypeOf(value) as object | null;
      if (proto !== Object.prototype && proto !== null) throw new CanonicalJsonError(path, `an object of type ${(proto as { constructor?: { name?: string } })?.constructor?.name ?? 'unknown'}`);
      const obj = value as Record<string, unknown>;
      // Default sort compares UTF-16 code units, exactly what RFC 8785 §3.2.3 asks for.
      const keys = Object.keys(obj).sort();
      const out: Record<string, unknown> = {};
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined) continue;
        if (opts?.forbiddenKeys?.test(k)) throw new Error(opts.forbiddenMessage?.(`${path}.${k}`) ?? `forbidden key at ${path}.${k}`);
        if (INDEX_KEY.test(k)) needSlow.v = true;
        out[k] = sortedCopy(v, `${path}.${k}`, opts, needSlow);
      }
      return out;
    }
    default:
      throw new CanonicalJsonError(path, typeof value);
  }
}

/** Hand-written encoder for copies whose objects have array-index-like keys. */
function encodeSlow(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(encodeSlow).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${encodeSlow(obj[k])}`).join(',')}}`;
}

/** A validated, key-sorted plain copy of `value` plus a writer for it. */
export function canonicalize(value: unknown, opts?: CanonicalOptions, path = '$'): { copy: unknown; write: (v: unknown) => string } {
  const needSlow = { v: false };
  const copy = sortedCopy(value, path, opts, needSlow);
  return { copy, write: needSlow.v ? encodeSlow : (v) => JSON.stringify(v) };
}

export function canonicalJson(value: unknown, opts?: CanonicalOptions): string {
  const { copy, write } = canonicalize(value, opts);
  return write(copy);
}
