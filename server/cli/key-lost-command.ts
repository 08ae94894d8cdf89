// `breakglass key lost <key id> --reason TEXT`: reports a key lost. Entra still accepts it until it is revoked, which
// happens under four eyes when its replacement runs (`breakglass enroll request <account> --replace <key id>`).
import { reportKeyLost } from '../accounts/key-inventory.ts';
import { configOption } from './cli-config.ts';
import { EXIT_OK, flag, writeJson, writeLine, type Command } from './command.ts';
import { cliActor, requireText } from './enrollment-cli.ts';
import { withStoreAudit, type StoreCliDeps } from './store-cli.ts';

export function createKeyLostCommand(deps: StoreCliDeps = {}): Command {
  return {
    words: ['key', 'lost'],
    summary: 'Report a key lost (then replace it: enroll request --replace)',
    usage: 'key lost <key id> --reason TEXT [--json]',
    options: { ...configOption, json: { type: 'boolean' }, reason: { type: 'string' } },
    positionals: { min: 1, max: 1, names: '<key id>' },
    async run(ctx) {
      const reason = requireText(ctx, 'reason', 'what happened to the key');
      const k = await withStoreAudit(ctx, deps, (audit) => reportKeyLost({ audit }, { key: ctx.positionals[0]!, reason, actor: cliActor() }));
      if (flag(ctx, 'json')) writeJson(ctx.io, k);
      else {
        writeLine(ctx.io.stdout, `${k.displayName} is recorded as LOST.`);
        if (k.graphMethodId) writeLine(ctx.io.stdout, `Entra still accepts it (method ${k.graphMethodId}). Revoke it by replacing it: breakglass enroll request <account> --replace ${k.id} --mode guided|direct --reason "..."`);
      }
      return EXIT_OK;
    },
  };
}
