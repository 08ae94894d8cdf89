// The node-hid adapter with a stand-in module: FIDO filtering, and the errors a person sees when the key is not
// accessible (permissions, unplugged, native library missing).
import { describe, expect, it } from 'vitest';
import { nodeHidBackend } from '../../../hardware/node-hid-backend.ts';
import { DevicePermissionError, HidUnavailableError, KeyNotFoundAtPathError } from '../../../hardware/errors.ts';

type NodeHid = typeof import('node-hid');

function fakeHid(overrides: Partial<Record<'devicesAsync' | 'open', unknown>>): () => Promise<NodeHid> {
  return async () =>
    ({
      setDriverType: () => undefined,
      devicesAsync: overrides.devicesAsync ?? (async () => []),
      HIDAsync: { open: overrides.open ?? (async () => ({})) },
    }) as unknown as NodeHid;
}

describe('nodeHidBackend', () => {
  it('keeps only FIDO interfaces (usage page 0xF1D0, usage 1) with a path, sorted by path', async () => {
    const backend = nodeHidBackend({
      platform: 'linux',
      load: fakeHid({
        devicesAsync: async () => [
          { vendorId: 0x1050, productId: 0x0407, path: '/dev/hidraw5', usagePage: 0xf1d0, usage: 1, release: 0, interface: 1 },
          { vendorId: 0x1050, productId: 0x0407, path: '/dev/hidraw4', usagePage: 0x01, usage: 6, release: 0, interface: 0 },
          { vendorId: 0x096e, productId: 0x0858, path: '/dev/hidraw2', usagePage: 0xf1d0, usage: 1, release: 0, interface: 0 },
          { vendorId: 0x096e, productId: 0x0858, path: '/dev/hidraw3', usagePage: 0xf1d0, usage: 2, release: 0, interface: 0 },
        ],
      }),
    });
    expect((await backend.listFidoDevices()).map((d) => d.path)).toEqual(['/dev/hidraw2', '/dev/hidraw5']);
  });

  it('reports a permission problem with the Linux udev hint', async () => {
    const backend = nodeHidBackend({
      platform: 'linux',
      load: fakeHid({ open: async () => Promise.reject(new Error("cannot open device with path /dev/hidraw0: Failed to open a device with path '/dev/hidraw0': Permission denied")) }),
    });
    const err = await backend.open('/dev/hidraw0').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DevicePermissionError);
    expect((err as Error).message).toMatch(/found a key at \/dev\/hidraw0 but may not open it .*udev/);
  });

  it('reports the Windows elevation requirement on Windows', async () => {
    const backend = nodeHidBackend({ platform: 'win32', load: fakeHid({ open: async () => Promise.reject(new Error('Access is denied.')) }) });
    const err = await backend.open('\\\\?\\hid#vid_1050').catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/elevated process/);
  });

  it('reports a vanished path as "no key at PATH"', async () => {
    const backend = nodeHidBackend({
      platform: 'linux',
      load: fakeHid({ open: async () => Promise.reject(new Error("cannot open device with path /dev/hidraw9: Failed to open a device with path '/dev/hidraw9': No such file or directory")) }),
    });
    expect(await backend.open('/dev/hidraw9').catch((e: unknown) => e)).toBeInstanceOf(KeyNotFoundAtPathError);
  });

  it('reports a missing native library as HID unavailable, not a crash', async () => {
    const backend = nodeHidBackend({ load: async () => Promise.reject(new Error('libusb-1.0.so.0: cannot open shared object file: No such file or directory')) });
    const err = await backend.listFidoDevices().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HidUnavailableError);
    expect((err as Error).message).toMatch(/libusb-1\.0\.so\.0.*install libusb-1\.0-0/);
  });
});
