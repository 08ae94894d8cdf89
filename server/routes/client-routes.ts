// Serves the built web front end (client/dist, made by `npm run build:client`) with a single-page-app fallback: any
// other GET that asks for HTML gets index.html, so /officers or /audit can be reloaded and bookmarked. API and docs
// paths never fall back (they keep their problem+json 404). Hashed assets are cached for a year; index.html never.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { problem, sendProblem } from './problem.ts';

export const CLIENT_DIST = resolve(import.meta.dirname, '../../client/dist');

export interface ClientRoutesOptions {
  /** Folder with index.html and assets/ (default client/dist). */
  dist?: string;
}

export const clientRoutes: FastifyPluginAsync<ClientRoutesOptions> = async (app, opts) => {
  const dist = opts.dist ?? CLIENT_DIST;
  const indexPath = join(dist, 'index.html');
  const index = existsSync(indexPath) ? readFileSync(indexPath) : undefined;

  if (index) {
    await app.register(fastifyStatic, {
      root: dist,
      // One route per file found now (no catch-all of its own), so the fallback below can own `/*`.
      wildcard: false,
      index: false,
      serveDotFiles: false,
      setHeaders(reply: FastifyReply, path: string) {
        reply.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }

  const fallback = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0]!;
    const wantsHtml = (request.headers.accept ?? '').includes('text/html');
    if (path === '/api' || path.startsWith('/api/') || path.startsWith('/docs') || !wantsHtml) {
      return sendProblem(reply, problem(404, 'not_found', `No route for ${request.method} ${path}.`));
    }
    if (!index) {
      return sendProblem(reply, problem(503, 'client_not_built', 'The web front end is not built: run `npm run build:client` (npm start does it for you).'));
    }
    return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(index);
  };
  app.get('/', { schema: { hide: true } }, fallback);
  app.get('/*', { schema: { hide: true } }, fallback);
};
