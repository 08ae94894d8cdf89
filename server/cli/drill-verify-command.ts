// `breakglass drill verify`: looks for the drill's sign-in in the beta sign-in logs now and captures it as evidence:
// successful, a FIDO2/passkey step that succeeded, inside the window. With --from/--to it checks any window of an
// account. "Not seen yet" is its own answer (exit 3), never a failure: sign-in logs arrive minutes late.
import { requireAccount } from '../accounts/emergency-accounts.ts';
import { getDrill, verdictOf } from '../drills/drill-service.ts';
import { SignInMonitor } from '../monitoring/sign-in-monitor.ts';
import { requireDirectory } from '../runtime.ts';
import { configOption, jsonOption } from './cli-config.ts';
import { CliError, EXIT_FAILURE, EXIT_OK, flag, stringOption, writeJson, writeLine, type Command } from './command.ts';
import { drillLines, instantOption, selectedDrill, shortTime, withDrillRuntime, type DrillCliDeps } from './drill-cli.ts';

export const EXIT_NOT_SEEN = 3;

export function createDrillVerifyCommand(deps: DrillCliDeps = {}): Command {
  return {
    words: ['drill', 'verify'],
    summary: 'Find the drill sign-in in the sign-in logs and capture it as evidence (verdict, sign-in id, reasons)',
    usage: 'drill verify (--drill ID | --account UPN [--from ISO --to ISO]) [--json]',
    help: [
      '--drill ID            the drill to verify',
      '--account UPN         the account\'s open drill; with --from and --to, any window of that account',
      'Exit status: 0 verified, 1 a sign-in was found but does not prove the drill (or Graph refused: no P1 licence,',
      '            missing permission), 3 not seen yet, 2 usage or Graph unavailable.',
    ],
    options: { ...configOption, ...jsonOption, drill: { type: 'string' }, account: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
    async run(ctx) {
      const from = instantOption(ctx, 'from');
      const to = instantOption(ctx, 'to');
      if ((from === undefined) !== (to === undefined)) throw new CliError('give both --from and --to, or neither');
      if (from && to && Date.parse(from) >= Date.parse(to)) throw new CliError('--from must be before --to');
      if (from && stringOption(ctx, 'drill')) throw new CliError('--from/--to go with --account, not with --drill (a drill has its own window)');
      const result = await withDrillRuntime(ctx, deps, { directory: true }, async (runtime) => {
        const now = runtime.clock.now();
        const db = runtime.database.db;
        const monitor = new SignInMonitor({ audit: runtime.audit, clock: runtime.clock, directory: requireDirectory(runtime), settings: runtime.config.drills });
        if (from && to) {
          const account = await requireAccount(db, stringOption(ctx, 'account') ?? '');
          const decision = await monitor.verifyWindow({ id: account.id, userId: account.userId }, { start: from, end: to });
          return { ...verdictOf(decision), account: account.upn, window: { start: from, end: to }, drill: null };
        }
        const drill = await selectedDrill(ctx, db, now);
        const account = await requireAccount(db, drill.accountId);
        const decision = await monitor.verifyWindow({ id: account.id, userId: account.userId }, { start: drill.window.start, end: drill.window.end, drillId: drill.id });
        return { ...verdictOf(decision), account: account.upn, window: drill.window, drill: await getDrill(db, drill.id, runtime.clock.now()) };
      });
      if (flag(ctx, 'json')) writeJson(ctx.io, result);
      else {
        const out = ctx.io.stdout;
        writeLine(out, `verdict: ${result.verdict.toUpperCase().replace('_', ' ')} — ${result.account}, window ${shortTime(result.window.start)} – ${shortTime(result.window.end)}`);
        if (result.signInId) writeLine(out, `sign-in: ${result.signInId} at ${shortTime(String(result.signIn?.createdDateTime))} (${(result.signIn?.methods as string[] | undefined)?.join(', ') ?? ''})`);
        for (const r of result.reasons) writeLine(out, `  ${r}`);
        if (result.drill) {
          writeLine(out, '');
          for (const l of drillLines(result.drill)) writeLine(out, l);
        }
      }
      return result.verdict === 'verified' ? EXIT_OK : result.verdict === 'rejected' ? EXIT_FAILURE : EXIT_NOT_SEEN;
    },
  };
}

export const drillVerifyCommand = createDrillVerifyCommand();
