// `breakglass key list`: the FIDO2 security keys attached to this machine (HID usage page 0xF1D0), as node-hid
// enumerates them. Exit 0 when at least one key is found, 1 when none is (with the permissions hint), 2 on usage.
import { NoKeyFoundError } from '../../hardware/index.ts';
import { CliError, EXIT_FAILURE, EXIT_OK, flag, writeJson, writeLine, type Command } from './command.ts';
import { defaultKeyDeps, describeDevice, hex4, translateHardwareErrors, type KeyCommandDeps } from './key-support.ts';

export function createKeyListCommand(deps: KeyCommandDeps = defaultKeyDeps): Command {
  return {
    words: ['key', 'list'],
    summary: 'List the FIDO2 security keys attached over USB',
    usage: 'key list [--json]',
    help: ['Exit status: 0 keys found, 1 no key found, 2 usage error.'],
    options: { json: { type: 'boolean' } },
    async run(ctx) {
      const json = flag(ctx, 'json');
      const devices = await translateHardwareErrors(() => deps.backend().listFidoDevices());
      if (json) {
        writeJson(ctx.io, {
          devices: devices.map((d) => ({
            path: d.path ?? null,
            vendorId: hex4(d.vendorId),
            productId: hex4(d.productId),
            manufacturer: d.manufacturer ?? null,
            product: d.product ?? null,
            serialNumber: d.serialNumber ?? null,
            release: d.release,
            interface: d.interface,
          })),
        });
      } else {
        for (const d of devices) writeLine(ctx.io.stdout, `${describeDevice(d)}${d.serialNumber ? ` serial ${d.serialNumber}` : ''}`);
      }
      if (devices.length === 0) throw new CliError(new NoKeyFoundError().message, EXIT_FAILURE);
      return EXIT_OK;
    },
  };
}

export const keyListCommand: Command = createKeyListCommand();
