// node-hid for real: the native binding loads on this machine, enumeration runs and finds no FIDO key (CI has no
// HID devices), and opening a missing path is a typed error. With BREAKGLASS_HARDWARE_TESTS=1 and one key attached,
// the read-only checks at the end run against that real key instead (never anything that spends a PIN try).
import { describe, expect, it } from 'vitest';
import { nodeHidBackend } from '../../../hardware/node-hid-backend.ts';
import { isFidoDevice } from '../../../hardware/hid-device.ts';
import { KeyNotFoundAtPathError } from '../../../hardware/errors.ts';
import { SecurityKey, listKeys } from '../../../hardware/security-key.ts';

const hardware = process.env.BREAKGLASS_HARDWARE_TESTS === '1';

describe('node-hid on this machine', () => {
  it('loads the native binding and enumerates HID devices without error', async () => {
    const mod = (await import('node-hid')) as typeof import('node-hid') & { default?: typeof import('node-hid') };
    const hid = mod.default ?? mod;
    const all = await hid.devicesAsync();
    expect(Array.isArray(all)).toBe(true);
    expect(hid.getHidapiVersion()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('finds only FIDO interfaces, and here none', async () => {
    const keys = await listKeys(nodeHidBackend());
    expect(keys.every(isFidoDevice)).toBe(true);
    if (hardware) console.info(`BREAKGLASS_HARDWARE_TESTS=1: ${keys.length} FIDO key(s) attached: ${keys.map((k) => k.path).join(', ')}`);
    else expect(keys).toEqual([]);
  });

  it('reports a path with no device behind it as a typed "no key at PATH" error', async () => {
    const err = await nodeHidBackend().open('/dev/hidraw-breakglass-test-missing').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeyNotFoundAtPathError);
    expect((err as Error).message).toContain('breakglass key list');
  });
});

if (!hardware) console.info('real-key checks not run: set BREAKGLASS_HARDWARE_TESTS=1 with exactly one FIDO2 key attached to run them');
describe.runIf(hardware)('a real key attached (opt-in, read-only)', () => {
  it('reads getInfo and PIN retries over node-hid', async () => {
    const key = await SecurityKey.openOnly();
    try {
      const report = await key.report();
      console.info(`real key: ${report.model} ${report.info.aaguid} versions ${report.info.versions.join(',')}`);
      expect(report.info.aaguid).toMatch(/^[0-9a-f-]{36}$/);
      expect(report.info.versions.length).toBeGreaterThan(0);
    } finally {
      await key.close();
    }
  });
});
