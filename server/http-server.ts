// Builds the Fastify instance (logger with redaction, TypeBox type provider, timeouts, TLS) around the app plugin.
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { breakglassApp } from './app.ts';
import { loggerOptions } from './logger.ts';
import type { Runtime } from './runtime.ts';

export interface HttpServerOptions {
  /** Override the logger (tests pass a stream to capture lines, or false). */
  logger?: boolean | object;
}

export async function createHttpServer(runtime: Runtime, opts: HttpServerOptions = {}): Promise<FastifyInstance> {
  const { config } = runtime;
  const tls = config.server.tls;
  const fastify = Fastify({
    logger: opts.logger ?? loggerOptions(config.logLevel),
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
