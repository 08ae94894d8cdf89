import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../../server/config.ts';
import { ConfigError } from '../../../server/errors.ts';

function problems(env: NodeJS.ProcessEnv, configFile?: string): string[] {
  try {
    loadConfig({ env, cwd: '/srv/bg', ...(configFile ? { configFile } : {}) });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('configuration', () => {
  test('defaults: localhost:3000, SQLite in ./data, hourly-ish checkpoints, key in the data folder', () => {
    const c = loadConfig({ env: {}, cwd: '/srv/bg' });
    expect(c.server).toMatchObject({ host: '127.0.0.1', port: 3000, publicUrl: 'http://localhost:3000', tls: undefined });
    expect(c.storage).toEqual({ dataDir: expect.stringMatching(/data$/), databaseUrl: undefined, sqlitePath: expect.stringMatching(/data\/breakglass\.db$/) });
    expect(c.audit.checkpointIntervalSeconds).toBe(900);
    expect(c.audit.signingKeyPath).toMatch(/data\/audit-signing-key\.pem$/);
  });

  test('every bad setting is reported on its own line, naming the variable and the file key', () => {
    const p = problems({ BREAKGLASS_PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', BREAKGLASS_CHECKPOINT_INTERVAL: '1', BREAKGLASS_TLS_CERT: '/x.pem', BREAKGLASS_AUDIT_ORIGIN: 'has space' });
    expect(p).toEqual([
      'BREAKGLASS_PORT (config file: server.port): must be a whole number from 0 to 65535, got "eighty"',
      'BREAKGLASS_TLS_KEY (config file: server.tls.key): TLS needs both a certificate and a key',
      'DATABASE_URL (config file: storage.databaseUrl): must start with postgres:// (leave it unset to use the embedded SQLite file)',
      'BREAKGLASS_AUDIT_ORIGIN (config file: audit.origin): must be non-empty and contain no spaces or "+" (it is also the signing key name)',
      'BREAKGLASS_CHECKPOINT_INTERVAL (config file: audit.checkpointIntervalSeconds): must be a whole number from 10 to 86400, got "1"',
      'LOG_LEVEL (config file: logLevel): must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    ]);
  });

  test('a JSON config file is read, its relative paths resolve against its folder, and env wins over it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bg-cfg-'));
    const file = join(dir, 'breakglass.json');
    writeFileSync(file, JSON.stringify({ server: { port: 4100, host: '0.0.0.0' }, storage: { dataDir: 'state' } }));
    const c = loadConfig({ env: { BREAKGLASS_PORT: '4200' }, configFile: file });
    expect(c.server.port).toBe(4200);
    expect(c.server.host).toBe('0.0.0.0');
    expect(c.storage.dataDir).toBe(join(dir, 'state'));
    expect(c.configFile).toBe(file);
  });

  test('an unreadable or non-JSON config file is one clear line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bg-cfg-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ port: 1');
    expect(problems({}, bad)[0]).toMatch(/^config file .*bad\.json: is not a JSON object/);
    expect(problems({}, join(dir, 'missing.json'))).toEqual([`config file ${join(dir, 'missing.json')}: cannot be read (ENOENT)`]);
  });
});
