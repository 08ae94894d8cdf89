// The audit log's write contract on every backend: a change and its entries commit together or not at all; a change
// without an entry is refused; secrets are refused; entries are durable (synchronous=FULL on SQLite, and a killed
// process loses no acknowledged entry); the searchable columns always agree with the hashed record.
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { AuditWriteError } from '../../../server/audit/audit-log.ts';
import { openRuntime, type Runtime } from '../../../server/runtime.ts';
import { backendsUnderTest, createBackend, type Backend } from '../../helpers/backends.ts';
import { backendConfig, backendEnv } from '../../helpers/audit-fixture.ts';
import { runCli } from '../../helpers/cli.ts';

const backends = await backendsUnderTest();

describe.each(backends)('audit log writes on %s', (name) => {
  let b: Backend;
  let rt: Runtime | undefined;
  afterEach(async () => {
    await rt?.close();
    rt = undefined;
    await b?.dispose();
  });

  async function open(): Promise<Runtime> {
    b = await createBackend(name);
    rt = await openRuntime(backendConfig(b));
    return rt;
  }

  const metaRow = (r: Runtime, key: string) => r.database.db.selectFrom('meta').selectAll().where('key', '=', key).executeTakeFirst();

  test('a change and its audit entry are written together', async () => {
    const r = await open();
    const before = (await r.audit.head()).size;
    await r.audit.change(async (tx, audit) => {
      await tx.insertInto('meta').values({ key: 'setting.reminders', value: 'on' }).execute();
      audit.record({ actor: 'officer:alice', action: 'settings.changed', subject: 'settings', data: { reminders: 'on' } });
    });
    expect(await metaRow(r, 'setting.reminders')).toEqual({ key: 'setting.reminders', value: 'on' });
    const [last] = await r.audit.entries({ limit: 1 });
    expect(last).toMatchObject({ seq: before, actor: 'officer:alice', action: 'settings.changed', subject: 'settings', data: { reminders: 'on' } });
  });

  test('when the change fails, neither the state nor the entry is written', async () => {
    const r = await open();
    const before = await r.audit.head();
    await expect(
      r.audit.change(async (tx, audit) => {
        await tx.insertInto('meta').values({ key: 'half', value: 'written' }).execute();
        audit.record({ actor: 'officer:alice', action: 'x.y', subject: 'z' });
        throw new Error('Graph said no');
      }),
    ).rejects.toThrow('Graph said no');
    expect(await metaRow(r, 'half')).toBeUndefined();
    expect(await r.audit.head()).toEqual(before);
  });

  test('a change that records no audit event is refused and rolled back', async () => {
    const r = await open();
    await expect(r.audit.change(async (tx) => void (await tx.insertInto('meta').values({ key: 'silent', value: '1' }).execute()))).rejects.toBeInstanceOf(AuditWriteError);
    expect(await metaRow(r, 'silent')).toBeUndefined();
  });

  test('secret-named fields never enter the log', async () => {
    const r = await open();
    const before = await r.audit.head();
    await expect(r.audit.record({ actor: 'officer:a', action: 'tap.issued', subject: 'account:1', data: { method: { temporaryAccessPass: 'x' } } })).rejects.toThrow(
      /refusing to write data\.method\.temporaryAccessPass/,
    );
    expect(await r.audit.head()).toEqual(before);
  });

  test('concurrent changes get dense, unique sequence numbers and a valid chain', async () => {
    const r = await open();
    await Promise.all(Array.from({ length: 40 }, (_, i) => r.audit.record({ actor: `officer:${i}`, action: 'test.concurrent', subject: `item:${i}` })));
    await r.checkpointer.checkpoint();
    const v = await runCli(['audit', 'verify', '--json'], backendEnv(b));
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, entries: 41 });
  });

  test('searching by actor, action prefix and subject uses the columns generated from the record', async () => {
    const r = await open();
    await r.audit.record(
      { actor: 'officer:alice', action: 'drill.opened', subject: 'account:1' },
      { actor: 'officer:bob', action: 'drill.closed', subject: 'account:1' },
      { actor: 'officer:alice', action: 'key.checked', subject: 'key:9' },
    );
    expect((await r.audit.entries({ limit: 10, actor: 'officer:alice' })).map((e) => e.action)).toEqual(['key.checked', 'drill.opened']);
    expect((await r.audit.entries({ limit: 10, action: 'drill.*' })).map((e) => e.action)).toEqual(['drill.closed', 'drill.opened']);
    expect((await r.audit.entries({ limit: 10, subject: 'account:1', before: 2 })).map((e) => e.seq)).toEqual([1]);
  });

  test('an action prefix matches literally and case-sensitively ("_" and "%" are plain characters)', async () => {
    const r = await open();
    await r.audit.record(
      { actor: 'system', action: 'tap_policy.checked', subject: 's' },
      { actor: 'system', action: 'tapXpolicy.checked', subject: 's' },
      { actor: 'system', action: 'Drill.opened', subject: 's' },
      { actor: 'system', action: 'drill.opened', subject: 's' },
    );
    expect((await r.audit.entries({ limit: 10, action: 'tap_policy.*' })).map((e) => e.action)).toEqual(['tap_policy.checked']);
    expect((await r.audit.entries({ limit: 10, action: 'drill.*' })).map((e) => e.action)).toEqual(['drill.opened']);
    expect(await r.audit.entries({ limit: 10, action: '%.*' })).toEqual([]);
  });

  test('an existing log whose signing key file is missing refuses to start, and creates no new key', async () => {
    b = await createBackend(name);
    const first = await openRuntime(backendConfig(b));
    await first.close();
    const keyPath = backendConfig(b).audit.signingKeyPath;
    rmSync(keyPath);
    await expect(openRuntime(backendConfig(b))).rejects.toThrow(/audit signing key .* is missing, and this log \(test\.breakglass\.local\/audit\) was started with it; restore the key file/);
    expect(existsSync(keyPath)).toBe(false);
  });

  if (name === 'sqlite') {
    test('SQLite writes with synchronous=FULL in WAL mode', async () => {
      const r = await open();
      expect(r.database.sqlite!.pragma('synchronous', { simple: true })).toBe(2);
      expect(r.database.sqlite!.pragma('journal_mode', { simple: true })).toBe('wal');
    });
  }

  test('a process killed mid-stream loses no acknowledged entry', async () => {
    b = await createBackend(name);
    const script = join(import.meta.dirname, '..', '..', 'helpers', 'append-forever.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, ...backendEnv(b) }, stdio: ['ignore', 'pipe', 'inherit'] });
    let acked = -1;
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const seqs = buf.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
        if (seqs.length) acked = Math.max(acked, ...seqs);
        if (acked >= 150) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => resolve());
      child.on('error', reject);
    });
    await new Promise((r) => child.once('close', r));
    expect(acked).toBeGreaterThanOrEqual(150);
    rt = await openRuntime(backendConfig(b));
    const head = await rt.audit.head();
    expect(head.size - 1).toBeGreaterThanOrEqual(acked);
    await rt.checkpointer.checkpoint();
    const v = await runCli(['audit', 'verify', '--json'], backendEnv(b));
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true });
  });
});
