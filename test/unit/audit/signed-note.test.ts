import { describe, expect, test } from 'vitest';
import { formatCheckpointBody, openCheckpoint, parseCheckpointBody, signCheckpoint } from '../../../server/audit/checkpoint.ts';
import {
  formatVerifierKey,
  generateSigner,
  openNote,
  parseVerifierKey,
  privateKeyFromSeed,
  signerFromPrivateKey,
  signNote,
} from '../../../server/audit/signed-note.ts';

// The reference vector of golang.org/x/mod/sumdb/note (note_test.go): key, text and signature.
const VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const SKEY_B64 = 'AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz'; // base64(0x01 ‖ seed) from PRIVATE+KEY+PeterNeumann+c74f20a3+…
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const NOTE = `${TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

describe('C2SP signed notes', () => {
  test('reproduces the Go reference note byte for byte and verifies it', () => {
    const seed = Buffer.from(SKEY_B64, 'base64').subarray(1);
    const signer = signerFromPrivateKey('PeterNeumann', privateKeyFromSeed(seed));
    expect(formatVerifierKey(signer)).toBe(VKEY);
    expect(signNote(TEXT, signer)).toBe(NOTE);
    expect(openNote(NOTE, [parseVerifierKey(VKEY)])).toEqual({ text: TEXT, verifiedBy: ['PeterNeumann'] });
  });

  test('rejects an altered text, an unknown key and a mangled verifier key', () => {
    const v = parseVerifierKey(VKEY);
    expect(() => openNote(NOTE.replace('cryptography', 'cryptographY'), [v])).toThrow(/does not verify/);
    expect(() => openNote(NOTE, [generateSigner('PeterNeumann')])).toThrow(/only by unknown keys/);
    expect(() => parseVerifierKey(VKEY.replace('c74f20a3', 'c74f20a4'))).toThrow(/does not match/);
    expect(() => parseVerifierKey(VKEY.slice(0, -2))).toThrow();
    expect(() => parseVerifierKey('PeterNeumann+c74f20a3')).toThrow(/looks like/);
  });

  test('ignores signatures from unknown keys when a known key also signed', () => {
    const mine = generateSigner('example.com/log');
    const other = generateSigner('witness.example');
    const note = signNote('hello\n', mine);
    const cosigned = note + signNote('hello\n', other).split('\n\n')[1];
    expect(openNote(cosigned, [mine]).verifiedBy).toEqual(['example.com/log']);
  });

  test('refuses text that is not a valid note body', () => {
    const s = generateSigner('k');
    expect(() => signNote('no newline', s)).toThrow(/end with a newline/);
    expect(() => signNote('a\n\nb\n', s)).toThrow(/blank line/);
    expect(() => signNote('bell\u0007\n', s)).toThrow(/control character/);
  });
});

describe('tlog checkpoints', () => {
  const root = Buffer.alloc(32, 7);
  const cp = { origin: 'breakglass.local/test/audit', treeSize: 42, rootHash: root, timestamp: '2026-11-25T10:00:00.000Z' };

  test('body is origin, size, base64 root, then the Timestamp extension line', () => {
    expect(formatCheckpointBody(cp)).toBe(`breakglass.local/test/audit\n42\n${root.toString('base64')}\nTimestamp: 2026-11-25T10:00:00.000Z\n`);
    expect(parseCheckpointBody(formatCheckpointBody(cp))).toEqual(cp);
  });

  test('a signed checkpoint opens with its key and origin, and not with another origin or key', () => {
    const signer = generateSigner(cp.origin);
    const note = signCheckpoint(cp, signer);
    expect(openCheckpoint(note, [signer], cp.origin)).toEqual(cp);
    expect(() => openCheckpoint(note, [signer], 'other/log')).toThrow(/origin "breakglass.local\/test\/audit", not this log's origin "other\/log"/);
    expect(() => openCheckpoint(note, [generateSigner(cp.origin)])).toThrow(/unknown keys/);
    expect(() => openCheckpoint(note.replace('\n42\n', '\n43\n'), [signer])).toThrow(/does not verify/);
  });

  test('rejects malformed sizes and roots', () => {
    expect(() => parseCheckpointBody('o\n042\nAAAA\n')).toThrow(/tree size/);
    expect(() => parseCheckpointBody(`o\n1\n${Buffer.alloc(31).toString('base64')}\n`)).toThrow(/root/);
    expect(() => parseCheckpointBody('o\n1\n')).toThrow(/expected origin/);
  });
});
