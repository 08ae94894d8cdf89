// Every kind of tampering an attacker with database access can do is detected by `breakglass audit verify`, with
// the kind and the first bad seq, on every storage backend.
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { GENESIS_CHAIN_HEX, nextChainHex, parseRecord, recordLeafLatin1, recordText } from '../../../server/audit/audit-record.ts';
import { canonicalJson } from '../../../server/audit/canonical-json.ts';
import { backendsUnderTest, createBackend, type Backend } from '../../helpers/backends.ts';
import { backendEnv, buildLog, rawRows, tamper } from '../../helpers/audit-fixture.ts';
import { runCli } from '../../helpers/cli.ts';
import type { VerifyOutput } from '../../../server/cli/audit-verify-command.ts';

const backends = await backendsUnderTest();

async function verify(b: Backend, extra: string[] = []): Promise<{ code: number; report: VerifyOutput; stderr: string }> {
  const r = await runCli(['audit', 'verify', '--json', ...extra], backendEnv(b));
  return { code: r.code, report: (r.stdout ? JSON.parse(r.stdout) : undefined) as VerifyOutput, stderr: r.stderr };
}

describe.each(backends)('audit log tamper detection on %s', (name) => {
  let b: Backend;
  afterEach(async () => {
    await b?.dispose();
  });

  async function fresh(size = 50, checkpoints = [20, 50]): Promise<void> {
    b = await createBackend(name);
    const rt = await buildLog(b, size, checkpoints);
    await rt.close();
  }

  test('an untouched log verifies: every seq, hash and checkpoint', async () => {
    await fresh();
    const { code, report } = await verify(b);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.entries).toBe(50);
    expect(report.problems).toEqual([]);
    // Two checkpoints in the database and their two copies in checkpoints.jsonl.
    expect(report.checkpoints).toMatchObject({ total: 4, verified: 4, latest: { treeSize: 50 } });
    expect(report.keyIndependent).toBe(true);
  });

  test('an edited entry is reported as edited at its seq', async () => {
    await fresh();
    await tamper(b, [`UPDATE audit_entry SET record = REPLACE(record, '"actor":"officer:bob"', '"actor":"officer:mallory"') WHERE seq = 17`]);
    const { code, report } = await verify(b);
    expect(code).toBe(1);
    expect(report.problems[0]).toMatchObject({ kind: 'edited', seq: 17 });
    expect(report.firstBadSeq).toBe(17);
  });

  test('a deleted entry is reported as deleted at its seq', async () => {
    await fresh();
    await tamper(b, ['DELETE FROM audit_entry WHERE seq = 17']);
    const { code, report } = await verify(b);
    expect(code).toBe(1);
    expect(report.problems[0]).toMatchObject({ kind: 'deleted', seq: 17 });
    expect(report.problems[0]!.message).toMatch(/seq 17 missing/);
  });

  test('two entries swapped in place are reported as reordered', async () => {
    await fresh();
    await tamper(b, ['UPDATE audit_entry SET seq = -1 WHERE seq = 20', 'UPDATE audit_entry SET seq = 20 WHERE seq = 21', 'UPDATE audit_entry SET seq = 21 WHERE seq = -1']);
    const { code, report } = await verify(b);
    expect(code).toBe(1);
    expect(report.problems[0]).toMatchObject({ kind: 'reordered', seq: 20 });
  });

  test('cutting the tail behind the latest checkpoint is reported as truncation', async () => {
    await fresh();
    await tamper(b, ['DELETE FROM audit_entry WHERE seq >= 45']);
    const { code, report } = await verify(b);
    expect(code).toBe(1);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'truncated', seq: 45 })]);
  });

  test('restoring an older copy (entries and checkpoints) is caught by the checkpoint copy: rolled back', async () => {
    await fresh(30, [30]);
    // Keep a "backup" at 30 entries, then carry on to 50 with a checkpoint, then restore the backup.
    const backupRows = name === 'sqlite' ? `${b.sqlitePath}.bak` : '';
    if (name === 'sqlite') copyFileSync(b.sqlitePath, backupRows);
    const rt = await buildLog(b, 50, [50]);
    await rt.close();
    if (name === 'sqlite') {
      for (const ext of ['-wal', '-shm']) if (existsSync(b.sqlitePath + ext)) rmSync(b.sqlitePath + ext);
      copyFileSync(backupRows, b.sqlitePath);
    } else {
      await tamper(b, ['DELETE FROM audit_entry WHERE seq >= 30', 'DELETE FROM audit_checkpoint WHERE tree_size > 30']);
    }
    const intactLooking = await verify(b, []);
    expect(intactLooking.code).toBe(1);
    expect(intactLooking.report.problems).toEqual([expect.objectContaining({ kind: 'rolled_back', seq: 30 })]);
  });

  test('history rewritten with recomputed leaf and chain hashes is caught by the signed roots', async () => {
    await fresh();
    // Rewrite entry 10 and recompute every later chain hash, exactly as the application would have.
    const rows = (await rawRows(b, 'SELECT seq, record FROM audit_entry ORDER BY seq')) as { seq: number | string; record: string }[];
    let prev = GENESIS_CHAIN_HEX;
    const statements: string[] = [];
    for (const r of rows) {
      const p = parseRecord(r.record);
      const record = Number(r.seq) === 10 ? recordText({ ...p, data: canonicalJson({ i: 10, note: 'nothing happened' }) }) : r.record;
      prev = nextChainHex(prev, recordLeafLatin1(record));
      if (p.seq >= 10) statements.push(`UPDATE audit_entry SET record = '${record}', chain_hash = '${prev}' WHERE seq = ${p.seq}`);
    }
    await tamper(b, statements);
    const { code, report } = await verify(b);
    expect(code).toBe(1);
    expect(report.problems[0]).toMatchObject({ kind: 'rewritten' });
    expect(report.problems[0]!.seq).toBeLessThanOrEqual(10);
    expect(report.problems[0]!.message).toMatch(/tree size 20/);
  });

  test('a forged checkpoint (note changed) and an edited checkpoint row are both reported', async () => {
    await fresh();
    await tamper(b, [`UPDATE audit_checkpoint SET note = REPLACE(note, 'test.breakglass.local/audit\n50\n', 'test.breakglass.local/audit\n49\n') WHERE id = 2`, 'UPDATE audit_checkpoint SET tree_size = 19 WHERE id = 1']);
    const { code, report } = await verify(b);
    expect(code).toBe(1);
    const kinds = report.problems.map((p) => p.kind);
    expect(kinds).toContain('checkpoint_forged');
    expect(kinds).toContain('checkpoint_edited');
  });

  test('the append-only triggers refuse UPDATE and DELETE through normal access', async () => {
    await fresh(5, []);
    const attempt = async (statement: string): Promise<string> => {
      if (name === 'sqlite') {
        const { default: Sqlite } = await import('better-sqlite3');
        const db = new Sqlite(b.sqlitePath);
        try {
          db.exec(statement);
          return 'allowed';
        } catch (err) {
          return (err as Error).message;
        } finally {
          db.close();
        }
      }
      const { default: pgm } = await import('pg');
      const c = new pgm.Client({ connectionString: b.databaseUrl });
      await c.connect();
      try {
        await c.query(statement);
        return 'allowed';
      } catch (err) {
        return (err as Error).message;
      } finally {
        await c.end();
      }
    };
    expect(await attempt(`UPDATE audit_entry SET chain_hash = 'x' WHERE seq = 1`)).toMatch(/append-only/);
    expect(await attempt('DELETE FROM audit_entry WHERE seq = 1')).toMatch(/append-only/);
  });
});
