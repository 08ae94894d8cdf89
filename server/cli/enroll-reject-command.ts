// `breakglass enroll reject <request id> --reason TEXT`: a second officer turns a request down.
import { configOption } from './cli-config.ts';
import { EXIT_OK, flag, writeJson, writeLine, type Command } from './command.ts';
import { officerKeyHelp, officerKeyOptions, provenOfficer, requireText, withEnrollment, type EnrollmentCliDeps } from './enrollment-cli.ts';

export function createEnrollRejectCommand(deps: EnrollmentCliDeps = {}): Command {
  return {
    words: ['enroll', 'reject'],
    summary: 'Reject another officer\'s enrollment request',
    usage: 'enroll reject <request id> --reason TEXT [--officer-device PATH] [--json]',
    help: officerKeyHelp,
    options: { ...configOption, ...officerKeyOptions, json: { type: 'boolean' }, reason: { type: 'string' } },
    positionals: { min: 1, max: 1, names: '<request id>' },
    async run(ctx) {
      const reason = requireText(ctx, 'reason', 'why the request is rejected');
      const r = await withEnrollment(ctx, deps, async (env) => {
        const officer = await provenOfficer(ctx, deps, env, 'enrollment.approve');
        try {
          return await env.service.reject({ id: ctx.positionals[0]!, actor: officer.actor, reason });
        } finally {
          await officer.signOut();
        }
      });
      if (flag(ctx, 'json')) writeJson(ctx.io, r);
      else writeLine(ctx.io.stdout, `rejected ${r.id}: ${reason}`);
      return EXIT_OK;
    },
  };
}
