// `breakglass account retire <account> --reason TEXT`: cancels the account's open enrollment (deleting any TAP it
// issued), retires the account and its inventory keys, and lists the keys Entra may still accept.
import { retireEmergencyAccount } from '../accounts/account-retirement.ts';
import { RETIRE_REASON_MAX } from '../accounts/emergency-accounts.ts';
import { configOption } from './cli-config.ts';
import { EXIT_OK, flag, writeJson, writeLine, type Command } from './command.ts';
import { cliActor, requireText, withEnrollment, type EnrollmentCliDeps } from './enrollment-cli.ts';

export function createAccountRetireCommand(deps: EnrollmentCliDeps = {}): Command {
  return {
    words: ['account', 'retire'],
    summary: 'Retire an emergency account (cancels its open enrollment, retires its keys)',
    usage: 'account retire <account> --reason TEXT [--json]',
    options: { ...configOption, json: { type: 'boolean' }, reason: { type: 'string' } },
    positionals: { min: 1, max: 1, names: '<account>' },
    async run(ctx) {
      const reason = requireText(ctx, 'reason', 'why the account is retired', RETIRE_REASON_MAX);
      const result = await withEnrollment(ctx, deps, ({ runtime, service }) => retireEmergencyAccount({ audit: runtime.audit, enrollment: service }, { account: ctx.positionals[0]!, reason, actor: cliActor() }));
      if (flag(ctx, 'json')) writeJson(ctx.io, result);
      else {
        writeLine(ctx.io.stdout, `retired ${result.account.upn} on ${result.account.retiredAt}`);
        for (const id of result.cancelledRequests) writeLine(ctx.io.stdout, `  cancelled enrollment ${id}`);
        if (result.stillRegisteredInEntra.length) {
          writeLine(ctx.io.stdout, 'Entra may still accept these keys for the account: remove them, or disable the account, in the Entra admin center:');
          for (const k of result.stillRegisteredInEntra) writeLine(ctx.io.stdout, `  ${k.displayName} (method ${k.graphMethodId})`);
        }
      }
      return EXIT_OK;
    },
  };
}
