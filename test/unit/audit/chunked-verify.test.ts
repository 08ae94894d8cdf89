// Verification in chunks (as worker threads do it) must reach exactly the verdicts of one pass over the whole log:
// same problems, same first bad seq, whatever the chunk size and whatever was tampered with.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { GENESIS_CHAIN_HEX, nextChainHex, recordLeafLatin1, recordText, type StoredEntry } from '../../../server/audit/audit-record.ts';
import { inlineChunks, verifyAuditLog, type CheckpointInput } from '../../../server/audit/audit-verifier.ts';
import { signCheckpoint } from '../../../server/audit/checkpoint.ts';
import { CompactRange } from '../../../server/audit/merkle.ts';
import { generateSigner } from '../../../server/audit/signed-note.ts';

const ORIGIN = 'test.local/chunks';
const signer = generateSigner(ORIGIN);

function buildLog(n: number): StoredEntry[] {
  let prev = GENESIS_CHAIN_HEX;
  return Array.from({ length: n }, (_, seq) => {
    const record = recordText({ seq, at: `2026-01-01T00:00:${String(seq % 60).padStart(2, '0')}.000Z`, actor: 'system', action: 'test.e', subject: `s:${seq}`, data: `{"i":${seq}}` });
    prev = nextChainHex(prev, recordLeafLatin1(record));
    return { seq, record, chainHash: prev };
  });
}

function checkpointsFor(entries: StoredEntry[], sizes: number[]): CheckpointInput[] {
  return sizes.map((size, i) => {
    const r = new CompactRange();
    for (const e of entries.slice(0, size)) r.appendLatin1(recordLeafLatin1(e.record));
    return { note: signCheckpoint({ origin: ORIGIN, treeSize: size, rootHash: r.root(), timestamp: undefined }, signer), source: 'database' as const, label: `checkpoint #${i + 1}` };
  });
}

async function* batches(entries: StoredEntry[]): AsyncGenerator<StoredEntry[]> {
  for (let i = 0; i < entries.length; i += 7) yield entries.slice(i, i + 7);
}

type Tamper = { kind: 'none' } | { kind: 'edit'; at: number } | { kind: 'delete'; at: number } | { kind: 'swap'; at: number } | { kind: 'rewrite'; at: number } | { kind: 'truncate'; at: number };

function tampered(entries: StoredEntry[], t: Tamper): StoredEntry[] {
  const out = entries.map((e) => ({ ...e }));
  const at = 'at' in t ? Math.min(t.at, out.length - 1) : 0;
  if (out.length === 0) return out;
  switch (t.kind) {
    case 'edit':
      out[at]!.record = out[at]!.record.replace('"actor":"system"', '"actor":"mallory"');
      return out;
    case 'delete':
      out.splice(at, 1);
      return out;
    case 'swap':
      if (at + 1 < out.length) {
        const a = out[at]!;
        out[at] = { ...out[at + 1]!, seq: a.seq };
        out[at + 1] = { ...a, seq: a.seq + 1 };
      }
      return out;
    case 'rewrite': {
      let prev = at === 0 ? GENESIS_CHAIN_HEX : out[at - 1]!.chainHash;
      for (let i = at; i < out.length; i++) {
        if (i === at) out[i]!.record = out[i]!.record.replace('"actor":"system"', '"actor":"eve"');
        prev = nextChainHex(prev, recordLeafLatin1(out[i]!.record));
        out[i]!.chainHash = prev;
      }
      return out;
    }
    case 'truncate':
      return out.slice(0, at);
    default:
      return out;
  }
}

const tamperArb: fc.Arbitrary<Tamper> = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  ...(['edit', 'delete', 'swap', 'rewrite', 'truncate'] as const).map((kind) => fc.nat({ max: 60 }).map((at) => ({ kind, at }) as Tamper)),
);

describe('chunked verification', () => {
  test('gives the same verdict for every chunk size, tamper and checkpoint layout (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 61 }), fc.uniqueArray(fc.integer({ min: 0, max: 61 }), { maxLength: 4 }), tamperArb, async (n, sizes, t) => {
        const log = buildLog(n);
        const cps = checkpointsFor(log, sizes.filter((s) => s <= n));
        const data = tampered(log, t);
        const reports = [];
        for (const chunk of [1, 2, 4, 8, 16, 65_536]) {
          reports.push(await verifyAuditLog({ origin: ORIGIN, verifier: signer, checkpoints: cps, chunks: inlineChunks(batches(data), chunk) }));
        }
        for (const r of reports) {
          expect({ ok: r.ok, problems: r.problems, entries: r.entries, firstBadSeq: r.firstBadSeq }).toEqual({
            ok: reports[0]!.ok,
            problems: reports[0]!.problems,
            entries: reports[0]!.entries,
            firstBadSeq: reports[0]!.firstBadSeq,
          });
        }
        if (t.kind === 'none') expect(reports[0]!.ok).toBe(true);
        if (t.kind === 'edit' && n > 0) expect(reports[0]!.problems[0]).toMatchObject({ kind: 'edited', seq: Math.min(t.at, n - 1) });
      }),
      { numRuns: 300 },
    );
  });

  test('the root reported for an intact log equals the RFC 6962 root, whatever the chunk size', async () => {
    const log = buildLog(100);
    const roots = new Set<string>();
    for (const chunk of [1, 4, 32, 64, 65_536]) roots.add((await verifyAuditLog({ origin: ORIGIN, verifier: signer, checkpoints: [], chunks: inlineChunks(batches(log), chunk) })).rootHash);
    const r = new CompactRange();
    for (const e of log) r.appendLatin1(recordLeafLatin1(e.record));
    expect([...roots]).toEqual([r.root().toString('hex')]);
  });
});
