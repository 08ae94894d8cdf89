// The client side of CTAPHID (CTAP 2.2 §11.2): channel allocation with INIT, one transaction at a time, framing into
// 64-byte reports written with the report-ID prefix, reassembly with sequence checks, skipping frames of other
// channels (Linux hidraw hands every input report to every open handle), KEEPALIVE handling (reported to the caller
// so it can say "touch your key"), CANCEL, CTAPHID ERROR codes, channel-busy retry and timeouts.
//
// It talks to a `HidDevice`, so a node-hid device and the virtual authenticator go through exactly this code.
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { bytesEqual, readUint32BE } from './bytes.ts';
import {
  CancelledError,
  ChannelBusyError,
  CtapHidError,
  DeviceClosedError,
  DeviceDisconnectedError,
  HardwareError,
  ProtocolError,
  RequestTooLargeError,
  TouchTimeoutError,
  TransportTimeoutError,
} from './errors.ts';
import {
  BROADCAST_CID,
  Capability,
  CtapHidCmd,
  CtapHidErrorCode,
  HID_REPORT_SIZE,
  INIT_DATA_SIZE,
  KeepaliveStatus,
  MAX_MESSAGE_SIZE,
  MessageAssembler,
  ctapHidErrorName,
  decodeFrame,
  encodeFrames,
  type KeepaliveStatusValue,
} from './ctaphid-framing.ts';
import type { HidDevice } from './hid-device.ts';

export interface CtapHidOptions {
  /** How long to wait for the key's next frame; every KEEPALIVE restarts it. Default 3000 ms (non-interactive). */
  timeoutMs?: number;
  /** Hard cap for one transaction, keepalives included (a touch wait). Default 120 000 ms. */
  maxTransactionMs?: number;
  /** How long to keep retrying while another program holds the key (ERR_CHANNEL_BUSY). Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Pause between busy retries; python-fido2 uses 100 ms. */
  busyRetryDelayMs?: number;
  /** Close the HidDevice when the connection is closed. Default true. */
  closeDevice?: boolean;
  /** Random source for INIT nonces; injectable for tests. */
  randomBytes?: (length: number) => Uint8Array;
}

export interface TransactOptions {
  /** Overrides the per-frame timeout for this call. */
  timeoutMs?: number;
  /** Called when the keepalive status changes: PROCESSING (1) or UPNEEDED (2) = "touch your key". */
  onKeepalive?: (status: KeepaliveStatusValue) => void;
  /** Aborting sends CTAPHID_CANCEL; the call then ends with a `cancelled` error. */
  signal?: AbortSignal;
}

/** What the key said about itself in its INIT response (CTAP 2.2 §11.2.9.1.3). */
export interface CtapHidInitInfo {
  channelId: number;
  protocolVersion: number;
  deviceVersion: { major: number; minor: number; build: number };
  capabilities: number;
  wink: boolean;
  lock: boolean;
  cbor: boolean;
  /** True when CTAPHID_MSG (CTAP1/U2F) is supported (the NMSG flag is clear). */
  msg: boolean;
}

/** A transport that carries CTAP2 CBOR requests; Ctap2Client depends only on this. */
export interface CtapCborTransport {
  /** Sends `command ‖ CBOR` and resolves to `status ‖ CBOR`. */
  cbor(request: Uint8Array, options?: TransactOptions): Promise<Uint8Array>;
}

const INIT_NONCE_SIZE = 8;
const INIT_RESPONSE_SIZE = 17;
const INBOX_LIMIT = 4096;

type NextReport = Uint8Array | 'timeout' | 'aborted';

export class CtapHidConnection implements CtapCborTransport {
  readonly #device: HidDevice;
  readonly #timeoutMs: number;
  readonly #maxTransactionMs: number;
  readonly #busyTimeoutMs: number;
  readonly #busyRetryDelayMs: number;
  readonly #closeDevice: boolean;
  readonly #random: (length: number) => Uint8Array;
  #cid = BROADCAST_CID;
  #info: CtapHidInitInfo | undefined;
  #inbox: Uint8Array[] = [];
  #waiter: ((r: Uint8Array | HardwareError) => void) | undefined;
  #failure: HardwareError | undefined;
  #closed = false;
  #needsResync = false;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #onData = (report: Buffer | Uint8Array): void => {
    const copy = new Uint8Array(report);
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter(copy);
      return;
    }
    if (this.#inbox.length >= INBOX_LIMIT) this.#inbox.shift();
    this.#inbox.push(copy);
  };
  readonly #onError = (error: unknown): void => {
    const reason = error instanceof Error ? error.message.split('\n')[0] ?? 'read error' : 'read error';
    this.#fail(new DeviceDisconnectedError(reason));
  };

  private constructor(device: HidDevice, options: CtapHidOptions) {
    this.#device = device;
    this.#timeoutMs = options.timeoutMs ?? 3000;
    this.#maxTransactionMs = options.maxTransactionMs ?? 120_000;
    this.#busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.#busyRetryDelayMs = options.busyRetryDelayMs ?? 100;
    this.#closeDevice = options.closeDevice ?? true;
    this.#random = options.randomBytes ?? ((n) => new Uint8Array(nodeRandomBytes(n)));
    // Keep a reader attached for the whole session: hidraw buffers only 64 reports per handle, and node-hid reads
    // nothing without a `data` listener.
    device.on('data', this.#onData);
    device.on('error', this.#onError);
  }

  /** Attaches to a device and allocates a channel with INIT on the broadcast CID. */
  static async open(device: HidDevice, options: CtapHidOptions = {}): Promise<CtapHidConnection> {
    const connection = new CtapHidConnection(device, options);
    try {
      await connection.#serialize(() => connection.#init(BROADCAST_CID));
    } catch (err) {
      await connection.close().catch(() => undefined);
      throw err;
    }
    return connection;
  }

  get info(): CtapHidInitInfo {
    if (!this.#info) throw new DeviceClosedError();
    return this.#info;
  }

  get channelId(): number {
    return this.#cid;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** One CTAPHID transaction: request → response payload of the same command. */
  transact(cmd: number, payload: Uint8Array, options: TransactOptions = {}): Promise<Uint8Array> {
    return this.#serialize(() => this.#transact(cmd, payload, options));
  }

  cbor(request: Uint8Array, options: TransactOptions = {}): Promise<Uint8Array> {
    return this.transact(CtapHidCmd.CBOR, request, options);
  }

  /** CTAPHID_PING: the key echoes the data back. */
  async ping(data: Uint8Array, options: TransactOptions = {}): Promise<Uint8Array> {
    const echoed = await this.transact(CtapHidCmd.PING, data, options);
    if (!bytesEqual(echoed, data)) throw new ProtocolError('PING answer differs from the request');
    return echoed;
  }

  /** CTAPHID_WINK: the key blinks, to find the right one among several (when it has CAPABILITY_WINK). */
  async wink(options: TransactOptions = {}): Promise<void> {
    await this.transact(CtapHidCmd.WINK, new Uint8Array(0), options);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#fail(new DeviceClosedError());
    this.#device.removeListener('data', this.#onData);
    this.#device.removeListener('error', this.#onError);
    if (this.#closeDevice) await this.#device.close();
  }

  // -------------------------------------------------------------------------------------------------------------

  #serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #fail(error: HardwareError): void {
    this.#failure ??= error;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.(this.#failure);
  }

  #assertUsable(): void {
    if (this.#failure) throw this.#failure;
    if (this.#closed) throw new DeviceClosedError();
  }

  async #transact(cmd: number, payload: Uint8Array, options: TransactOptions): Promise<Uint8Array> {
    this.#assertUsable();
    if (payload.length > MAX_MESSAGE_SIZE) throw new RequestTooLargeError(payload.length, MAX_MESSAGE_SIZE);
    if (options.signal?.aborted) throw new CancelledError();
    // After a timeout or a framing error the key may still be working on (or answering) the old request. INIT on
    // our own channel aborts it (CTAP 2.2 §11.2.9.1.3), so the next answer we read is really ours.
    if (this.#needsResync) await this.#init(this.#cid);
    const started = Date.now();
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    for (;;) {
      this.#inbox.length = 0; // anything queued before our request is stale
      await this.#writeMessage(this.#cid, cmd, payload);
      const result = await this.#receive(cmd, timeoutMs, started, options);
      if (result !== 'busy') return result;
      const waited = Date.now() - started;
      if (waited >= this.#busyTimeoutMs) throw new ChannelBusyError(waited);
      await delay(this.#busyRetryDelayMs);
    }
  }

  async #receive(cmd: number, timeoutMs: number, started: number, options: TransactOptions): Promise<Uint8Array | 'busy'> {
    const assembler = new MessageAssembler();
    const hardDeadline = started + this.#maxTransactionMs;
    let deadline = Date.now() + timeoutMs;
    let lastKeepalive: number | undefined;
    let cancelled = false;
    for (;;) {
      const next = await this.#nextReport(Math.min(deadline, hardDeadline), cancelled ? undefined : options.signal);
      if (next === 'aborted') {
        cancelled = true;
        // CTAPHID_CANCEL gets no reply of its own; the pending CBOR request ends with KEEPALIVE_CANCEL (0x2D).
        await this.#writeMessage(this.#cid, CtapHidCmd.CANCEL, new Uint8Array(0));
        deadline = Date.now() + timeoutMs;
        continue;
      }
      if (next === 'timeout') {
        this.#needsResync = true;
        if (cancelled) throw new CancelledError();
        if (cmd === CtapHidCmd.CBOR) await this.#writeMessage(this.#cid, CtapHidCmd.CANCEL, new Uint8Array(0)).catch(() => undefined);
        if (lastKeepalive === KeepaliveStatus.UPNEEDED) throw new TouchTimeoutError({ waitedMs: Date.now() - started });
        throw new TransportTimeoutError(describeCommand(cmd), Date.now() >= hardDeadline ? this.#maxTransactionMs : timeoutMs);
      }
      let frame;
      try {
        frame = decodeFrame(next);
      } catch (err) {
        this.#needsResync = true;
        throw err;
      }
      if (frame.cid !== this.#cid) continue; // another program's channel
      if (frame.kind === 'cont') {
        if (!assembler.active) continue; // tail of an answer we already gave up on
      } else if (frame.cmd === CtapHidCmd.KEEPALIVE) {
        const status = frame.data[0] ?? 0;
        if (status !== lastKeepalive) {
          lastKeepalive = status;
          if (status === KeepaliveStatus.PROCESSING || status === KeepaliveStatus.UPNEEDED) options.onKeepalive?.(status);
        }
        deadline = Date.now() + timeoutMs;
        continue;
      } else if (frame.cmd === CtapHidCmd.ERROR) {
        const code = frame.data[0] ?? 0;
        if (code === CtapHidErrorCode.CHANNEL_BUSY) return 'busy';
        this.#needsResync = true;
        throw new CtapHidError(code, ctapHidErrorName(code));
      } else if (frame.cmd !== cmd) {
        this.#needsResync = true;
        throw new ProtocolError(`answer with command 0x${frame.cmd.toString(16)} to a request with command 0x${cmd.toString(16)}`);
      }
      const result = assembler.push(frame);
      if (result.state === 'error') {
        this.#needsResync = true;
        throw new ProtocolError(result.message);
      }
      if (result.state === 'complete') return result.payload;
      deadline = Date.now() + timeoutMs;
    }
  }

  /** INIT (CTAP 2.2 §11.2.9.1.3) on the broadcast CID allocates a channel; on our own CID it resynchronises it. */
  async #init(cid: number): Promise<void> {
    this.#assertUsable();
    const nonce = this.#random(INIT_NONCE_SIZE);
    if (nonce.length !== INIT_NONCE_SIZE) throw new RangeError('INIT nonce must be 8 bytes');
    const started = Date.now();
    for (;;) {
      this.#inbox.length = 0;
      await this.#writeMessage(cid, CtapHidCmd.INIT, nonce);
      const deadline = Date.now() + this.#timeoutMs;
      let busy = false;
      for (;;) {
        const next = await this.#nextReport(deadline, undefined);
        if (next === 'timeout') throw new TransportTimeoutError('INIT (channel allocation)', this.#timeoutMs);
        if (next === 'aborted') continue;
        const frame = decodeFrame(next);
        if (frame.cid !== cid || frame.kind !== 'init') continue;
        if (frame.cmd === CtapHidCmd.ERROR) {
          const code = frame.data[0] ?? 0;
          if (code === CtapHidErrorCode.CHANNEL_BUSY) {
            busy = true;
            break;
          }
          throw new CtapHidError(code, ctapHidErrorName(code));
        }
        if (frame.cmd !== CtapHidCmd.INIT) continue; // leftovers of an aborted transaction on our channel
        if (frame.length < INIT_RESPONSE_SIZE || frame.length > INIT_DATA_SIZE) {
          throw new ProtocolError(`INIT answer of ${frame.length} bytes, expected ${INIT_RESPONSE_SIZE}`);
        }
        // Another process may run INIT on the broadcast channel at the same time: skip answers to other nonces.
        if (!bytesEqual(frame.data.subarray(0, INIT_NONCE_SIZE), nonce)) continue;
        const body = frame.data.subarray(0, INIT_RESPONSE_SIZE);
        const newCid = readUint32BE(body, 8);
        if (newCid === 0 || newCid === BROADCAST_CID) throw new ProtocolError(`INIT assigned the reserved channel 0x${newCid.toString(16)}`);
        if (cid !== BROADCAST_CID && newCid !== cid) throw new ProtocolError('INIT on our channel answered with another channel');
        const capabilities = body[16]!;
        this.#cid = newCid;
        this.#needsResync = false;
        this.#info = {
          channelId: newCid,
          protocolVersion: body[12]!,
          deviceVersion: { major: body[13]!, minor: body[14]!, build: body[15]! },
          capabilities,
          wink: (capabilities & Capability.WINK) !== 0,
          lock: (capabilities & Capability.LOCK) !== 0,
          cbor: (capabilities & Capability.CBOR) !== 0,
          msg: (capabilities & Capability.NMSG) === 0,
        };
        return;
      }
      if (busy) {
        const waited = Date.now() - started;
        if (waited >= this.#busyTimeoutMs) throw new ChannelBusyError(waited);
        await delay(this.#busyRetryDelayMs);
      }
    }
  }

  /** Writes every report of a message back to back (firmware drops half-received messages after ~500–750 ms). */
  async #writeMessage(cid: number, cmd: number, payload: Uint8Array): Promise<void> {
    for (const frame of encodeFrames(cid, cmd, payload)) {
      this.#assertUsable();
      // Always prefix report ID 0x00 and always write 65 bytes (CTAP 2.2 §11.2.3; hidapi hid_write). Leaving it
      // off appears to work for CIDs whose first byte is nonzero and silently truncates the others.
      const report = Buffer.alloc(HID_REPORT_SIZE + 1);
      report.set(frame, 1);
      try {
        await this.#device.write(report);
      } catch (err) {
        const reason = err instanceof Error ? err.message.split('\n')[0] ?? 'write failed' : 'write failed';
        const failure = new DeviceDisconnectedError(reason);
        this.#fail(failure);
        throw failure;
      }
    }
  }

  #nextReport(deadline: number, signal: AbortSignal | undefined): Promise<NextReport> {
    if (this.#failure) return Promise.reject(this.#failure);
    const queued = this.#inbox.shift();
    if (queued) return Promise.resolve(queued);
    if (signal?.aborted) return Promise.resolve('aborted');
    return new Promise<NextReport>((resolve, reject) => {
      const finish = (r: NextReport | HardwareError): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (this.#waiter === waiter) this.#waiter = undefined;
        if (r instanceof HardwareError) reject(r);
        else resolve(r);
      };
      const waiter = (r: Uint8Array | HardwareError): void => finish(r);
      const onAbort = (): void => finish('aborted');
      const timer = setTimeout(() => finish('timeout'), Math.max(0, deadline - Date.now()));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiter = waiter;
    });
  }
}

function describeCommand(cmd: number): string {
  switch (cmd) {
    case CtapHidCmd.CBOR:
      return 'the CTAP2 request';
    case CtapHidCmd.PING:
      return 'PING';
    case CtapHidCmd.WINK:
      return 'WINK';
    case CtapHidCmd.INIT:
      return 'INIT';
    default:
      return `CTAPHID command 0x${cmd.toString(16)}`;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
