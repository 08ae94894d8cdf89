// `breakglass enroll request <account> --mode guided|direct --reason TEXT`: officer A, proven with their passkey,
// requests an enrollment (or, with --replace, the replacement of a lost key). The key is pre-checked over USB; a
// blocked key is refused, an undecided one needs --accept-unknown. A second officer must approve before it runs.
import { DISPLAY_NAME_MAX } from '../enrollment/enrollment-service.ts';
import { configOption } from './cli-config.ts';
import { EXIT_OK, flag, stringOption, writeJson, writeLine, type Command } from './command.ts';
import {
  breakglassKeyHelp, breakglassKeyOptions, officerKeyHelp, officerKeyOptions, optionalText, printPrecheck, printRequest, provenOfficer, requireMode, requireText, withEnrollment, type EnrollmentCliDeps,
} from './enrollment-cli.ts';

export function createEnrollRequestCommand(deps: EnrollmentCliDeps = {}): Command {
  return {
    words: ['enroll', 'request'],
    summary: 'Request a key enrollment (four eyes: another officer approves)',
    usage: 'enroll request <account> --mode guided|direct --reason TEXT [--name DISPLAY] [--location TEXT] [--seal NUMBER] [--replace KEY] [--accept-unknown] [--json]',
    help: [
      '--mode guided     a one-time Temporary Access Pass; the key is registered on the security-info page',
      '--mode direct     breakglass registers the key on behalf of the account over USB (Graph creationOptions + POST)',
      '--name DISPLAY    the key\'s name in Entra (at most 30 characters; default from the account and model)',
      '--location, --seal  where the key will be kept and the seal number (recorded in the inventory)',
      '--replace KEY     replace this inventory key (lost or failing): it is revoked in Entra when the request runs',
      '--accept-unknown  accept a pre-check that could not decide everything (its open points are recorded)',
      ...breakglassKeyHelp,
      ...officerKeyHelp,
    ],
    options: {
      ...configOption, ...breakglassKeyOptions, ...officerKeyOptions, json: { type: 'boolean' }, mode: { type: 'string' }, reason: { type: 'string' },
      name: { type: 'string' }, location: { type: 'string' }, seal: { type: 'string' }, replace: { type: 'string' }, 'accept-unknown': { type: 'boolean' },
    },
    positionals: { min: 1, max: 1, names: '<account>' },
    async run(ctx) {
      const mode = requireMode(ctx);
      const reason = requireText(ctx, 'reason', 'why the key is enrolled');
      const displayName = optionalText(ctx, 'name', DISPLAY_NAME_MAX);
      const location = optionalText(ctx, 'location', 200);
      const sealNumber = optionalText(ctx, 'seal', 200);
      const opt = (n: string) => stringOption(ctx, n);
      const { request, precheck, names } = await withEnrollment(ctx, deps, async (env) => {
        const officer = await provenOfficer(ctx, deps, env, 'enrollment.request');
        try {
          const done = await env.service.request({
            account: ctx.positionals[0]!, mode, reason, actor: officer.actor, acknowledgeUnknown: flag(ctx, 'accept-unknown'),
            ...(displayName ? { displayName } : {}), ...(location ? { location } : {}),
            ...(sealNumber ? { sealNumber } : {}), ...(opt('replace') ? { replaceKey: opt('replace')! } : {}),
          });
          return { ...done, names: { [officer.actor]: officer.displayName } };
        } finally {
          await officer.signOut();
        }
      });
      if (flag(ctx, 'json')) writeJson(ctx.io, { request, precheck });
      else {
        printPrecheck(ctx.io.stdout, precheck);
        writeLine(ctx.io.stdout, '');
        printRequest(ctx.io.stdout, request, names);
        writeLine(ctx.io.stdout, '');
        writeLine(ctx.io.stdout, `Next: another officer approves it (breakglass enroll approve ${request.id}, or in the web front end).`);
      }
      return EXIT_OK;
    },
  };
}
