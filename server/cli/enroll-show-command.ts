// `breakglass enroll show <request id>`: the request and its evidence — every audited step, with who did it and when.
import { officerNames } from '../auth/officer-names.ts';
import { requireRequest } from '../enrollment/enrollment-requests.ts';
import { cliConfig, configOption } from './cli-config.ts';
import { EXIT_OK, flag, writeJson, writeLine, type Command } from './command.ts';
import { printRequest } from './enrollment-cli.ts';
import { openRuntime } from '../runtime.ts';
import type { StoreCliDeps } from './store-cli.ts';

export function createEnrollShowCommand(deps: StoreCliDeps = {}): Command {
  return {
    words: ['enroll', 'show'],
    summary: 'Show an enrollment request and its audited steps',
    usage: 'enroll show <request id> [--json]',
    options: { ...configOption, json: { type: 'boolean' } },
    positionals: { min: 1, max: 1, names: '<request id>' },
    async run(ctx) {
      const runtime = await openRuntime(cliConfig(ctx), { mustExist: true, directory: false, ...(deps.clock ? { clock: deps.clock } : {}) });
      try {
        const r = await requireRequest(runtime.database.db, ctx.positionals[0]!);
        const steps = (await runtime.audit.entries({ limit: 500, subject: `enrollment:${r.id}` })).reverse();
        if (flag(ctx, 'json')) writeJson(ctx.io, { request: r, evidence: steps.map((e) => ({ seq: e.seq, at: e.at, actor: e.actor, action: e.action, data: e.data })) });
        else {
          const names = await officerNames(runtime.database.db, [r.requestedBy, r.approvedBy, r.closedBy, ...steps.map((e) => e.actor)]);
          printRequest(ctx.io.stdout, r, names);
          writeLine(ctx.io.stdout, '');
          writeLine(ctx.io.stdout, 'audited steps:');
          for (const e of steps) writeLine(ctx.io.stdout, `  #${e.seq}  ${e.at}  ${e.action.padEnd(38)} ${names[e.actor] ?? (e.actor === 'system' ? 'breakglass' : e.actor)}`);
        }
      } finally {
        await runtime.close();
      }
      return EXIT_OK;
    },
  };
}
