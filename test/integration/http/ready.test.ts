// /ready tells the truth about the audit log: when the last checkpoint could not be signed (here: an entry was
// edited behind the service's back before it was checkpointed, so the checkpointer refuses to sign), the service
// answers 503 with the reason.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadConfig } from '../../../server/config.ts';
import { startService, type Service } from '../../../server/main.ts';
import { createBackend, type Backend } from '../../helpers/backends.ts';
import { backendEnv, tamper } from '../../helpers/audit-fixture.ts';

let b: Backend;
let service: Service;

beforeAll(async () => {
  b = await createBackend('sqlite');
  service = await startService(loadConfig({ env: { ...backendEnv(b), BREAKGLASS_PORT: '0' } }), { logger: false, checkpoints: false, directory: false });
  await service.runtime.audit.record({ actor: 'system', action: 'test.event', subject: 'item:1' });
  await service.runtime.checkpointer.checkpoint();
});
afterAll(async () => {
  await service.close().catch(() => undefined);
  await b.dispose();
});

test('ready while checkpoints sign; 503 with the reason once the log no longer matches what was signed', async () => {
  expect((await fetch(`${service.url}/ready`)).status).toBe(200);
  // An entry appended after the last checkpoint is edited before the next one: the checkpointer re-checks it.
  await service.runtime.audit.record({ actor: 'system', action: 'test.event', subject: 'item:3' });
  await tamper(b, [`UPDATE audit_entry SET record = REPLACE(record, '"item:3"', '"item:4"') WHERE record LIKE '%"item:3"%'`]);
  await expect(service.runtime.checkpointer.checkpoint()).rejects.toThrow(/does not match its chain hash; refusing to sign/);
  const r = await fetch(`${service.url}/ready`);
  expect(r.status).toBe(503);
  expect(await r.json()).toMatchObject({ code: 'not_ready', detail: expect.stringMatching(/could not sign its last checkpoint: audit entry \d+ does not match/) });
});
