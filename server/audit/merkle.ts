// RFC 6962 / RFC 9162 §2.1 Merkle tree hashing over the audit log's leaf hashes: tree roots, inclusion proofs,
// consistency proofs, and a compact range that keeps only the O(log n) right-edge subtree roots while leaves stream
// past (so verifying a million entries needs no more memory than verifying ten).
import { hashPrefixedPairLatin1, sha256 } from './hash.ts';

const EMPTY_ROOT = sha256(Buffer.alloc(0));

/** MTH of one entry: SHA-256(0x00 ‖ entry) (RFC 6962 §2.1). */
export function leafHash(entry: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(entry.length + 1);
  buf[0] = 0x00;
  buf.set(entry, 1);
  return sha256(buf);
}

/** Interior node: SHA-256(0x01 ‖ left ‖ right) (RFC 6962 §2.1). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return Buffer.from(hashPrefixedPairLatin1(0x01, Buffer.from(left).toString('latin1'), Buffer.from(right).toString('latin1')), 'latin1');
}

/** Largest power of two strictly less than n (n > 1). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[0:n]) over leaf hashes (RFC 6962 §2.1). The empty tree's root is SHA-256(""). */
export function rootFromLeaves(leaves: readonly Uint8Array[], start = 0, end = leaves.length): Buffer {
  const n = end - start;
  if (n === 0) return Buffer.from(EMPTY_ROOT);
  if (n === 1) return Buffer.from(leaves[start]!);
  const k = splitPoint(n);
  return nodeHash(rootFromLeaves(leaves, start, start + k), rootFromLeaves(leaves, start + k, end));
}

/** PATH(m, D[n]) from RFC 6962 §2.1.1: the audit path for leaf m in the tree of the first n leaves. */
export function inclusionProof(leaves: readonly Uint8Array[], index: number, size: number = leaves.length): Buffer[] {
  if (!Number.isInteger(size) || size < 1 || size > leaves.length) throw new RangeError(`tree size ${size} is outside 1..${leaves.length}`);
  if (!Number.isInteger(index) || index < 0 || index >= size) throw new RangeError(`leaf index ${index} is outside 0..${size - 1}`);
  const path = (m: number, start: number, end: number): Buffer[] => {
    const n = end - start;
    if (n === 1) return [];
    const k = splitPoint(n);
    if (m < k) return [...path(m, start, start + k), rootFromLeaves(leaves, start + k, end)];
    return [...path(m - k, start + k, end), rootFromLeaves(leaves, start, start + k)];
  };
  return path(index, 0, size);
}

/** PROOF(m, D[n]) from RFC 6962 §2.1.2: proves the first m leaves are a prefix of the first n. */
export function consistencyProof(leaves: readonly Uint8Array[], m: number, n: number = leaves.length): Buffer[] {
  if (!Number.isInteger(n) || n < 0 || n > leaves.length) throw new RangeError(`tree size ${n} is outside 0..${leaves.length}`);
  if (!Number.isInteger(m) || m < 0 || m > n) throw new RangeError(`old tree size ${m} is outside 0..${n}`);
  if (m === 0 || m === n) return [];
  const subproof = (m: number, start: number, end: number, complete: boolean): Buffer[] => {
    const n = end - start;
    if (m === n) return complete ? [] : [rootFromLeaves(leaves, start, end)];
    const k = splitPoint(n);
    if (m <= k) return [...subproof(m, start, start + k, complete), rootFromLeaves(leaves, start + k, end)];
    return [...subproof(m - k, start + k, end, false), rootFromLeaves(leaves, start, start + k)];
  };
  return subproof(m, 0, n, true);
}

/** RFC 9162 §2.1.3.2: recompute the root from a leaf hash and its audit path; true when it equals `root`. */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(Buffer.from(root));
}

/** RFC 9162 §2.1.4.2: true when `proof` shows the size-m tree with root1 is a prefix of the size-n tree with root2. */
export function verifyConsistency(m: number, n: number, root1: Uint8Array, root2: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 0 || m > n) return false;
  const r1 = Buffer.from(root1);
  const r2 = Buffer.from(root2);
  if (m === n) return proof.length === 0 && r1.equals(r2);
  if (m === 0) return proof.length === 0; // the empty tree is a prefix of every tree
  if (proof.length === 0) return false;
  let path: Buffer[] = proof.map((p) => Buffer.from(p));
  // If m is an exact power of two, the old root is the first node of the walk.
  if ((m & (m - 1)) === 0) path = [r1, ...path];
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Buffer = path[0]!;
  let sr: Buffer = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr.equals(r1) && sr.equals(r2) && sn === 0;
}

/**
 * The right edge of a growing tree: one subtree root per set bit of the size (Cox, "Transparent Logs", compact
 * ranges). Appending costs amortised one node hash; the root at the current size costs O(log n). Hashes are kept as
 * latin1 strings internally (see hash.ts).
 */
export class CompactRange {
  #size = 0;
  /** Subtree roots from the largest (leftmost) to the smallest (rightmost). */
  #stack: string[] = [];

  get size(): number {
    return this.#size;
  }

  append(leaf: Uint8Array): void {
    this.appendLatin1(Buffer.from(leaf).toString('latin1'));
  }

  /** Appends a leaf hash given as a 32-char latin1 string (hot path). */
  appendLatin1(leaf: string): void {
    let h = leaf;
    let s = this.#size;
    // Merge while the lowest bit of the size is set: two equal-sized subtrees become one.
    while (s & 1) {
      h = hashPrefixedPairLatin1(0x01, this.#stack.pop()!, h);
      s = Math.floor(s / 2);
    }
    this.#stack.push(h);
    this.#size += 1;
  }

  /**
   * Appends a whole perfect subtree of `size` leaves (a power of two) given by its root; the current size must be a
   * multiple of `size`. Lets a verifier merge subtrees computed elsewhere (worker threads) in order.
   */
  appendSubtreeLatin1(root: string, size: number): void {
    if (size < 1 || (size & (size - 1)) !== 0 || this.#size % size !== 0) throw new RangeError(`cannot append a subtree of ${size} leaves at size ${this.#size}`);
    let h = root;
    let s = this.#size / size;
    while (s % 2 === 1) {
      h = hashPrefixedPairLatin1(0x01, this.#stack.pop()!, h);
      s = Math.floor(s / 2);
    }
    this.#stack.push(h);
    this.#size += size;
  }

  /** The subtree roots (latin1), largest first; their sizes are the set bits of `size`, highest first. */
  subtreesLatin1(): string[] {
    return [...this.#stack];
  }

  clone(): CompactRange {
    const c = new CompactRange();
    c.#size = this.#size;
    c.#stack = [...this.#stack];
    return c;
  }

  root(): Buffer {
    if (this.#stack.length === 0) return Buffer.from(EMPTY_ROOT);
    let r = this.#stack[this.#stack.length - 1]!;
    for (let i = this.#stack.length - 2; i >= 0; i--) r = hashPrefixedPairLatin1(0x01, this.#stack[i]!, r);
    return Buffer.from(r, 'latin1');
  }
}

/** Sizes of the perfect subtrees making up `n` leaves, largest first (the set bits of n). */
export function subtreeSizes(n: number): number[] {
  const out: number[] = [];
  for (let bit = 2 ** Math.floor(Math.log2(Math.max(n, 1))); bit >= 1; bit /= 2) if (Math.floor(n / bit) % 2 === 1) out.push(bit);
  return out;
}
