// Entry points that turn configuration into a Directory: createGraphDirectory() for a real tenant (credential chosen
// by settings), createSimulatedDirectory() for a simulated tenant (same adapter and graph-client chain; only the
// transport and the token authority point at the simulator). The service never needs to know which it got, except to
// label it (`directory.mode`).
import { Agent } from 'node:https';
import { ClientSecretCredential, type TokenCredential } from '@azure/identity';
import { systemClock, type Clock } from '../clock.ts';
import { createCredential } from './create-credential.ts';
import { createGraphClient, GRAPH_ORIGIN } from './create-graph-client.ts';
import { GraphDirectory, type GraphLogger } from './graph-directory.ts';
import type { GraphRetrySettings, RealGraphSettings } from './graph-settings.ts';
import { RedirectTransport } from './redirect-transport.ts';
import type { SimulatedTenantConnection } from './simulated-tenant-connection.ts';
import { SimulatorClientCredential } from './simulator-client-credential.ts';
import { realSleep, SlidingWindowLimiter, type Sleep } from './sliding-window-limiter.ts';

export interface DirectoryDeps {
  clock?: Clock;
  /** Sleep for retries and throttle pacing; tests inject a fake that advances a ManualClock. */
  sleep?: Sleep;
  logger?: GraphLogger;
  /** Replaces the credential built from settings (tests; or a custom chain). */
  credential?: TokenCredential;
  /** Reports throttle (graph.md §4.1); default 5 per 10 s. */
  reportsLimit?: { limit: number; windowMs: number };
  /** Simulated mode only: sees every request as sent (the fidelity test checks them against Graph's metadata). */
  observeRequests?: (request: { method: string; url: string; body: string | undefined }) => void;
}

export interface CommonDirectoryOptions {
  retry: GraphRetrySettings;
  throttleAuthenticationMethods: boolean;
}

const DEFAULT_COMMON: CommonDirectoryOptions = { retry: { maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 60_000 }, throttleAuthenticationMethods: false };

function build(credential: TokenCredential, common: CommonDirectoryOptions, deps: DirectoryDeps, graphOrigin: string, mode: GraphDirectory['mode'], transport?: RedirectTransport): GraphDirectory {
  const clock = deps.clock ?? systemClock;
  const sleep = deps.sleep ?? realSleep;
  const limiter = new SlidingWindowLimiter({ limit: deps.reportsLimit?.limit ?? 5, windowMs: deps.reportsLimit?.windowMs ?? 10_000, clock, sleep });
  const client = createGraphClient({
    credential,
    graphOrigin,
    retry: {
      ...common.retry,
      sleep,
      onRetry: (e) => deps.logger?.info({ attempt: e.attempt, status: e.status, delayMs: e.delayMs, url: e.url }, 'graph call will be retried'),
    },
    limiter,
    ...(transport ? { transport } : {}),
  });
  return new GraphDirectory({
    client, mode, clock, sleep, retry: common.retry, throttleAuthenticationMethods: common.throttleAuthenticationMethods,
    reportsLimit: limiter.limit, graphOrigin, logger: deps.logger,
  });
}

/** A Directory on real Microsoft Graph. */
export function createGraphDirectory(settings: RealGraphSettings, deps: DirectoryDeps = {}): GraphDirectory {
  const credential = deps.credential ?? createCredential(settings);
  return build(credential, settings, deps, settings.graphBaseUrl.replace(/\/+$/, ''), {
    kind: 'graph', tenantId: settings.tenantId, label: `Microsoft Graph tenant ${settings.tenantId}`,
    securityInfoUrl: 'https://mysignins.microsoft.com/security-info',
  });
}

/**
 * A Directory on a simulated tenant. Over HTTPS the real @azure/identity ClientSecretCredential gets its token from
 * the simulator's token endpoint (authorityHost = the simulator, instance discovery off, the simulator's CA pinned
 * through an https.Agent); over HTTP a small credential does the same exchange. graph-client keeps
 * https://graph.microsoft.com as its base URL and RedirectTransport delivers the requests (graph.md §7.4 option 2).
 */
export function createSimulatedDirectory(connection: SimulatedTenantConnection, common: Partial<CommonDirectoryOptions> = {}, deps: DirectoryDeps = {}): GraphDirectory {
  const https = connection.origin.startsWith('https://');
  const credential = deps.credential ?? (https
    ? new ClientSecretCredential(connection.tenantId, connection.clientId, connection.clientSecret, {
      authorityHost: connection.origin,
      disableInstanceDiscovery: true,
      ...(connection.ca ? { agent: new Agent({ ca: connection.ca, keepAlive: true }) } : {}),
    })
    : new SimulatorClientCredential(connection));
  const transport = new RedirectTransport({ from: GRAPH_ORIGIN, to: connection.origin, ca: connection.ca, observe: deps.observeRequests });
  return build(credential, { ...DEFAULT_COMMON, ...common }, deps, GRAPH_ORIGIN, {
    kind: 'simulated', tenantId: connection.tenantId,
    label: `SIMULATED tenant "${connection.tenantDisplayName}" at ${connection.origin} (not Microsoft Entra ID)`,
    ...(connection.securityInfoUrl ? { securityInfoUrl: connection.securityInfoUrl } : {}),
  }, transport);
}
