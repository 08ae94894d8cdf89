// `breakglass audit verify`: checks every seq, hash and checkpoint of the log (or of an exported bundle).
// Exit 0 = intact, 1 = tampered (each problem named with its kind and first bad seq), 2 = usage or I/O error.
import { verifyAuditLog, type VerifyReport } from '../audit/audit-verifier.ts';
import { CliError, EXIT_FAILURE, EXIT_OK, flag, stringOption, writeJson, writeLine, type Command } from './command.ts';
import { openAuditTarget } from './audit-target.ts';
import { cliConfig, configOption, jsonOption } from './cli-config.ts';
import { startProgress } from './progress.ts';

export interface VerifyOutput extends VerifyReport {
  source: string;
  keySource: string;
  keyIndependent: boolean;
  warnings: string[];
}

function parseWorkers(text: string): number {
  if (!/^[1-9]\d?$/.test(text)) throw new CliError(`--workers must be a whole number from 1 to 99, got ${JSON.stringify(text)}`);
  return Number(text);
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

export const auditVerifyCommand: Command = {
  words: ['audit', 'verify'],
  summary: 'Verify the audit log (or an exported bundle): hashes, sequence, signed checkpoints',
  usage: 'audit verify [--db PATH | --bundle FILE] [--key KEY|FILE] [--checkpoint FILE]... [--workers N] [--json] [--config FILE]',
  help: [
    '--db PATH         a breakglass SQLite file (default: the configured store)',
    '--bundle FILE     a JSON Lines bundle from `breakglass audit export --format jsonl`',
    '--key KEY|FILE    the verifier key to trust (from `breakglass audit key`); without it the local signing key,',
    '                  or else the key inside the data itself (then the check is not independent)',
    '--checkpoint FILE a checkpoint kept elsewhere (signed note, or a checkpoints.jsonl copy): catches rollback',
    '--workers N       threads for large stored logs (default: available cores, at most 8; 1 = serial)',
    'Exit status: 0 intact, 1 tampered, 2 usage or I/O error.',
  ],
  options: { ...configOption, ...jsonOption, db: { type: 'string' }, bundle: { type: 'string' }, key: { type: 'string' }, checkpoint: { type: 'string', multiple: true }, workers: { type: 'string' } },
  async run(ctx) {
    const json = flag(ctx, 'json');
    const config = cliConfig(ctx);
    const target = await openAuditTarget(config, {
      db: stringOption(ctx, 'db'),
      bundle: stringOption(ctx, 'bundle'),
      key: stringOption(ctx, 'key'),
      externalCheckpoints: (ctx.values.checkpoint as string[] | undefined) ?? [],
      ...(stringOption(ctx, 'workers') !== undefined ? { workers: parseWorkers(stringOption(ctx, 'workers')!) } : {}),
    });
    let report: VerifyReport;
    try {
      const progress = startProgress(ctx.io, 'verifying', target.total ?? 0, !json);
      try {
        report = await verifyAuditLog({
          origin: target.origin,
          verifier: target.verifier,
          checkpoints: target.checkpoints,
          ...(target.chunks ? { chunks: target.chunks } : { entries: target.entries }),
          onProgress: (n) => progress.update(n),
        });
      } finally {
        progress.stop();
      }
    } finally {
      await target.close();
    }
    // Problems met while reading (damaged bundle lines) come first: they explain what follows.
    if (target.readProblems.length) {
      // By seq (stable, so a damaged line's note precedes what it caused); problems without a seq last.
      report.problems = [...target.readProblems, ...report.problems].sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity));
      report.ok = false;
      const seqs = report.problems.map((p) => p.seq).filter((s): s is number => s !== null);
      report.firstBadSeq = seqs.length ? Math.min(...seqs) : null;
    }
    const warnings: string[] = [];
    if (target.keyFromData) warnings.push(`the public key was taken from ${target.keySource}; pin it with --key for an independent check`);
    if (report.checkpoints.verified === 0) warnings.push('no signed checkpoint verified: deletion of the newest entries could not be detected');
    const out: VerifyOutput = { ...report, source: target.label, keySource: target.keySource, keyIndependent: !target.keyFromData, warnings };
    if (json) {
      writeJson(ctx.io, out);
    } else {
      const o = ctx.io.stdout;
      writeLine(o, `audit log ${report.origin} (${target.label})`);
      writeLine(o, `  entries:     ${fmt(report.entries)}${report.entries ? ` (seq 0–${fmt(report.entries - 1)})` : ''}`);
      writeLine(o, `  root:        ${report.rootHash}`);
      const latest = report.checkpoints.latest;
      writeLine(o, `  checkpoints: ${report.checkpoints.verified} of ${report.checkpoints.total} signatures valid${latest ? `; latest covers ${fmt(latest.treeSize)} entries, signed ${latest.timestamp ?? '(no time)'} (${latest.source})` : ''}`);
      writeLine(o, `  key:         ${target.verifier.name}+${target.verifier.id.toString('hex')} from ${target.keySource}`);
      for (const w of warnings) writeLine(o, `  warning:     ${w}`);
      if (report.ok) {
        writeLine(o, 'INTACT: every entry, hash, seq and checkpoint verified.');
      } else {
        writeLine(o, `TAMPERED: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}${report.firstBadSeq !== null ? `, first bad seq ${report.firstBadSeq}` : ''}`);
        for (const p of report.problems) writeLine(o, `  ${p.kind.padEnd(18)} ${p.seq === null ? '' : `seq ${p.seq}: `}${p.message}`);
      }
    }
    return report.ok ? EXIT_OK : EXIT_FAILURE;
  },
};
