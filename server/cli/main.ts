// Entry of the `breakglass` command line: finds the command by its words, parses its options strictly and maps every
// failure to one line on stderr and an exit code (0 ok, 1 command-specific failure, 2 usage or I/O error).
import { parseArgs } from 'node:util';
import { BreakglassError, ConfigError } from '../errors.ts';
import { CliError, EXIT_FAILURE, EXIT_USAGE, type CliIo, type Command } from './command.ts';
import { commands } from './commands.ts';

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

function findCommand(argv: string[], list: Command[]): { command: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const c of list) {
    if (c.words.every((w, i) => argv[i] === w) && (!best || c.words.length > best.words.length)) best = c;
  }
  return best ? { command: best, rest: argv.slice(best.words.length) } : undefined;
}

export function usageText(list: Command[] = commands): string {
  const width = Math.max(...list.map((c) => c.words.join(' ').length));
  const lines = ['usage: breakglass <command> [options]', '', 'commands:'];
  for (const c of [...list].sort((a, b) => a.words.join(' ').localeCompare(b.words.join(' ')))) {
    lines.push(`  ${c.words.join(' ').padEnd(width)}  ${c.summary}`);
  }
  lines.push('', 'Run `breakglass <command> --help` for the options of one command.');
  return lines.join('\n');
}

function commandHelp(c: Command): string {
  const lines = [`usage: breakglass ${c.usage}`, '', c.summary];
  if (c.help?.length) lines.push('', ...c.help);
  return lines.join('\n');
}

export async function main(argv: string[], io: CliIo = processIo(), list: Command[] = commands): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout.write(`${usageText(list)}\n`);
    return argv.length === 0 ? EXIT_USAGE : 0;
  }
  const found = findCommand(argv, list);
  if (!found) {
    const group = list.filter((c) => c.words[0] === argv[0]);
    const hint = group.length ? ` (try: ${group.map((c) => c.words.join(' ')).join(', ')})` : '; run `breakglass --help`';
    io.stderr.write(`breakglass: unknown command "${argv.join(' ')}"${hint}\n`);
    return EXIT_USAGE;
  }
  const { command, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${commandHelp(command)}\n`);
    return 0;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
  } catch (err) {
    io.stderr.write(`breakglass ${command.words.join(' ')}: ${(err as Error).message.split('\n')[0]!.split('. ')[0]} (usage: breakglass ${command.usage})\n`);
    return EXIT_USAGE;
  }
  const pos = command.positionals ?? { min: 0, max: 0, names: '' };
  if (parsed.positionals.length < pos.min || parsed.positionals.length > pos.max) {
    const what = pos.max === 0 ? 'takes no arguments' : `expects ${pos.names}`;
    io.stderr.write(`breakglass ${command.words.join(' ')}: ${what} (usage: breakglass ${command.usage})\n`);
    return EXIT_USAGE;
  }
  try {
    return await command.run({ io, values: parsed.values as Record<string, string | boolean | (string | boolean)[] | undefined>, positionals: parsed.positionals });
  } catch (err) {
    return reportError(io, command, err);
  }
}

function reportError(io: CliIo, command: Command, err: unknown): number {
  const prefix = `breakglass ${command.words.join(' ')}`;
  if (err instanceof CliError) {
    io.stderr.write(`${prefix}: ${err.message}\n`);
    return err.exitCode;
  }
  if (err instanceof ConfigError) {
    io.stderr.write(`${prefix}: ${err.message}\n`);
    return EXIT_USAGE;
  }
  if (err instanceof BreakglassError) {
    io.stderr.write(`${prefix}: ${err.message}\n`);
    return err.status >= 500 ? EXIT_USAGE : EXIT_FAILURE;
  }
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && typeof e.message === 'string') {
    io.stderr.write(`${prefix}: ${e.message.split('\n')[0]}\n`);
    return EXIT_USAGE;
  }
  // Unexpected: still one line, no stack trace; BREAKGLASS_DEBUG=1 shows the stack for developers.
  io.stderr.write(`${prefix}: unexpected error: ${(err as Error)?.message?.split('\n')[0] ?? String(err)}\n`);
  if (io.env.BREAKGLASS_DEBUG === '1') io.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  return EXIT_USAGE;
}
