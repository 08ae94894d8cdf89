// `breakglass account designate <UPN | object id>`: makes a directory user an emergency account — explicitly, never
// guessed from names — after reading it from Entra; prints Microsoft's guidance findings (cloud-only, *.onmicrosoft.com).
import { designateAccount } from '../accounts/emergency-accounts.ts';
import { requireDirectory } from '../runtime.ts';
import { configOption } from './cli-config.ts';
import { CliError, EXIT_OK, flag, stringOption, writeJson, writeLine, type Command } from './command.ts';
import { cliActor, withEnrollment, type EnrollmentCliDeps } from './enrollment-cli.ts';

export function createAccountDesignateCommand(deps: EnrollmentCliDeps = {}): Command {
  return {
    words: ['account', 'designate'],
    summary: 'Designate a directory user (UPN or object id) as an emergency account',
    usage: 'account designate <UPN | object id> [--drill-interval DAYS] [--notes TEXT] [--json]',
    help: ['--drill-interval DAYS  days between drills, 1–90 (default 90: Microsoft asks for at least every 90 days)', 'Exit status: 0 designated, 1 refused (not found, already designated), 2 usage.'],
    options: { ...configOption, json: { type: 'boolean' }, 'drill-interval': { type: 'string' }, notes: { type: 'string' } },
    positionals: { min: 1, max: 1, names: '<UPN | object id>' },
    async run(ctx) {
      const intervalText = stringOption(ctx, 'drill-interval');
      if (intervalText !== undefined && !/^\d+$/.test(intervalText)) throw new CliError('--drill-interval must be a whole number of days');
      const notes = stringOption(ctx, 'notes');
      const { account, findings } = await withEnrollment(ctx, deps, ({ runtime }) =>
        designateAccount({ audit: runtime.audit, directory: requireDirectory(runtime) }, {
          user: ctx.positionals[0]!, actor: cliActor(),
          ...(intervalText ? { drillIntervalDays: Number(intervalText) } : {}), ...(notes ? { notes } : {}),
        }),
      );
      if (flag(ctx, 'json')) writeJson(ctx.io, { account, findings });
      else {
        writeLine(ctx.io.stdout, `designated ${account.upn} (${account.displayName}) as emergency account ${account.id}`);
        writeLine(ctx.io.stdout, `drills every ${account.drillIntervalDays} days`);
        for (const f of findings) writeLine(ctx.io.stdout, `  ${f.severity === 'problem' ? 'PROBLEM' : 'warning'}  ${f.message}`);
      }
      return EXIT_OK;
    },
  };
}
