// `breakglass drill list`: the drill calendar (per account: due date and state, last pass, open window, next notice)
// and the drills themselves, newest first.
import { drillCalendar } from '../drills/drill-calendar.ts';
import { listDrills, type DrillStatus } from '../drills/drill-service.ts';
import { requireAccount } from '../accounts/emergency-accounts.ts';
import { configOption, jsonOption } from './cli-config.ts';
import { CliError, EXIT_OK, flag, stringOption, writeJson, writeLine, type Command } from './command.ts';
import { drillLines, shortTime, withDrillRuntime, type DrillCliDeps } from './drill-cli.ts';

const STATE_LABEL: Record<string, string> = { ok: 'ok', due_soon: 'due soon', due: 'DUE', overdue: 'OVERDUE', never: 'not planned' };

export function createDrillListCommand(deps: DrillCliDeps = {}): Command {
  return {
    words: ['drill', 'list'],
    summary: 'Show the drill calendar (due dates per emergency account) and the drills',
    usage: 'drill list [--account UPN] [--status open|passed|failed|cancelled] [--json]',
    help: ['Exit status: 0, or 2 for bad usage.'],
    options: { ...configOption, ...jsonOption, account: { type: 'string' }, status: { type: 'string' } },
    async run(ctx) {
      const status = stringOption(ctx, 'status');
      if (status !== undefined && !['open', 'passed', 'failed', 'cancelled'].includes(status)) throw new CliError('--status is open, passed, failed or cancelled');
      const accountRef = stringOption(ctx, 'account');
      const { calendar, drills, now } = await withDrillRuntime(ctx, deps, { directory: false }, async (runtime) => {
        const now = runtime.clock.now();
        const db = runtime.database.db;
        const account = accountRef ? await requireAccount(db, accountRef) : undefined;
        const calendar = (await drillCalendar(db, now)).filter((c) => !account || c.accountId === account.id);
        const drills = await listDrills(db, now, { ...(account ? { accountId: account.id } : {}), ...(status ? { status: status as DrillStatus } : {}) });
        return { calendar, drills, now };
      });
      if (flag(ctx, 'json')) {
        writeJson(ctx.io, { at: now.toISOString(), calendar, drills });
        return EXIT_OK;
      }
      const out = ctx.io.stdout;
      if (calendar.length === 0) writeLine(out, 'no emergency accounts designated yet (breakglass account designate UPN)');
      else {
        writeLine(out, 'calendar:');
        const width = Math.max(...calendar.map((c) => c.upn.length));
        for (const c of calendar) {
          const extra = [
            c.lastPassed ? `last passed ${c.lastPassed.at.slice(0, 10)}` : 'never passed',
            c.openDrill ? `drill window ${shortTime(c.openDrill.windowStart)} (${c.openDrill.verification.replace('_', ' ')})` : '',
          ].filter(Boolean).join('; ');
          writeLine(out, `  ${c.upn.padEnd(width)}  ${(STATE_LABEL[c.state] ?? c.state).padEnd(11)} due ${c.cycle ? c.cycle.dueAt.slice(0, 10) : '—'}  ${extra}`);
        }
      }
      if (drills.length) {
        writeLine(out, '');
        for (const d of drills) {
          for (const l of drillLines(d)) writeLine(out, l);
        }
      }
      return EXIT_OK;
    },
  };
}

export const drillListCommand = createDrillListCommand();
