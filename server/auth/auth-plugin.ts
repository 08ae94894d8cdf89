// The auth layer of the HTTP app. Every /api route declares who may call it (`config.access`, checked at start: a
// route without one refuses to register), and this plugin enforces it on every request before the body is read:
//   1. state-changing requests must come from our own origin (Origin / Sec-Fetch-Site; WebAuthn is origin-bound too);
//   2. the session cookie is looked up server-side, with idle and absolute timeouts;
//   3. a signed-in request that changes state must carry the session's CSRF token (x-csrf-token);
//   4. the officer's role must grant the route's permission; `config.stepUp` routes need a recent passkey assertion.
// Failures on sign-in routes (`config.failureAction`) are written to the audit log, with a reason code and never a
// secret. Rate limits (per client address) guard the ceremony routes.
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { Runtime } from '../runtime.ts';
import * as E from './auth-errors.ts';
import { AuthService, type SessionContext } from './auth-service.ts';
import type { AuthSettings } from './auth-settings.ts';
import { authFailureEvent } from './failure-audit.ts';
import { RelyingParty } from './relying-party.ts';
import { can, type Access, type Permission } from './roles.ts';
import { safeEqual } from './secrets.ts';

export interface RouteAccessEntry {
  method: string;
  url: string;
  /** null: not an /api route (health, docs, the front end's files), outside the auth layer. */
  access: Access | null;
  stepUp: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    auth: AuthService;
    /** Every route registered after the auth layer, with its declared access (the authorization matrix walks this). */
    routeAccess: RouteAccessEntry[];
    /** preHandler for sensitive actions: a passkey assertion within the step-up window (or 403 step_up_required). */
    requireStepUp: preHandlerAsyncHookHandler;
  }
  interface FastifyRequest {
    /** The signed-in officer's session, or null. */
    officerSession: SessionContext | null;
  }
  interface FastifyContextConfig {
    /** Who may call the route (server/auth/roles.ts). Required on every /api route. */
    access?: Access;
    /** Needs a fresh passkey assertion (step-up). */
    stepUp?: boolean;
    /** Audit action recorded when the request fails with a 4xx (sign-in ceremonies). */
    failureAction?: string;
  }
}

const PERMISSION_TEXT: Record<Permission, string> = {
  'officers.manage': 'manage officers',
  'accounts.read': 'view emergency accounts',
  'accounts.operate': 'operate on emergency accounts',
  'audit.read': 'read the audit log',
  'enrollment.request': 'request and run key enrollments',
  'enrollment.approve': 'approve key enrollments',
  'drills.operate': 'open, verify and close drills',
  'incidents.classify': 'classify incidents',
  'reports.read': 'read reports',
  'reports.send': 'send reports by mail',
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sessionCookieName(settings: AuthSettings): string {
  // __Host-: the browser only accepts it with Secure, Path=/ and no Domain (RFC 6265bis §4.1.3.2).
  return settings.secureCookies ? '__Host-breakglass_session' : 'breakglass_session';
}

export function setSessionCookie(reply: FastifyReply, settings: AuthSettings, sessionId: string): void {
  reply.setCookie(sessionCookieName(settings), sessionId, { path: '/', httpOnly: true, sameSite: 'strict', secure: settings.secureCookies });
}

export function clearSessionCookie(reply: FastifyReply, settings: AuthSettings): void {
  reply.clearCookie(sessionCookieName(settings), { path: '/', httpOnly: true, sameSite: 'strict', secure: settings.secureCookies });
}

/** Route config for the rate-limited sign-in routes. */
export function authRateLimit(settings: AuthSettings): { max: number; timeWindow: number } {
  return { max: settings.rateLimitPerMinute, timeWindow: 60_000 };
}

async function authPlugin(fastify: FastifyInstance, opts: { runtime: Runtime }): Promise<void> {
  const { runtime } = opts;
  const settings = runtime.config.auth;
  let origin = settings.origin;
  const rp = new RelyingParty({ rpId: settings.rpId, rpName: settings.rpName, origin: () => origin, challengeSeconds: settings.challengeSeconds, allowedAaguids: settings.allowedAaguids });
  const auth = new AuthService({ database: runtime.database, audit: runtime.audit, clock: runtime.clock, settings, rp, dataDir: runtime.config.storage.dataDir });
  const cookieName = sessionCookieName(settings);
  const routes: RouteAccessEntry[] = [];

  fastify.decorate('auth', auth);
  fastify.decorate('routeAccess', routes);
  fastify.decorateRequest('officerSession', null);
  fastify.decorate('requireStepUp', async function requireStepUp(request: FastifyRequest) {
    const s = request.officerSession;
    if (!s) throw E.unauthenticated();
    if (!auth.hasFreshStepUp(s)) throw E.stepUpRequired(settings.stepUpMinutes);
  });

  // The API speaks JSON only: without a text/plain parser a "simple" cross-site form post cannot even reach a
  // handler, and a wrong content type gets a clear 415 instead of a confusing validation error.
  fastify.removeContentTypeParser('text/plain');
  await fastify.register(cookie);
  await fastify.register(rateLimit, {
    global: false,
    keyGenerator: (req) => req.ip,
    errorResponseBuilder: (_req, ctx) => E.rateLimited(Math.max(1, Math.ceil(ctx.ttl / 1000))),
  });

  // Port 0 (tests, ad-hoc runs): the origin browsers use is known only once the server listens.
  fastify.addHook('onListen', async () => {
    const configured = new URL(settings.origin);
    const address = fastify.server.address();
    if (configured.port === '0' && address && typeof address === 'object') {
      configured.port = String(address.port);
      origin = configured.origin;
    }
  });

  fastify.addHook('onRoute', (route) => {
    const cfg = (route.config ?? {}) as { access?: Access; stepUp?: boolean };
    const methods = [route.method].flat().map(String);
    const api = route.url === '/api' || route.url.startsWith('/api/');
    if (api && !cfg.access) throw new Error(`${methods.join(',')} ${route.url} declares no access rule: set config.access (server/auth/roles.ts)`);
    for (const method of methods) if (method !== 'HEAD') routes.push({ method, url: route.url, access: api ? cfg.access! : null, stepUp: cfg.stepUp === true });
  });

  fastify.addHook('onRequest', async (request, reply) => {
    const cfg = request.routeOptions.config as { access?: Access; stepUp?: boolean };
    const access = cfg?.access;
    if (!access) return; // not an /api route (front end, health, docs)
    const mutating = !SAFE_METHODS.has(request.method);
    if (mutating) {
      // Browsers send Sec-Fetch-Site and Origin on every state-changing fetch; another site's page cannot fake them.
      const site = request.headers['sec-fetch-site'];
      const from = request.headers.origin;
      if (site === 'cross-site' || site === 'same-site' || (from !== undefined && from !== origin)) throw E.crossOrigin();
    }
    let expired: 'idle' | 'absolute' | undefined;
    const raw = request.cookies[cookieName];
    if (raw) {
      const found = await auth.lookupSession(raw);
      if (found && 'session' in found) request.officerSession = found.session;
      else {
        expired = found?.expired;
        clearSessionCookie(reply, settings);
      }
    }
    if (access === 'public') return;
    const s = request.officerSession;
    if (!s) throw expired ? E.sessionExpired(expired) : E.unauthenticated();
    if (mutating) {
      const token = request.headers['x-csrf-token'];
      if (typeof token !== 'string' || !safeEqual(token, auth.csrfToken(s))) throw E.csrfFailed();
    }
    if (access !== 'session' && !can(s.officer.role, access)) throw E.forbidden(s.officer.role, PERMISSION_TEXT[access]);
    if (cfg.stepUp && !auth.hasFreshStepUp(s)) throw E.stepUpRequired(settings.stepUpMinutes);
  });

  fastify.addHook('onError', async (request, _reply, error) => {
    const action = (request.routeOptions.config as { failureAction?: string })?.failureAction;
    if (!action) return;
    const event = authFailureEvent(error, action, { officerId: request.officerSession?.officer.id, ip: request.ip });
    if (!event) return;
    try {
      await runtime.audit.record(event);
    } catch (err) {
      request.log.error({ err }, 'could not record a failed sign-in attempt in the audit log');
    }
  });

  await auth.ensureBootstrap();
}

export const authLayer = fp(authPlugin, { name: 'breakglass-auth', fastify: '5.x' });
