// `breakglass account custodian add <account> --name NAME [--contact C] [--role R]`: records a person authorised to
// open the safe and use the account's keys.
import { addCustodian } from '../accounts/custodians.ts';
import { configOption } from './cli-config.ts';
import { EXIT_OK, flag, stringOption, writeJson, writeLine, type Command } from './command.ts';
import { cliActor, requireText } from './enrollment-cli.ts';
import { withStoreAudit, type StoreCliDeps } from './store-cli.ts';

export function createAccountCustodianAddCommand(deps: StoreCliDeps = {}): Command {
  return {
    words: ['account', 'custodian', 'add'],
    summary: 'Add a custodian (a person authorised to open the safe) to an emergency account',
    usage: 'account custodian add <account> --name NAME [--contact EMAIL] [--role ROLE] [--json]',
    options: { ...configOption, json: { type: 'boolean' }, name: { type: 'string' }, contact: { type: 'string' }, role: { type: 'string' } },
    positionals: { min: 1, max: 1, names: '<account>' },
    async run(ctx) {
      const name = requireText(ctx, 'name', 'the custodian\'s name', 120);
      const contact = stringOption(ctx, 'contact');
      const role = stringOption(ctx, 'role');
      const c = await withStoreAudit(ctx, deps, (audit) => addCustodian({ audit }, { account: ctx.positionals[0]!, name, actor: cliActor(), ...(contact ? { contact } : {}), ...(role ? { role } : {}) }));
      if (flag(ctx, 'json')) writeJson(ctx.io, c);
      else writeLine(ctx.io.stdout, `added custodian ${c.name} (id ${c.id})`);
      return EXIT_OK;
    },
  };
}
