// `breakglass audit consistency OLD NEW`: proves that checkpoint OLD's tree is a prefix of checkpoint NEW's (nothing
// before OLD was changed or removed), RFC 9162 §2.1.4.
import { proveConsistency } from '../audit/audit-proofs.ts';
import { storedCheckpoints } from '../audit/audit-source.ts';
import { openStoreReadOnly } from '../runtime.ts';
import { CliError, EXIT_FAILURE, flag, stringOption, writeJson, writeLine, type Command } from './command.ts';
import { cliConfig, configOption, jsonOption } from './cli-config.ts';
import { parseNonNegative } from './audit-prove-command.ts';

export const auditConsistencyCommand: Command = {
  words: ['audit', 'consistency'],
  summary: 'Print a consistency proof between two signed checkpoints',
  usage: 'audit consistency OLD_ID NEW_ID [--db PATH] [--json] [--config FILE]',
  help: ['Exit status: 0 consistent, 1 not consistent (history changed), 2 usage or I/O error.'],
  options: { ...configOption, ...jsonOption, db: { type: 'string' } },
  positionals: { min: 2, max: 2, names: 'OLD_ID NEW_ID' },
  async run(ctx) {
    const [a, b] = [parseNonNegative(ctx.positionals[0], 'OLD_ID'), parseNonNegative(ctx.positionals[1], 'NEW_ID')];
    const database = await openStoreReadOnly(cliConfig(ctx), stringOption(ctx, 'db'));
    try {
      const cps = await storedCheckpoints(database);
      const older = cps.find((c) => c.id === a);
      const newer = cps.find((c) => c.id === b);
      if (!older || !newer) throw new CliError(`no checkpoint #${!older ? a : b}`);
      let proof;
      try {
        proof = await proveConsistency(database, older, newer);
      } catch (err) {
        if (err instanceof RangeError) throw new CliError(err.message);
        throw err;
      }
      if (flag(ctx, 'json')) writeJson(ctx.io, proof);
      else {
        const o = ctx.io.stdout;
        writeLine(o, `checkpoint #${a} (size ${proof.from.treeSize}) → #${b} (size ${proof.to.treeSize})`);
        for (const h of proof.proof) writeLine(o, `  ${h}`);
        writeLine(o, proof.verified ? 'CONSISTENT: the older tree is a prefix of the newer one.' : 'NOT CONSISTENT: the log changed between these checkpoints (run `breakglass audit verify`).');
      }
      return proof.verified ? 0 : EXIT_FAILURE;
    } finally {
      await database.close();
    }
  },
};
