// The contract every CLI command implements. Commands are small modules registered in commands.ts; main.ts parses
// argv with node:util parseArgs, finds the command by its words (`audit verify`), runs it and maps errors to exit codes.
import type { ParseArgsConfig } from 'node:util';
import type { Readable, Writable } from 'node:stream';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Exit codes shared by all commands. Individual commands document extra meanings (e.g. 1 = tampered). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  stdin: Readable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface CommandContext {
  io: CliIo;
  /** Parsed option values, keyed by option name (strings, booleans or arrays when `multiple`). */
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  /** Positional arguments after the command words. */
  positionals: string[];
}

export interface Command {
  /** Words that select the command, e.g. ['audit', 'verify']. */
  words: string[];
  summary: string;
  /** One usage line without the leading `breakglass `. */
  usage: string;
  /** Extra help lines printed under the usage. */
  help?: string[];
  options: OptionSpec;
  /** Number of positionals accepted; default 0. */
  positionals?: { min: number; max: number; names: string };
  run(ctx: CommandContext): Promise<number>;
}

/**
 * Thrown by commands for expected failures. main.ts prints `breakglass: <message>` on one line and exits with
 * `exitCode` (2 = usage or I/O by default). Never put a secret in the message.
 */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT_USAGE) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Typed accessors for parsed option values. */
export function stringOption(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new CliError(`--${name} needs a value`);
  return v;
}

export function flag(ctx: CommandContext, name: string): boolean {
  return ctx.values[name] === true;
}

export function writeLine(stream: Writable, line = ''): void {
  stream.write(`${line}\n`);
}

export function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
