import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  CompactRange,
  consistencyProof,
  inclusionProof,
  leafHash,
  rootFromLeaves,
  verifyConsistency,
  verifyInclusion,
} from '../../../server/audit/merkle.ts';

interface Vectors {
  leafInputsHex: string[];
  leafHashes: string[];
  rootsBySize: string[];
  inclusion: { index: number; size: number; proof: string[] }[];
  consistency: { from: number; to: number; proof: string[] }[];
}
const V = JSON.parse(readFileSync(new URL('../../fixtures/audit/rfc6962-vectors.json', import.meta.url), 'utf8')) as Vectors;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Buffer => Buffer.from(s, 'hex');
const leaves = V.leafInputsHex.map((h) => leafHash(unhex(h)));

describe('RFC 6962 Merkle tree against the Certificate Transparency vectors', () => {
  test('leaf hashes are SHA-256(0x00 ‖ input)', () => {
    expect(leaves.map(hex)).toEqual(V.leafHashes);
  });

  test('the root of every prefix (sizes 0 to 8) matches, with the compact range and the recursive definition', () => {
    const range = new CompactRange();
    const streamed = [hex(range.root())];
    for (const l of leaves) {
      range.append(l);
      streamed.push(hex(range.root()));
    }
    expect(streamed).toEqual(V.rootsBySize);
    expect(V.rootsBySize.map((_, n) => hex(rootFromLeaves(leaves.slice(0, n))))).toEqual(V.rootsBySize);
  });

  test.each(V.inclusion)('inclusion proof for leaf $index in a tree of $size', ({ index, size, proof }) => {
    const got = inclusionProof(leaves, index, size);
    expect(got.map(hex)).toEqual(proof);
    expect(verifyInclusion(leaves[index]!, index, size, got, unhex(V.rootsBySize[size]!))).toBe(true);
    // The same proof must not verify for a neighbouring leaf, another index or a wrong root.
    const other = leaves[(index + 1) % 8]!;
    expect(verifyInclusion(other, index, size, got, unhex(V.rootsBySize[size]!))).toBe(false);
    expect(verifyInclusion(leaves[index]!, index, size, got, unhex(V.rootsBySize[size === 8 ? 7 : 8]!))).toBe(false);
  });

  test.each(V.consistency)('consistency proof from size $from to $to', ({ from, to, proof }) => {
    const got = consistencyProof(leaves, from, to);
    expect(got.map(hex)).toEqual(proof);
    expect(verifyConsistency(from, to, unhex(V.rootsBySize[from]!), unhex(V.rootsBySize[to]!), got)).toBe(true);
    if (from < to) {
      // A proof against a different old root (history rewritten) is rejected.
      expect(verifyConsistency(from, to, unhex(V.rootsBySize[from === 1 ? 2 : 1]!), unhex(V.rootsBySize[to]!), got)).toBe(false);
    }
  });
});

describe('proofs for every (index, size) and (m, n) up to 40 leaves', () => {
  const many = Array.from({ length: 40 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
  const roots = Array.from({ length: 41 }, (_, n) => rootFromLeaves(many.slice(0, n)));

  test('every inclusion proof verifies and a tampered leaf does not', () => {
    let checked = 0;
    for (let size = 1; size <= 40; size++) {
      for (let i = 0; i < size; i++) {
        const p = inclusionProof(many, i, size);
        expect(verifyInclusion(many[i]!, i, size, p, roots[size]!)).toBe(true);
        expect(verifyInclusion(leafHash(Buffer.from('forged')), i, size, p, roots[size]!)).toBe(false);
        checked++;
      }
    }
    expect(checked).toBe(820);
  });

  test('every consistency proof verifies; a rewritten old tree does not', () => {
    const rewritten = [...many];
    rewritten[0] = leafHash(Buffer.from('rewritten'));
    for (let n = 1; n <= 40; n++) {
      for (let m = 1; m <= n; m++) {
        const p = consistencyProof(many, m, n);
        expect(verifyConsistency(m, n, roots[m]!, roots[n]!, p)).toBe(true);
        if (m < n) expect(verifyConsistency(m, n, rootFromLeaves(rewritten.slice(0, m)), roots[n]!, p)).toBe(false);
      }
    }
  });

  test('random proofs never verify for a random wrong root (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.nat(), fc.uint8Array({ minLength: 32, maxLength: 32 }), (size, i, bogus) => {
        const index = i % size;
        const p = inclusionProof(many, index, size);
        return !verifyInclusion(many[index]!, index, size, p, bogus);
      }),
    );
  });
});
