// Builds the simulated tenant's own Fastify instance: the identity endpoints, the Graph routes under /v1.0 and /beta
// (one module per resource group), $batch, and the /_simulator admin routes. Cross-cutting behaviour lives in hooks:
// bearer-token and permission checks, Graph's reports throttle (5 requests / 10 s per app per tenant, graph.md §4.1),
// fault injection before and after handling, a wire-request log for benchmarks, and Graph-shaped error bodies.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Application, TenantState } from './tenant-state.ts';
import { FaultInjector, type FaultRule } from './fault-injector.ts';
import { GraphHttpError } from './graph-http-error.ts';
import { sendGraphError } from './graph-error-body.ts';
import { TokenService } from './token-service.ts';
import { registerTokenRoutes } from './routes/token-routes.ts';
import { registerUserRoutes } from './routes/user-routes.ts';
import { registerAuthenticationMethodRoutes } from './routes/authentication-method-routes.ts';
import { registerPolicyRoutes } from './routes/policy-routes.ts';
import { registerAuditLogRoutes } from './routes/audit-log-routes.ts';
import { registerConditionalAccessRoutes } from './routes/conditional-access-routes.ts';
import { registerMailRoutes } from './routes/mail-routes.ts';
import { registerBatchRoutes } from './routes/batch-routes.ts';
import { registerAdminRoutes } from './routes/admin-routes.ts';
import { registerSignInRoutes } from './routes/sign-in-routes.ts';

export interface ReportsThrottleOptions {
  limit: number;
  windowMs: number;
  /** Also count authenticationMethod resources, as the throttling-limits page lists them. */
  includeAuthenticationMethods: boolean;
}

export interface SimulatorAppOptions {
  state: TenantState;
  faults?: FaultRule[];
  /** false disables Graph's reports throttle (default: 5 per 10 s on audit logs and signInActivity). */
  reportsThrottle?: ReportsThrottleOptions | false;
  /** A logger instance, or pino options (level + destination stream) for Fastify to build one. */
  logger?: FastifyBaseLogger | { level: string; stream: { write(line: string): void } };
  https?: { cert: string; key: string };
  /** Sleep used for latency faults (real time by default). */
  sleep?: (ms: number) => Promise<void>;
  /** Called after every request that may have changed state (any method but GET/HEAD/OPTIONS), e.g. to persist it. */
  onMutation?: () => void;
}

export interface SimContext {
  state: TenantState;
  faults: FaultInjector;
  tokens: TokenService;
  /** Marks $batch sub-requests made in-process (app.inject); random per run so no wire client can forge it. */
  internalToken: string;
}

/** Set on every Graph request by the auth hook. */
declare module 'fastify' {
  interface FastifyRequest {
    graphApp?: Application;
    graphVersion?: 'v1.0' | 'beta';
  }
}

export const INTERNAL_BATCH_HEADER = 'x-breakglass-sim-batch-item';
const REQUEST_LOG_LIMIT = 10_000;

const STATUS_CODES: Record<number, string> = {
  500: 'UnknownError', 502: 'BadGateway', 503: 'serviceNotAvailable', 504: 'GatewayTimeout',
};

export function isGraphPath(url: string): 'v1.0' | 'beta' | undefined {
  if (url.startsWith('/v1.0/')) return 'v1.0';
  if (url.startsWith('/beta/')) return 'beta';
  return undefined;
}

export async function buildSimulatorApp(options: SimulatorAppOptions): Promise<{ app: FastifyInstance; context: SimContext }> {
  const { state } = options;
  const app = Fastify({
    ...(!options.logger ? { logger: false } : 'stream' in options.logger ? { logger: options.logger } : { loggerInstance: options.logger }),
    ...(options.https ? { https: { cert: options.https.cert, key: options.https.key } } : {}),
    genReqId: () => randomUUID(),
    bodyLimit: 1_048_576,
    // Graph ids are case-insensitive GUIDs, but paths like /authentication/fido2Methods are matched as sent.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
  }) as unknown as FastifyInstance;
  const faults = new FaultInjector();
  for (const r of options.faults ?? []) faults.add(r);
  const tokens = new TokenService(state);
  const context: SimContext = { state, faults, tokens, internalToken: randomUUID() };
  const isInternal = (request: FastifyRequest) => request.headers[INTERNAL_BATCH_HEADER] === context.internalToken;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const throttle = options.reportsThrottle === undefined ? { limit: 5, windowMs: 10_000, includeAuthenticationMethods: false } : options.reportsThrottle;
  const reportsWindow: number[] = [];
  const wireEntries = new WeakMap<FastifyRequest, { status: number }>();

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.addHook('onRequest', async (request, reply) => {
    const version = isGraphPath(request.url);
    const internal = isInternal(request);
    const path = request.url.split('?')[0] ?? request.url;
    // Logged on arrival so that dropped connections are counted too; the status is filled in on response.
    if (version && !internal) {
      const entry = { method: request.method, path, status: 0 };
      state.requestLog.push(entry);
      // Bounded: the embedded simulator runs as long as the service does.
      if (state.requestLog.length > REQUEST_LOG_LIMIT) state.requestLog.splice(0, state.requestLog.length - REQUEST_LOG_LIMIT);
      wireEntries.set(request, entry);
    }
    // 1. Faults that replace handling.
    const fault = faults.take(request.method, path, 'before', internal ? ['throttle', 'status', 'latency'] : undefined);
    if (fault) {
      const done = await applyBeforeFault(fault, request, reply, sleep);
      if (done) return reply;
    }
    if (!version) return;
    request.graphVersion = version;
    // 2. Bearer token.
    const verdict = tokens.verify(request.headers.authorization);
    if (!verdict.ok) return sendGraphError(request, reply, 401, 'InvalidAuthenticationToken', verdict.message);
    request.graphApp = verdict.app;
    // 3. Reports throttle, per tenant and app (one app per simulator in practice).
    if (throttle && isReportsRequest(request.url, throttle.includeAuthenticationMethods) && !(request.method === 'POST' && path.endsWith('/$batch'))) {
      const now = state.clock.now().getTime();
      while (reportsWindow.length && reportsWindow[0]! <= now - throttle.windowMs) reportsWindow.shift();
      if (reportsWindow.length >= throttle.limit) {
        const wait = Math.max(1, Math.ceil((reportsWindow[0]! + throttle.windowMs - now) / 1000));
        return sendGraphError(request, reply, 429, 'TooManyRequests', 'Too many requests. Please try again later.', { 'Retry-After': String(wait) });
      }
      reportsWindow.push(now);
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('request-id', request.id);
    reply.header('client-request-id', typeof request.headers['client-request-id'] === 'string' ? request.headers['client-request-id'] : request.id);
    if (isInternal(request)) return payload;
    const fault = faults.take(request.method, request.url.split('?')[0] ?? request.url, 'after');
    if (!fault) return payload;
    if (fault.kind === 'drop') {
      // The request took effect; the client never hears back.
      request.raw.socket?.destroy();
      return payload;
    }
    if (fault.kind === 'malformed') {
      reply.code(200).type('application/json');
      return '{"value": [{"id": "trunc';
    }
    const status = fault.kind === 'throttle' ? 429 : fault.status ?? 503;
    reply.code(status).type('application/json');
    if (status === 429 || status === 503) reply.header('Retry-After', String(fault.retryAfterSeconds ?? 1));
    return JSON.stringify({ error: { code: STATUS_CODES[status] ?? 'UnknownError', message: 'The service encountered an error after processing the request.', innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': request.id, 'client-request-id': request.id } } });
  });

  app.addHook('onResponse', async (request, reply) => {
    const entry = wireEntries.get(request);
    if (entry && !request.raw.socket?.destroyed) entry.status = reply.statusCode;
    if (options.onMutation && !['GET', 'HEAD', 'OPTIONS'].includes(request.method)) options.onMutation();
  });

  app.setErrorHandler((err, request, reply) => {
    if (err instanceof GraphHttpError) return sendGraphError(request, reply, err.status, err.graphCode, err.message, err.headers);
    const e = err as { statusCode?: number; code?: string; validation?: unknown; message?: string };
    if (e.validation || (e.statusCode && e.statusCode >= 400 && e.statusCode < 500)) {
      const message = e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/.test(e.message ?? '') ? 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.' : `Invalid request: ${e.message ?? 'bad request'}`;
      return sendGraphError(request, reply, e.statusCode && e.statusCode !== 500 ? e.statusCode : 400, 'BadRequest', message);
    }
    request.log.error({ err: { message: e.message, code: e.code } }, 'simulator route failed');
    return sendGraphError(request, reply, 500, 'UnknownError', 'An internal error occurred in the simulated tenant.');
  });

  app.setNotFoundHandler((request, reply) => {
    if (isGraphPath(request.url)) {
      const segment = (request.url.split('?')[0] ?? '').split('/').filter(Boolean).slice(1).join('/');
      return sendGraphError(request, reply, 400, 'BadRequest', `Resource not found for the segment '${segment}'.`);
    }
    return reply.code(404).send({ error: 'not_found', message: `${request.method} ${request.url.split('?')[0]} is not served by the simulated tenant` });
  });

  registerTokenRoutes(app, context);
  registerUserRoutes(app, context);
  registerAuthenticationMethodRoutes(app, context);
  registerPolicyRoutes(app, context);
  registerAuditLogRoutes(app, context);
  registerConditionalAccessRoutes(app, context);
  registerMailRoutes(app, context);
  registerBatchRoutes(app, context);
  registerAdminRoutes(app, context);
  registerSignInRoutes(app, context, { credentialRegistration: true });
  await app.ready();
  return { app, context };
}

function isReportsRequest(url: string, includeMethods: boolean): boolean {
  if (/^\/(v1\.0|beta)\/auditLogs\//i.test(url)) return true;
  if (/[?&]\$select=[^&]*signInActivity/i.test(url)) return true;
  return includeMethods && /^\/(v1\.0|beta)\/users\/[^/]+\/authentication\//i.test(url);
}

async function applyBeforeFault(fault: FaultRule, request: FastifyRequest, reply: FastifyReply, sleep: (ms: number) => Promise<void>): Promise<boolean> {
  switch (fault.kind) {
    case 'latency':
      await sleep(fault.latencyMs ?? 200);
      return false;
    case 'throttle':
      sendGraphError(request, reply, 429, 'TooManyRequests', 'Too many requests. Please try again later.', { 'Retry-After': String(fault.retryAfterSeconds ?? 1) });
      return true;
    case 'status': {
      const status = fault.status ?? 503;
      const headers: Record<string, string> = status === 503 && fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
      sendGraphError(request, reply, status, STATUS_CODES[status] ?? 'UnknownError', status >= 500 ? 'The service is temporarily unavailable.' : 'Injected fault.', headers);
      return true;
    }
    case 'drop':
      reply.hijack();
      request.raw.socket?.destroy();
      return true;
    case 'malformed':
      reply.code(200).type('application/json').send('{"value": [{"id": "trunc');
      return true;
  }
}
