#!/usr/bin/env node
// Builds the web front end (client/dist) when it is missing or older than its sources, so `npm start` and `npm test`
// on a fresh clone just work. Several processes may call it at once (test workers): a lock folder serialises them.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const dist = join(here, 'dist', 'index.html');
const lock = join(here, '.build-lock');

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

export function clientIsStale() {
  if (!existsSync(dist)) return true;
  const sources = Math.max(
    newest(join(here, 'src')),
    newest(join(here, 'public')),
    newest(join(here, 'index.html')),
    newest(join(here, 'vite.config.ts')),
  );
  return sources > statSync(dist).mtimeMs;
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function buildClientIfNeeded({ quiet = false } = {}) {
  if (!clientIsStale()) return false;
  // Take the lock (mkdir is atomic); a lock older than 2 minutes is from a crashed build.
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      sleep(200);
      if (!clientIsStale()) return false;
    }
  }
  try {
    if (!clientIsStale()) return false;
    if (!quiet) process.stdout.write('breakglass: building the web front end (client/dist)…\n');
    const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
    if (!existsSync(vite)) throw new Error('vite is not installed: run `npm install` (it is a development dependency)');
    const r = spawnSync(process.execPath, [vite, 'build', '--config', join(here, 'vite.config.ts'), '--logLevel', quiet ? 'warn' : 'info'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`building the web front end failed (exit ${r.status})`);
    return true;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    buildClientIfNeeded();
  } catch (err) {
    process.stderr.write(`breakglass: ${err.message}\n`);
    process.exit(1);
  }
}
