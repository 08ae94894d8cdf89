// Progress for long work: a bar on an interactive terminal (stderr), nothing when output is piped or --json is set.
import cliProgress from 'cli-progress';
import type { CliIo } from './command.ts';

export interface Progress {
  update(done: number): void;
  stop(): void;
}

const quiet: Progress = { update() {}, stop() {} };

export function startProgress(io: CliIo, label: string, total: number, enabled: boolean): Progress {
  if (!enabled || !io.stderr.isTTY || total < 1000) return quiet;
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} entries | eta {eta_formatted}`, stream: io.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    update: (done) => bar.update(Math.min(done, total)),
    stop: () => bar.stop(),
  };
}
