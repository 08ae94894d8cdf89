// The CTAPHID client against a scripted device that answers frame by frame: INIT and nonce matching, foreign
// channels, keepalive, cancel, every CTAPHID error code, busy retry, timeouts, resynchronisation and bad frames.
import { describe, expect, it } from 'vitest';
import { CtapHidConnection } from '../../../hardware/ctaphid-connection.ts';
import { Ctap2Client } from '../../../hardware/ctap2-client.ts';
import { BROADCAST_CID, CtapHidCmd, KeepaliveStatus, encodeFrames, type Frame } from '../../../hardware/ctaphid-framing.ts';
import {
  CancelledError,
  ChannelBusyError,
  CtapHidError,
  DeviceClosedError,
  DeviceDisconnectedError,
  KeepaliveCancelError,
  ProtocolError,
  RequestTooLargeError,
  TouchTimeoutError,
  TransportTimeoutError,
} from '../../../hardware/errors.ts';
import { ScriptedHidDevice, answerInit, initAnswer } from '../../fixtures/hardware/helpers/scripted-hid-device.ts';

const CID = 0x01020304;
const FOREIGN = 0x0badc0de;
// Short enough to keep the timeout cases quick, long enough that a loaded CI machine does not trip the others.
const FAST = { timeoutMs: 400, busyTimeoutMs: 600, busyRetryDelayMs: 10 };

/** A device that allocates CID and answers requests with `answer`. */
function scripted(answer?: (frame: Frame, device: ScriptedHidDevice) => void): ScriptedHidDevice {
  const device = new ScriptedHidDevice();
  device.onReport = (_report, frame) => {
    if (answerInit(device, CID, frame)) return;
    answer?.(frame, device);
  };
  return device;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('INIT', () => {
  it('writes INIT on the broadcast channel as 65 bytes with report ID 0x00 and takes the channel from the matching answer', async () => {
    const device = new ScriptedHidDevice();
    device.onReport = (_r, frame) => {
      if (frame.kind !== 'init' || frame.cmd !== CtapHidCmd.INIT) return;
      const nonce = frame.data.slice(0, 8);
      // Noise first: another program's INIT answer (other nonce) and a frame on a foreign channel.
      device.sendMessage(BROADCAST_CID, CtapHidCmd.INIT, initAnswer(new Uint8Array(8).fill(9), 0x77777777));
      device.sendMessage(FOREIGN, CtapHidCmd.CBOR, Uint8Array.of(0));
      device.sendMessage(BROADCAST_CID, CtapHidCmd.INIT, initAnswer(nonce, CID, 0x05, [5, 4, 3]));
    };
    const conn = await CtapHidConnection.open(device, FAST);
    expect(device.writes[0]!.length).toBe(65);
    expect(device.writes[0]![0]).toBe(0x00);
    const first = device.frames()[0]!;
    expect(first).toMatchObject({ kind: 'init', cid: BROADCAST_CID, cmd: CtapHidCmd.INIT, length: 8 });
    expect(conn.channelId).toBe(CID);
    expect(conn.info).toMatchObject({ protocolVersion: 2, deviceVersion: { major: 5, minor: 4, build: 3 }, wink: true, cbor: true, msg: true, lock: false });
  });

  it('refuses an INIT answer that assigns a reserved channel', async () => {
    const device = new ScriptedHidDevice();
    device.onReport = (_r, frame) => device.sendMessage(BROADCAST_CID, CtapHidCmd.INIT, initAnswer(frame.kind === 'init' ? frame.data.slice(0, 8) : new Uint8Array(8), 0));
    expect(await rejection(CtapHidConnection.open(device, FAST))).toBeInstanceOf(ProtocolError);
    expect(device.closed).toBe(true);
  });

  it('times out when nothing answers INIT', async () => {
    const err = await rejection(CtapHidConnection.open(new ScriptedHidDevice(), FAST));
    expect(err).toBeInstanceOf(TransportTimeoutError);
    expect((err as TransportTimeoutError).message).toContain('INIT');
  });
});

describe('transactions', () => {
  it('reassembles a multi-report answer while skipping frames of other channels', async () => {
    const answer = Uint8Array.from({ length: 200 }, (_, i) => i);
    const device = scripted((frame, d) => {
      if (frame.kind !== 'init') return;
      const ours = encodeFrames(CID, CtapHidCmd.CBOR, answer);
      const theirs = encodeFrames(FOREIGN, CtapHidCmd.CBOR, new Uint8Array(150).fill(0xee));
      for (let i = 0; i < Math.max(ours.length, theirs.length); i++) {
        if (theirs[i]) d.send(theirs[i]!);
        if (ours[i]) d.send(ours[i]!);
      }
    });
    const conn = await CtapHidConnection.open(device, FAST);
    const out = await conn.cbor(Uint8Array.of(0x04));
    expect(Buffer.from(out).equals(Buffer.from(answer))).toBe(true);
  });

  it('ignores stray continuation packets on its channel before the answer starts', async () => {
    const device = scripted((frame, d) => {
      if (frame.kind !== 'init') return;
      d.send(encodeFrames(CID, CtapHidCmd.CBOR, new Uint8Array(100))[1]!);
      d.sendMessage(CID, CtapHidCmd.CBOR, Uint8Array.of(0, 0xa0));
    });
    const conn = await CtapHidConnection.open(device, FAST);
    expect([...(await conn.cbor(Uint8Array.of(0x04)))]).toEqual([0, 0xa0]);
  });

  it('reports keepalive status changes (PROCESSING, then UPNEEDED = touch your key) and keeps waiting', async () => {
    const device = scripted((frame, d) => {
      if (frame.kind !== 'init') return;
      d.sendMessage(CID, CtapHidCmd.KEEPALIVE, Uint8Array.of(KeepaliveStatus.PROCESSING));
      d.sendMessage(CID, CtapHidCmd.KEEPALIVE, Uint8Array.of(KeepaliveStatus.UPNEEDED));
      d.sendMessage(CID, CtapHidCmd.KEEPALIVE, Uint8Array.of(KeepaliveStatus.UPNEEDED));
      d.sendMessage(CID, CtapHidCmd.CBOR, Uint8Array.of(0));
    });
    const conn = await CtapHidConnection.open(device, FAST);
    const seen: number[] = [];
    await conn.cbor(Uint8Array.of(0x01), { onKeepalive: (s) => seen.push(s) });
    expect(seen).toEqual([KeepaliveStatus.PROCESSING, KeepaliveStatus.UPNEEDED]);
  });

  it('says "timed out waiting for touch" when the key goes quiet after UPNEEDED, sends CANCEL and resynchronises', async () => {
    let requests = 0;
    const device = scripted((frame, d) => {
      if (frame.kind !== 'init' || frame.cmd !== CtapHidCmd.CBOR) return;
      requests++;
      if (requests === 1) d.sendMessage(CID, CtapHidCmd.KEEPALIVE, Uint8Array.of(KeepaliveStatus.UPNEEDED));
      else d.sendMessage(CID, CtapHidCmd.CBOR, Uint8Array.of(0));
    });
    const conn = await CtapHidConnection.open(device, FAST);
    const err = await rejection(conn.cbor(Uint8Array.of(0x01)));
    expect(err).toBeInstanceOf(TouchTimeoutError);
    expect((err as TouchTimeoutError).message).toContain('timed out waiting for touch');
    expect(device.frames().at(-1)).toMatchObject({ kind: 'init', cid: CID, cmd: CtapHidCmd.CANCEL, length: 0 });
    const before = device.writes.length;
    await conn.cbor(Uint8Array.of(0x04));
    // The next transaction re-INITs its own channel first, so a late answer to the old request cannot be mistaken.
    expect(device.frames()[before]).toMatchObject({ kind: 'init', cid: CID, cmd: CtapHidCmd.INIT });
  });

  it('times out without keepalives as a plain timeout', async () => {
    const conn = await CtapHidConnection.open(scripted(), FAST);
    const err = await rejection(conn.cbor(Uint8Array.of(0x04)));
    expect(err).toBeInstanceOf(TransportTimeoutError);
    expect((err as TransportTimeoutError).code).toBe('timeout');
  });

  it.each([
    [0x01, 'ERR_INVALID_CMD'],
    [0x02, 'ERR_INVALID_PAR'],
    [0x03, 'ERR_INVALID_LEN'],
    [0x04, 'ERR_INVALID_SEQ'],
    [0x05, 'ERR_MSG_TIMEOUT'],
    [0x0a, 'ERR_LOCK_REQUIRED'],
    [0x0b, 'ERR_INVALID_CHANNEL'],
    [0x7f, 'ERR_OTHER'],
    [0x55, 'ERR_UNKNOWN_0x55'],
  ])('turns CTAPHID ERROR 0x%s into a CtapHidError naming %s', async (code, name) => {
    const device = scripted((frame, d) => {
      if (frame.kind === 'init') d.sendMessage(CID, CtapHidCmd.ERROR, Uint8Array.of(code));
    });
    const conn = await CtapHidConnection.open(device, FAST);
    const err = (await rejection(conn.cbor(Uint8Array.of(0x04)))) as CtapHidError;
    expect(err).toBeInstanceOf(CtapHidError);
    expect(err.hidError).toBe(code);
    expect(err.message).toContain(name);
  });

  it('retries while the channel is busy and returns the answer once the key is free', async () => {
    let attempts = 0;
    const device = scripted((frame, d) => {
      if (frame.kind !== 'init' || frame.cmd !== CtapHidCmd.CBOR) return;
      attempts++;
      if (attempts < 3) d.sendMessage(CID, CtapHidCmd.ERROR, Uint8Array.of(0x06));
      else d.sendMessage(CID, CtapHidCmd.CBOR, Uint8Array.of(0, 0xa0));
    });
    const conn = await CtapHidConnection.open(device, FAST);
    expect([...(await conn.cbor(Uint8Array.of(0x04)))]).toEqual([0, 0xa0]);
    expect(attempts).toBe(3);
  });

  it('gives up with ChannelBusyError when another program keeps the key busy', async () => {
    const device = scripted((frame, d) => {
      if (frame.kind === 'init') d.sendMessage(CID, CtapHidCmd.ERROR, Uint8Array.of(0x06));
    });
    const conn = await CtapHidConnection.open(device, FAST);
    const err = await rejection(conn.cbor(Uint8Array.of(0x04)));
    expect(err).toBeInstanceOf(ChannelBusyError);
    expect((err as ChannelBusyError).message).toMatch(/busy with another program/);
  });

  it('sends CANCEL when aborted and ends with the key\'s KEEPALIVE_CANCEL status', async () => {
    const controller = new AbortController();
    const device = scripted((frame, d) => {
      if (frame.kind !== 'init') return;
      if (frame.cmd === CtapHidCmd.CBOR) {
        d.sendMessage(CID, CtapHidCmd.KEEPALIVE, Uint8Array.of(KeepaliveStatus.UPNEEDED));
      } else if (frame.cmd === CtapHidCmd.CANCEL) {
        d.sendMessage(CID, CtapHidCmd.CBOR, Uint8Array.of(0x2d));
      }
    });
    const conn = await CtapHidConnection.open(device, FAST);
    const ctap = new Ctap2Client(conn);
    const err = await rejection(
      ctap.send(0x0b, undefined, { signal: controller.signal, onKeepalive: (s) => s === KeepaliveStatus.UPNEEDED && controller.abort() }),
    );
    expect(err).toBeInstanceOf(KeepaliveCancelError);
    expect((err as KeepaliveCancelError).code).toBe('cancelled');
    const cancel = device.frames().find((f) => f.kind === 'init' && f.cmd === CtapHidCmd.CANCEL);
    expect(cancel).toMatchObject({ cid: CID, length: 0 });
  });

  it('does not write anything for a request aborted before it starts', async () => {
    const device = scripted();
    const conn = await CtapHidConnection.open(device, FAST);
    const before = device.writes.length;
    const controller = new AbortController();
    controller.abort();
    expect(await rejection(conn.cbor(Uint8Array.of(4), { signal: controller.signal }))).toBeInstanceOf(CancelledError);
    expect(device.writes.length).toBe(before);
  });

  it.each([
    ['a continuation out of sequence', (d: ScriptedHidDevice) => {
      const f = encodeFrames(CID, CtapHidCmd.CBOR, new Uint8Array(200));
      d.send(f[0]!);
      d.send(f[2]!);
    }, /SEQ 1, expected 0/],
    ['an answer for another command', (d: ScriptedHidDevice) => d.sendMessage(CID, CtapHidCmd.PING, Uint8Array.of(1)), /command 0x1 to a request with command 0x10/],
    ['a report of the wrong size', (d: ScriptedHidDevice) => d.send(new Uint8Array(63)), /report of 63 bytes/],
  ])('fails with a ProtocolError on %s', async (_what, misbehave, message) => {
    const device = scripted((frame, d) => {
      if (frame.kind === 'init' && frame.cmd === CtapHidCmd.CBOR) misbehave(d);
    });
    const conn = await CtapHidConnection.open(device, FAST);
    const err = await rejection(conn.cbor(Uint8Array.of(0x04)));
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).message).toMatch(message);
    expect((err as ProtocolError).message).toContain('re-insert it');
  });

  it('refuses a request above the 7609-byte CTAPHID limit without writing it', async () => {
    const device = scripted();
    const conn = await CtapHidConnection.open(device, FAST);
    const before = device.writes.length;
    expect(await rejection(conn.transact(CtapHidCmd.PING, new Uint8Array(7610)))).toBeInstanceOf(RequestTooLargeError);
    expect(device.writes.length).toBe(before);
  });

  it('runs concurrent calls one after another (one transaction at a time)', async () => {
    const order: string[] = [];
    const device = scripted((frame, d) => {
      if (frame.kind !== 'init' || frame.cmd !== CtapHidCmd.PING) return;
      order.push(`request ${frame.data[0]}`);
      setTimeout(() => {
        order.push(`answer ${frame.data[0]}`);
        d.sendMessage(CID, CtapHidCmd.PING, frame.data.slice(0, frame.length));
      }, 5);
    });
    const conn = await CtapHidConnection.open(device, FAST);
    await Promise.all([conn.ping(Uint8Array.of(1)), conn.ping(Uint8Array.of(2))]);
    expect(order).toEqual(['request 1', 'answer 1', 'request 2', 'answer 2']);
  });
});

describe('device failures', () => {
  it('turns a failed write into DeviceDisconnectedError and stays failed', async () => {
    const device = scripted();
    const conn = await CtapHidConnection.open(device, FAST);
    device.writeError = new Error('Cannot write to hid device');
    expect(await rejection(conn.cbor(Uint8Array.of(4)))).toBeInstanceOf(DeviceDisconnectedError);
    device.writeError = undefined;
    expect(await rejection(conn.cbor(Uint8Array.of(4)))).toBeInstanceOf(DeviceDisconnectedError);
  });

  it('turns a read error event (key pulled out) into DeviceDisconnectedError', async () => {
    const device = scripted((frame, d) => {
      if (frame.kind === 'init' && frame.cmd === CtapHidCmd.CBOR) setImmediate(() => d.emit('error', new Error('could not read from HID device')));
    });
    const conn = await CtapHidConnection.open(device, FAST);
    const err = await rejection(conn.cbor(Uint8Array.of(4)));
    expect(err).toBeInstanceOf(DeviceDisconnectedError);
    expect((err as Error).message).toContain('re-insert it');
  });

  it('closes the device, detaches its listeners and refuses further calls', async () => {
    const device = scripted();
    const conn = await CtapHidConnection.open(device, FAST);
    await conn.close();
    expect(device.closed).toBe(true);
    expect(device.listenerCount('data')).toBe(0);
    expect(await rejection(conn.cbor(Uint8Array.of(4)))).toBeInstanceOf(DeviceClosedError);
  });
});
