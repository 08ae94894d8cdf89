// Canonical JSON per RFC 8785 (JCS): object keys sorted by UTF-16 code units, no whitespace, strings and numbers as
// ECMAScript's JSON.stringify writes them. Audit entries are hashed over these bytes, so the encoding must be
// deterministic and must refuse values JSON cannot carry faithfully (undefined, NaN, Infinity, BigInt, functions).

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export class CanonicalJsonError extends Error {
  constructor(path: string, what: string) {
    super(`cannot encode ${what} at ${path} as canonical JSON`);
    this.name = 'CanonicalJsonError';
  }
}

export function canonicalJson(value: unknown): string {
  return encode(value, '$');
}

function encode(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path, String(value));
      // RFC 8785 §3.2.2.3: ECMAScript Number-to-String, which JSON.stringify uses (and -0 becomes 0).
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v, i) => encode(v, `${path}[${i}]`)).join(',')}]`;
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new CanonicalJsonError(path, `an object of type ${proto?.constructor?.name ?? 'unknown'}`);
      const obj = value as Record<string, unknown>;
      // Default sort compares UTF-16 code units, which is exactly what RFC 8785 §3.2.3 asks for.
      const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${encode(obj[k], `${path}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new CanonicalJsonError(path, typeof value);
  }
}
