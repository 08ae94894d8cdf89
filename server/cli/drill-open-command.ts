// `breakglass drill open`: announces a drill window for an emergency account (who signs in, who witnesses, which key),
// on the alert channels as planned activity, so the sign-in it causes is expected — and verified.
import { openDrill } from '../drills/drill-service.ts';
import { configOption, jsonOption } from './cli-config.ts';
import { CliError, EXIT_OK, flag, stringOption, writeJson, writeLine, type Command } from './command.ts';
import { cliActor, drillLines, instantOption, withDrillRuntime, type DrillCliDeps } from './drill-cli.ts';

export function createDrillOpenCommand(deps: DrillCliDeps = {}): Command {
  return {
    words: ['drill', 'open'],
    summary: 'Announce a drill window for an emergency account (planned activity on the alert channels)',
    usage: 'drill open --account UPN --performer NAME --witness NAME [--start ISO] [--minutes N] [--expected-key TEXT] [--notes TEXT] [--json]',
    help: [
      '--account UPN         the emergency account (UPN, object id or breakglass id)',
      '--performer NAME      the person who signs in with the key',
      '--witness NAME        a second person present (not the performer)',
      '--start ISO           when the window opens (default now), e.g. 2026-03-02T14:00:00Z',
      '--minutes N           window length, 10–1440 (default 60)',
      '--expected-key TEXT   the key to be used (label, serial, Entra method id)',
      'Exit status: 0 opened, 1 refused (another drill open, retired account), 2 usage.',
    ],
    options: { ...configOption, ...jsonOption, account: { type: 'string' }, performer: { type: 'string' }, witness: { type: 'string' }, start: { type: 'string' }, minutes: { type: 'string' }, 'expected-key': { type: 'string' }, notes: { type: 'string' } },
    async run(ctx) {
      const account = stringOption(ctx, 'account');
      const performer = stringOption(ctx, 'performer');
      const witness = stringOption(ctx, 'witness');
      if (!account || !performer || !witness) throw new CliError('--account, --performer and --witness are required');
      const minutesText = stringOption(ctx, 'minutes');
      if (minutesText !== undefined && !/^\d+$/.test(minutesText)) throw new CliError('--minutes must be a whole number');
      const start = instantOption(ctx, 'start');
      const expectedKey = stringOption(ctx, 'expected-key');
      const notes = stringOption(ctx, 'notes');
      const drill = await withDrillRuntime(ctx, deps, { directory: false }, (runtime) =>
        openDrill({ audit: runtime.audit }, {
          account, performer, witness, actor: cliActor(),
          ...(start ? { start } : {}), ...(minutesText ? { minutes: Number(minutesText) } : {}), ...(expectedKey ? { expectedKey } : {}), ...(notes ? { notes } : {}),
        }),
      );
      if (flag(ctx, 'json')) writeJson(ctx.io, drill);
      else {
        for (const l of drillLines(drill)) writeLine(ctx.io.stdout, l);
        writeLine(ctx.io.stdout, 'announced on the alert channels as planned activity; after the sign-in run `breakglass drill verify`');
      }
      return EXIT_OK;
    },
  };
}

export const drillOpenCommand = createDrillOpenCommand();
