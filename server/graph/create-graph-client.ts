// Builds the graph-client instance for one tenant: our middleware chain
//   AuthenticationHandler(credential) → GraphRetryHandler → ThrottleHandler → transport
// where the transport is graph-client's own HTTPMessageHandler (fetch) for real Graph, or RedirectTransport for the
// simulated tenant. The base URL stays https://graph.microsoft.com/ in both cases (graph.md §7.3–7.4).
import { AuthenticationHandler, Client, HTTPMessageHandler, type Middleware } from '@microsoft/microsoft-graph-client';
import type { TokenCredential } from '@azure/identity';
import { CredentialAuthProvider } from './credential-auth-provider.ts';
import { GraphRetryHandler, type RetryOptions } from './graph-retry-handler.ts';
import type { SlidingWindowLimiter } from './sliding-window-limiter.ts';
import { ThrottleHandler } from './throttle-handler.ts';

export const GRAPH_ORIGIN = 'https://graph.microsoft.com';
export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

export interface GraphClientOptions {
  credential: TokenCredential;
  /** Graph origin graph-client targets; real national clouds differ (graph.microsoft.us …). */
  graphOrigin?: string;
  retry: RetryOptions;
  limiter: SlidingWindowLimiter;
  /** Replaces the fetch transport, e.g. RedirectTransport for the simulator. */
  transport?: Middleware;
}

export function createGraphClient(options: GraphClientOptions): Client {
  const origin = (options.graphOrigin ?? GRAPH_ORIGIN).replace(/\/+$/, '');
  const scope = `${origin}/.default`;
  const chain: Middleware[] = [
    new AuthenticationHandler(new CredentialAuthProvider(options.credential, [scope])),
    new GraphRetryHandler(options.retry),
    new ThrottleHandler(options.limiter),
    options.transport ?? new HTTPMessageHandler(),
  ];
  const host = new URL(origin).hostname;
  return Client.initWithMiddleware({
    middleware: chain,
    baseUrl: `${origin}/`,
    defaultVersion: 'v1.0',
    // Sovereign or custom Graph hosts must be listed or graph-client strips the Authorization header (§7.3).
    ...(host === 'graph.microsoft.com' ? {} : { customHosts: new Set([host]) }),
  });
}
