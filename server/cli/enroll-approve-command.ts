// `breakglass enroll approve <request id>`: officer B — a different officer from the requester — approves, proving
// who they are with their passkey at that moment (the CLI's equivalent of the web front end's step-up).
import { officerNames } from '../auth/officer-names.ts';
import { configOption } from './cli-config.ts';
import { EXIT_OK, flag, writeJson, writeLine, type Command } from './command.ts';
import { officerKeyHelp, officerKeyOptions, printRequest, provenOfficer, withEnrollment, type EnrollmentCliDeps } from './enrollment-cli.ts';

export function createEnrollApproveCommand(deps: EnrollmentCliDeps = {}): Command {
  return {
    words: ['enroll', 'approve'],
    summary: 'Approve another officer\'s enrollment request (passkey required)',
    usage: 'enroll approve <request id> [--officer-device PATH] [--json]',
    help: officerKeyHelp,
    options: { ...configOption, ...officerKeyOptions, json: { type: 'boolean' } },
    positionals: { min: 1, max: 1, names: '<request id>' },
    async run(ctx) {
      const id = ctx.positionals[0]!;
      const { r, names } = await withEnrollment(ctx, deps, async (env) => {
        const before = await env.service.get(id);
        const names = await officerNames(env.runtime.database.db, [before.requestedBy]);
        writeLine(ctx.io.stderr, 'You are approving:');
        printRequest(ctx.io.stderr, before, names);
        const officer = await provenOfficer(ctx, deps, env, 'enrollment.approve');
        try {
          return { r: await env.service.approve({ id, actor: officer.actor, evidence: { method: 'passkey-step-up', via: 'cli', stepUpAt: officer.provenAt, passkeyId: officer.passkeyId } }), names };
        } finally {
          await officer.signOut();
        }
      });
      if (flag(ctx, 'json')) writeJson(ctx.io, r);
      else writeLine(ctx.io.stdout, `approved ${r.id} for ${r.upn} (${r.mode}); ${names[r.requestedBy] ?? r.requestedBy}, who requested it, can run it until ${r.expiresAt}`);
      return EXIT_OK;
    },
  };
}
