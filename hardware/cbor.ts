// A strict CBOR codec for the CTAP2 subset (CTAP 2.2 §8 "Message Encoding"): unsigned and negative integers,
// byte and text strings, arrays, maps, true/false/null. Encoding always produces CTAP2 canonical form: shortest
// integer and length encodings, definite lengths, no tags, no floats, map keys sorted by major type, then encoded
// length, then bytewise (CTAP 2.2 §8 "CTAP2 canonical CBOR encoding form"). Decoding rejects anything else by
// default, bounds every declared length by the bytes actually present (no allocation from a hostile length) and
// limits nesting depth, so any input ends in a value or a CborError — never a crash or a hang.
import { CborError, InvalidArgumentError } from './errors.ts';

/** Map keys CTAP uses: integers (requests, responses, COSE) and text (rp/user/options/extensions). */
export type CborKey = number | string;
export type CborMap = Map<CborKey, CborValue>;
/** A decoded value. Integers outside ±(2^53−1) decode as bigint; byte strings as Uint8Array copies. */
export type CborValue = number | bigint | string | boolean | null | Uint8Array | CborValue[] | CborMap;

/** What the encoder accepts: decoded values, plus plain objects (text keys; `undefined` members are omitted). */
export type CborInput =
  | number
  | bigint
  | string
  | boolean
  | null
  | Uint8Array
  | readonly CborInput[]
  | ReadonlyMap<CborKey, CborInput | undefined>
  | { readonly [key: string]: CborInput | undefined };

export interface CborDecodeOptions {
  /** Reject non-canonical encodings (non-shortest integers/lengths, unsorted map keys). Default true. */
  canonical?: boolean;
  /** Maximum nesting of arrays and maps. CTAP messages use at most 4 (CTAP 2.2 §8); default 8. */
  maxDepth?: number;
}

/** Nesting limit CTAP 2.2 §8 sets for every message; the virtual authenticator enforces it on requests. */
export const CTAP_MAX_CBOR_DEPTH = 4;
const DEFAULT_MAX_DEPTH = 8;
const ENCODE_MAX_DEPTH = 16;

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

// ---------------------------------------------------------------------------------------------------------------
// Decoding

/** Decodes exactly one CBOR item that spans all of `bytes`. */
export function decodeCbor(bytes: Uint8Array, options: CborDecodeOptions = {}): CborValue {
  const decoder = new Decoder(bytes, options);
  const value = decoder.item(0);
  if (decoder.pos !== bytes.length) throw new CborError(`${bytes.length - decoder.pos} trailing byte(s) after the item`, decoder.pos);
  return value;
}

/** Decodes the first CBOR item of `bytes` and says how many bytes it used (authData's COSE key is followed by more data). */
export function decodeCborPrefix(bytes: Uint8Array, options: CborDecodeOptions = {}): { value: CborValue; length: number } {
  const decoder = new Decoder(bytes, options);
  const value = decoder.item(0);
  return { value, length: decoder.pos };
}

class Decoder {
  pos = 0;
  readonly #bytes: Uint8Array;
  readonly #canonical: boolean;
  readonly #maxDepth: number;

  constructor(bytes: Uint8Array, options: CborDecodeOptions) {
    this.#bytes = bytes;
    this.#canonical = options.canonical ?? true;
    this.#maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  item(depth: number): CborValue {
    const start = this.pos;
    const initial = this.#byte();
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (major === 7) return this.#simple(info, start);
    if (info === 31) throw new CborError('indefinite-length items are not allowed in CTAP2', start);
    const argument = this.#argument(info, start);
    switch (major) {
      case 0:
        return toNumberOrBigint(argument);
      case 1:
        return toNumberOrBigint(-1n - argument);
      case 2:
        return this.#take(this.#length(argument, start), start).slice();
      case 3: {
        const raw = this.#take(this.#length(argument, start), start);
        try {
          return utf8Decoder.decode(raw);
        } catch {
          throw new CborError('text string is not valid UTF-8', start);
        }
      }
      case 4: {
        const count = this.#count(argument, start, 1, depth);
        const out: CborValue[] = [];
        for (let i = 0; i < count; i++) out.push(this.item(depth + 1));
        return out;
      }
      case 5: {
        const count = this.#count(argument, start, 2, depth);
        const out: CborMap = new Map();
        let previousKey: Uint8Array | undefined;
        for (let i = 0; i < count; i++) {
          const keyStart = this.pos;
          const key = this.item(depth + 1);
          const keyBytes = this.#bytes.subarray(keyStart, this.pos);
          if (typeof key !== 'number' && typeof key !== 'string') {
            throw new CborError('map keys must be integers or text strings', keyStart);
          }
          if (previousKey && this.#canonical) {
            const order = compareEncodedKeys(previousKey, keyBytes);
            if (order === 0) throw new CborError('duplicate map key', keyStart);
            if (order > 0) throw new CborError('map keys are not in CTAP2 canonical order', keyStart);
          } else if (out.has(key)) {
            throw new CborError('duplicate map key', keyStart);
          }
          previousKey = keyBytes;
          out.set(key, this.item(depth + 1));
        }
        return out;
      }
      default:
        throw new CborError('tags are not allowed in CTAP2', start);
    }
  }

  #simple(info: number, start: number): CborValue {
    if (info === 20) return false;
    if (info === 21) return true;
    if (info === 22) return null;
    if (info >= 25 && info <= 27) throw new CborError('floating-point numbers are not allowed in CTAP2', start);
    if (info === 31) throw new CborError('unexpected "break" byte', start);
    throw new CborError(`simple value ${info} is not allowed in CTAP2`, start);
  }

  #byte(): number {
    const b = this.#bytes[this.pos];
    if (b === undefined) throw new CborError('unexpected end of input', this.pos);
    this.pos++;
    return b;
  }

  #argument(info: number, start: number): bigint {
    if (info < 24) return BigInt(info);
    let width: number;
    if (info === 24) width = 1;
    else if (info === 25) width = 2;
    else if (info === 26) width = 4;
    else if (info === 27) width = 8;
    else throw new CborError(`reserved additional information ${info}`, start);
    const raw = this.#take(width, start);
    let value = 0n;
    for (const b of raw) value = (value << 8n) | BigInt(b);
    if (this.#canonical) {
      const minimum = info === 24 ? 24n : info === 25 ? 0x100n : info === 26 ? 0x10000n : 0x100000000n;
      if (value < minimum) throw new CborError('integer or length is not in its shortest form', start);
    }
    return value;
  }

  #take(length: number, start: number): Uint8Array {
    if (length > this.#bytes.length - this.pos) {
      throw new CborError(`declared length ${length} runs past the end of the input`, start);
    }
    const out = this.#bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  #length(argument: bigint, start: number): number {
    if (argument > BigInt(this.#bytes.length - this.pos)) {
      throw new CborError(`declared length ${argument} runs past the end of the input`, start);
    }
    return Number(argument);
  }

  /** Array/map sizes: each element needs at least one byte, so a count larger than what is left is a lie. */
  #count(argument: bigint, start: number, perEntry: number, depth: number): number {
    if (depth + 1 > this.#maxDepth) throw new CborError(`nesting deeper than ${this.#maxDepth} levels`, start);
    if (argument * BigInt(perEntry) > BigInt(this.#bytes.length - this.pos)) {
      throw new CborError(`declared size ${argument} runs past the end of the input`, start);
    }
    return Number(argument);
  }
}

function toNumberOrBigint(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** CTAP2 canonical key order: major type, then encoded length, then bytewise. Returns <0, 0 or >0. */
export function compareEncodedKeys(a: Uint8Array, b: Uint8Array): number {
  const majorA = (a[0] ?? 0) >> 5;
  const majorB = (b[0] ?? 0) >> 5;
  if (majorA !== majorB) return majorA - majorB;
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding

/** Encodes a value in CTAP2 canonical form. Throws InvalidArgumentError for values CTAP2 cannot carry. */
export function encodeCbor(value: CborInput): Uint8Array {
  const writer = new Writer();
  encodeItem(writer, value, 0);
  return writer.result();
}

class Writer {
  #buf = new Uint8Array(256);
  #len = 0;

  #ensure(extra: number): void {
    if (this.#len + extra <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  byte(b: number): void {
    this.#ensure(1);
    this.#buf[this.#len++] = b;
  }

  bytes(b: Uint8Array): void {
    this.#ensure(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
  }

  head(major: number, argument: bigint | number): void {
    const v = BigInt(argument);
    const m = major << 5;
    if (v < 24n) this.byte(m | Number(v));
    else if (v <= 0xffn) {
      this.byte(m | 24);
      this.byte(Number(v));
    } else if (v <= 0xffffn) {
      this.byte(m | 25);
      this.#uint(v, 2);
    } else if (v <= 0xffffffffn) {
      this.byte(m | 26);
      this.#uint(v, 4);
    } else {
      this.byte(m | 27);
      this.#uint(v, 8);
    }
  }

  #uint(v: bigint, width: number): void {
    for (let i = width - 1; i >= 0; i--) this.byte(Number((v >> BigInt(i * 8)) & 0xffn));
  }

  result(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

const UINT64_MAX = (1n << 64n) - 1n;

function encodeItem(w: Writer, value: CborInput | undefined, depth: number): void {
  if (depth > ENCODE_MAX_DEPTH) throw new InvalidArgumentError(`cannot encode CBOR nested deeper than ${ENCODE_MAX_DEPTH} levels`);
  if (value === null) return w.byte(0xf6);
  if (value === true) return w.byte(0xf5);
  if (value === false) return w.byte(0xf4);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new InvalidArgumentError(`cannot encode ${value} in CTAP2 CBOR (only safe integers; use bigint for 64-bit)`);
    return encodeInteger(w, BigInt(value));
  }
  if (typeof value === 'bigint') return encodeInteger(w, value);
  if (typeof value === 'string') {
    const raw = utf8Encoder.encode(value);
    w.head(3, raw.length);
    return w.bytes(raw);
  }
  if (value instanceof Uint8Array) {
    w.head(2, value.length);
    return w.bytes(value);
  }
  if (Array.isArray(value)) {
    const list = value as readonly CborInput[];
    w.head(4, list.length);
    for (const item of list) encodeItem(w, item, depth + 1);
    return;
  }
  if (value instanceof Map) return encodeMap(w, [...(value as ReadonlyMap<CborKey, CborInput | undefined>).entries()], depth);
  if (typeof value === 'object') return encodeMap(w, Object.entries(value as Record<string, CborInput | undefined>), depth);
  throw new InvalidArgumentError(`cannot encode a ${typeof value} in CTAP2 CBOR`);
}

function encodeInteger(w: Writer, v: bigint): void {
  if (v >= 0n) {
    if (v > UINT64_MAX) throw new InvalidArgumentError('integer too large for CBOR');
    w.head(0, v);
  } else {
    const n = -1n - v;
    if (n > UINT64_MAX) throw new InvalidArgumentError('integer too small for CBOR');
    w.head(1, n);
  }
}

function encodeMap(w: Writer, entries: [CborKey, CborInput | undefined][], depth: number): void {
  const encoded: { key: Uint8Array; value: CborInput }[] = [];
  for (const [key, value] of entries) {
    if (value === undefined) continue;
    if (typeof key !== 'number' && typeof key !== 'string') throw new InvalidArgumentError('CTAP2 map keys must be integers or strings');
    encoded.push({ key: encodeCbor(key), value });
  }
  encoded.sort((a, b) => compareEncodedKeys(a.key, b.key));
  for (let i = 1; i < encoded.length; i++) {
    if (compareEncodedKeys(encoded[i - 1]!.key, encoded[i]!.key) === 0) throw new InvalidArgumentError('duplicate CBOR map key');
  }
  w.head(5, encoded.length);
  for (const { key, value } of encoded) {
    w.bytes(key);
    encodeItem(w, value, depth + 1);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Inspection helpers

/** A JSON-friendly view of a decoded value (bytes as hex, maps as objects, bigints as strings) for output and logs. */
export function cborToJson(value: CborValue): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(cborToJson);
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(k)] = cborToJson(v);
    return out;
  }
  return value;
}
