// The service over real HTTP: health and readiness, public audit material, problem+json errors, security headers,
// and a graceful shutdown that signs a last checkpoint.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../../server/config.ts';
import { startService, type Service } from '../../../server/main.ts';
import { openCheckpoint } from '../../../server/audit/checkpoint.ts';
import { parseVerifierKey } from '../../../server/audit/signed-note.ts';
import { createBackend, type Backend } from '../../helpers/backends.ts';
import { backendEnv } from '../../helpers/audit-fixture.ts';
import { runCli } from '../../helpers/cli.ts';

let b: Backend;
let service: Service;

beforeAll(async () => {
  b = await createBackend('sqlite');
  const config = loadConfig({ env: { ...backendEnv(b), BREAKGLASS_PORT: '0' } });
  service = await startService(config, { logger: false });
});
afterAll(async () => {
  await service.close();
  await b.dispose();
});

describe('the running service', () => {
  test('answers /health and /ready', async () => {
    expect(await (await fetch(`${service.url}/health`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${service.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'sqlite ok', audit: 'signing as test.breakglass.local/audit' } });
  });

  test('serves the verifier key the CLI prints, and a checkpoint signed at start that verifies with it', async () => {
    const key = (await (await fetch(`${service.url}/api/audit/public-key`)).json()) as { verifierKey: string; origin: string };
    expect(key.origin).toBe('test.breakglass.local/audit');
    // Scheduled checkpoints run in the background; the first one is signed at start.
    let latest: Response | undefined;
    for (let i = 0; i < 50 && latest?.status !== 200; i++) {
      latest = await fetch(`${service.url}/api/audit/checkpoints/latest`);
      if (latest.status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(latest!.status).toBe(200);
    const cp = (await latest!.json()) as { note: string; treeSize: number; rootHash: string };
    const opened = openCheckpoint(cp.note, [parseVerifierKey(key.verifierKey)], key.origin);
    expect(opened.treeSize).toBe(cp.treeSize);
    expect(cp.rootHash).toBe(opened.rootHash.toString('hex'));
  });

  test('unknown routes and bad query strings get problem+json', async () => {
    const missing = await fetch(`${service.url}/api/nothing-here`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await missing.json()).toMatchObject({ status: 404, code: 'not_found', title: 'Not Found' });
    const bad = await fetch(`${service.url}/api/audit/checkpoints?limit=0`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'invalid_input', errors: [{ field: 'querystring.limit', message: expect.stringMatching(/>= 1/) }] });
  });

  test('sends a strict Content-Security-Policy and no framing', async () => {
    const r = await fetch(`${service.url}/health`);
    const csp = r.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  });

  test('shutting down signs one last checkpoint and closes the store', async () => {
    const before = (await runCli(['audit', 'verify', '--json'], backendEnv(b))).stdout;
    const n = (JSON.parse(before) as { checkpoints: { total: number } }).checkpoints.total;
    await service.close();
    const after = JSON.parse((await runCli(['audit', 'verify', '--json'], backendEnv(b))).stdout) as { ok: boolean; checkpoints: { total: number } };
    expect(after.ok).toBe(true);
    // One more checkpoint in the database and one more in the copy file.
    expect(after.checkpoints.total).toBe(n + 2);
    await expect(fetch(`${service.url}/health`)).rejects.toThrow();
  });
});
