// `breakglass key inventory [<account>]`: the keys breakglass knows, per account — model and AAGUID, serial, Entra
// method id, credential id, where each key is kept and under which seal, and how it entered the inventory.
import type { Writable } from 'node:stream';
import { listAccounts, requireAccount } from '../accounts/emergency-accounts.ts';
import { listKeys, type AccountKey } from '../accounts/key-inventory.ts';
import { configOption } from './cli-config.ts';
import { EXIT_OK, flag, writeJson, writeLine, type Command } from './command.ts';
import { withStore, type StoreCliDeps } from './store-cli.ts';

export function printKeys(out: Writable, keys: AccountKey[], indent = ''): void {
  if (keys.length === 0) writeLine(out, `${indent}none: enroll one with \`breakglass enroll request\`, or adopt a key Entra has with \`breakglass key adopt\``);
  for (const k of keys) {
    writeLine(out, `${indent}${k.displayName}  [${k.status.toUpperCase()}]  key ${k.id}`);
    writeLine(out, `${indent}  model ${k.model}, AAGUID ${k.aaguid}${k.serial ? `, serial ${k.serial}` : ''}`);
    writeLine(out, `${indent}  Entra method ${k.graphMethodId ?? '—'}${k.credentialId ? `, credential ${k.credentialId}` : ''}${k.registeredAt ? `, registered ${k.registeredAt}` : ''}`);
    writeLine(out, `${indent}  kept: ${k.location || 'location not recorded'}${k.sealNumber ? `, seal ${k.sealNumber}` : ', no seal recorded'}; via ${k.enrolledVia}${k.enrollmentId ? ` (enrollment ${k.enrollmentId})` : ''}`);
    if (k.status !== 'active') writeLine(out, `${indent}  ${k.status} ${k.statusChangedAt} by ${k.statusChangedBy}: ${k.statusReason}`);
  }
}

export function createKeyInventoryCommand(deps: StoreCliDeps = {}): Command {
  return {
    words: ['key', 'inventory'],
    summary: 'List the emergency accounts\' keys with custody (safe, seal) and Entra ids',
    usage: 'key inventory [<account>] [--all] [--json]',
    help: ['--all   also keys that were replaced, revoked or retired'],
    options: { ...configOption, json: { type: 'boolean' }, all: { type: 'boolean' } },
    positionals: { min: 0, max: 1, names: '[<account>]' },
    async run(ctx) {
      const status = flag(ctx, 'all') ? undefined : (['active', 'lost'] as const);
      const groups = await withStore(ctx, deps, async (db) => {
        const accounts = ctx.positionals[0] ? [await requireAccount(db, ctx.positionals[0])] : await listAccounts(db, { status: 'active' });
        return Promise.all(accounts.map(async (a) => ({ account: { id: a.id, upn: a.upn }, keys: await listKeys(db, { accountId: a.id, ...(status ? { status: [...status] } : {}) }) })));
      });
      if (flag(ctx, 'json')) writeJson(ctx.io, { accounts: groups });
      else {
        for (const g of groups) {
          writeLine(ctx.io.stdout, `${g.account.upn}:`);
          printKeys(ctx.io.stdout, g.keys, '  ');
        }
        if (groups.length === 0) writeLine(ctx.io.stdout, 'no emergency accounts yet');
      }
      return EXIT_OK;
    },
  };
}
