// Builds the real HTTP app (createHttpServer) on a real store with a manual clock, and drives it like a browser
// would: a cookie jar, the CSRF header, the Origin header, and passkey ceremonies answered by a SoftAuthenticator.
import { PassThrough } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../../server/config.ts';
import { ManualClock } from '../../../server/clock.ts';
import { createHttpServer } from '../../../server/http-server.ts';
import { openRuntime, type Runtime } from '../../../server/runtime.ts';
import type { AuditEntry } from '../../../server/audit/audit-log.ts';
import { backendEnv } from '../../helpers/audit-fixture.ts';
import type { Backend } from '../../helpers/backends.ts';
import { SoftAuthenticator } from './soft-authenticator.ts';

export const ORIGIN = 'http://localhost:3999';

export interface Harness {
  app: FastifyInstance;
  runtime: Runtime;
  clock: ManualClock;
  /** Everything the service logged (pino JSON lines), for secrecy checks. */
  logs: () => string;
  bootstrapCode: string;
  close(): Promise<void>;
}

export async function openHarness(b: Backend, env: NodeJS.ProcessEnv = {}, opts: { directory?: boolean; routes?: (app: FastifyInstance) => void } = {}): Promise<Harness> {
  const clock = new ManualClock('2026-11-02T09:00:00.000Z');
  const config = loadConfig({ env: { ...backendEnv(b), BREAKGLASS_PUBLIC_URL: ORIGIN, BREAKGLASS_AUTH_RATE_LIMIT: '1000', ...env } });
  const runtime = await openRuntime(config, { clock, ...(opts.directory ? { directory: 'embedded' as const } : {}) });
  let logText = '';
  const stream = new PassThrough();
  stream.on('data', (d: Buffer) => (logText += d.toString()));
  const app = await createHttpServer(runtime, { logger: { level: 'trace', stream } });
  opts.routes?.(app);
  await app.ready();
  return {
    app,
    runtime,
    clock,
    logs: () => logText,
    bootstrapCode: app.auth.bootstrapNotice?.code ?? '',
    async close() {
      await app.close();
      await runtime.close();
    },
  };
}

export class Browser {
  cookie: string | undefined;
  csrf: string | undefined;
  readonly authenticator: SoftAuthenticator;
  readonly app: FastifyInstance;
  /** Every response seen, for secrecy checks. */
  readonly seen: LightMyRequestResponse[] = [];

  constructor(app: FastifyInstance, authenticator = new SoftAuthenticator(ORIGIN)) {
    this.app = app;
    this.authenticator = authenticator;
  }

  async request(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const h: Record<string, string> = { origin: ORIGIN, ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrf && method !== 'GET') h['x-csrf-token'] = this.csrf;
    const res = await this.app.inject({ method, url, headers: h, ...(body !== undefined ? { payload: body as object } : {}) });
    this.seen.push(res);
    const set = res.cookies.find((c) => c.name === 'breakglass_session');
    if (set) this.cookie = set.value ? `${set.name}=${set.value}` : undefined;
    if (set && !set.value) this.csrf = undefined;
    if (res.statusCode === 200 && /\/api\/auth\/(sign-in|bootstrap|invite)\/verify$|\/api\/auth\/session$/.test(url)) this.csrf = (res.json() as { csrfToken: string }).csrfToken;
    return res;
  }

  async bootstrap(code: string, username = 'alice', displayName = 'Alice Admin'): Promise<LightMyRequestResponse> {
    const start = await this.request('POST', '/api/auth/bootstrap/options', { code, username, displayName });
    if (start.statusCode !== 200) return start;
    const { ceremonyId, options } = start.json();
    return this.request('POST', '/api/auth/bootstrap/verify', { ceremonyId, response: this.authenticator.register(options), passkeyName: 'Soft key 1' });
  }

  async signIn(knobs: Parameters<SoftAuthenticator['assert']>[1] = {}): Promise<LightMyRequestResponse> {
    const start = await this.request('POST', '/api/auth/sign-in/options', {});
    const { ceremonyId, options } = start.json();
    return this.request('POST', '/api/auth/sign-in/verify', { ceremonyId, response: this.authenticator.assert(options, knobs) });
  }

  async stepUp(knobs: Parameters<SoftAuthenticator['assert']>[1] = {}): Promise<LightMyRequestResponse> {
    const start = await this.request('POST', '/api/auth/step-up/options', {});
    if (start.statusCode !== 200) return start;
    const { ceremonyId, options } = start.json();
    return this.request('POST', '/api/auth/step-up/verify', { ceremonyId, response: this.authenticator.assert(options, knobs) });
  }

  async acceptInvite(link: string, username: string, displayName: string): Promise<LightMyRequestResponse> {
    const token = link.split('#')[1]!;
    const start = await this.request('POST', '/api/auth/invite/options', { token, username, displayName });
    if (start.statusCode !== 200) return start;
    const { ceremonyId, options } = start.json();
    return this.request('POST', '/api/auth/invite/verify', { ceremonyId, response: this.authenticator.register(options), passkeyName: `${username}'s key` });
  }
}

/** An admin browser (bootstrapped), plus signed-in browsers for an officer and an auditor invited by it. */
export async function signedInCast(h: Harness): Promise<{ admin: Browser; officer: Browser; auditor: Browser }> {
  const admin = new Browser(h.app);
  const boot = await admin.bootstrap(h.bootstrapCode);
  if (boot.statusCode !== 200) throw new Error(`bootstrap failed: ${boot.body}`);
  const out: Record<string, Browser> = { admin };
  for (const role of ['officer', 'auditor'] as const) {
    const inv = await admin.request('POST', '/api/officers/invites', { displayName: `Test ${role}`, role });
    if (inv.statusCode !== 200) throw new Error(`invite failed: ${inv.body}`);
    const b = new Browser(h.app);
    const res = await b.acceptInvite(inv.json().link, `${role}1`, `Test ${role}`);
    if (res.statusCode !== 200) throw new Error(`accepting the invite failed: ${res.body}`);
    out[role] = b;
  }
  return out as { admin: Browser; officer: Browser; auditor: Browser };
}

export async function auditEntries(h: Harness, action?: string): Promise<AuditEntry[]> {
  return h.runtime.audit.entries({ limit: 1000, ...(action ? { action } : {}) });
}
