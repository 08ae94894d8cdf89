// `breakglass serve` as a new user runs it: the banner prints the URL and, on first start, the one-time bootstrap
// code — which is also in a 0600 file, and never in the JSON log lines that share stdout.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const dataDir = mkdtempSync(join(tmpdir(), 'bg-banner-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

test('first start prints the URL and a bootstrap code that matches the 0600 file; the log never carries it', async () => {
  const child = spawn(process.execPath, [join(ROOT, 'bin/breakglass.mjs'), 'serve', '--port', '0'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, BREAKGLASS_DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    await expect.poll(() => out, { timeout: 45_000, interval: 100 }).toContain('stop with Ctrl+C');
    const url = /breakglass is running at (http:\/\/localhost:\d+)/.exec(out)?.[1];
    expect(url).toBeDefined();
    const code = /^ {6}([A-Z2-9]{4}(?:-[A-Z2-9]{4}){4})$/m.exec(out)?.[1];
    expect(code, out).toBeDefined();
    expect(out).toContain(`FIRST START: no officer exists yet. Open ${url}/setup`);
    const file = join(dataDir, 'bootstrap-code.txt');
    expect(readFileSync(file, 'utf8')).toContain(code!);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The service answers at the printed URL, and says set-up is pending.
    const status = (await (await fetch(`${url}/api/auth/status`)).json()) as { bootstrapRequired: boolean; origin: string };
    expect(status).toMatchObject({ bootstrapRequired: true, origin: url });
    const logLines = out.split('\n').filter((l) => l.startsWith('{'));
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(code!);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}, 60_000);
