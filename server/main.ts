// Starts the service: configuration → runtime (store, audit log, signing key) → HTTP server → scheduled checkpoints and
// the drill, monitoring and alert workers,
// with graceful shutdown (finish requests, sign a last checkpoint, close the store).
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { createHttpServer, resolveLogger, type ServiceLogger } from './http-server.ts';
import { openRuntime, type Runtime } from './runtime.ts';
import type { Clock } from './clock.ts';
import { startOperationsWorkers, type OperationsWorkers } from './drills/operations-workers.ts';

export interface Service {
  server: FastifyInstance;
  runtime: Runtime;
  /** The URL the server listens on (actual port when 0 was asked). */
  url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  /** Start scheduled checkpoints (default true). */
  checkpoints?: boolean;
  /** Start the drill tick, the sign-in monitor and the notifier (default true; server/drills/operations-workers.ts). */
  workers?: boolean;
  /**
   * A logger, `{ level, stream }` to capture JSON lines (tests scan them for secrets), or false for none;
   * default: JSON lines on stdout at the configured level.
   */
  logger?: ServiceLogger;
  /** Open the directory (default 'embedded': the simulated tenant in-process when no tenant is configured). */
  directory?: 'embedded' | false;
}

export async function startService(config: Config, opts: StartOptions = {}): Promise<Service> {
  const logger = resolveLogger(opts.logger, config.logLevel);
  const runtime = await openRuntime(config, {
    ...(opts.clock ? { clock: opts.clock } : {}),
    directory: opts.directory ?? 'embedded',
    ...(logger ? { logger, graphLogger: logger.child({ component: 'graph' }) } : {}),
  });
  let server: FastifyInstance;
  try {
    server = await createHttpServer(runtime, { logger });
    await server.listen({ host: config.server.host, port: config.server.port });
  } catch (err) {
    await runtime.close();
    throw err;
  }
  const log = server.log;
  if (opts.checkpoints !== false) {
    runtime.checkpointer.start(config.audit.checkpointIntervalSeconds * 1000);
  }
  let workers: OperationsWorkers | undefined;
  if (opts.workers !== false) {
    try {
      workers = await startOperationsWorkers(runtime, log.child({ component: 'drills' }));
    } catch (err) {
      await server.close();
      await runtime.close();
      throw err;
    }
  }
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const url = new URL(config.server.publicUrl);
  if (config.server.port === 0) url.port = String(port);
  let closing: Promise<void> | undefined;
  return {
    server,
    runtime,
    url: url.toString().replace(/\/$/, ''),
    close() {
      closing ??= (async () => {
        await server.close();
        await workers?.stop();
        await runtime.checkpointer.stop();
        try {
          await runtime.checkpointer.checkpoint();
        } catch (err) {
          log.error({ err }, 'final audit checkpoint failed');
        }
        await runtime.close();
      })();
      return closing;
    },
  };
}

/** Wires SIGINT/SIGTERM and fatal errors to a graceful close. */
export function closeOnSignals(service: Service): void {
  closeWithGrace({ delay: 10_000 }, async ({ err, signal }) => {
    if (err) service.server.log.error({ err }, 'fatal error, shutting down');
    else service.server.log.info({ signal }, 'shutting down');
    await service.close();
  });
}
