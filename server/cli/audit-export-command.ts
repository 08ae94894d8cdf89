// `breakglass audit export`: writes the log as a verifiable JSON Lines bundle or a CSV for spreadsheets.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeExport } from '../audit/audit-bundle.ts';
import { readMeta } from '../audit/audit-identity.ts';
import { countEntries, entryBatches, storedCheckpoints } from '../audit/audit-source.ts';
import { openStoreReadOnly } from '../runtime.ts';
import { CliError, flag, stringOption, writeJson, writeLine, type Command } from './command.ts';
import { cliConfig, configOption, jsonOption } from './cli-config.ts';
import { startProgress } from './progress.ts';

export const auditExportCommand: Command = {
  words: ['audit', 'export'],
  summary: 'Export the audit log as a verifiable JSON Lines bundle or as CSV',
  usage: 'audit export --out FILE [--format jsonl|csv] [--db PATH] [--force] [--json] [--config FILE]',
  help: ['The JSONL bundle carries the entries, the signed checkpoints and the public key: `breakglass audit verify --bundle FILE` checks it anywhere.'],
  options: { ...configOption, ...jsonOption, out: { type: 'string' }, format: { type: 'string' }, db: { type: 'string' }, force: { type: 'boolean' } },
  async run(ctx) {
    const outArg = stringOption(ctx, 'out');
    if (!outArg) throw new CliError('--out FILE is required');
    const format = stringOption(ctx, 'format') ?? 'jsonl';
    if (format !== 'jsonl' && format !== 'csv') throw new CliError(`--format must be jsonl or csv, not ${JSON.stringify(format)}`);
    const out = resolve(ctx.io.cwd, outArg);
    if (existsSync(out) && !flag(ctx, 'force')) throw new CliError(`${out} already exists; pass --force to replace it`);
    const config = cliConfig(ctx);
    const database = await openStoreReadOnly(config, stringOption(ctx, 'db'));
    try {
      const origin = await readMeta(database, 'audit.origin').catch(() => undefined);
      const verifierKey = await readMeta(database, 'audit.verifier_key').catch(() => undefined);
      if (!origin || !verifierKey) throw new CliError(`${database.location} is not a breakglass audit database (no audit origin recorded)`);
      const total = await countEntries(database);
      const checkpoints = await storedCheckpoints(database);
      const progress = startProgress(ctx.io, 'exporting', total, !flag(ctx, 'json'));
      let result;
      try {
        result = await writeExport(out, format, { origin, verifierKey, exportedAt: new Date().toISOString(), treeSize: total }, checkpoints, entryBatches(database), (n) => progress.update(n));
      } finally {
        progress.stop();
      }
      if (flag(ctx, 'json')) writeJson(ctx.io, { out, format, ...result, origin });
      else writeLine(ctx.io.stdout, `wrote ${result.entries} entries${format === 'jsonl' ? ` and ${result.checkpoints} checkpoints` : ''} to ${out} (${format})`);
      return 0;
    } finally {
      await database.close();
    }
  },
};
