// `breakglass account list`: the emergency accounts with their key count, custodians, open enrollment and the last
// reconcile's verdict, from breakglass's own records (no Graph call; `account reconcile` compares with Entra).
import { listAccounts } from '../accounts/emergency-accounts.ts';
import { inventorySummary } from '../accounts/inventory-view.ts';
import { configOption } from './cli-config.ts';
import { EXIT_OK, flag, writeJson, writeLine, type Command } from './command.ts';
import { withStore, type StoreCliDeps } from './store-cli.ts';

export function createAccountListCommand(deps: StoreCliDeps = {}): Command {
  return {
    words: ['account', 'list'],
    summary: 'List the emergency accounts, their keys, custodians and last reconcile',
    usage: 'account list [--all] [--json]',
    help: ['--all   include retired accounts'],
    options: { ...configOption, json: { type: 'boolean' }, all: { type: 'boolean' } },
    async run(ctx) {
      const rows = await withStore(ctx, deps, async (db) => {
        const accounts = await listAccounts(db, flag(ctx, 'all') ? {} : { status: 'active' });
        return Promise.all(accounts.map((a) => inventorySummary(db, a)));
      });
      if (flag(ctx, 'json')) writeJson(ctx.io, { accounts: rows });
      else if (rows.length === 0) writeLine(ctx.io.stdout, 'no emergency accounts yet: designate one with `breakglass account designate <UPN>`');
      else {
        for (const r of rows) {
          const drift = r.lastReconcile ? (r.lastReconcile.problems ? `${r.lastReconcile.problems} problem(s) at ${r.lastReconcile.at}` : `clean at ${r.lastReconcile.at}`) : 'never reconciled';
          writeLine(ctx.io.stdout, `${r.account.upn}${r.account.status === 'retired' ? ' [RETIRED]' : ''}  id ${r.account.id}`);
          writeLine(ctx.io.stdout, `  keys: ${r.keys.active} active${r.keys.lost ? `, ${r.keys.lost} LOST` : ''}; custodians: ${r.custodians}; reconcile: ${drift}${r.openRequest ? `; enrollment ${r.openRequest.id} ${r.openRequest.state}` : ''}`);
        }
      }
      return EXIT_OK;
    },
  };
}
