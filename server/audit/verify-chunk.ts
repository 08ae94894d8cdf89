// Verifies one contiguous run ("chunk") of audit entries on its own: seq, the seq inside each record, and the chain
// from the chain hash stored just before the chunk; and computes the chunk's Merkle subtrees (RFC 6962) — in full and
// at the checkpoint sizes that fall inside it — so chunks can be verified in parallel (worker threads) and merged in
// order. The serial verifier runs the very same function, so both give the same verdicts.
import { nextChainHex, recordLeafLatin1, recordSeq, type StoredEntry } from './audit-record.ts';
import { CompactRange } from './merkle.ts';
import type { Problem } from './audit-verifier.ts';

export interface ChunkResult {
  from: number;
  count: number;
  /** Computed chain hash after the chunk's last entry. */
  lastChain: string;
  /** First problem in the chunk, if any; entries after it are not judged. */
  problem: Problem | undefined;
  /** Perfect-subtree roots (latin1) of the whole chunk, largest first. */
  subtrees: string[];
  /** Subtree roots of [from, size) at each requested mark. */
  atMarks: { size: number; subtrees: string[] }[];
}

/**
 * Incremental form: feed the chunk's entries in order with add() (no need to hold them all), then result().
 * Keeps memory flat and the garbage collector idle while large chunks stream past.
 */
export class ChunkVerifier {
  readonly #from: number;
  readonly #marks: Set<number>;
  readonly #range = new CompactRange();
  readonly #atMarks: ChunkResult['atMarks'] = [];
  #prev: string;
  #problem: Problem | undefined;

  constructor(from: number, prevChain: string, marks: number[]) {
    this.#from = from;
    this.#prev = prevChain;
    this.#marks = new Set(marks);
  }

  get count(): number {
    return this.#range.size;
  }

  add(e: StoredEntry): void {
    this.addRow(e.seq, e.record, e.chainHash);
  }

  /** add() for a stored row's columns, so bulk readers need not build an entry object per row. */
  addRow(seq: number, record: string, chainHash: string): void {
    const expected = this.#from + this.#range.size;
    const leaf = recordLeafLatin1(record);
    if (!this.#problem) {
      const inRecord = recordSeq(record);
      if (seq !== expected) {
        this.#problem =
          seq > expected
            ? { kind: 'deleted', seq: expected, message: `seq ${expected}${seq - 1 > expected ? `–${seq - 1}` : ''} missing: entries were deleted` }
            : { kind: 'reordered', seq: seq, message: `seq ${seq} appears after seq ${expected - 1}: entries are out of order` };
      } else if (inRecord !== seq) {
        this.#problem =
          inRecord === undefined
            ? { kind: 'edited', seq: seq, message: `entry ${seq} is damaged: its record is not a canonical audit record` }
            : { kind: 'reordered', seq: Math.min(seq, inRecord), message: `the entry written as seq ${inRecord} is stored at seq ${seq}: entries were moved` };
      } else {
        const chain = nextChainHex(this.#prev, leaf);
        if (chain !== chainHash) {
          this.#problem = { kind: 'edited', seq: seq, message: `entry ${seq} does not match its chain hash: its record or hash was changed after it was written` };
        }
        this.#prev = chain;
      }
    }
    this.#range.appendLatin1(leaf);
    const size = this.#from + this.#range.size;
    if (this.#marks.has(size)) this.#atMarks.push({ size, subtrees: this.#range.subtreesLatin1() });
  }

  result(): ChunkResult {
    return { from: this.#from, count: this.#range.size, lastChain: this.#prev, problem: this.#problem, subtrees: this.#range.subtreesLatin1(), atMarks: this.#atMarks };
  }
}
