// `breakglass account show <account>`: one emergency account with its keys (model, AAGUID, serial, Entra method id,
// credential id, where it is kept and under which seal), custodians, open enrollment and the last reconcile.
import { requireAccount } from '../accounts/emergency-accounts.ts';
import { accountDetail } from '../accounts/inventory-view.ts';
import { configOption } from './cli-config.ts';
import { EXIT_OK, flag, writeJson, writeLine, type Command } from './command.ts';
import { printKeys } from './key-inventory-command.ts';
import { withStore, type StoreCliDeps } from './store-cli.ts';

export function createAccountShowCommand(deps: StoreCliDeps = {}): Command {
  return {
    words: ['account', 'show'],
    summary: 'Show one emergency account: keys, custody, custodians, drift',
    usage: 'account show <account> [--all-keys] [--json]',
    help: ['<account>     UPN, Entra object id or breakglass id', '--all-keys    also keys that were replaced, revoked or retired'],
    options: { ...configOption, json: { type: 'boolean' }, 'all-keys': { type: 'boolean' } },
    positionals: { min: 1, max: 1, names: '<account>' },
    async run(ctx) {
      const d = await withStore(ctx, deps, async (db) => accountDetail(db, await requireAccount(db, ctx.positionals[0]!), { includeInactive: flag(ctx, 'all-keys') }));
      if (flag(ctx, 'json')) {
        writeJson(ctx.io, d);
        return EXIT_OK;
      }
      const out = ctx.io.stdout;
      writeLine(out, `${d.account.upn} (${d.account.displayName})${d.account.status === 'retired' ? ` — RETIRED ${d.account.retiredAt}` : ''}`);
      writeLine(out, `  id ${d.account.id}, Entra object ${d.account.userId}, drills every ${d.account.drillIntervalDays} days`);
      writeLine(out, '');
      writeLine(out, `keys (${d.keys.length}):`);
      printKeys(out, d.keys, '  ');
      writeLine(out, '');
      writeLine(out, `custodians (${d.custodians.length}):`);
      for (const c of d.custodians) writeLine(out, `  ${c.name}${c.role ? `, ${c.role}` : ''}${c.contact ? ` <${c.contact}>` : ''}  id ${c.id}`);
      if (d.custodians.length === 0) writeLine(out, '  none recorded: add them with `breakglass account custodian add`');
      writeLine(out, '');
      if (d.openRequest) writeLine(out, `open enrollment: ${d.openRequest.id} (${d.openRequest.mode}, ${d.openRequest.state})`);
      if (!d.lastReconcile) writeLine(out, 'reconcile: never — run `breakglass account reconcile`');
      else {
        writeLine(out, `reconcile ${d.lastReconcile.at}: ${d.lastReconcile.problems} problem(s), ${d.lastReconcile.warnings} warning(s)`);
        for (const f of d.lastReconcile.findings) writeLine(out, `  ${f.severity === 'problem' ? 'PROBLEM' : 'warning'}  ${f.message}`);
      }
      return EXIT_OK;
    },
  };
}
