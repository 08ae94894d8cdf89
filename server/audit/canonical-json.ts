// Canonical JSON per RFC 8785 (JCS): object keys sorted by UTF-16 code units, no whitespace, strings and numbers as
// ECMAScript's JSON.stringify writes them. Audit entries are hashed over these bytes, so the encoding must be
// deterministic and must refuse values JSON cannot carry faithfully (undefined in arrays, NaN, Infinity, BigInt,
// functions, class instances).
//
// One pass: validate and write at once. Keys are sorted here (by UTF-16 code units, RFC 8785 §3.2.3), so the engine's
// own key order (array-index keys first) never matters; strings and numbers are written by JSON.stringify, whose output
// is exactly what RFC 8785 §3.2.2 prescribes (ECMAScript Number-to-String, minimal string escaping).

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

function encode(value: unknown, path: string, opts: CanonicalOptions | undefined): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path, String(value));
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (value[i] === undefined) throw new CanonicalJsonError(`${path}[${i}]`, 'undefined');
          out += (i === 0 ? '' : ',') + encode(value[i], `${path}[${i}]`, opts);
        }
        return `${out}]`;
      }
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      const proto = Object.getPrototypeOf(value) as object | null;
      if (proto !== Object.prototype && proto !== null) throw new CanonicalJsonError(path, `an object of type ${(proto as { constructor?: { name?: string } })?.constructor?.name ?? 'unknown'}`);
      const obj = value as Record<string, unknown>;
      // Default sort compares UTF-16 code units, exactly what RFC 8785 §3.2.3 asks for.
      const keys = Object.keys(obj).sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined) continue;
        if (opts?.forbiddenKeys?.test(k)) throw new Error(opts.forbiddenMessage?.(`${path}.${k}`) ?? `forbidden key at ${path}.${k}`);
        out += `${first ? '' : ','}${JSON.stringify(k)}:${encode(v, `${path}.${k}`, opts)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw new CanonicalJsonError(path, typeof value);
  }
}

/** RFC 8785 canonical JSON of `value`; `path` names the value in error messages. */
export function canonicalJson(value: unknown, opts?: CanonicalOptions, path = '$'): string {
  return encode(value, path, opts);
}
