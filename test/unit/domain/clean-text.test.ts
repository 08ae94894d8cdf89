// The shared free-text rule (server/domain/clean-text.ts): trimmed, within a length counted in characters (code
// points), and printable — control characters (C0, DEL, C1), invisible format characters, line/paragraph separators
// and unpaired surrogates are refused with a message that names the field, the code point and where it is.
import { describe, expect, it } from 'vitest';
import { cleanText, PRINTABLE_TEXT_PATTERN } from '../../../server/domain/clean-text.ts';
import { InvalidInputError } from '../../../server/errors.ts';

const opts = { field: 'the reason', max: 20 };

function refusal(value: unknown, o: Parameters<typeof cleanText>[1] = opts): InvalidInputError {
  try {
    cleanText(value as string, o);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInputError);
    return err as InvalidInputError;
  }
  throw new Error(`cleanText accepted ${JSON.stringify(value)}`);
}

describe('cleanText', () => {
  it('trims, and returns empty text for nothing when the field is optional', () => {
    expect(cleanText('  safe A \n', opts)).toBe('safe A');
    expect(cleanText(undefined, opts)).toBe('');
    expect(cleanText(null, opts)).toBe('');
    expect(cleanText(' \t ', opts)).toBe('');
  });

  it('refuses empty or blank text when required, naming the field', () => {
    expect(refusal('   ', { ...opts, required: true }).message).toBe('the reason is required');
    expect(refusal(undefined, { ...opts, required: true }).message).toBe('the reason is required');
    expect(cleanText(' x ', { ...opts, required: true })).toBe('x');
  });

  it('counts characters, not UTF-16 units, against the maximum', () => {
    expect(cleanText('a'.repeat(20), opts)).toBe('a'.repeat(20));
    expect(refusal('a'.repeat(21)).message).toBe('the reason must be at most 20 characters (got 21)');
    const locks = '🔒'.repeat(20); // 40 UTF-16 units, 20 characters
    expect(cleanText(locks, opts)).toBe(locks);
    expect(refusal(`${locks}!`).message).toMatch(/at most 20 characters \(got 21\)$/);
  });

  it.each([
    ['NUL', '\u0000'],
    ['BEL', '\u0007'],
    ['tab inside', '\t'],
    ['newline inside', '\n'],
    ['carriage return inside', '\r'],
    ['ESC (terminal escape sequences)', '\u001b'],
    ['DEL', '\u007f'],
    ['NEL (C1)', '\u0085'],
    ['CSI (C1)', '\u009b'],
    ['zero-width space', '\u200b'],
    ['right-to-left override', '\u202e'],
    ['first-strong isolate', '\u2068'],
    ['line separator', '\u2028'],
    ['paragraph separator', '\u2029'],
    ['byte-order mark inside', '\ufeff'],
    ['unpaired surrogate', '\ud800'],
  ])('refuses %s, saying which character and where', (_name, ch) => {
    const err = refusal(`ab${ch}cd`);
    const hex = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    expect(err.message).toBe(`the reason must not contain control or invisible formatting characters (found U+${hex} at character 3)`);
  });

  it('counts the position in characters, and checks after trimming', () => {
    expect(refusal('🔒🔒\u001b[2J').message).toMatch(/found U\+001B at character 3\)$/);
    expect(refusal('  x\u0000').message).toMatch(/found U\+0000 at character 2\)$/);
  });

  it('keeps ordinary text of any script as given', () => {
    for (const s of ['Zoë Ødegård', 'Safe B — shelf 2 (top)', '金庫 A', 'خزنة ٢', 'S-100/2026 #7', '🔒 sealed', 'a "quoted" \'reason\'; ok?']) {
      expect(cleanText(s, { field: 'x', max: 100 })).toBe(s);
    }
  });

  it('refuses a value that is not text', () => {
    expect(refusal(42).message).toBe('the reason must be text');
  });
});

describe('PRINTABLE_TEXT_PATTERN (the HTTP schemas\' copy of the rule)', () => {
  const pattern = new RegExp(PRINTABLE_TEXT_PATTERN, 'u');
  it('accepts and refuses exactly what cleanText does', () => {
    const samples = [
      '', 'plain', 'Zoë {p} Cc', '🔒 sealed', '金庫', ' padded\n', '\tx\r\n', '\ufeffx\u2028',
      'a\u0000b', 'a\tb', 'a\nb', 'x\u001b[31m', 'x\u007f', 'x\u0085', 'x\u200b', 'x\u202e', 'x\u2028y', 'x\ud800', 'x\ufeffy', '\u001b',
    ];
    for (const s of samples) {
      let accepted = true;
      try {
        cleanText(s, { field: 'x', max: 100 });
      } catch {
        accepted = false;
      }
      expect(pattern.test(s), JSON.stringify(s)).toBe(accepted);
    }
  });
});
