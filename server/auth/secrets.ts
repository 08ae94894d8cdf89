// Random secrets (session ids, CSRF tokens, invite tokens, the bootstrap code) and how they are stored: only a
// SHA-256 hash, compared in constant time. Fingerprints (a short hash prefix) are what logs and the audit log carry.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/** 256 bits, base64url: session ids and invite tokens. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** App-generated row ids. */
export function newId(): string {
  return randomUUID();
}

export function sha256b64url(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/** First 12 hex digits of SHA-256 over a label and the value: enough to correlate, useless to guess from. */
export function fingerprint(label: string, value: string): string {
  return createHash('sha256').update(`${label}\0${value}`, 'utf8').digest('hex').slice(0, 12);
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

// Bootstrap codes: 20 characters from an alphabet without look-alikes (about 100 bits), shown in groups of four.
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function newBootstrapCode(): string {
  const bytes = randomBytes(20);
  let out = '';
  for (let i = 0; i < 20; i++) {
    out += CODE_ALPHABET[bytes[i]! & 31];
    if (i % 4 === 3 && i < 19) out += '-';
  }
  return out;
}

/** Normalises what a person typed (case, spaces, dashes) before hashing. */
export function normaliseBootstrapCode(input: string): string {
  const raw = input.toUpperCase().replace(/[\s-]/g, '');
  return raw.replace(/(.{4})(?=.)/g, '$1-');
}

/**
 * The CSRF token of a session: derived from the session id with a one-way hash, so it needs no storage, changes with
 * every session, and reveals nothing about the session id. A cross-site page can neither read the HttpOnly cookie
 * nor this token, so it cannot forge the header.
 */
export function csrfTokenFor(sessionId: string): string {
  return createHash('sha256').update(`breakglass csrf v1\0${sessionId}`, 'utf8').digest('base64url');
}
