// The simulated tenant's security-info page: where an emergency account signs in with a Temporary Access Pass and
// registers a security key with WebAuthn, as it would at https://mysignins.microsoft.com/security-info. It lets the
// guided enrollment run end to end in a real browser.
//
// It is its own small Fastify site on plain HTTP at http://localhost:<port>, separate from the Graph endpoint (as
// login.microsoft.com is separate from graph.microsoft.com), for WebAuthn's sake: a browser creates credentials only
// in a secure context and only for an RP ID that is the page's host name (never an IP address), and Chromium refuses
// WebAuthn on pages with certificate errors — which the Graph endpoint's self-signed certificate would cause.
// http://localhost is a secure context by definition, so the page's RP ID is `localhost` (docs/simulator.md).
//
// The rules are the tenant state's own: redeemTap() (constant-time check, one-time use → OneTimeUsed),
// creationOptions()/registerPasskey() with this site as the relying party (the same challenge, attestation and
// policy checks as the Graph POST), a sign-in record for the TAP sign-in, and Entra's 10-minute limit for registering
// after a TAP sign-in (graph.md §1.5). The pass arrives in a POST body only; nothing here logs bodies.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ODATA_TYPE } from '../../graph/graph-types.ts';
import { GraphHttpError } from '../graph-http-error.ts';
import { creationOptions, registerPasskey, type SimulatedRelyingParty } from '../passkey-service.ts';
import { recordSignIn } from '../sign-in-writer.ts';
import { redeemTap, tapUsability } from '../tap-service.ts';
import { registerSignInRoutes } from '../routes/sign-in-routes.ts';
import type { StoredTap, TenantState } from '../tenant-state.ts';

/** Entra's "My Signins" first-party application. */
export const MY_SIGNINS_APP = { appId: '19db86c3-b2b9-44cc-b339-36da233a3be2', displayName: 'My Signins' };
/** A one-time TAP sign-in allows registering methods for 10 minutes (graph.md §1.5). */
export const REGISTRATION_WINDOW_MS = 10 * 60_000;
const COOKIE = 'sim_security_info';

export interface SecurityInfoSiteOptions {
  state: TenantState;
  /** Listen address; the page is announced as http://localhost:<port>. Default 127.0.0.1. */
  host?: string;
  /** 0 = ephemeral (default). */
  port?: number;
  /** Called after a change to the tenant state (persist it). */
  onMutation?: () => void;
  logger?: FastifyBaseLogger;
}

export interface SecurityInfoSite {
  /** e.g. http://localhost:41234 — open this in the browser. */
  url: string;
  relyingParty: SimulatedRelyingParty;
  app: FastifyInstance;
  close(): Promise<void>;
}

interface Session {
  userId: string;
  signedInAt: number;
  /** Registration allowed until (10 minutes after sign-in, never past the pass's own expiry). */
  until: number;
}

const PUBLIC = join(import.meta.dirname, 'public');
const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: join(PUBLIC, 'index.html'), type: 'text/html; charset=utf-8' },
  '/app.js': { file: join(PUBLIC, 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/styles.css': { file: join(PUBLIC, 'styles.css'), type: 'text/css; charset=utf-8' },
};

function webauthnBundle(): string {
  // The same library breakglass's own front end uses; its UMD build defines `SimpleWebAuthnBrowser`.
  // The package exports only its entry points: find its folder from the CommonJS entry (<pkg>/script/index.js).
  const entry = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
  return join(dirname(entry), '..', 'dist', 'bundle', 'index.umd.min.js');
}

function cookieOf(request: FastifyRequest): string | undefined {
  const raw = request.headers.cookie ?? '';
  for (const part of raw.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=');
  }
  return undefined;
}

export async function startSecurityInfoSite(options: SecurityInfoSiteOptions): Promise<SecurityInfoSite> {
  const { state } = options;
  const app = Fastify({ ...(options.logger ? { loggerInstance: options.logger } : { logger: false }), bodyLimit: 65_536 }) as unknown as FastifyInstance;
  const sessions = new Map<string, Session>();
  let rp: SimulatedRelyingParty = { id: 'localhost', origin: 'http://localhost' };
  const changed = () => options.onMutation?.();

  const fail = (reply: FastifyReply, status: number, code: string, message: string) => reply.code(status).send({ error: code, message });

  const sessionOf = (request: FastifyRequest): Session | undefined => {
    const id = cookieOf(request);
    const s = id ? sessions.get(id) : undefined;
    if (!s) return undefined;
    if (state.clock.now().getTime() > s.until) {
      sessions.delete(id!);
      return undefined;
    }
    return s;
  };

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cache-control', 'no-store');
    return payload;
  });

  for (const [path, asset] of Object.entries(ASSETS)) {
    app.get(path, async (_request, reply) => reply.type(asset.type).send(readFileSync(asset.file)));
  }
  app.get('/security-info', async (_request, reply) => reply.type(ASSETS['/']!.type).send(readFileSync(ASSETS['/']!.file)));
  app.get('/webauthn.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(readFileSync(webauthnBundle())));

  app.get('/api/tenant', async () => ({ displayName: state.tenant.displayName, domain: state.tenant.defaultDomain, simulated: true }));
  // The simulated sign-in page (drills): a browser signs the emergency account in with its key here (sign-in-routes.ts).
  registerSignInRoutes(app, { state }, { onMutation: changed });

  // Sign in with a Temporary Access Pass. The pass is in the body; it is compared in constant time against the HMAC
  // the tenant keeps and never stored, echoed or logged.
  app.post<{ Body: { username?: unknown; pass?: unknown } }>('/api/sign-in', async (request, reply) => {
    const username = typeof request.body?.username === 'string' ? request.body.username.trim() : '';
    const pass = typeof request.body?.pass === 'string' ? request.body.pass : '';
    if (!username || !pass) return fail(reply, 400, 'missing', 'Enter your account name and your Temporary Access Pass.');
    const user = state.findUser(username);
    const result = redeemTap(state, username, pass);
    if (!result.ok) {
      if (user) {
        recordSignIn(state, {
          user: user.id, appDisplayName: MY_SIGNINS_APP.displayName, appId: MY_SIGNINS_APP.appId, errorCode: 50126,
          failureReason: result.reason === 'wrong_pass' ? 'Invalid Temporary Access Pass.' : `Temporary Access Pass sign in was blocked (${result.reason}).`,
          steps: [{ method: 'Temporary Access Pass', succeeded: false, requirement: 'Primary authentication', resultDetail: 'Temporary Access Pass sign in failed' }],
        });
        changed();
      }
      const message: Record<string, string> = {
        no_pass: 'There is no Temporary Access Pass for this account. Ask your administrator for one.',
        wrong_pass: 'That Temporary Access Pass is not correct. Check it and try again.',
        Expired: 'Your Temporary Access Pass has expired. Ask your administrator for a new one.',
        OneTimeUsed: 'Your Temporary Access Pass has already been used. Ask your administrator for a new one.',
        NotYetValid: 'Your Temporary Access Pass is not valid yet.',
        DisabledByPolicy: 'Temporary Access Pass sign-in is blocked by your organisation\'s policy.',
      };
      return fail(reply, 401, result.reason, message[result.reason] ?? 'Sign-in failed.');
    }
    const tap = state.methodsOf(user!.id).find((m): m is StoredTap => m.kind === 'tap' && m.id === result.tapId);
    const now = state.clock.now().getTime();
    const tapEnd = tap ? Date.parse(tap.startDateTime) + tap.lifetimeInMinutes * 60_000 : now + REGISTRATION_WINDOW_MS;
    const id = randomBytes(32).toString('base64url');
    sessions.set(id, { userId: user!.id, signedInAt: now, until: Math.min(now + REGISTRATION_WINDOW_MS, tapEnd) });
    recordSignIn(state, {
      user: user!.id, appDisplayName: MY_SIGNINS_APP.displayName, appId: MY_SIGNINS_APP.appId,
      steps: [{ method: 'Temporary Access Pass', succeeded: true, requirement: 'Primary authentication', resultDetail: 'Temporary Access Pass' }],
    });
    changed();
    reply.header('set-cookie', `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict`);
    return { upn: user!.userPrincipalName, displayName: user!.displayName ?? user!.userPrincipalName, registrationEndsAt: new Date(sessions.get(id)!.until).toISOString() };
  });

  app.post('/api/sign-out', async (request, reply) => {
    const id = cookieOf(request);
    if (id) sessions.delete(id);
    reply.header('set-cookie', `${COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    return { signedOut: true };
  });

  app.get('/api/me', async (request, reply) => {
    const s = sessionOf(request);
    if (!s) return fail(reply, 401, 'signed_out', 'Sign in with your Temporary Access Pass first.');
    const user = state.findUser(s.userId)!;
    const methods = state.methodsOf(user.id).map((m) => {
      if (m.kind === 'fido2') return { type: 'Security key', name: m.graph.displayName ?? 'Security key', detail: m.graph.model ?? '', createdDateTime: m.graph.createdDateTime ?? null };
      if (m.kind === 'tap') return { type: 'Temporary Access Pass', name: 'Temporary Access Pass', detail: tapUsability(state, user.id, m).methodUsabilityReason, createdDateTime: m.createdDateTime };
      const type = String(m.graph['@odata.type']).replace('#microsoft.graph.', '').replace('AuthenticationMethod', '');
      return { type, name: type === 'password' ? 'Password' : String(m.graph.displayName ?? type), detail: '', createdDateTime: (m.graph.createdDateTime as string | undefined) ?? null };
    });
    return { upn: user.userPrincipalName, displayName: user.displayName ?? user.userPrincipalName, registrationEndsAt: new Date(s.until).toISOString(), methods };
  });

  app.post('/api/security-key/options', async (request, reply) => {
    const s = sessionOf(request);
    if (!s) return fail(reply, 401, 'signed_out', 'Your sign-in has ended (registration must finish within 10 minutes of signing in). Sign in again.');
    try {
      const o = creationOptions(state, s.userId, 'v1.0', undefined, rp);
      return o.publicKey;
    } catch (err) {
      if (err instanceof GraphHttpError) return fail(reply, err.status, err.graphCode, err.message);
      throw err;
    }
  });

  app.post<{ Body: { displayName?: unknown; response?: { id?: unknown; response?: { clientDataJSON?: unknown; attestationObject?: unknown } } } }>('/api/security-key/register', async (request, reply) => {
    const s = sessionOf(request);
    if (!s) return fail(reply, 401, 'signed_out', 'Your sign-in has ended (registration must finish within 10 minutes of signing in). Sign in again.');
    const b = request.body;
    const r = b?.response;
    if (!r || typeof r.id !== 'string' || typeof r.response?.clientDataJSON !== 'string' || typeof r.response.attestationObject !== 'string') {
      return fail(reply, 400, 'bad_request', 'The browser did not return a registration.');
    }
    const displayName = typeof b.displayName === 'string' && b.displayName.trim() ? b.displayName.trim().slice(0, 30) : 'Security key';
    try {
      const method = await registerPasskey(
        state,
        s.userId,
        { displayName, publicKeyCredential: { id: r.id, response: { clientDataJSON: r.response.clientDataJSON, attestationObject: r.response.attestationObject } } },
        MY_SIGNINS_APP,
        { rp, selfService: true },
      );
      changed();
      return reply.code(201).send({ '@odata.type': ODATA_TYPE.fido2, ...method });
    } catch (err) {
      if (err instanceof GraphHttpError) return fail(reply, err.status, err.graphCode, err.message);
      throw err;
    }
  });

  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port ?? 0;
  const url = `http://localhost:${port}`;
  rp = { id: 'localhost', origin: url };
  return { url, relyingParty: rp, app, close: () => app.close() };
}
