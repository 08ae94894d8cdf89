// `breakglass enroll precheck <account> --mode guided|direct`: reads the key over USB (no PIN, no touch) and checks it
// against the policy that applies to this account — passkey profile or legacy restrictions, attestation, TAP policy
// for guided mode — plus the local allow-list and minimums. Nothing is spent. Exit 0 allowed, 1 blocked, 3 unknown.
import { configOption } from './cli-config.ts';
import { EXIT_FAILURE, EXIT_OK, flag, writeJson, type Command } from './command.ts';
import { breakglassKeyHelp, breakglassKeyOptions, EXIT_UNDECIDED, printPrecheck, requireMode, withEnrollment, type EnrollmentCliDeps } from './enrollment-cli.ts';

export function createEnrollPrecheckCommand(deps: EnrollmentCliDeps = {}): Command {
  return {
    words: ['enroll', 'precheck'],
    summary: 'Pre-check a key for an emergency account before anything is spent',
    usage: 'enroll precheck <account> --mode guided|direct [--device PATH | --virtual PROFILE] [--json]',
    help: [...breakglassKeyHelp, 'Exit status: 0 allowed, 1 blocked, 3 unknown (something could not be decided), 2 usage.'],
    options: { ...configOption, ...breakglassKeyOptions, json: { type: 'boolean' }, mode: { type: 'string' } },
    positionals: { min: 1, max: 1, names: '<account>' },
    async run(ctx) {
      const mode = requireMode(ctx);
      const result = await withEnrollment(ctx, deps, ({ service }) => service.precheck({ account: ctx.positionals[0]!, mode }));
      if (flag(ctx, 'json')) writeJson(ctx.io, result);
      else printPrecheck(ctx.io.stdout, result);
      return result.verdict === 'allowed' ? EXIT_OK : result.verdict === 'blocked' ? EXIT_FAILURE : EXIT_UNDECIDED;
    },
  };
}
