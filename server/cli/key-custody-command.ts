// `breakglass key custody <key id> [--location TEXT] [--seal NUMBER] --reason TEXT`: records where a key is kept now
// (moved to another safe, re-sealed after a drill).
import { updateCustody } from '../accounts/key-inventory.ts';
import { configOption } from './cli-config.ts';
import { EXIT_OK, flag, stringOption, writeJson, writeLine, type Command } from './command.ts';
import { cliActor, requireText } from './enrollment-cli.ts';
import { withStoreAudit, type StoreCliDeps } from './store-cli.ts';

export function createKeyCustodyCommand(deps: StoreCliDeps = {}): Command {
  return {
    words: ['key', 'custody'],
    summary: 'Record a key\'s new location or seal number',
    usage: 'key custody <key id> [--location TEXT] [--seal NUMBER] --reason TEXT [--json]',
    options: { ...configOption, json: { type: 'boolean' }, location: { type: 'string' }, seal: { type: 'string' }, reason: { type: 'string' } },
    positionals: { min: 1, max: 1, names: '<key id>' },
    async run(ctx) {
      const reason = requireText(ctx, 'reason', 'why the custody changed');
      const location = stringOption(ctx, 'location');
      const seal = stringOption(ctx, 'seal');
      const k = await withStoreAudit(ctx, deps, (audit) => updateCustody({ audit }, { key: ctx.positionals[0]!, reason, actor: cliActor(), ...(location !== undefined ? { location } : {}), ...(seal !== undefined ? { sealNumber: seal } : {}) }));
      if (flag(ctx, 'json')) writeJson(ctx.io, k);
      else writeLine(ctx.io.stdout, `${k.displayName}: kept at ${k.location || '(no location)'}, seal ${k.sealNumber || '(none)'}`);
      return EXIT_OK;
    },
  };
}
