// `breakglass audit prove SEQ`: an inclusion proof that entry SEQ is in the tree a signed checkpoint commits to,
// checked before it is printed. Exit 1 when the stored data no longer leads to the signed root.
import { proveInclusion } from '../audit/audit-proofs.ts';
import { storedCheckpoints } from '../audit/audit-source.ts';
import { openStoreReadOnly } from '../runtime.ts';
import { CliError, EXIT_FAILURE, flag, stringOption, writeJson, writeLine, type Command } from './command.ts';
import { cliConfig, configOption, jsonOption } from './cli-config.ts';

export function parseNonNegative(text: string | undefined, what: string): number {
  if (text === undefined || !/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new CliError(`${what} must be a non-negative whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

export const auditProveCommand: Command = {
  words: ['audit', 'prove'],
  summary: 'Print an inclusion proof for one audit entry against a signed checkpoint',
  usage: 'audit prove SEQ [--checkpoint ID] [--db PATH] [--json] [--config FILE]',
  help: ['Default checkpoint: the latest. Exit status: 0 proof verified, 1 it does not verify (tampered), 2 usage or I/O error.'],
  options: { ...configOption, ...jsonOption, checkpoint: { type: 'string' }, db: { type: 'string' } },
  positionals: { min: 1, max: 1, names: 'SEQ' },
  async run(ctx) {
    const seq = parseNonNegative(ctx.positionals[0], 'SEQ');
    const cpArg = stringOption(ctx, 'checkpoint');
    const database = await openStoreReadOnly(cliConfig(ctx), stringOption(ctx, 'db'));
    try {
      const cps = await storedCheckpoints(database);
      const cp = cpArg === undefined ? cps[cps.length - 1] : cps.find((c) => c.id === parseNonNegative(cpArg, '--checkpoint'));
      if (!cp) throw new CliError(cpArg === undefined ? 'no checkpoint has been signed yet; run `breakglass audit checkpoint`' : `no checkpoint #${cpArg}`);
      let proof;
      try {
        proof = await proveInclusion(database, seq, cp);
      } catch (err) {
        if (err instanceof RangeError) throw new CliError(err.message);
        throw err;
      }
      if (flag(ctx, 'json')) writeJson(ctx.io, proof);
      else {
        const o = ctx.io.stdout;
        writeLine(o, `entry ${seq}: ${proof.entry.at} ${proof.entry.actor} ${proof.entry.action} ${proof.entry.subject}`);
        writeLine(o, `  leaf hash:  ${proof.leafHash}`);
        writeLine(o, `  checkpoint: #${cp.id}, tree size ${proof.treeSize}, root ${proof.rootHash}`);
        writeLine(o, `  proof (${proof.proof.length} hashes, RFC 9162 §2.1.3):`);
        for (const h of proof.proof) writeLine(o, `    ${h}`);
        writeLine(o, proof.verified ? 'VERIFIED: the entry is included in the signed tree.' : 'NOT VERIFIED: the stored log does not lead to the signed root (run `breakglass audit verify`).');
      }
      return proof.verified ? 0 : EXIT_FAILURE;
    } finally {
      await database.close();
    }
  },
};
