// The audit CLI as an operator and an auditor use it: exit codes, one-line errors without stack traces, bundles
// verified offline, damaged or foreign inputs named precisely.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createBackend, type Backend } from '../../helpers/backends.ts';
import { backendEnv, buildLog } from '../../helpers/audit-fixture.ts';
import { runCli } from '../../helpers/cli.ts';

const run = promisify(execFile);
let b: Backend;
let other: Backend;
let env: NodeJS.ProcessEnv;
let bundle: string;
let lines: string[];
const tmp = mkdtempSync(join(tmpdir(), 'bg-cli-'));

beforeAll(async () => {
  b = await createBackend('sqlite');
  env = backendEnv(b);
  const rt = await buildLog(b, 30, [10, 30]);
  await rt.close();
  other = await createBackend('sqlite');
  const rt2 = await buildLog(other, 5, [5], 'other.example/audit');
  await rt2.close();
  bundle = join(tmp, 'audit.jsonl');
  const r = await runCli(['audit', 'export', '--out', bundle], env);
  expect(r.code).toBe(0);
  lines = readFileSync(bundle, 'utf8').trimEnd().split('\n');
});
afterAll(async () => {
  await b.dispose();
  await other.dispose();
});

function writeBundle(name: string, ls: string[]): string {
  const p = join(tmp, name);
  writeFileSync(p, `${ls.join('\n')}\n`);
  return p;
}

async function verifyBundle(path: string, extra: string[] = []): Promise<{ code: number; json: { ok: boolean; problems: { kind: string; seq: number | null; message: string }[] } }> {
  const r = await runCli(['audit', 'verify', '--bundle', path, '--json', ...extra], {});
  return { code: r.code, json: JSON.parse(r.stdout) as never };
}

describe('audit export and offline bundle verification', () => {
  test('the bundle holds a header, the checkpoints, every entry and an end line', () => {
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: 'header', format: 'breakglass-audit-bundle/1', origin: 'test.breakglass.local/audit', treeSize: 30 });
    expect(lines.filter((l) => l.includes('"type":"checkpoint"'))).toHaveLength(2);
    expect(lines.filter((l) => l.includes('"type":"entry"'))).toHaveLength(30);
    expect(JSON.parse(lines.at(-1)!)).toEqual({ type: 'end', entries: 30, checkpoints: 2 });
  });

  test('an intact bundle verifies anywhere, with the key pinned', async () => {
    const key = (await runCli(['audit', 'key'], env)).stdout.trim();
    const r = await runCli(['audit', 'verify', '--bundle', bundle, '--key', key], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/INTACT/);
    expect(r.stdout).not.toMatch(/warning/);
  });

  test('without a pinned key it still verifies, but says the key came from the bundle itself', async () => {
    const r = await runCli(['audit', 'verify', '--bundle', bundle], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/warning: .*bundle's own header; pin it with --key/);
  });

  const firstEntry = (): number => lines.findIndex((l) => l.includes('"type":"entry"'));

  test('an edited entry line is reported as edited at its seq', async () => {
    const ls = [...lines];
    const i = firstEntry() + 12;
    ls[i] = ls[i]!.replace('"note":"event number 12"', '"note":"event number 99"');
    const { code, json } = await verifyBundle(writeBundle('edited.jsonl', ls));
    expect(code).toBe(1);
    expect(json.problems[0]).toMatchObject({ kind: 'edited', seq: 12 });
  });

  test('a damaged (unparseable) line is named by line number', async () => {
    const ls = [...lines];
    const i = firstEntry() + 7;
    ls[i] = ls[i]!.slice(0, 40);
    const { code, json } = await verifyBundle(writeBundle('damaged.jsonl', ls));
    expect(code).toBe(1);
    expect(json.problems[0]).toMatchObject({ kind: 'malformed', seq: 7 });
    expect(json.problems[0]!.message).toMatch(new RegExp(`bundle line ${i + 1} is damaged`));
  });

  test('a removed line, swapped lines and a file cut short are each named', async () => {
    const e = firstEntry();
    const removed = [...lines];
    removed.splice(e + 5, 1);
    expect((await verifyBundle(writeBundle('removed.jsonl', removed))).json.problems[0]).toMatchObject({ kind: 'deleted', seq: 5 });

    const swapped = [...lines];
    [swapped[e + 3], swapped[e + 4]] = [swapped[e + 4]!, swapped[e + 3]!];
    expect((await verifyBundle(writeBundle('swapped.jsonl', swapped))).json.problems[0]).toMatchObject({ kind: 'deleted', seq: 3 });

    const cut = lines.slice(0, e + 20);
    const r = await verifyBundle(writeBundle('cut.jsonl', cut));
    expect(r.code).toBe(1);
    expect(r.json.problems.map((p) => p.kind)).toEqual(expect.arrayContaining(['truncated']));
  });

  test('a wrong pinned key makes every checkpoint unverifiable (exit 1); a missing key file is a usage error (exit 2)', async () => {
    const otherKey = (await runCli(['audit', 'key'], backendEnv(other, 'other.example/audit'))).stdout.trim();
    const wrong = await verifyBundle(bundle, ['--key', otherKey]);
    expect(wrong.code).toBe(1);
    expect(wrong.json.problems.every((p) => p.kind === 'checkpoint_forged')).toBe(true);
    const missing = await runCli(['audit', 'verify', '--bundle', bundle, '--key', join(tmp, 'no-such-key.txt')], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/--key .*no-such-key\.txt: not a verifier key .* and no such file/);
  });

  test('a checkpoint of another log is named as such', async () => {
    const otherCp = join(tmp, 'other-checkpoint.txt');
    const r = await runCli(['audit', 'checkpoint', '--json'], backendEnv(other, 'other.example/audit'));
    writeFileSync(otherCp, (JSON.parse(r.stdout) as { note: string }).note);
    const v = await runCli(['audit', 'verify', '--checkpoint', otherCp, '--json'], env);
    expect(v.code).toBe(1);
    expect((JSON.parse(v.stdout) as { problems: { kind: string; message: string }[] }).problems[0]).toMatchObject({ kind: 'checkpoint_origin' });
  });

  test('export refuses to overwrite, and a failed export leaves no partial file', async () => {
    const again = await runCli(['audit', 'export', '--out', bundle], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists; pass --force/);
    const nowhere = join(tmp, 'no-such-dir', 'x.jsonl');
    const failed = await runCli(['audit', 'export', '--out', nowhere], env);
    expect(failed.code).toBe(2);
    expect(failed.stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(tmp).filter((f) => f.includes('partial'))).toEqual([]);
  });

  test('CSV export has one row per entry with the hashes, and neutralises spreadsheet formulas', async () => {
    const csv = join(tmp, 'audit.csv');
    expect((await runCli(['audit', 'export', '--format', 'csv', '--out', csv], env)).code).toBe(0);
    const rows = readFileSync(csv, 'utf8').trimEnd().split('\n');
    expect(rows[0]).toBe('seq,at,actor,action,subject,data,leaf_hash,chain_hash');
    expect(rows).toHaveLength(31);
    expect(rows[13]).toMatch(/^12,2026-11-01T09:12:00.000Z,officer:alice,test\.event,item:12,"{""i"":12,""note"":""event number 12""}",[0-9a-f]{64},[0-9a-f]{64}$/);
  });
});

describe('proofs', () => {
  test('an inclusion proof for an entry verifies against the latest signed checkpoint', async () => {
    const r = await runCli(['audit', 'prove', '12', '--json'], env);
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout) as { verified: boolean; treeSize: number; proof: string[]; entry: { seq: number; action: string } };
    expect(p).toMatchObject({ verified: true, treeSize: 30, entry: { seq: 12, action: 'test.event' } });
    expect(p.proof).toHaveLength(5); // ceil(log2(30))
  });

  test('a seq beyond the checkpoint is a clear usage error', async () => {
    const r = await runCli(['audit', 'prove', '30'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/seq 30 is not covered by checkpoint #2 \(tree size 30\)/);
    expect((await runCli(['audit', 'prove', 'twelve'], env)).stderr).toMatch(/SEQ must be a non-negative whole number/);
  });

  test('consistency between two checkpoints verifies', async () => {
    const r = await runCli(['audit', 'consistency', '1', '2', '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ verified: true, from: { treeSize: 10 }, to: { treeSize: 30 } });
  });
});

describe('bad input to the real binary', () => {
  const bin = join(process.cwd(), 'bin', 'breakglass.mjs');

  test('a corrupt database file: exit 2, one line, no stack trace, nothing written', async () => {
    const corrupt = join(tmp, 'corrupt.db');
    writeFileSync(corrupt, Buffer.alloc(8192, 0x5a));
    const before = readFileSync(corrupt);
    const err = await run(process.execPath, [bin, 'audit', 'verify', '--db', corrupt]).catch((e: { code: number; stderr: string; stdout: string }) => e);
    expect((err as { code: number }).code).toBe(2);
    const stderr = (err as { stderr: string }).stderr;
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/corrupt\.db is not a usable SQLite database/);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(corrupt).equals(before)).toBe(true);
  });

  test('a missing database and conflicting options are usage errors', async () => {
    expect((await runCli(['audit', 'verify', '--db', join(tmp, 'nope.db')], {})).stderr).toMatch(/nope\.db does not exist/);
    const both = await runCli(['audit', 'verify', '--db', 'a', '--bundle', 'b'], {});
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/either --db or --bundle, not both/);
    expect(existsSync(join(process.cwd(), 'a'))).toBe(false);
  });

  test('a file that is not a bundle says what it expected', async () => {
    const notBundle = join(tmp, 'not-a-bundle.txt');
    writeFileSync(notBundle, 'hello\n');
    const r = await runCli(['audit', 'verify', '--bundle', notBundle], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/line 1 is not a bundle header/);
  });
});
