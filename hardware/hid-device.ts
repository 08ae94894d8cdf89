// The device interface the CTAPHID transport talks to. It is the subset of node-hid 3's `HIDAsync` (and of the
// sync `HID` class) that a FIDO client needs, so a real key and the virtual authenticator plug in the same way:
// `write()` takes the 64-byte report *with the leading report-ID byte 0x00* (65 bytes, CTAP 2.2 §11.2.3; hidapi's
// hid_write convention), and input reports arrive as 64-byte `data` events without a report ID.

/** One FIDO HID device as node-hid enumerates it (`HID.devices()`). */
export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string | undefined;
  serialNumber?: string | undefined;
  manufacturer?: string | undefined;
  product?: string | undefined;
  release: number;
  interface: number;
  usagePage?: number | undefined;
  usage?: number | undefined;
}

export interface HidDevice {
  /** Writes one output report: byte 0 is the report ID (always 0x00 for FIDO), then 64 bytes. */
  write(report: Buffer | number[]): Promise<number> | number;
  on(event: 'data', listener: (report: Buffer) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  removeListener(event: 'data', listener: (report: Buffer) => void): unknown;
  removeListener(event: 'error', listener: (error: unknown) => void): unknown;
  close(): Promise<void> | void;
}

/** FIDO usage page and usage of the CTAPHID top-level collection (CTAP 2.2 §11.2.8.1). */
export const FIDO_USAGE_PAGE = 0xf1d0;
export const FIDO_USAGE_CTAPHID = 0x01;

/** Whether an enumerated HID interface is a FIDO authenticator. Never filter by VID/PID: many vendors exist. */
export function isFidoDevice(info: Pick<HidDeviceInfo, 'usagePage' | 'usage'>): boolean {
  return info.usagePage === FIDO_USAGE_PAGE && info.usage === FIDO_USAGE_CTAPHID;
}
