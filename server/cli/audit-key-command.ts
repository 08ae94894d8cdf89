// `breakglass audit key`: prints the verifier key auditors pin (`audit verify --key`).
import { readMeta } from '../audit/audit-identity.ts';
import { openStoreReadOnly } from '../runtime.ts';
import { CliError, flag, writeJson, writeLine, type Command } from './command.ts';
import { cliConfig, configOption, jsonOption } from './cli-config.ts';
import { parseVerifierKey } from '../audit/signed-note.ts';

export const auditKeyCommand: Command = {
  words: ['audit', 'key'],
  summary: 'Print the audit log verifier key (give it to auditors)',
  usage: 'audit key [--json] [--config FILE]',
  options: { ...configOption, ...jsonOption },
  async run(ctx) {
    const database = await openStoreReadOnly(cliConfig(ctx));
    try {
      const key = await readMeta(database, 'audit.verifier_key').catch(() => undefined);
      if (!key) throw new CliError(`${database.location} has no audit key yet; start the service once`);
      const v = parseVerifierKey(key);
      if (flag(ctx, 'json')) writeJson(ctx.io, { origin: v.name, verifierKey: key, keyId: v.id.toString('hex'), publicKey: v.publicKey.toString('base64') });
      else writeLine(ctx.io.stdout, key);
      return 0;
    } finally {
      await database.close();
    }
  },
};
