// `breakglass enroll list [--account A] [--open]`: enrollment requests, newest first.
import { OPEN_STATES, STATE_LABEL } from '../domain/enrollment-state.ts';
import { requireAccount } from '../accounts/emergency-accounts.ts';
import { listRequests } from '../enrollment/enrollment-requests.ts';
import { configOption } from './cli-config.ts';
import { EXIT_OK, flag, stringOption, writeJson, writeLine, type Command } from './command.ts';
import { withStore, type StoreCliDeps } from './store-cli.ts';

export function createEnrollListCommand(deps: StoreCliDeps = {}): Command {
  return {
    words: ['enroll', 'list'],
    summary: 'List enrollment requests',
    usage: 'enroll list [--account ACCOUNT] [--open] [--json]',
    options: { ...configOption, json: { type: 'boolean' }, account: { type: 'string' }, open: { type: 'boolean' } },
    async run(ctx) {
      const account = stringOption(ctx, 'account');
      const rows = await withStore(ctx, deps, async (db) => {
        const accountId = account ? (await requireAccount(db, account)).id : undefined;
        return listRequests(db, { ...(accountId ? { accountId } : {}), ...(flag(ctx, 'open') ? { states: [...OPEN_STATES] } : {}) });
      });
      if (flag(ctx, 'json')) writeJson(ctx.io, { requests: rows });
      else if (rows.length === 0) writeLine(ctx.io.stdout, 'no enrollment requests');
      else for (const r of rows) writeLine(ctx.io.stdout, `${r.id}  ${r.upn}  ${r.mode}${r.purpose === 'replace' ? ' (replacement)' : ''}  ${STATE_LABEL[r.state]}  requested ${r.requestedAt} by ${r.requestedBy}`);
      return EXIT_OK;
    },
  };
}
