// `breakglass drill close`: records the custody checklist (seal intact before, seal number before and after, witness,
// admin task) and closes the drill as passed — only with verified sign-in evidence and a complete checklist; the next
// drill then falls due from the proven sign-in — or as failed, with the reason. `breakglass drill cancel` withdraws an
// announced window before it starts.
import { cancelDrill, closeDrill } from '../drills/drill-service.ts';
import { configOption, jsonOption } from './cli-config.ts';
import { CliError, EXIT_OK, flag, stringOption, writeJson, writeLine, type Command, type CommandContext } from './command.ts';
import { cliActor, drillLines, selectedDrill, withDrillRuntime, type DrillCliDeps } from './drill-cli.ts';

function yesNo(ctx: CommandContext, name: string): boolean | undefined {
  const v = stringOption(ctx, name);
  if (v === undefined) return undefined;
  if (/^(yes|y|true)$/i.test(v)) return true;
  if (/^(no|n|false)$/i.test(v)) return false;
  throw new CliError(`--${name} is yes or no`);
}

export function createDrillCloseCommand(deps: DrillCliDeps = {}): Command {
  return {
    words: ['drill', 'close'],
    summary: 'Record the custody checklist and close a drill as passed or failed',
    usage: 'drill close (--drill ID | --account UPN) --result passed|failed [--seal-intact yes|no] [--seal-before N] [--seal-after N] [--witness-confirmed] [--admin-task-proven] [--notes TEXT] [--json]',
    help: [
      '--result passed       needs verified sign-in evidence (drill verify), --seal-intact yes, --seal-before, a new',
      '                      --seal-after and --witness-confirmed; the next drill falls due from the sign-in',
      '--result failed       needs --notes saying why; the due date stays as it was',
      'Exit status: 0 closed, 1 refused (not passable yet: the reasons are listed), 2 usage.',
    ],
    options: {
      ...configOption, ...jsonOption, drill: { type: 'string' }, account: { type: 'string' }, result: { type: 'string' }, 'seal-intact': { type: 'string' },
      'seal-before': { type: 'string' }, 'seal-after': { type: 'string' }, 'witness-confirmed': { type: 'boolean' }, 'admin-task-proven': { type: 'boolean' }, notes: { type: 'string' },
    },
    async run(ctx) {
      const result = stringOption(ctx, 'result');
      if (result !== 'passed' && result !== 'failed') throw new CliError('--result is passed or failed');
      const sealIntact = yesNo(ctx, 'seal-intact');
      const drill = await withDrillRuntime(ctx, deps, { directory: false }, async (runtime) => {
        const d = await selectedDrill(ctx, runtime.database.db, runtime.clock.now());
        return closeDrill({ audit: runtime.audit }, {
          id: d.id, result, actor: cliActor(),
          checklist: {
            ...(sealIntact === undefined ? {} : { sealIntactBefore: sealIntact }),
            sealNumberBefore: stringOption(ctx, 'seal-before') ?? '',
            sealNumberAfter: stringOption(ctx, 'seal-after') ?? '',
            witnessConfirmed: flag(ctx, 'witness-confirmed'),
            adminTaskProven: flag(ctx, 'admin-task-proven'),
          },
          ...(stringOption(ctx, 'notes') ? { notes: stringOption(ctx, 'notes')! } : {}),
        });
      });
      if (flag(ctx, 'json')) writeJson(ctx.io, drill);
      else for (const l of drillLines(drill)) writeLine(ctx.io.stdout, l);
      return EXIT_OK;
    },
  };
}

export function createDrillCancelCommand(deps: DrillCliDeps = {}): Command {
  return {
    words: ['drill', 'cancel'],
    summary: 'Withdraw an announced drill window before it starts',
    usage: 'drill cancel (--drill ID | --account UPN) --reason TEXT [--json]',
    help: ['Once the window has started, close the drill as failed instead. Exit status: 0 cancelled, 1 refused, 2 usage.'],
    options: { ...configOption, ...jsonOption, drill: { type: 'string' }, account: { type: 'string' }, reason: { type: 'string' } },
    async run(ctx) {
      const reason = stringOption(ctx, 'reason');
      if (!reason?.trim()) throw new CliError('--reason is required');
      const drill = await withDrillRuntime(ctx, deps, { directory: false }, async (runtime) => {
        const d = await selectedDrill(ctx, runtime.database.db, runtime.clock.now());
        return cancelDrill({ audit: runtime.audit }, { id: d.id, reason, actor: cliActor() });
      });
      if (flag(ctx, 'json')) writeJson(ctx.io, drill);
      else for (const l of drillLines(drill)) writeLine(ctx.io.stdout, l);
      return EXIT_OK;
    },
  };
}

export const drillCloseCommand = createDrillCloseCommand();
export const drillCancelCommand = createDrillCancelCommand();
