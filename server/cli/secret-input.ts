// Reading a secret (a key PIN) in the CLI: from the terminal with echo off, or — for scripts and tests — one line of
// standard input. Never from an argument or an environment variable, which end up in shell history, `ps` output and
// process dumps. The value is returned to the caller and not kept here.
import type { Readable, Writable } from 'node:stream';
import { CliError } from './command.ts';

/** Reads standard input line by line, keeping what arrived beyond the current line for the next call. */
class LineReader {
  #buffer = '';
  #ended = false;
  #waiters: (() => void)[] = [];
  constructor(stream: Readable) {
    stream.setEncoding?.('utf8');
    stream.on('data', (d: string | Buffer) => {
      this.#buffer += d.toString();
      this.#wake();
    });
    stream.on('end', () => {
      this.#ended = true;
      this.#wake();
    });
  }
  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
  async line(): Promise<string | undefined> {
    for (;;) {
      const i = this.#buffer.indexOf('\n');
      if (i >= 0) {
        const out = this.#buffer.slice(0, i).replace(/\r$/, '');
        this.#buffer = this.#buffer.slice(i + 1);
        return out;
      }
      if (this.#ended) {
        const out = this.#buffer;
        this.#buffer = '';
        return out.length ? out : undefined;
      }
      await new Promise<void>((r) => this.#waiters.push(r));
    }
  }
}

const readers = new WeakMap<Readable, LineReader>();

function lineReader(stdin: Readable): LineReader {
  let r = readers.get(stdin);
  if (!r) {
    r = new LineReader(stdin);
    readers.set(stdin, r);
  }
  return r;
}

/** Reads a line typed at a TTY without echoing it. */
function readHidden(stdin: Readable & { setRawMode?(mode: boolean): void }, prompt: string, out: Writable): Promise<string> {
  return new Promise((resolve, reject) => {
    out.write(prompt);
    let value = '';
    stdin.setRawMode?.(true);
    stdin.setEncoding?.('utf8');
    const done = (err?: Error) => {
      stdin.setRawMode?.(false);
      stdin.off('data', onData);
      stdin.pause();
      out.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string | Buffer) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new CliError('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

export async function readSecret(io: { stdin: Readable & { isTTY?: boolean }; stderr: Writable }, prompt: string): Promise<string> {
  const value = io.stdin.isTTY ? await readHidden(io.stdin, prompt, io.stderr) : await lineReader(io.stdin).line();
  if (value === undefined || value.length === 0) throw new CliError(`${prompt.replace(/:\s*$/, '')} is required (type it when asked, or pipe it on standard input)`);
  return value;
}
