// Starts a simulated tenant on its own Fastify instance and port over real HTTP(S). Used by `breakglass sim serve`,
// by `npm start` when no tenant is configured (the embedded default), by the integration tests and by the benchmark.
// Returns the connection details the Graph adapter needs plus handles on the state and faults for tests.
import { readFile } from 'node:fs/promises';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../clock.ts';
import type { SimulatedTenantConnection } from '../graph/simulated-tenant-connection.ts';
import type { FaultInjector, FaultRule } from './fault-injector.ts';
import { buildSimulatorApp, type ReportsThrottleOptions } from './simulator-app.ts';
import type { SimulatorSettings } from './simulator-settings.ts';
import { loadTenantFixture, parseTenantFixture, type TenantFixture } from './tenant-fixture.ts';
import { TenantState } from './tenant-state.ts';
import type { TokenService } from './token-service.ts';
import { createSelfSignedTls } from './x509.ts';
import { StatePersistence } from './state-persistence.ts';
import { startSecurityInfoSite, type SecurityInfoSite } from './security-info/security-info-site.ts';

export interface StartSimulatorOptions {
  /** A fixture object, a path to a fixture file, or undefined for the bundled demo tenant. */
  fixture?: TenantFixture | string;
  host?: string;
  /** 0 = ephemeral (default). */
  port?: number;
  /** true (default): HTTPS with a fresh self-signed certificate; or explicit PEM cert/key; false: plain HTTP. */
  tls?: boolean | { cert: string; key: string };
  clock?: Clock;
  faults?: FaultRule[];
  /** Graph's reports throttle; false to disable (default 5 per 10 s on audit logs and signInActivity). */
  reportsThrottle?: ReportsThrottleOptions | false;
  logger?: FastifyBaseLogger | { level: string; stream: { write(line: string): void } };
  /** Sleep for latency faults. */
  sleep?: (ms: number) => Promise<void>;
  /** Keep the tenant's changing state (methods, sign-ins, audits, mail, policies) in this JSON file across restarts. */
  stateFile?: string;
  /** Serve the simulated security-info page (guided enrollment) on http://localhost:<port>; default true. */
  securityInfo?: boolean | { port?: number };
}

export interface SimulatorHandle {
  /** Base origin, e.g. `https://127.0.0.1:54321`. */
  origin: string;
  /** PEM certificate to trust when TLS is on. */
  ca: string | undefined;
  /** Everything GraphDirectory needs to connect (see createSimulatedDirectory). */
  connection: SimulatedTenantConnection;
  state: TenantState;
  faults: FaultInjector;
  tokens: TokenService;
  app: FastifyInstance;
  /** One line for logs and the UI: says plainly that this tenant is simulated. */
  label: string;
  /** The simulated security-info page (http://localhost:<port>), when served. */
  securityInfo: SecurityInfoSite | undefined;
  /** Writes the state file now (no-op without one); changes made outside HTTP requests call this. */
  persist(): void;
  close(): Promise<void>;
}

export async function startSimulator(options: StartSimulatorOptions = {}): Promise<SimulatorHandle> {
  const fixture = typeof options.fixture === 'object' ? parseTenantFixture(options.fixture, 'fixture object') : await loadTenantFixture(options.fixture);
  const state = new TenantState(fixture, options.clock ?? systemClock);
  const persistence = options.stateFile ? new StatePersistence(state, options.stateFile) : undefined;
  persistence?.load();
  const tls = options.tls === undefined || options.tls === true ? createSelfSignedTls({ now: new Date() }) : options.tls === false ? undefined : { ...options.tls, fingerprint: '' };
  const { app, context } = await buildSimulatorApp({
    state,
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.reportsThrottle !== undefined ? { reportsThrottle: options.reportsThrottle } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(tls ? { https: { cert: tls.cert, key: tls.key } } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(persistence ? { onMutation: () => persistence.schedule() } : {}),
  });
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port ?? 0;
  const hostForUrl = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const origin = `${tls ? 'https' : 'http'}://${hostForUrl}:${port}`;
  const application = fixture.applications[0]!;
  const label = `SIMULATED tenant "${fixture.tenant.displayName}" (${fixture.tenant.defaultDomain}) at ${origin}`;
  let securityInfo: SecurityInfoSite | undefined;
  if (options.securityInfo !== false) {
    try {
      securityInfo = await startSecurityInfoSite({
        state,
        host: host === '0.0.0.0' || host === '::' ? host : host.includes(':') ? '::1' : '127.0.0.1',
        ...(typeof options.securityInfo === 'object' && options.securityInfo.port !== undefined ? { port: options.securityInfo.port } : {}),
        ...(persistence ? { onMutation: () => persistence.schedule() } : {}),
      });
    } catch (err) {
      await app.close();
      throw err;
    }
  }
  return {
    origin,
    ca: tls?.cert,
    connection: {
      origin, ca: tls?.cert, tenantId: fixture.tenant.id, tenantDisplayName: fixture.tenant.displayName,
      clientId: application.appId, clientSecret: application.clientSecret,
      ...(securityInfo ? { securityInfoUrl: securityInfo.url } : {}),
    },
    state,
    faults: context.faults,
    tokens: context.tokens,
    app,
    label,
    securityInfo,
    persist: () => persistence?.flush(),
    close: async () => {
      await securityInfo?.close();
      await app.close();
      persistence?.flush();
    },
  };
}

/** startSimulator() from the `simulator` settings section (reads TLS files when configured). */
export async function startSimulatorFromSettings(settings: SimulatorSettings, extra: { clock?: Clock; logger?: FastifyBaseLogger; stateFile?: string } = {}): Promise<SimulatorHandle> {
  let tls: StartSimulatorOptions['tls'] = settings.tls;
  if (settings.tls && settings.tlsCertPath && settings.tlsKeyPath) {
    tls = { cert: await readFile(settings.tlsCertPath, 'utf8'), key: await readFile(settings.tlsKeyPath, 'utf8') };
  }
  return startSimulator({
    fixture: settings.tenantFixture,
    host: settings.host,
    port: settings.port,
    tls,
    faults: settings.faults,
    reportsThrottle: settings.reportsThrottle ? { limit: 5, windowMs: 10_000, includeAuthenticationMethods: settings.throttleAuthenticationMethods } : false,
    ...(extra.clock ? { clock: extra.clock } : {}),
    ...(extra.logger ? { logger: extra.logger } : {}),
    ...(extra.stateFile ? { stateFile: extra.stateFile } : {}),
  });
}
