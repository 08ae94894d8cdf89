// Small byte helpers shared by the hardware layer: hex, base64url, concatenation and constant-time comparison.
import { timingSafeEqual } from 'node:crypto';
import { InvalidArgumentError } from './errors.ts';

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Strict hex decoding: even length, hex digits only; whitespace between bytes is allowed. */
export function fromHex(text: string, what = 'hex string'): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new InvalidArgumentError(`${what} is not valid hex (pairs of 0-9 a-f)`);
  }
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** Strict base64url decoding (no padding, URL alphabet). */
export function fromBase64Url(text: string, what = 'base64url value'): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    throw new InvalidArgumentError(`${what} is not valid base64url`);
  }
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

/** Equality in time independent of where the inputs differ; use for MACs and hashes. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function uint32BE(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0, false);
  return out;
}

export function readUint32BE(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, false);
}

export function readUint16BE(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint16(offset, false);
}

/** Overwrites a buffer that held key material; best effort (JS gives no guarantee about copies). */
export function wipe(bytes: Uint8Array | undefined): void {
  bytes?.fill(0);
}
