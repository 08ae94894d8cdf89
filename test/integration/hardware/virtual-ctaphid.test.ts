// The virtual key's CTAPHID layer seen from the wire: raw 65-byte writes and 64-byte `data` reports, as node-hid
// delivers them. Covers what real firmware does that a client must cope with: channel allocation, interleaved
// channels on one key, busy, sequence errors, message timeout, invalid channels and INIT resynchronisation.
import { describe, expect, it } from 'vitest';
import { VirtualSecurityKey } from '../../../hardware/virtual/virtual-security-key.ts';
import type { VirtualHidDevice } from '../../../hardware/virtual/virtual-hid-device.ts';
import { CtapHidConnection } from '../../../hardware/ctaphid-connection.ts';
import { Ctap2Client } from '../../../hardware/ctap2-client.ts';
import {
  BROADCAST_CID,
  CtapHidCmd,
  CtapHidErrorCode,
  MAX_MESSAGE_SIZE,
  MessageAssembler,
  decodeFrame,
  encodeFrames,
  type Frame,
} from '../../../hardware/ctaphid-framing.ts';
import { readUint32BE } from '../../../hardware/bytes.ts';
import { Permission } from '../../../hardware/client-pin.ts';
import { SecurityKey } from '../../../hardware/security-key.ts';

/** A raw client: writes frames with the report-ID prefix and collects every input report of its handle. */
class Wire {
  readonly reports: Frame[] = [];
  #waiters: (() => void)[] = [];
  constructor(readonly handle: VirtualHidDevice) {
    handle.on('data', (r: Buffer) => {
      this.reports.push(decodeFrame(new Uint8Array(r)));
      for (const w of this.#waiters.splice(0)) w();
    });
  }
  async write(frame: Uint8Array): Promise<void> {
    await this.handle.write(Buffer.concat([Buffer.of(0), Buffer.from(frame)]));
  }
  async send(cid: number, cmd: number, payload: Uint8Array): Promise<void> {
    for (const f of encodeFrames(cid, cmd, payload)) await this.write(f);
  }
  /** Waits until a report matching `pred` has arrived (the test times out otherwise). */
  async next(pred: (f: Frame) => boolean): Promise<Frame> {
    for (;;) {
      const i = this.reports.findIndex(pred);
      if (i >= 0) return this.reports.splice(i, 1)[0]!;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }
  async message(cid: number): Promise<{ cmd: number; payload: Uint8Array }> {
    const a = new MessageAssembler();
    for (;;) {
      const f = await this.next((x) => x.cid === cid && !(x.kind === 'init' && x.cmd === CtapHidCmd.KEEPALIVE));
      const r = a.push(f);
      if (r.state === 'complete') return r;
      if (r.state === 'error') throw new Error(r.message);
    }
  }
  async allocate(): Promise<number> {
    const nonce = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    await this.send(BROADCAST_CID, CtapHidCmd.INIT, nonce);
    const answer = await this.message(BROADCAST_CID);
    expect([...answer.payload.subarray(0, 8)]).toEqual([...nonce]);
    return readUint32BE(answer.payload, 8);
  }
}

const errorOn = (cid: number) => (f: Frame) => f.kind === 'init' && f.cid === cid && f.cmd === CtapHidCmd.ERROR;

describe('virtual CTAPHID device', () => {
  it('rejects writes that are not 65 bytes or lack the 0x00 report ID, as hidapi users must not do', async () => {
    const key = await VirtualSecurityKey.load();
    const handle = key.open();
    await expect(handle.write(Buffer.alloc(64))).rejects.toThrow(/65 bytes/);
    await expect(handle.write(Buffer.concat([Buffer.of(0xff), Buffer.alloc(64, 0xff)]))).rejects.toThrow(/report ID byte must be 0x00/);
    await handle.close();
    await expect(handle.write(Buffer.alloc(65))).rejects.toThrow(/closed/);
  });

  it('allocates distinct channels and echoes PING of every size up to 7609 bytes', async () => {
    const key = await VirtualSecurityKey.load();
    const wire = new Wire(key.open());
    const a = await wire.allocate();
    const b = await wire.allocate();
    expect(a).not.toBe(b);
    for (const n of [0, 57, 58, 116, 117, 1000, MAX_MESSAGE_SIZE]) {
      const payload = Uint8Array.from({ length: n }, (_, i) => i & 0xff);
      await wire.send(a, CtapHidCmd.PING, payload);
      const echo = await wire.message(a);
      expect(echo.cmd).toBe(CtapHidCmd.PING);
      expect(Buffer.from(echo.payload).equals(Buffer.from(payload))).toBe(true);
    }
  });

  it('answers ERR_INVALID_CHANNEL for CID 0, broadcast requests and channels it never allocated', async () => {
    const key = await VirtualSecurityKey.load();
    const wire = new Wire(key.open());
    await wire.send(0, CtapHidCmd.PING, Uint8Array.of(1));
    const e1 = (await wire.next(errorOn(0))) as Extract<Frame, { kind: 'init' }>;
    expect(e1.data[0]).toBe(CtapHidErrorCode.INVALID_CHANNEL);
    await wire.send(BROADCAST_CID, CtapHidCmd.CBOR, Uint8Array.of(4));
    const e2 = (await wire.next(errorOn(BROADCAST_CID))) as Extract<Frame, { kind: 'init' }>;
    expect(e2.data[0]).toBe(CtapHidErrorCode.INVALID_CHANNEL);
    await wire.send(0x12345678, CtapHidCmd.CBOR, Uint8Array.of(4));
    const e3 = (await wire.next(errorOn(0x12345678))) as Extract<Frame, { kind: 'init' }>;
    expect(e3.data[0]).toBe(CtapHidErrorCode.INVALID_CHANNEL);
  });

  it('answers ERR_INVALID_SEQ to a skipped continuation and ERR_INVALID_CMD to MSG and LOCK', async () => {
    const key = await VirtualSecurityKey.load();
    const wire = new Wire(key.open());
    const cid = await wire.allocate();
    const frames = encodeFrames(cid, CtapHidCmd.PING, new Uint8Array(200));
    await wire.write(frames[0]!);
    await wire.write(frames[2]!);
    const seq = (await wire.next(errorOn(cid))) as Extract<Frame, { kind: 'init' }>;
    expect(seq.data[0]).toBe(CtapHidErrorCode.INVALID_SEQ);
    for (const cmd of [CtapHidCmd.MSG, CtapHidCmd.LOCK, 0x55]) {
      await wire.send(cid, cmd, Uint8Array.of(0));
      const e = (await wire.next(errorOn(cid))) as Extract<Frame, { kind: 'init' }>;
      expect(e.data[0]).toBe(CtapHidErrorCode.INVALID_CMD);
    }
  });

  it('drops a half-received message with ERR_MSG_TIMEOUT', async () => {
    const key = new VirtualSecurityKey((await VirtualSecurityKey.load()).profile, { messageTimeoutMs: 30 });
    const wire = new Wire(key.open());
    const cid = await wire.allocate();
    await wire.write(encodeFrames(cid, CtapHidCmd.PING, new Uint8Array(100))[0]!);
    const e = (await wire.next(errorOn(cid))) as Extract<Frame, { kind: 'init' }>;
    expect(e.data[0]).toBe(CtapHidErrorCode.MSG_TIMEOUT);
  });

  it('answers ERR_CHANNEL_BUSY to a second channel while a request waits for touch', async () => {
    const key = await VirtualSecurityKey.load('breakglass-virtual', { presence: { kind: 'manual' } });
    const wire = new Wire(key.open());
    const a = await wire.allocate();
    const b = await wire.allocate();
    await wire.send(a, CtapHidCmd.CBOR, Uint8Array.of(0x0b)); // authenticatorSelection: waits for a touch
    await wire.next((f) => f.cid === a && f.kind === 'init' && f.cmd === CtapHidCmd.KEEPALIVE && f.data[0] === 2);
    await wire.send(b, CtapHidCmd.PING, Uint8Array.of(1));
    const busy = (await wire.next(errorOn(b))) as Extract<Frame, { kind: 'init' }>;
    expect(busy.data[0]).toBe(CtapHidErrorCode.CHANNEL_BUSY);
    key.touch();
    const done = await wire.message(a);
    expect([...done.payload]).toEqual([0]);
  });

  it('abandons a pending request without an answer when its channel is re-INITed', async () => {
    const key = await VirtualSecurityKey.load('breakglass-virtual', { presence: { kind: 'manual' } });
    const wire = new Wire(key.open());
    const cid = await wire.allocate();
    await wire.send(cid, CtapHidCmd.CBOR, Uint8Array.of(0x0b));
    await wire.next((f) => f.cid === cid && f.kind === 'init' && f.cmd === CtapHidCmd.KEEPALIVE);
    await wire.send(cid, CtapHidCmd.INIT, new Uint8Array(8).fill(4));
    const init = await wire.message(cid);
    expect(init.cmd).toBe(CtapHidCmd.INIT);
    expect(readUint32BE(init.payload, 8)).toBe(cid);
    expect(key.presence.waiting).toBe(false);
    await wire.send(cid, CtapHidCmd.PING, Uint8Array.of(9));
    const echo = await wire.message(cid);
    expect(echo.cmd).toBe(CtapHidCmd.PING);
  });
});

describe('two programs on one key (hidraw hands every report to every handle)', () => {
  it('lets two connections use the key at once: each skips the other\'s frames and retries while busy', async () => {
    const key = await VirtualSecurityKey.load('breakglass-virtual', { pin: '2468', presence: { kind: 'delayed', delayMs: 60 }, keepaliveIntervalMs: 10 });
    const one = await SecurityKey.open(key.open(), { busyRetryDelayMs: 5 });
    const handleTwo = key.open();
    const two = await CtapHidConnection.open(handleTwo, { busyRetryDelayMs: 5, busyTimeoutMs: 5000 });
    let busyAnswers = 0;
    let foreignFrames = 0;
    handleTwo.on('data', (r: Buffer) => {
      const f = decodeFrame(new Uint8Array(r));
      if (f.cid !== two.channelId) foreignFrames++;
      else if (f.kind === 'init' && f.cmd === CtapHidCmd.ERROR && f.data[0] === CtapHidErrorCode.CHANNEL_BUSY) busyAnswers++;
    });
    try {
      expect(one.connection.channelId).not.toBe(two.channelId);
      const ctapTwo = new Ctap2Client(two);
      // One waits for a touch (keepalives flowing on its channel) while the other asks for getInfo repeatedly.
      const waiting = new Promise((resolve) => key.presence.once('request', () => resolve(undefined)));
      const selection = one.ctap.selection();
      await waiting;
      const infos = await Promise.all([ctapTwo.getInfo(), ctapTwo.getInfo(), ctapTwo.getInfo()]);
      await selection;
      expect(infos.every((i) => i.aaguid === one.info.aaguid)).toBe(true);
      expect(busyAnswers).toBeGreaterThan(0);
      expect(foreignFrames).toBeGreaterThan(0);
      const token = await one.clientPin().getPinToken('2468', { permissions: Permission.getAssertion });
      expect(token.permissions).toBe(Permission.getAssertion);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
