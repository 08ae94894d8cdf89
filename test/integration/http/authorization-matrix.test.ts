// Every route × every role × anonymous → the status each gets. The route list comes from the app itself
// (app.routeAccess, filled as routes register), so a new route without a row here fails this test, and so does a row
// for a route that no longer exists. Each cell uses a fresh session (with a fresh passkey assertion, so step-up is
// satisfied) and a request that stops before any change: bodies that fail validation, ids that do not exist.
// Step-up is then checked on its own: with an old assertion every `stepUp` route answers 403 step_up_required.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLIENT_DIST } from '../../../server/routes/client-routes.ts';
import { createBackend, type Backend } from '../../helpers/backends.ts';
import { Browser, openHarness, signedInCast, type Harness } from '../auth/auth-harness.ts';

type Who = 'anonymous' | 'admin' | 'officer' | 'auditor';
type Row = { body?: unknown; path?: string; expect: Record<Who, number> };

const all = (s: number): Record<Who, number> => ({ anonymous: s, admin: s, officer: s, auditor: s });
const signedIn = (s: number): Record<Who, number> => ({ anonymous: 401, admin: s, officer: s, auditor: s });
const NO_ID = '00000000-0000-4000-8000-000000000000';

/** METHOD + URL as registered → how to call it and what each caller gets. */
const MATRIX: Record<string, Row> = {
  'GET /health': { expect: all(200) },
  'GET /ready': { expect: all(200) },
  'GET /api/audit/public-key': { expect: all(200) },
  'GET /api/audit/checkpoints/latest': { expect: all(200) },
  'GET /api/audit/checkpoints': { expect: all(200) },
  'GET /api/audit/entries': { expect: { anonymous: 401, admin: 200, officer: 403, auditor: 200 } },
  'GET /api/audit/verification': { expect: { anonymous: 401, admin: 200, officer: 403, auditor: 200 } },
  'GET /api/auth/status': { expect: all(200) },
  'POST /api/auth/bootstrap/options': { body: {}, expect: all(400) },
  'POST /api/auth/bootstrap/verify': { body: {}, expect: all(400) },
  'POST /api/auth/invite/inspect': { body: {}, expect: all(400) },
  'POST /api/auth/invite/options': { body: {}, expect: all(400) },
  'POST /api/auth/invite/verify': { body: {}, expect: all(400) },
  'POST /api/auth/sign-in/options': { body: {}, expect: all(200) },
  'POST /api/auth/sign-in/verify': { body: {}, expect: all(400) },
  'GET /api/auth/session': { expect: signedIn(200) },
  'POST /api/auth/sign-out': { expect: signedIn(200) },
  'POST /api/auth/step-up/options': { body: {}, expect: signedIn(200) },
  'POST /api/auth/step-up/verify': { body: {}, expect: signedIn(400) },
  'GET /api/me/passkeys': { expect: signedIn(200) },
  'POST /api/me/passkeys/options': { body: {}, expect: signedIn(200) },
  'POST /api/me/passkeys/verify': { body: {}, expect: signedIn(400) },
  'PATCH /api/me/passkeys/:id': { path: `/api/me/passkeys/${NO_ID}`, body: {}, expect: signedIn(400) },
  'DELETE /api/me/passkeys/:id': { path: `/api/me/passkeys/${NO_ID}`, expect: signedIn(404) },
  'GET /api/officers': { expect: { anonymous: 401, admin: 200, officer: 403, auditor: 403 } },
  'PATCH /api/officers/:id': { path: `/api/officers/${NO_ID}`, body: { role: 'root' }, expect: { anonymous: 401, admin: 400, officer: 403, auditor: 403 } },
  'GET /api/officers/invites': { expect: { anonymous: 401, admin: 200, officer: 403, auditor: 403 } },
  'POST /api/officers/invites': { body: {}, expect: { anonymous: 401, admin: 400, officer: 403, auditor: 403 } },
  'DELETE /api/officers/invites/:id': { path: `/api/officers/invites/${NO_ID}`, expect: { anonymous: 401, admin: 404, officer: 403, auditor: 403 } },
  'GET /api/accounts': { expect: { anonymous: 401, admin: 200, officer: 200, auditor: 200 } },
  'POST /api/accounts': { body: {}, expect: { anonymous: 401, admin: 400, officer: 400, auditor: 403 } },
  // Inventory and enrollment (issue 6): everyone signed in reads; officers and admins act; auditors never do.
  'GET /api/inventory': { expect: signedIn(200) },
  'GET /api/inventory/accounts/:id': { path: `/api/inventory/accounts/${NO_ID}`, expect: signedIn(404) },
  'POST /api/inventory/accounts/:id/reconcile': { path: `/api/inventory/accounts/${NO_ID}/reconcile`, expect: { anonymous: 401, admin: 404, officer: 404, auditor: 403 } },
  'POST /api/inventory/accounts/:id/custodians': { path: `/api/inventory/accounts/${NO_ID}/custodians`, body: {}, expect: { anonymous: 401, admin: 400, officer: 400, auditor: 403 } },
  'POST /api/inventory/custodians/:id/remove': { path: `/api/inventory/custodians/${NO_ID}/remove`, body: {}, expect: { anonymous: 401, admin: 400, officer: 400, auditor: 403 } },
  'POST /api/inventory/accounts/:id/keys': { path: `/api/inventory/accounts/${NO_ID}/keys`, body: {}, expect: { anonymous: 401, admin: 400, officer: 400, auditor: 403 } },
  'PATCH /api/inventory/keys/:id': { path: `/api/inventory/keys/${NO_ID}`, body: {}, expect: { anonymous: 401, admin: 400, officer: 400, auditor: 403 } },
  'POST /api/inventory/keys/:id/lost': { path: `/api/inventory/keys/${NO_ID}/lost`, body: {}, expect: { anonymous: 401, admin: 400, officer: 400, auditor: 403 } },
  'POST /api/inventory/accounts/:id/retire': { path: `/api/inventory/accounts/${NO_ID}/retire`, body: {}, expect: { anonymous: 401, admin: 400, officer: 400, auditor: 403 } },
  'GET /api/enrollments': { expect: signedIn(200) },
  'POST /api/enrollments/precheck': { body: {}, expect: { anonymous: 401, admin: 400, officer: 400, auditor: 403 } },
  'POST /api/enrollments': { body: {}, expect: { anonymous: 401, admin: 400, officer: 400, auditor: 403 } },
  'GET /api/enrollments/:id': { path: `/api/enrollments/${NO_ID}`, expect: signedIn(404) },
  'POST /api/enrollments/:id/approve': { path: `/api/enrollments/${NO_ID}/approve`, expect: { anonymous: 401, admin: 404, officer: 404, auditor: 403 } },
  'POST /api/enrollments/:id/reject': { path: `/api/enrollments/${NO_ID}/reject`, body: {}, expect: { anonymous: 401, admin: 400, officer: 400, auditor: 403 } },
  'POST /api/enrollments/:id/cancel': { path: `/api/enrollments/${NO_ID}/cancel`, body: {}, expect: { anonymous: 401, admin: 400, officer: 400, auditor: 403 } },
  'POST /api/enrollments/:id/tap': { path: `/api/enrollments/${NO_ID}/tap`, expect: { anonymous: 401, admin: 404, officer: 404, auditor: 403 } },
  'POST /api/enrollments/:id/watch': { path: `/api/enrollments/${NO_ID}/watch`, expect: { anonymous: 401, admin: 404, officer: 404, auditor: 403 } },
  'POST /api/enrollments/:id/register': { path: `/api/enrollments/${NO_ID}/register`, body: { pin: '1' }, expect: { anonymous: 401, admin: 400, officer: 400, auditor: 403 } },
  'POST /api/enrollments/:id/resume': { path: `/api/enrollments/${NO_ID}/resume`, expect: { anonymous: 401, admin: 404, officer: 404, auditor: 403 } },
  // Drills, incidents, alerts and the readiness report (issue 7): everyone signed in reads; officers and admins act.
  'GET /api/drills/calendar': { expect: signedIn(200) },
  'GET /api/drills': { expect: signedIn(200) },
  'GET /api/drills/:id': { path: `/api/drills/${NO_ID}`, expect: signedIn(404) },
  'POST /api/drills': { body: {}, expect: { anonymous: 401, admin: 400, officer: 400, auditor: 403 } },
  'POST /api/drills/:id/verify': { path: `/api/drills/${NO_ID}/verify`, expect: { anonymous: 401, admin: 404, officer: 404, auditor: 403 } },
  'POST /api/drills/:id/cancel': { path: `/api/drills/${NO_ID}/cancel`, body: {}, expect: { anonymous: 401, admin: 400, officer: 400, auditor: 403 } },
  'POST /api/drills/:id/close': { path: `/api/drills/${NO_ID}/close`, body: {}, expect: { anonymous: 401, admin: 400, officer: 400, auditor: 403 } },
  'GET /api/incidents': { expect: signedIn(200) },
  'GET /api/incidents/:id': { path: `/api/incidents/${NO_ID}`, expect: signedIn(404) },
  'POST /api/incidents/:id/classify': { path: `/api/incidents/${NO_ID}/classify`, body: {}, expect: { anonymous: 401, admin: 400, officer: 400, auditor: 403 } },
  'GET /api/alerts': { expect: signedIn(200) },
  'GET /api/reports/readiness': { expect: signedIn(200) },
  'GET /api/reports/readiness/enforcement.csv': { expect: signedIn(400) },
  'POST /api/reports/readiness/mail': { body: {}, expect: { anonymous: 401, admin: 400, officer: 400, auditor: 403 } },
};

/** Routes outside /api (no auth layer): only these may exist, and each is checked anonymously. */
const OUTSIDE_API: { pattern: RegExp; probe?: string; status?: number }[] = [
  { pattern: /^\/health$|^\/ready$/ },
  { pattern: /^\/docs(\/.*)?$/, probe: '/docs/json', status: 200 },
  // The SPA fallback: index.html when the client is built, else 503 client_not_built.
  { pattern: /^\/$|^\/\*$/, probe: '/officers', status: existsSync(join(CLIENT_DIST, 'index.html')) ? 200 : 503 },
  // The built client's own files (present only after a build).
  { pattern: /^\/(index\.html|favicon\.svg|assets\/[\w.-]+)$/ },
];

let b: Backend;
let h: Harness;
let cast: Record<Exclude<Who, 'anonymous'>, Browser>;

beforeAll(async () => {
  b = await createBackend('sqlite');
  h = await openHarness(b);
  cast = await signedInCast(h);
  await h.runtime.checkpointer.checkpoint();
});
afterAll(async () => {
  await h.close();
  await b.dispose();
});

describe('authorization matrix', () => {
  test('every route registered has a row, and every row is a registered route', () => {
    const registered = h.app.routeAccess.filter((r) => r.access !== null || /^\/(health|ready)$/.test(r.url)).map((r) => `${r.method} ${r.url}`);
    expect([...new Set(registered)].sort()).toEqual(Object.keys(MATRIX).sort());
    const outside = h.app.routeAccess.filter((r) => r.access === null).map((r) => r.url);
    for (const url of outside) expect(OUTSIDE_API.some((o) => o.pattern.test(url)), `${url} is a route outside /api that this test does not know`).toBe(true);
  });

  test.each(Object.entries(MATRIX))('%s', async (key, row) => {
    const [method, url] = key.split(' ') as ['GET' | 'POST' | 'PATCH' | 'DELETE', string];
    const got: Record<string, number> = {};
    for (const who of ['anonymous', 'admin', 'officer', 'auditor'] as Who[]) {
      let browser: Browser;
      if (who === 'anonymous') browser = new Browser(h.app);
      else {
        browser = new Browser(h.app, cast[who].authenticator);
        const s = await browser.signIn();
        expect(s.statusCode, `${who} signs in`).toBe(200);
      }
      const res = await browser.request(method, row.path ?? url, row.body);
      got[who] = res.statusCode;
      if (res.statusCode === 401) expect(res.json().code).toBe('unauthenticated');
      if (res.statusCode === 403) expect(res.json().code).toBe('forbidden');
    }
    expect(got).toEqual(row.expect);
  });

  test('routes outside /api answer anonymously as expected', async () => {
    for (const o of OUTSIDE_API) {
      if (!o.probe) continue;
      const res = await h.app.inject({ method: 'GET', url: o.probe, headers: { accept: 'text/html,application/json' } });
      expect(res.statusCode, o.probe).toBe(o.status);
    }
  });

  test('every step-up route refuses a session whose last passkey assertion is older than the window', async () => {
    const stepUp = h.app.routeAccess.filter((r) => r.stepUp);
    expect(stepUp.length).toBeGreaterThan(0);
    const admin = new Browser(h.app, cast.admin.authenticator);
    expect((await admin.signIn()).statusCode).toBe(200);
    h.clock.advance(6 * 60_000);
    for (const r of stepUp) {
      const row = MATRIX[`${r.method} ${r.url}`]!;
      const res = await admin.request(r.method as 'POST', row.path ?? r.url, row.body);
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(403);
      expect(res.json().code).toBe('step_up_required');
    }
    // And no other route asks for it.
    for (const r of h.app.routeAccess.filter((x) => !x.stepUp && x.access !== null && x.access !== 'public' && x.url !== '/api/auth/sign-out')) {
      const row = MATRIX[`${r.method} ${r.url}`]!;
      const res = await admin.request(r.method as 'POST', row.path ?? r.url, row.body);
      expect(res.json().code, `${r.method} ${r.url}`).not.toBe('step_up_required');
    }
  });
});
