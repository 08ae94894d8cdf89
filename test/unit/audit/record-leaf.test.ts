// The leaf hash is the one thing every verifier must agree on (RFC 6962 §2.1: SHA-256(0x00 ‖ entry bytes)). The hot
// path encodes the record into a reused scratch buffer; this checks it against a plain createHash over the same bytes
// for small records, records that make the scratch space grow, records too large for it, and multi-byte UTF-8.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { recordLeafHash, recordLeafLatin1 } from '../../../server/audit/audit-record.ts';

const reference = (record: string): string => createHash('sha256').update(Buffer.from([0])).update(Buffer.from(record, 'utf8')).digest('hex');
const leafHex = (record: string): string => Buffer.from(recordLeafLatin1(record), 'latin1').toString('hex');

describe('record leaf hash', () => {
  it('matches SHA-256(0x00 ‖ UTF-8 record) for records of every size the scratch buffer meets', () => {
    const records = [
      '',
      '{"action":"audit.initialized","actor":"system","at":"2026-11-26T05:00:00.000Z","data":{},"seq":0,"subject":"audit"}',
      `{"data":"${'x'.repeat(20_000)}"}`, // grows the scratch space
      `{"data":"${'é'.repeat(5_000)}"}`, // 2-byte UTF-8
      `{"data":"${'𝄞€'.repeat(3_000)}"}`, // surrogate pairs (4 bytes) and 3-byte characters
      `{"data":"${'y'.repeat(400_000)}"}`, // larger than the scratch space may grow: the string path
      'short again after the large ones',
    ];
    for (const r of records) expect(leafHex(r), `record of ${r.length} chars`).toBe(reference(r));
    expect(recordLeafHash(records[1]!).toString('hex')).toBe(reference(records[1]!));
  });

  it('gives different leaves for records that differ in one byte, also when a longer record was hashed before', () => {
    const long = `{"seq":1,"data":"${'z'.repeat(30_000)}"}`;
    const a = '{"seq":1}';
    const b = '{"seq":2}';
    leafHex(long);
    expect(leafHex(a)).toBe(reference(a));
    expect(leafHex(b)).toBe(reference(b));
    expect(leafHex(a)).not.toBe(leafHex(b));
  });
});
