// `breakglass enroll resume <request id>`: continues whatever the last recorded step left open — after a crash, a
// Graph fault, a closed terminal: resolves an unknown TAP or registration outcome by reading Entra back, watches a
// guided enrollment until the key appears, finishes a registered key, retries a TAP deletion that failed.
import { configOption } from './cli-config.ts';
import { EXIT_OK, flag, writeJson, type Command } from './command.ts';
import { officerKeyHelp, officerKeyOptions, provenOfficer, withEnrollment, type EnrollmentCliDeps } from './enrollment-cli.ts';
import { pollMs, realSleep, reportWatch, watchOptions } from './enroll-run-command.ts';
import { watchUntilDone } from './enroll-watch.ts';

export function createEnrollResumeCommand(deps: EnrollmentCliDeps = {}): Command {
  return {
    words: ['enroll', 'resume'],
    summary: 'Continue an interrupted enrollment (reads Entra back; watches a guided one)',
    usage: 'enroll resume <request id> [--no-wait] [--poll SECONDS] [--officer-device PATH] [--json]',
    help: ['--no-wait       check once instead of watching until the key appears', ...officerKeyHelp, 'Exit status: 0 completed, 1 failed or expired, 3 still waiting, 2 usage.'],
    options: { ...configOption, ...officerKeyOptions, ...watchOptions, json: { type: 'boolean' } },
    positionals: { min: 1, max: 1, names: '<request id>' },
    async run(ctx) {
      const id = ctx.positionals[0]!;
      const poll = pollMs(ctx);
      return withEnrollment(ctx, deps, async (env) => {
        const officer = await provenOfficer(ctx, deps, env, 'enrollment.request');
        try {
          let end = await env.service.resume({ id, actor: officer.actor });
          if (end.outcome === 'not_watching' && end.request.state === 'awaiting_registration') end = { outcome: 'waiting', request: end.request };
          const final = end.outcome === 'waiting' && !flag(ctx, 'no-wait') && !flag(ctx, 'json') ? await watchUntilDone(ctx, env.service, id, { pollMs: poll, sleep: deps.sleep ?? realSleep }) : end;
          if (flag(ctx, 'json')) {
            writeJson(ctx.io, final);
            return 'request' in final && final.outcome === 'completed' ? EXIT_OK : reportCode(final.outcome);
          }
          return reportWatch(ctx, id, final);
        } finally {
          await officer.signOut();
        }
      });
    },
  };
}

function reportCode(outcome: string): number {
  return outcome === 'failed' || outcome === 'expired' ? 1 : 3;
}
