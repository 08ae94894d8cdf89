// CTAPHID message framing (CTAP 2.2 §11.2.4 "Message and packet structure"): a message is one initialization packet
// (CID, CMD|0x80, BCNT, 57 data bytes) and up to 128 continuation packets (CID, SEQ 0..127, 59 data bytes), each
// exactly 64 bytes, zero-padded. Used by both sides: the client transport and the virtual authenticator.
import { readUint16BE, readUint32BE } from './bytes.ts';
import { ProtocolError } from './errors.ts';

/** FIDO HID reports are 64 bytes in both directions (CTAP 2.2 §11.2.3). */
export const HID_REPORT_SIZE = 64;
export const INIT_HEADER_SIZE = 7;
export const CONT_HEADER_SIZE = 5;
export const INIT_DATA_SIZE = HID_REPORT_SIZE - INIT_HEADER_SIZE; // 57
export const CONT_DATA_SIZE = HID_REPORT_SIZE - CONT_HEADER_SIZE; // 59
export const MAX_SEQ = 0x7f;
/** Largest message: 57 + 128 × 59 (CTAP 2.2 §11.2.4). */
export const MAX_MESSAGE_SIZE = INIT_DATA_SIZE + (MAX_SEQ + 1) * CONT_DATA_SIZE; // 7609
/** Broadcast channel, valid only for INIT (CTAP 2.2 §11.2.9.1.3). */
export const BROADCAST_CID = 0xffffffff;
const TYPE_INIT = 0x80;

/** CTAPHID commands (CTAP 2.2 §11.2.9), without the TYPE_INIT bit. */
export const CtapHidCmd = {
  PING: 0x01,
  MSG: 0x03,
  LOCK: 0x04,
  INIT: 0x06,
  WINK: 0x08,
  CBOR: 0x10,
  CANCEL: 0x11,
  KEEPALIVE: 0x3b,
  ERROR: 0x3f,
} as const;

/** CTAPHID_ERROR codes (CTAP 2.2 §11.2.9.1.6). */
export const CtapHidErrorCode = {
  INVALID_CMD: 0x01,
  INVALID_PAR: 0x02,
  INVALID_LEN: 0x03,
  INVALID_SEQ: 0x04,
  MSG_TIMEOUT: 0x05,
  CHANNEL_BUSY: 0x06,
  LOCK_REQUIRED: 0x0a,
  INVALID_CHANNEL: 0x0b,
  OTHER: 0x7f,
} as const;

export const CTAPHID_ERROR_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0x01: 'ERR_INVALID_CMD',
  0x02: 'ERR_INVALID_PAR',
  0x03: 'ERR_INVALID_LEN',
  0x04: 'ERR_INVALID_SEQ',
  0x05: 'ERR_MSG_TIMEOUT',
  0x06: 'ERR_CHANNEL_BUSY',
  0x0a: 'ERR_LOCK_REQUIRED',
  0x0b: 'ERR_INVALID_CHANNEL',
  0x7f: 'ERR_OTHER',
});

export function ctapHidErrorName(code: number): string {
  return CTAPHID_ERROR_NAMES[code] ?? `ERR_UNKNOWN_0x${code.toString(16).padStart(2, '0')}`;
}

/** KEEPALIVE status byte (CTAP 2.2 §11.2.9.2.1). */
export const KeepaliveStatus = { PROCESSING: 1, UPNEEDED: 2 } as const;
export type KeepaliveStatusValue = (typeof KeepaliveStatus)[keyof typeof KeepaliveStatus];

/** INIT response capability flags (CTAP 2.2 §11.2.9.1.3). */
export const Capability = { WINK: 0x01, LOCK: 0x02, CBOR: 0x04, NMSG: 0x08 } as const;

export type Frame =
  | { kind: 'init'; cid: number; cmd: number; length: number; data: Uint8Array }
  | { kind: 'cont'; cid: number; seq: number; data: Uint8Array };

/** Splits a message into 64-byte reports (without the HID report-ID byte). */
export function encodeFrames(cid: number, cmd: number, payload: Uint8Array): Uint8Array[] {
  if (payload.length > MAX_MESSAGE_SIZE) {
    throw new RangeError(`CTAPHID message of ${payload.length} bytes exceeds the maximum of ${MAX_MESSAGE_SIZE}`);
  }
  if (cmd < 0 || cmd > 0x7f) throw new RangeError(`CTAPHID command 0x${cmd.toString(16)} out of range`);
  const frames: Uint8Array[] = [];
  const first = new Uint8Array(HID_REPORT_SIZE);
  const view = new DataView(first.buffer);
  view.setUint32(0, cid >>> 0, false);
  first[4] = cmd | TYPE_INIT;
  view.setUint16(5, payload.length, false);
  first.set(payload.subarray(0, INIT_DATA_SIZE), INIT_HEADER_SIZE);
  frames.push(first);
  let offset = INIT_DATA_SIZE;
  let seq = 0;
  while (offset < payload.length) {
    const frame = new Uint8Array(HID_REPORT_SIZE);
    new DataView(frame.buffer).setUint32(0, cid >>> 0, false);
    frame[4] = seq++;
    frame.set(payload.subarray(offset, offset + CONT_DATA_SIZE), CONT_HEADER_SIZE);
    frames.push(frame);
    offset += CONT_DATA_SIZE;
  }
  return frames;
}

/** Number of reports a message of `length` bytes needs (1 init + continuations). */
export function frameCount(length: number): number {
  return length <= INIT_DATA_SIZE ? 1 : 1 + Math.ceil((length - INIT_DATA_SIZE) / CONT_DATA_SIZE);
}

/** Parses one 64-byte report. A report of any other size is a ProtocolError. */
export function decodeFrame(report: Uint8Array): Frame {
  if (report.length !== HID_REPORT_SIZE) {
    throw new ProtocolError(`report of ${report.length} bytes, expected ${HID_REPORT_SIZE}`, { length: report.length });
  }
  const cid = readUint32BE(report, 0);
  const b4 = report[4]!;
  if (b4 & TYPE_INIT) {
    return { kind: 'init', cid, cmd: b4 & 0x7f, length: readUint16BE(report, 5), data: report.subarray(INIT_HEADER_SIZE) };
  }
  return { kind: 'cont', cid, seq: b4, data: report.subarray(CONT_HEADER_SIZE) };
}

export type AssemblyResult =
  | { state: 'incomplete' }
  | { state: 'complete'; cmd: number; payload: Uint8Array }
  | { state: 'error'; error: 'invalid_seq' | 'invalid_len' | 'no_init'; message: string };

/**
 * Reassembles one message on one channel: an init frame starts it, continuations must arrive with SEQ 0, 1, 2, …
 * The receiver takes exactly BCNT bytes and ignores the padding.
 */
export class MessageAssembler {
  readonly #maxLength: number;
  #cmd = 0;
  #buffer: Uint8Array | undefined;
  #received = 0;
  #nextSeq = 0;

  constructor(maxLength = MAX_MESSAGE_SIZE) {
    this.#maxLength = maxLength;
  }

  get active(): boolean {
    return this.#buffer !== undefined;
  }

  get command(): number {
    return this.#cmd;
  }

  reset(): void {
    this.#buffer = undefined;
    this.#received = 0;
    this.#nextSeq = 0;
  }

  push(frame: Frame): AssemblyResult {
    if (frame.kind === 'init') {
      if (frame.length > this.#maxLength) {
        this.reset();
        return { state: 'error', error: 'invalid_len', message: `message length ${frame.length} exceeds ${this.#maxLength}` };
      }
      this.#cmd = frame.cmd;
      this.#buffer = new Uint8Array(frame.length);
      const take = Math.min(frame.length, INIT_DATA_SIZE);
      this.#buffer.set(frame.data.subarray(0, take));
      this.#received = take;
      this.#nextSeq = 0;
    } else {
      if (!this.#buffer) return { state: 'error', error: 'no_init', message: 'continuation packet without an initialization packet' };
      if (frame.seq !== this.#nextSeq) {
        const expected = this.#nextSeq;
        this.reset();
        return { state: 'error', error: 'invalid_seq', message: `continuation SEQ ${frame.seq}, expected ${expected}` };
      }
      this.#nextSeq++;
      const take = Math.min(this.#buffer.length - this.#received, CONT_DATA_SIZE);
      this.#buffer.set(frame.data.subarray(0, take), this.#received);
      this.#received += take;
    }
    if (this.#received === this.#buffer.length) {
      const payload = this.#buffer;
      const cmd = this.#cmd;
      this.reset();
      return { state: 'complete', cmd, payload };
    }
    return { state: 'incomplete' };
  }
}
