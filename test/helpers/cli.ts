// Runs the CLI in-process with captured output (same code path as bin/breakglass.mjs, minus process start-up).
import { PassThrough } from 'node:stream';
import { main } from '../../server/cli/main.ts';
import type { CliIo } from '../../server/cli/command.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = process.cwd()): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const io: CliIo = { stdout, stderr, stdin: new PassThrough(), env: { PATH: process.env.PATH, ...env }, cwd };
  const code = await main(args, io);
  return { code, stdout: out, stderr: err };
}
