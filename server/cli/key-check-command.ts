// `breakglass key check`: the pre-check before a key is spent on a break-glass account. Reads the key's getInfo and
// PIN retries, and checks them against a local allow-list and (optionally) the tenant's FIDO2 key policy.
// Exit 0 = allowed, 1 = blocked (or no key), 3 = unknown (something could not be decided), 2 = usage or bad file.
import type { Writable } from 'node:stream';
import { checkKey, loadAllowList, loadTenantPolicy, type KeyCheckResult } from '../../hardware/index.ts';
import { CliError, EXIT_FAILURE, EXIT_OK, flag, stringOption, writeJson, writeLine, type Command } from './command.ts';
import {
  defaultKeyDeps,
  fileArgument,
  keySelectionHelp,
  keySelectionOptions,
  translateHardwareErrors,
  withSelectedKey,
  type KeyCommandDeps,
} from './key-support.ts';

export const EXIT_UNKNOWN = 3;

const MARK = { pass: 'ok     ', fail: 'FAIL   ', unknown: 'unknown', info: 'info   ' } as const;

export function createKeyCheckCommand(deps: KeyCommandDeps = defaultKeyDeps): Command {
  return {
    words: ['key', 'check'],
    summary: 'Check a key against the local allow-list and the tenant key policy: allowed, blocked or unknown',
    usage: 'key check --allow-list FILE [--tenant-policy FILE] [--device PATH | --virtual PROFILE] [--json]',
    help: [
      '--allow-list FILE     local allow-list JSON: {"keys": [AAGUID | {"aaguid", "description", "minFirmwareVersion"}],',
      '                      "minCtapVersion", "requirePin", "requireResidentKeys", "minPinRetries"} (docs/hardware.md)',
      '--tenant-policy FILE  Graph fido2AuthenticationMethodConfiguration JSON (or its keyRestrictions); without it',
      '                      the verdict is at best "unknown"',
      ...keySelectionHelp,
      'Exit status: 0 allowed, 1 blocked or no key, 3 unknown, 2 usage error or bad file.',
    ],
    options: { ...keySelectionOptions, json: { type: 'boolean' }, 'allow-list': { type: 'string' }, 'tenant-policy': { type: 'string' } },
    async run(ctx) {
      const json = flag(ctx, 'json');
      const allowListPath = stringOption(ctx, 'allow-list');
      if (!allowListPath) throw new CliError('--allow-list FILE is required (usage: breakglass key check --allow-list FILE)');
      const tenantPath = stringOption(ctx, 'tenant-policy');
      // Read the files before touching the key: a typo should not cost a USB round trip.
      const allowList = await translateHardwareErrors(() => loadAllowList(fileArgument(ctx, allowListPath)));
      const tenantPolicy = tenantPath ? await translateHardwareErrors(() => loadTenantPolicy(fileArgument(ctx, tenantPath))) : undefined;
      const { result, virtual } = await withSelectedKey(ctx, deps, async ({ key, virtual }) => {
        const report = await key.report();
        const result = checkKey({
          info: report.info,
          allowList,
          ...(tenantPolicy ? { tenantPolicy } : {}),
          ...(report.pin.retries === undefined ? {} : { pinRetries: report.pin.retries }),
        });
        return { result, virtual };
      });
      if (json) writeJson(ctx.io, { ...result, virtual });
      else printResult(ctx.io.stdout, result, virtual);
      return result.verdict === 'allowed' ? EXIT_OK : result.verdict === 'blocked' ? EXIT_FAILURE : EXIT_UNKNOWN;
    },
  };
}

function printResult(out: Writable, result: KeyCheckResult, virtual: boolean): void {
  writeLine(out, `key:     ${result.model}, AAGUID ${result.aaguid}${virtual ? ' [VIRTUAL KEY]' : ''}`);
  writeLine(out, `verdict: ${result.verdict.toUpperCase()}`);
  for (const f of result.findings) writeLine(out, `  ${MARK[f.outcome]}  ${f.message}`);
  writeLine(out, `note: ${result.note}`);
}

export const keyCheckCommand: Command = createKeyCheckCommand();
