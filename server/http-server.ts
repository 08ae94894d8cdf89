// Builds the Fastify instance (logger with redaction, TypeBox type provider, timeouts, TLS) around the app plugin.
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { breakglassApp } from './app.ts';
import type { Runtime } from './runtime.ts';
import type { DestinationStream } from 'pino';
import type { LogLevel } from './config.ts';
import { createLogger } from './logger.ts';

export type ServiceLogger = FastifyBaseLogger | { level: LogLevel; stream: DestinationStream } | false;

export interface HttpServerOptions {
  /** A logger; `{ level, stream }` to capture JSON lines (redaction included); false for none. Default: stdout. */
  logger?: ServiceLogger;
}

/** Resolves the logger option to an instance (or false). */
export function resolveLogger(option: ServiceLogger | undefined, level: LogLevel): FastifyBaseLogger | false {
  if (option === undefined) return createLogger(level);
  if (option && 'stream' in option) return createLogger(option.level, option.stream);
  return option;
}

export async function createHttpServer(runtime: Runtime, opts: HttpServerOptions = {}): Promise<FastifyInstance> {
  const { config } = runtime;
  const tls = config.server.tls;
  const logger = resolveLogger(opts.logger, config.logLevel);
  const fastify = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    ...(tls ? { https: { cert: readFileSync(tls.certPath), key: readFileSync(tls.keyPath) } } : {}),
    connectionTimeout: 120_000,
    requestTimeout: 60_000,
    keepAliveTimeout: 10_000,
    bodyLimit: 1_048_576,
    // Request ids are ours; a caller-supplied x-request-id is not trusted.
    genReqId: () => crypto.randomUUID(),
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: 'all', useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  await fastify.register(breakglassApp, { runtime });
  return fastify as unknown as FastifyInstance;
}
