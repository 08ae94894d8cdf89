// `breakglass account custodian remove <custodian id> --reason TEXT`: a custodian left or changed role. Restarts the
// account's drill clock (validate after staff changes) and reminds to change the safe's combination.
import { removeCustodian } from '../accounts/custodians.ts';
import { defaultLifecycleHooks, type LifecycleHooks } from '../accounts/lifecycle-hooks.ts';
import { configOption } from './cli-config.ts';
import { EXIT_OK, flag, writeJson, writeLine, type Command } from './command.ts';
import { cliActor, requireText } from './enrollment-cli.ts';
import { withStoreAudit, type StoreCliDeps } from './store-cli.ts';

export function createAccountCustodianRemoveCommand(deps: StoreCliDeps & { hooks?: LifecycleHooks } = {}): Command {
  return {
    words: ['account', 'custodian', 'remove'],
    summary: 'Remove a custodian (restarts the account\'s drill clock)',
    usage: 'account custodian remove <custodian id> --reason TEXT [--json]',
    options: { ...configOption, json: { type: 'boolean' }, reason: { type: 'string' } },
    positionals: { min: 1, max: 1, names: '<custodian id>' },
    async run(ctx) {
      const reason = requireText(ctx, 'reason', 'why the custodian leaves');
      const r = await withStoreAudit(ctx, deps, (audit) => removeCustodian({ audit, hooks: deps.hooks ?? defaultLifecycleHooks }, { custodian: ctx.positionals[0]!, reason, actor: cliActor() }));
      if (flag(ctx, 'json')) writeJson(ctx.io, r);
      else {
        writeLine(ctx.io.stdout, `removed custodian ${r.custodian.name}; the account's next drill is now due by ${r.drillDueAt}`);
        writeLine(ctx.io.stdout, 'Change the safe\'s combination too (Microsoft: after any departure).');
      }
      return EXIT_OK;
    },
  };
}
