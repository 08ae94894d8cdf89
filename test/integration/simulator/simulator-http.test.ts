// The simulated tenant over plain HTTP with raw requests: Graph's URL and error-body shapes, the token endpoint's
// AADSTS errors, $batch validation and dependsOn, OData $filter/$top/nextLink, v1.0 vs beta sign-ins, and the admin
// routes that record sign-ins and inject faults. Complements the adapter-level tests, which see only typed results.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/clock.ts';
import { startSimulator, type SimulatorHandle } from '../../../server/simulator/start-simulator.ts';
import { DEMO } from '../../fixtures/graph/sim-harness.ts';

let sim: SimulatorHandle;
let token: string;
const clock = new ManualClock('2026-11-20T09:00:00Z');

async function graph(path: string, init: RequestInit = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${sim.origin}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

beforeAll(async () => {
  sim = await startSimulator({ tls: false, clock, reportsThrottle: false });
  const res = await fetch(`${sim.origin}/${DEMO.tenantId}/oauth2/v2.0/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sim.connection.clientId, client_secret: sim.connection.clientSecret, scope: 'https://graph.microsoft.com/.default' }),
  });
  token = ((await res.json()) as { access_token: string }).access_token;
});
afterAll(() => sim.close());

describe('identity endpoints', () => {
  it('serves the OpenID configuration MSAL reads', async () => {
    const res = await fetch(`${sim.origin}/${DEMO.tenantId}/v2.0/.well-known/openid-configuration`);
    const body = (await res.json()) as Record<string, string>;
    expect(body.token_endpoint).toBe(`${sim.origin}/${DEMO.tenantId}/oauth2/v2.0/token`);
    expect(body.issuer).toBe(`${sim.origin}/${DEMO.tenantId}/v2.0`);
  });

  it('answers bad credentials, scopes and tenants with AADSTS errors', async () => {
    const post = (form: Record<string, string>, tenant = DEMO.tenantId) => fetch(`${sim.origin}/${tenant}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
    const base = { grant_type: 'client_credentials', client_id: sim.connection.clientId, client_secret: sim.connection.clientSecret, scope: 'https://graph.microsoft.com/.default' };
    const wrong = await post({ ...base, client_secret: 'nope-nope-nope' });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error_description: string }).error_description).toMatch(/^AADSTS7000215:/);
    const scope = await post({ ...base, scope: 'User.Read' });
    expect(((await scope.json()) as { error: string }).error).toBe('invalid_scope');
    const tenant = await post(base, 'not-a-tenant.example');
    expect(((await tenant.json()) as { error_codes: number[] }).error_codes).toEqual([90002]);
  });

  it('refuses Graph calls without a valid bearer token, with Graph\'s error body and request ids', async () => {
    const res = await fetch(`${sim.origin}/v1.0/users`, { headers: { 'client-request-id': 'abc-123' } });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { code: string; innerError: Record<string, string> } };
    expect(body.error.code).toBe('InvalidAuthenticationToken');
    expect(body.error.innerError['client-request-id']).toBe('abc-123');
    expect(body.error.innerError['request-id']).toBe(res.headers.get('request-id'));
    expect(body.error.innerError.date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
  });
});

describe('OData', () => {
  it('filters users with `in`, selects, and pages through absolute https://graph.microsoft.com nextLinks', async () => {
    const r = await graph(`/v1.0/users?$filter=${encodeURIComponent(`id in ('${DEMO.bg01}','${DEMO.bg02}')`)}&$select=id,userPrincipalName`);
    expect(r.body.value.map((u: { userPrincipalName: string }) => u.userPrincipalName).sort()).toEqual([DEMO.bg01Upn, DEMO.bg02Upn]);
    expect(Object.keys(r.body.value[0]).sort()).toEqual(['@odata.type', 'id', 'userPrincipalName']);
    const p1 = await graph('/v1.0/users?$top=3');
    expect(p1.body.value).toHaveLength(3);
    const next = p1.body['@odata.nextLink'] as string;
    expect(next).toMatch(/^https:\/\/graph\.microsoft\.com\/v1\.0\/users\?\$top=3&\$skiptoken=/);
    const p2 = await graph(next.replace('https://graph.microsoft.com', ''));
    expect(p2.body.value.map((u: { id: string }) => u.id)).not.toContain(p1.body.value[0].id);
  });

  it('answers unsupported or malformed filters with 400 like Graph', async () => {
    const bad = await graph(`/v1.0/users?$filter=${encodeURIComponent("userPrincipalName eq 'unterminated")}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/Invalid filter clause/);
    const unsupported = await graph(`/v1.0/users?$filter=${encodeURIComponent("jobTitle eq 'x'")}`);
    expect(unsupported.status).toBe(400);
    expect(unsupported.body.error.code).toBe('Request_UnsupportedQuery');
    const top = await graph('/v1.0/users?$top=5000');
    expect(top.status).toBe(400);
  });

  it('answers an unknown path segment with 400 BadRequest', async () => {
    const r = await graph('/v1.0/users/x/authentication/windowsHelloForBusinessMethodz');
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('BadRequest');
  });
});

describe('sign-ins', () => {
  it('v1.0 has no authenticationDetails; beta has them and shows interactive sign-ins unless asked', async () => {
    const filter = encodeURIComponent(`userId eq '${DEMO.alice}'`);
    const v1 = await graph(`/v1.0/auditLogs/signIns?$filter=${filter}`);
    const beta = await graph(`/beta/auditLogs/signIns?$filter=${filter}`);
    expect(v1.body.value.length).toBe(2);
    for (const s of v1.body.value) expect(s).not.toHaveProperty('authenticationDetails');
    expect(beta.body.value.length).toBe(1);
    expect(beta.body.value[0].authenticationDetails[0].authenticationMethod).toBe('Passkey (device-bound)');
    const nonInteractive = await graph(`/beta/auditLogs/signIns?$filter=${encodeURIComponent(`userId eq '${DEMO.alice}' and signInEventTypes/any(t: t eq 'nonInteractiveUser')`)}`);
    expect(nonInteractive.body.value.map((s: { isInteractive: boolean }) => s.isInteractive)).toEqual([false]);
  });

  it('a sign-in recorded through the admin route shows in the logs and in signInActivity', async () => {
    clock.set('2026-11-21T10:00:00Z');
    const rec = await fetch(`${sim.origin}/_simulator/sign-ins`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: DEMO.bg02Upn, steps: [{ method: 'Temporary Access Pass', succeeded: true }] }),
    });
    expect(rec.status).toBe(201);
    const since = encodeURIComponent(`userId eq '${DEMO.bg02}' and createdDateTime ge 2026-11-21T00:00:00Z`);
    const logs = await graph(`/beta/auditLogs/signIns?$filter=${since}`);
    expect(logs.body.value).toHaveLength(1);
    expect(logs.body.value[0]).toMatchObject({ userPrincipalName: DEMO.bg02Upn, status: { errorCode: 0 }, authenticationMethodsUsed: ['Temporary Access Pass'] });
    const user = await graph(`/v1.0/users/${DEMO.bg02}?$select=signInActivity`);
    expect(user.body.signInActivity.lastSuccessfulSignInDateTime).toBe('2026-11-21T10:00:00.000Z');
  });
});

describe('$batch', () => {
  it('runs up to 20 requests, honours dependsOn (424 on a failed dependency) and keeps item statuses', async () => {
    const r = await graph('/v1.0/$batch', {
      method: 'POST',
      body: JSON.stringify({ requests: [
        { id: '1', method: 'GET', url: `/users/00000000-0000-4000-8000-000000000000` },
        { id: '2', method: 'GET', url: `/users/${DEMO.bg01}?$select=id`, dependsOn: ['1'] },
        { id: '3', method: 'GET', url: '/identity/conditionalAccess/policies?$top=1' },
      ] }),
    });
    expect(r.status).toBe(200);
    const byId = Object.fromEntries(r.body.responses.map((x: { id: string; status: number }) => [x.id, x.status]));
    expect(byId).toEqual({ 1: 404, 2: 424, 3: 200 });
  });

  it('refuses more than 20 requests, duplicate ids, absolute urls and bodies without Content-Type', async () => {
    const many = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/users' }));
    for (const requests of [
      many,
      [{ id: 'a', method: 'GET', url: '/users' }, { id: 'a', method: 'GET', url: '/users' }],
      [{ id: 'a', method: 'GET', url: 'https://graph.microsoft.com/v1.0/users' }],
      [{ id: 'a', method: 'POST', url: `/users/${DEMO.bg02}/authentication/temporaryAccessPassMethods`, body: {} }],
    ]) {
      const r = await graph('/v1.0/$batch', { method: 'POST', body: JSON.stringify({ requests }) });
      expect(r.status, JSON.stringify(requests).slice(0, 80)).toBe(400);
      expect(r.body.error.code).toBe('BadRequest');
    }
  });
});

describe('fault injection over HTTP', () => {
  it('adds a rule through the admin route, fires it the given number of times, and clears it', async () => {
    const add = await fetch(`${sim.origin}/_simulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'status', status: 503, path: '/v1.0/identity', times: 1, retryAfterSeconds: 4 }) });
    expect(add.status).toBe(201);
    const first = await graph('/v1.0/identity/conditionalAccess/policies');
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('4');
    expect(first.body.error.code).toBe('serviceNotAvailable');
    expect((await graph('/v1.0/identity/conditionalAccess/policies')).status).toBe(200);
    const bad = await fetch(`${sim.origin}/_simulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'explode' }) });
    expect(bad.status).toBe(400);
    expect((await fetch(`${sim.origin}/_simulator/faults`, { method: 'DELETE' })).status).toBe(204);
  });
});
