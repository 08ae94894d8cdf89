// `breakglass key info`: what a key says about itself over CTAP2 authenticatorGetInfo — AAGUID and model, versions,
// extensions, options, PIN retries, minimum PIN length, firmware, remaining discoverable credentials — like
// `fido2-token -I`. Needs neither the PIN nor a touch. `--json` uses the CTAP spec names.
import { CliError, EXIT_OK, flag, writeJson, writeLine, type Command } from './command.ts';
import { defaultKeyDeps, keyReportJson, keyReportLines, keySelectionHelp, keySelectionOptions, withSelectedKey, type KeyCommandDeps } from './key-support.ts';

export function createKeyInfoCommand(deps: KeyCommandDeps = defaultKeyDeps): Command {
  return {
    words: ['key', 'info'],
    summary: 'Show a security key\'s getInfo: AAGUID and model, versions, options, PIN retries, firmware',
    usage: 'key info [--device PATH | --virtual PROFILE] [--json | --raw]',
    help: [
      ...keySelectionHelp,
      '--raw                print only the hex of the key\'s getInfo answer, ready for a key profile\'s "getInfo"',
      'Exit status: 0 ok, 1 no key or the key failed, 2 usage or bad profile.',
    ],
    options: { ...keySelectionOptions, json: { type: 'boolean' }, raw: { type: 'boolean' } },
    async run(ctx) {
      const json = flag(ctx, 'json');
      const raw = flag(ctx, 'raw');
      if (json && raw) throw new CliError('choose either --json or --raw, not both');
      await withSelectedKey(ctx, deps, async ({ key, virtual }) => {
        if (raw) {
          writeLine(ctx.io.stdout, Buffer.from(key.ctap.rawInfo ?? new Uint8Array(0)).toString('hex'));
          return;
        }
        const report = await key.report();
        if (json) writeJson(ctx.io, keyReportJson(report, virtual));
        else for (const line of keyReportLines(report, virtual)) writeLine(ctx.io.stdout, line);
      });
      return EXIT_OK;
    },
  };
}

export const keyInfoCommand: Command = createKeyInfoCommand();
