// The step-up preHandler as other features will use it (approving a request, revealing a TAP, registering a key on
// behalf of an account), the start-time guard that refuses an /api route without an access rule, and the accounts
// API when no directory is connected.
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { authLayer } from '../../../server/auth/auth-plugin.ts';
import { createBackend, type Backend } from '../../helpers/backends.ts';
import { auditEntries, openHarness, signedInCast, type Browser, type Harness } from './auth-harness.ts';

let b: Backend;
let h: Harness;
let officer: Browser;
let auditor: Browser;

beforeAll(async () => {
  b = await createBackend('sqlite');
  h = await openHarness(b, {}, {
    routes(app) {
      // What a later feature writes: its permission in config, and the shared step-up preHandler.
      app.post('/api/test/reveal-tap', { config: { access: 'accounts.operate' }, preHandler: app.requireStepUp }, async () => ({ revealed: true }));
    },
  });
  ({ officer, auditor } = await signedInCast(h));
});
afterAll(async () => {
  await h.close();
  await b.dispose();
});

describe('the step-up preHandler', () => {
  test('lets a sensitive action through right after a passkey assertion', async () => {
    const res = await officer.request('POST', '/api/test/reveal-tap', {});
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ revealed: true });
  });

  test('asks for a new passkey assertion once the window has passed, then allows it again', async () => {
    h.clock.advance(5 * 60_000 + 1);
    const refused = await officer.request('POST', '/api/test/reveal-tap', {});
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'step_up_required', detail: expect.stringMatching(/passkey check from the last 5 minutes/) });
    expect((await officer.stepUp()).statusCode).toBe(200);
    expect((await officer.request('POST', '/api/test/reveal-tap', {})).statusCode).toBe(200);
    const [stepUp] = await auditEntries(h, 'auth.step_up');
    expect(stepUp!.actor).toMatch(/^officer:/);
  });

  test('still enforces the route permission first: an auditor gets 403 forbidden, not a passkey prompt', async () => {
    const res = await auditor.request('POST', '/api/test/reveal-tap', {});
    expect(res.json()).toMatchObject({ code: 'forbidden' });
  });
});

describe('every /api route declares who may call it', () => {
  test('a route without config.access stops the service from starting, naming the route', async () => {
    const app = Fastify({ logger: false });
    await app.register(authLayer, { runtime: h.runtime });
    expect(() => app.get('/api/forgotten', async () => ({ secret: true }))).toThrow('GET /api/forgotten declares no access rule');
    // Outside /api (health, docs, the front end's files) no rule is needed.
    expect(() => app.get('/health-extra', async () => ({ ok: true }))).not.toThrow();
    await app.close();
  });
});

describe('the accounts API without a directory', () => {
  test('says no directory is connected instead of showing anything made up', async () => {
    const res = await auditor.request('GET', '/api/accounts');
    expect(res.json()).toEqual({ tenant: null, accounts: [], directoryError: 'No directory is connected to this service, so live state cannot be shown.' });
    const designate = await officer.request('POST', '/api/accounts', { user: 'bg-01@contosodemo.onmicrosoft.com' });
    expect(designate.statusCode).toBe(503);
    expect(designate.json()).toMatchObject({ code: 'no_directory' });
  });
});
