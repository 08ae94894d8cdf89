// `breakglass audit checkpoint`: signs a checkpoint of the log now (the service also does so on a schedule).
import { openRuntime } from '../runtime.ts';
import { flag, writeJson, writeLine, type Command } from './command.ts';
import { cliConfig, configOption, jsonOption } from './cli-config.ts';

export const auditCheckpointCommand: Command = {
  words: ['audit', 'checkpoint'],
  summary: 'Sign a checkpoint of the audit log now and print it',
  usage: 'audit checkpoint [--json] [--config FILE]',
  help: ['Keep a copy of the printed note somewhere the service cannot write: `audit verify --checkpoint FILE` then catches a rollback.'],
  options: { ...configOption, ...jsonOption },
  async run(ctx) {
    const runtime = await openRuntime(cliConfig(ctx), { mustExist: true });
    try {
      const cp = await runtime.checkpointer.checkpoint();
      if (flag(ctx, 'json')) writeJson(ctx.io, { id: cp.id, treeSize: cp.treeSize, rootHash: cp.rootHash.toString('hex'), at: cp.at, note: cp.note });
      else {
        writeLine(ctx.io.stdout, `checkpoint #${cp.id}: ${cp.treeSize} entries, root ${cp.rootHash.toString('hex')}`);
        ctx.io.stdout.write(`\n${cp.note}`);
      }
      return 0;
    } finally {
      await runtime.close();
    }
  },
};
