// `breakglass key adopt <account> <Entra method id> [--location] [--seal] [--serial]`: takes a key Entra already has
// for the account (registered before breakglass, or reported by reconcile) into the inventory with its custody.
import { adoptKey } from '../accounts/key-inventory.ts';
import { requireDirectory } from '../runtime.ts';
import { configOption } from './cli-config.ts';
import { EXIT_OK, flag, stringOption, writeJson, writeLine, type Command } from './command.ts';
import { cliActor, withEnrollment, type EnrollmentCliDeps } from './enrollment-cli.ts';
import { printKeys } from './key-inventory-command.ts';

export function createKeyAdoptCommand(deps: EnrollmentCliDeps = {}): Command {
  return {
    words: ['key', 'adopt'],
    summary: 'Add a key Entra already has for an emergency account to the inventory',
    usage: 'key adopt <account> <Entra method id> [--location TEXT] [--seal NUMBER] [--serial SERIAL] [--json]',
    options: { ...configOption, json: { type: 'boolean' }, location: { type: 'string' }, seal: { type: 'string' }, serial: { type: 'string' } },
    positionals: { min: 2, max: 2, names: '<account> <Entra method id>' },
    async run(ctx) {
      const location = stringOption(ctx, 'location');
      const seal = stringOption(ctx, 'seal');
      const serial = stringOption(ctx, 'serial');
      const key = await withEnrollment(ctx, deps, ({ runtime }) =>
        adoptKey({ audit: runtime.audit, directory: requireDirectory(runtime) }, {
          account: ctx.positionals[0]!, methodId: ctx.positionals[1]!, actor: cliActor(),
          ...(location ? { location } : {}), ...(seal ? { sealNumber: seal } : {}), ...(serial ? { serial } : {}),
        }),
      );
      if (flag(ctx, 'json')) writeJson(ctx.io, key);
      else {
        writeLine(ctx.io.stdout, 'adopted into the inventory:');
        printKeys(ctx.io.stdout, [key], '  ');
      }
      return EXIT_OK;
    },
  };
}
