// The one rule for free text people type (reasons, names, locations, seal numbers, notes): trimmed, within a length,
// and printable. Control characters (C0, DEL, C1: terminal escape sequences, carriage returns, newlines) and invisible
// format characters (bidi overrides, zero-width characters), line/paragraph separators and unpaired surrogates are
// refused, not stripped: the text is stored, audited and printed by `account show` / `enroll show` and the web front
// end exactly as given, so what an officer reads must be what was typed. Pure; used by the services and, through
// PRINTABLE_TEXT_PATTERN, by the HTTP schemas.
import { InvalidInputError } from '../errors.ts';

/** The characters refused anywhere in free text (Unicode Cc, Cf, Cs, Zl, Zp). */
const REFUSED = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

/**
 * JSON-schema `pattern` (Ajv compiles it with the `u` flag) for the same rule, so a route refuses what cleanText
 * refuses. White space at either end is allowed, as cleanText trims it (`\s` is exactly what String#trim removes).
 */
export const PRINTABLE_TEXT_PATTERN = '^\\s*[^\\p{Cc}\\p{Cf}\\p{Cs}\\p{Zl}\\p{Zp}]*\\s*$';

export interface CleanTextOptions {
  /** How the message names the field, e.g. "the reason", "--reason". */
  field: string;
  /** Most characters (code points) allowed after trimming. */
  max: number;
  /** Refuse empty (or blank) text. Default false: empty text comes back as ''. */
  required?: boolean;
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * Trims `value` and returns it, or throws InvalidInputError (400 over HTTP) naming the field and what is wrong:
 * required but empty, longer than `max`, or holding a control/format character (with its code point and position).
 */
export function cleanText(value: string | null | undefined, opts: CleanTextOptions): string {
  if (value !== null && value !== undefined && typeof value !== 'string') throw new InvalidInputError(`${opts.field} must be text`);
  const v = (value ?? '').trim();
  if (opts.required && v.length === 0) throw new InvalidInputError(`${opts.field} is required`);
  if (v.length > opts.max) {
    const n = codePoints(v);
    if (n > opts.max) throw new InvalidInputError(`${opts.field} must be at most ${opts.max} characters (got ${n})`);
  }
  const m = REFUSED.exec(v);
  if (m) {
    const cp = m[0].codePointAt(0)!;
    const at = codePoints(v.slice(0, m.index)) + 1;
    throw new InvalidInputError(
      `${opts.field} must not contain control or invisible formatting characters (found U+${cp.toString(16).toUpperCase().padStart(4, '0')} at character ${at})`,
    );
  }
  return v;
}
