// `breakglass account reconcile [<account>]`: compares the key inventory with what Entra has registered and reports
// drift (unknown keys, missing keys, weak or personal methods, stray TAPs). Exit 0 clean, 1 drift found, 2 usage or
// Graph unreachable.
import { reconcileAccounts } from '../accounts/reconcile.ts';
import { defaultLifecycleHooks } from '../accounts/lifecycle-hooks.ts';
import { requireDirectory } from '../runtime.ts';
import { configOption } from './cli-config.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, flag, writeJson, writeLine, type Command } from './command.ts';
import { cliActor, withEnrollment, type EnrollmentCliDeps } from './enrollment-cli.ts';

export function createAccountReconcileCommand(deps: EnrollmentCliDeps = {}): Command {
  return {
    words: ['account', 'reconcile'],
    summary: 'Compare the key inventory with Entra and report drift',
    usage: 'account reconcile [<account>] [--json]',
    help: ['Exit status: 0 no problems, 1 drift found, 2 usage error or a directory that could not be read.'],
    options: { ...configOption, json: { type: 'boolean' } },
    positionals: { min: 0, max: 1, names: '[<account>]' },
    async run(ctx) {
      const results = await withEnrollment(ctx, deps, ({ runtime }) =>
        reconcileAccounts({ audit: runtime.audit, directory: requireDirectory(runtime), hooks: deps.hooks ?? defaultLifecycleHooks }, { actor: cliActor(), ...(ctx.positionals[0] ? { account: ctx.positionals[0] } : {}) }),
      );
      if (flag(ctx, 'json')) writeJson(ctx.io, { results });
      else {
        if (results.length === 0) writeLine(ctx.io.stdout, 'no emergency accounts to reconcile');
        for (const r of results) {
          if (r.error) {
            writeLine(ctx.io.stdout, `${r.upn}: could not read Entra (${r.error.code}): ${r.error.message}`);
            continue;
          }
          writeLine(ctx.io.stdout, `${r.upn}: ${r.problems ? `${r.problems} problem(s)` : 'no problems'}${r.warnings ? `, ${r.warnings} warning(s)` : ''}`);
          for (const f of r.findings) writeLine(ctx.io.stdout, `  ${f.severity === 'problem' ? 'PROBLEM' : 'warning'}  ${f.message}`);
        }
      }
      if (results.some((r) => r.error)) return EXIT_USAGE;
      return results.some((r) => r.problems > 0) ? EXIT_FAILURE : EXIT_OK;
    },
  };
}
