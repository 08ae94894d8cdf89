// `breakglass enroll cancel <request id> --reason TEXT`: stops a request that has not registered a key; a TAP it issued
// is deleted in Entra first (if that fails, nothing changes and the command can be run again).
import { configOption } from './cli-config.ts';
import { EXIT_OK, flag, writeJson, writeLine, type Command } from './command.ts';
import { officerKeyHelp, officerKeyOptions, provenOfficer, requireText, withEnrollment, type EnrollmentCliDeps } from './enrollment-cli.ts';

export function createEnrollCancelCommand(deps: EnrollmentCliDeps = {}): Command {
  return {
    words: ['enroll', 'cancel'],
    summary: 'Cancel an enrollment request (deletes any TAP it issued)',
    usage: 'enroll cancel <request id> --reason TEXT [--officer-device PATH] [--json]',
    help: officerKeyHelp,
    options: { ...configOption, ...officerKeyOptions, json: { type: 'boolean' }, reason: { type: 'string' } },
    positionals: { min: 1, max: 1, names: '<request id>' },
    async run(ctx) {
      const reason = requireText(ctx, 'reason', 'why the request is cancelled');
      const r = await withEnrollment(ctx, deps, async (env) => {
        const officer = await provenOfficer(ctx, deps, env, 'enrollment.request');
        try {
          return await env.service.cancel({ id: ctx.positionals[0]!, actor: officer.actor, reason });
        } finally {
          await officer.signOut();
        }
      });
      if (flag(ctx, 'json')) writeJson(ctx.io, r);
      else writeLine(ctx.io.stdout, `cancelled ${r.id}${r.tap.methodId ? `; Temporary Access Pass ${r.tap.methodId} deleted` : ''}`);
      return EXIT_OK;
    },
  };
}
