// The device side of CTAPHID (CTAP 2.2 §11.2) for the virtual authenticator, modelled on what real firmware does
// (Solo1 fido2/ctaphid.c): channel allocation on INIT with nonce echo, resynchronisation by INIT on an allocated
// channel, one message in reassembly and one transaction at a time (ERR_CHANNEL_BUSY to other channels),
// ERR_INVALID_SEQ on out-of-order continuations, ERR_MSG_TIMEOUT when continuations stop, ERR_INVALID_CHANNEL for
// CID 0 / broadcast / unallocated channels, KEEPALIVE every ~100 ms while a CBOR request is pending (UPNEEDED while
// waiting for a touch), and CANCEL ending the pending request with KEEPALIVE_CANCEL.
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { concatBytes, readUint32BE, uint32BE } from '../bytes.ts';
import {
  BROADCAST_CID,
  Capability,
  CtapHidCmd,
  CtapHidErrorCode,
  HID_REPORT_SIZE,
  KeepaliveStatus,
  MAX_MESSAGE_SIZE,
  MessageAssembler,
  decodeFrame,
  encodeFrames,
} from '../ctaphid-framing.ts';
import type { RequestContext } from './virtual-authenticator.ts';

export interface CborHandler {
  handle(request: Uint8Array, ctx: RequestContext): Promise<Uint8Array>;
}

export interface VirtualCtapHidOptions {
  deviceVersion: { major: number; minor: number; build: number };
  capabilities: number;
  /** KEEPALIVE cadence while a request is pending; real keys send one about every 100 ms. */
  keepaliveIntervalMs?: number;
  /** A half-received message is dropped with ERR_MSG_TIMEOUT after this long (Solo1: 750 ms). */
  messageTimeoutMs?: number;
  randomBytes?: (length: number) => Uint8Array;
  /** Called on CTAPHID_WINK. */
  onWink?: () => void;
}

interface Assembly {
  cid: number;
  assembler: MessageAssembler;
  timer: NodeJS.Timeout;
}

interface Pending {
  cid: number;
  abort: AbortController;
  status: number;
  timer: NodeJS.Timeout;
}

const CTAPHID_PROTOCOL_VERSION = 2;

export class VirtualCtapHid {
  readonly #handler: CborHandler;
  readonly #emit: (report: Uint8Array) => void;
  readonly #options: Required<Omit<VirtualCtapHidOptions, 'onWink'>> & Pick<VirtualCtapHidOptions, 'onWink'>;
  #channels = new Set<number>();
  #assembly: Assembly | undefined;
  #pending: Pending | undefined;

  constructor(handler: CborHandler, emit: (report: Uint8Array) => void, options: VirtualCtapHidOptions) {
    this.#handler = handler;
    this.#emit = emit;
    this.#options = {
      keepaliveIntervalMs: 100,
      messageTimeoutMs: 750,
      randomBytes: (n) => new Uint8Array(nodeRandomBytes(n)),
      ...options,
    };
  }

  /** Whether a CBOR request is being processed. */
  get busy(): boolean {
    return this.#pending !== undefined;
  }

  /** Power cycle: forget every channel and drop whatever was in flight without answering. */
  reset(): void {
    this.#dropAssembly();
    this.#dropPending();
    this.#channels.clear();
  }

  /** One 64-byte output report from the host. */
  receive(report: Uint8Array): void {
    if (report.length !== HID_REPORT_SIZE) return;
    const frame = decodeFrame(report);
    const { cid } = frame;
    if (cid === 0) return this.#error(cid, CtapHidErrorCode.INVALID_CHANNEL);
    if (frame.kind === 'init' && frame.cmd === CtapHidCmd.INIT) return this.#init(cid, frame.length, frame.data);
    if (cid === BROADCAST_CID) return this.#error(cid, CtapHidErrorCode.INVALID_CHANNEL);
    if (!this.#channels.has(cid)) {
      if (frame.kind === 'init') this.#error(cid, CtapHidErrorCode.INVALID_CHANNEL);
      return; // continuation on an unknown channel: ignore
    }
    if (frame.kind === 'cont') {
      const a = this.#assembly;
      if (!a || a.cid !== cid) return; // spurious continuation: ignore (CTAP 2.2 §11.2.4)
      const result = a.assembler.push(frame);
      if (result.state === 'error') {
        this.#dropAssembly();
        return this.#error(cid, CtapHidErrorCode.INVALID_SEQ);
      }
      if (result.state === 'complete') {
        this.#dropAssembly();
        return this.#dispatch(cid, result.cmd, result.payload);
      }
      a.timer.refresh();
      return;
    }
    if (frame.cmd === CtapHidCmd.CANCEL) {
      if (this.#pending?.cid === cid) this.#pending.abort.abort();
      return; // CANCEL is never answered by itself
    }
    if (this.#assembly) {
      if (this.#assembly.cid === cid) {
        this.#dropAssembly();
        return this.#error(cid, CtapHidErrorCode.INVALID_SEQ);
      }
      return this.#error(cid, CtapHidErrorCode.CHANNEL_BUSY);
    }
    if (this.#pending) return this.#error(cid, CtapHidErrorCode.CHANNEL_BUSY);
    if (frame.length > MAX_MESSAGE_SIZE) return this.#error(cid, CtapHidErrorCode.INVALID_LEN);
    const assembler = new MessageAssembler();
    const result = assembler.push(frame);
    if (result.state === 'complete') return this.#dispatch(cid, result.cmd, result.payload);
    if (result.state === 'error') return this.#error(cid, CtapHidErrorCode.INVALID_LEN);
    const timer = setTimeout(() => {
      if (this.#assembly?.cid !== cid) return;
      this.#assembly = undefined;
      this.#error(cid, CtapHidErrorCode.MSG_TIMEOUT);
    }, this.#options.messageTimeoutMs);
    this.#assembly = { cid, assembler, timer };
  }

  #init(cid: number, length: number, data: Uint8Array): void {
    if (length !== 8) return this.#error(cid, CtapHidErrorCode.INVALID_LEN);
    const nonce = data.slice(0, 8);
    let assigned: number;
    if (cid === BROADCAST_CID) {
      assigned = this.#newChannel();
      this.#channels.add(assigned);
    } else {
      if (!this.#channels.has(cid)) return this.#error(cid, CtapHidErrorCode.INVALID_CHANNEL);
      // INIT on an allocated channel resynchronises it: whatever it had in flight is abandoned unanswered.
      if (this.#assembly?.cid === cid) this.#dropAssembly();
      if (this.#pending?.cid === cid) this.#dropPending();
      assigned = cid;
    }
    const { major, minor, build } = this.#options.deviceVersion;
    const body = concatBytes(nonce, uint32BE(assigned), Uint8Array.of(CTAPHID_PROTOCOL_VERSION, major, minor, build, this.#options.capabilities));
    this.#send(cid, CtapHidCmd.INIT, body);
  }

  #newChannel(): number {
    for (;;) {
      const cid = readUint32BE(this.#options.randomBytes(4), 0);
      if (cid !== 0 && cid !== BROADCAST_CID && !this.#channels.has(cid)) return cid;
    }
  }

  #dispatch(cid: number, cmd: number, payload: Uint8Array): void {
    const caps = this.#options.capabilities;
    switch (cmd) {
      case CtapHidCmd.PING:
        return this.#send(cid, CtapHidCmd.PING, payload);
      case CtapHidCmd.WINK:
        if (!(caps & Capability.WINK)) return this.#error(cid, CtapHidErrorCode.INVALID_CMD);
        this.#options.onWink?.();
        return this.#send(cid, CtapHidCmd.WINK, new Uint8Array(0));
      case CtapHidCmd.CBOR:
        if (payload.length === 0) return this.#error(cid, CtapHidErrorCode.INVALID_LEN);
        return this.#cbor(cid, payload);
      default:
        // MSG (the key sets NMSG: no CTAP1/U2F), LOCK (not offered) and unknown commands.
        return this.#error(cid, CtapHidErrorCode.INVALID_CMD);
    }
  }

  #cbor(cid: number, payload: Uint8Array): void {
    const abort = new AbortController();
    const pending: Pending = {
      cid,
      abort,
      status: KeepaliveStatus.PROCESSING,
      timer: setInterval(() => this.#keepalive(pending), this.#options.keepaliveIntervalMs),
    };
    this.#pending = pending;
    const ctx: RequestContext = {
      signal: abort.signal,
      setStatus: (s) => {
        const next = s === 'upneeded' ? KeepaliveStatus.UPNEEDED : KeepaliveStatus.PROCESSING;
        if (next === pending.status) return;
        pending.status = next;
        // Tell the host at once that a touch is needed; the interval keeps repeating it.
        if (next === KeepaliveStatus.UPNEEDED) this.#keepalive(pending);
      },
    };
    void this.#handler
      .handle(payload, ctx)
      .catch(() => Uint8Array.of(0x7f)) // CTAP1_ERR_OTHER; the authenticator is written never to get here
      .then((response) => {
        clearInterval(pending.timer);
        if (this.#pending !== pending) return; // abandoned by INIT resync or a power cycle
        this.#pending = undefined;
        this.#send(cid, CtapHidCmd.CBOR, response);
      });
  }

  #keepalive(pending: Pending): void {
    if (this.#pending !== pending) return;
    this.#send(pending.cid, CtapHidCmd.KEEPALIVE, Uint8Array.of(pending.status));
  }

  #dropAssembly(): void {
    if (this.#assembly) clearTimeout(this.#assembly.timer);
    this.#assembly = undefined;
  }

  #dropPending(): void {
    const p = this.#pending;
    if (!p) return;
    this.#pending = undefined;
    clearInterval(p.timer);
    p.abort.abort();
  }

  #error(cid: number, code: number): void {
    this.#send(cid, CtapHidCmd.ERROR, Uint8Array.of(code));
  }

  #send(cid: number, cmd: number, payload: Uint8Array): void {
    for (const frame of encodeFrames(cid, cmd, payload)) this.#emit(frame);
  }
}
