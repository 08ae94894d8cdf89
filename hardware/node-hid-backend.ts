// Finding and opening FIDO keys through node-hid 3 (hidapi): enumerate HID interfaces, keep those with the FIDO
// usage page 0xF1D0 / usage 1 (never filter by vendor), and open one by path as an `HIDAsync` device. The native
// binding loads lazily on first use, so importing this module never touches native code; a machine without the
// libraries it links (libusb-1.0, libudev) gets a HidUnavailableError, not a crash.
import { DevicePermissionError, HidUnavailableError, KeyNotFoundAtPathError } from './errors.ts';
import { isFidoDevice, type HidDevice, type HidDeviceInfo } from './hid-device.ts';

type NodeHid = typeof import('node-hid');

/** Where keys come from: node-hid in production, a fake or the virtual key in tests. */
export interface HidBackend {
  /** FIDO interfaces only, sorted by path. */
  listFidoDevices(): Promise<HidDeviceInfo[]>;
  open(path: string): Promise<HidDevice>;
}

export interface NodeHidBackendOptions {
  /** Loads node-hid; injectable so tests can simulate a missing binding. */
  load?: () => Promise<NodeHid>;
  platform?: NodeJS.Platform;
}

async function loadNodeHid(): Promise<NodeHid> {
  const mod = (await import('node-hid')) as NodeHid & { default?: NodeHid };
  return mod.default ?? mod;
}

export function nodeHidBackend(options: NodeHidBackendOptions = {}): HidBackend {
  const load = options.load ?? loadNodeHid;
  const platform = options.platform ?? process.platform;
  let hid: NodeHid | undefined;
  const get = async (): Promise<NodeHid> => {
    if (hid) return hid;
    try {
      const loaded = await load();
      // On Linux only the hidraw driver reports usage pages (CTAP 2.2 §11.2.8.1 identification depends on them).
      if (platform === 'linux') loaded.setDriverType('hidraw');
      hid = loaded;
      return loaded;
    } catch (err) {
      throw new HidUnavailableError(firstLine(err), err);
    }
  };
  return {
    async listFidoDevices() {
      const h = await get();
      let devices: HidDeviceInfo[];
      try {
        devices = await h.devicesAsync();
      } catch (err) {
        throw new HidUnavailableError(firstLine(err), err);
      }
      return devices
        .filter((d) => isFidoDevice(d) && typeof d.path === 'string' && d.path.length > 0)
        .sort((a, b) => (a.path ?? '').localeCompare(b.path ?? ''));
    },
    async open(path) {
      const h = await get();
      try {
        // nonExclusive matters on macOS only, where hidapi opens exclusively and a browser may hold the key.
        return await h.HIDAsync.open(path, { nonExclusive: true });
      } catch (err) {
        const message = firstLine(err);
        if (/permission denied|access is denied|EACCES|not permitted/i.test(message)) throw new DevicePermissionError(path, platform, err);
        if (/no such file|not found|ENOENT|cannot open device/i.test(message)) throw new KeyNotFoundAtPathError(path, err);
        throw new HidUnavailableError(`opening ${path} failed: ${message}`, err);
      }
    },
  };
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] ?? 'unknown error';
}
