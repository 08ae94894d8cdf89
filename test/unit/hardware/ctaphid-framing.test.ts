// CTAPHID framing (CTAP 2.2 §11.2.4): 64-byte init/continuation packets, fragmentation at every boundary, the
// 7609-byte ceiling and reassembly with sequence checks.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CONT_DATA_SIZE,
  INIT_DATA_SIZE,
  MAX_MESSAGE_SIZE,
  MessageAssembler,
  decodeFrame,
  encodeFrames,
  frameCount,
} from '../../../hardware/ctaphid-framing.ts';
import { ProtocolError } from '../../../hardware/errors.ts';

const payloadOf = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);

function reassemble(frames: Uint8Array[]): { cmd: number; payload: Uint8Array } {
  const a = new MessageAssembler();
  for (const [i, f] of frames.entries()) {
    const r = a.push(decodeFrame(f));
    if (r.state === 'complete') {
      expect(i).toBe(frames.length - 1);
      return { cmd: r.cmd, payload: r.payload };
    }
    expect(r.state).toBe('incomplete');
  }
  throw new Error('message never completed');
}

describe('encodeFrames', () => {
  it('lays out the init packet as CID, CMD|0x80, BCNT big-endian, data, zero padding', () => {
    const [f] = encodeFrames(0x2133e1b9, 0x10, Uint8Array.of(0x04));
    expect(Buffer.from(f!.subarray(0, 8)).toString('hex')).toBe('2133e1b990000104');
    expect(f!.length).toBe(64);
    expect(f!.subarray(8).every((b) => b === 0)).toBe(true);
  });

  it('numbers continuation packets from SEQ 0 and zero-pads the last one', () => {
    const frames = encodeFrames(1, 0x10, payloadOf(INIT_DATA_SIZE + CONT_DATA_SIZE + 1));
    expect(frames).toHaveLength(3);
    expect(frames[1]![4]).toBe(0);
    expect(frames[2]![4]).toBe(1);
    expect(frames[2]![5]).toBe(payloadOf(INIT_DATA_SIZE + CONT_DATA_SIZE + 1).at(-1));
    expect(frames[2]!.subarray(6).every((b) => b === 0)).toBe(true);
  });

  // Every boundary: empty, one init packet exactly, one byte more, each continuation edge, and the maximum.
  const boundaries = [0, 1, INIT_DATA_SIZE - 1, INIT_DATA_SIZE, INIT_DATA_SIZE + 1];
  for (let k = 1; k <= 3; k++) boundaries.push(INIT_DATA_SIZE + k * CONT_DATA_SIZE - 1, INIT_DATA_SIZE + k * CONT_DATA_SIZE, INIT_DATA_SIZE + k * CONT_DATA_SIZE + 1);
  boundaries.push(MAX_MESSAGE_SIZE - CONT_DATA_SIZE, MAX_MESSAGE_SIZE - 1, MAX_MESSAGE_SIZE);

  it.each(boundaries)('round-trips a %i-byte message in the expected number of reports', (n) => {
    const payload = payloadOf(n);
    const frames = encodeFrames(0xcafe0001, 0x01, payload);
    expect(frames).toHaveLength(frameCount(n));
    expect(frames.every((f) => f.length === 64)).toBe(true);
    const out = reassemble(frames);
    expect(out.cmd).toBe(0x01);
    expect(Buffer.from(out.payload).equals(Buffer.from(payload))).toBe(true);
  });

  it('uses all 128 sequence numbers for the largest message and refuses one byte more', () => {
    const frames = encodeFrames(1, 0x10, payloadOf(MAX_MESSAGE_SIZE));
    expect(frames).toHaveLength(129);
    expect(frames.at(-1)![4]).toBe(0x7f);
    expect(() => encodeFrames(1, 0x10, payloadOf(MAX_MESSAGE_SIZE + 1))).toThrow(RangeError);
  });

  it('round-trips any payload length and command', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_MESSAGE_SIZE }), fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 1, max: 0xfffffffe }), (n, cmd, cid) => {
        const frames = encodeFrames(cid, cmd, payloadOf(n));
        expect(frames.every((f) => decodeFrame(f).cid === cid)).toBe(true);
        const out = reassemble(frames);
        expect(out.cmd).toBe(cmd);
        expect(out.payload.length).toBe(n);
      }),
      { numRuns: 200 },
    );
  });
});

describe('decodeFrame', () => {
  it('rejects reports that are not 64 bytes with a ProtocolError', () => {
    expect(() => decodeFrame(new Uint8Array(63))).toThrow(ProtocolError);
    expect(() => decodeFrame(new Uint8Array(65))).toThrow(/report of 65 bytes/);
  });
});

describe('MessageAssembler', () => {
  it('reports an out-of-order continuation as invalid_seq and forgets the message', () => {
    const frames = encodeFrames(7, 0x10, payloadOf(200));
    const a = new MessageAssembler();
    a.push(decodeFrame(frames[0]!));
    const r = a.push(decodeFrame(frames[2]!));
    expect(r).toMatchObject({ state: 'error', error: 'invalid_seq' });
    expect(a.active).toBe(false);
  });

  it('rejects a continuation with no init packet and an announced length above its limit', () => {
    const frames = encodeFrames(7, 0x10, payloadOf(200));
    expect(new MessageAssembler().push(decodeFrame(frames[1]!))).toMatchObject({ state: 'error', error: 'no_init' });
    const big = encodeFrames(7, 0x10, payloadOf(100));
    expect(new MessageAssembler(64).push(decodeFrame(big[0]!))).toMatchObject({ state: 'error', error: 'invalid_len' });
  });

  it('starts over when a new init packet arrives mid-message', () => {
    const a = new MessageAssembler();
    a.push(decodeFrame(encodeFrames(7, 0x10, payloadOf(200))[0]!));
    const r = a.push(decodeFrame(encodeFrames(7, 0x01, payloadOf(3))[0]!));
    expect(r).toMatchObject({ state: 'complete', cmd: 0x01 });
  });
});
