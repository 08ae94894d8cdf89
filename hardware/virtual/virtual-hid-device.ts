// One open handle on a virtual key, behaving like node-hid 3's HIDAsync: `write()` takes 65 bytes (report ID 0x00 +
// 64-byte report) and rejects anything else; input reports arrive asynchronously as 64-byte `data` Buffers. Like a
// Linux hidraw file descriptor, every handle receives every input report of the key, and a handle without a `data`
// listener keeps at most 64 unread reports (HIDRAW_BUFFER_SIZE), dropping the oldest.
import { EventEmitter } from 'node:events';
import { HID_REPORT_SIZE } from '../ctaphid-framing.ts';
import type { HidDevice, HidDeviceInfo } from '../hid-device.ts';

const RING_SIZE = 64;

export interface VirtualHidPort {
  receive(report: Uint8Array): void;
  detach(handle: VirtualHidDevice): void;
}

export class VirtualHidDevice extends EventEmitter implements HidDevice {
  readonly #port: VirtualHidPort;
  readonly #info: HidDeviceInfo;
  #closed = false;
  #ring: Uint8Array[] = [];

  constructor(port: VirtualHidPort, info: HidDeviceInfo) {
    super();
    this.#port = port;
    this.#info = info;
    this.on('newListener', (event: string | symbol) => {
      if (event === 'data') setImmediate(() => this.#flush());
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  async write(report: Buffer | number[]): Promise<number> {
    if (this.#closed) throw new Error('Cannot write to a closed HID device');
    const bytes = Buffer.from(report);
    if (bytes.length !== HID_REPORT_SIZE + 1) {
      throw new Error(`virtual FIDO key: an output report is 65 bytes (report ID 0x00 + 64), got ${bytes.length}`);
    }
    if (bytes[0] !== 0x00) throw new Error('virtual FIDO key: the report ID byte must be 0x00 (FIDO interfaces use unnumbered reports)');
    this.#port.receive(new Uint8Array(bytes.subarray(1)));
    return bytes.length;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#port.detach(this);
    this.#ring = [];
    this.removeAllListeners();
  }

  async getDeviceInfo(): Promise<HidDeviceInfo> {
    return { ...this.#info };
  }

  /** Called by the key for every input report. */
  deliver(report: Uint8Array): void {
    if (this.#closed) return;
    // Only an unread handle loses reports: with a `data` listener node-hid's read thread drains them as they come.
    if (this.listenerCount('data') === 0 && this.#ring.length >= RING_SIZE) this.#ring.shift();
    this.#ring.push(report);
    setImmediate(() => this.#flush());
  }

  /** Simulates the device going away under an open handle (hidapi read error). */
  fail(message: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ring = [];
    setImmediate(() => this.emit('error', new Error(message)));
  }

  #flush(): void {
    while (!this.#closed && this.listenerCount('data') > 0 && this.#ring.length) {
      this.emit('data', Buffer.from(this.#ring.shift()!));
    }
  }
}
