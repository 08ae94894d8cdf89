// JSON batching (graph.md §6.2): up to 20 requests, unique ids, relative urls, `headers` with Content-Type when a
// body is present, `dependsOn` (a failed dependency answers 424). Each item is dispatched in-process through the same
// routes and hooks (auth, permissions, reports throttle, item-level faults), so an item can be throttled on its own.
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../graph-http-error.ts';
import { INTERNAL_BATCH_HEADER, type SimContext } from '../simulator-app.ts';
import { VERSIONS } from './route-helpers.ts';

interface BatchItem {
  id?: unknown;
  method?: unknown;
  url?: unknown;
  headers?: unknown;
  body?: unknown;
  dependsOn?: unknown;
}

export function registerBatchRoutes(app: FastifyInstance, ctx: SimContext): void {
  for (const v of VERSIONS) {
    app.post(`/${v}/$batch`, async (request) => {
      const body = request.body as { requests?: unknown } | undefined;
      const items = body?.requests;
      if (!Array.isArray(items) || items.length === 0) throw badRequest('Invalid batch payload format.', 'BadRequest');
      if (items.length > 20) throw badRequest('Number of batch request steps exceeds the maximum of 20.', 'BadRequest');
      const ids = new Set<string>();
      for (const raw of items as BatchItem[]) {
        if (typeof raw.id !== 'string' || raw.id === '') throw badRequest('Batch request ids must be non-empty strings.');
        if (ids.has(raw.id)) throw badRequest(`Batch request contains duplicate id '${raw.id}'.`);
        ids.add(raw.id);
        if (typeof raw.url !== 'string' || /^https?:/i.test(raw.url)) throw badRequest('Batch request urls must be relative.');
        if (typeof raw.method !== 'string' || !['GET', 'POST', 'PATCH', 'PUT', 'DELETE'].includes(raw.method.toUpperCase())) throw badRequest(`Invalid method in batch request '${raw.id}'.`);
        const headers = (raw.headers ?? {}) as Record<string, unknown>;
        const hasType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
        if (raw.body !== undefined && !hasType) throw badRequest(`Write request id : ${raw.id} does not contain Content-Type header or body.`);
        if (raw.dependsOn !== undefined && (!Array.isArray(raw.dependsOn) || raw.dependsOn.some((d) => typeof d !== 'string' || !ids.has(d)))) {
          throw badRequest(`Batch request '${raw.id}' depends on an unknown or later request.`);
        }
      }
      const statusById = new Map<string, number>();
      const responses: { id: string; status: number; headers: Record<string, string>; body?: unknown }[] = [];
      for (const raw of items as BatchItem[]) {
        const id = raw.id as string;
        const deps = (raw.dependsOn as string[] | undefined) ?? [];
        if (deps.some((d) => (statusById.get(d) ?? 500) >= 400)) {
          statusById.set(id, 424);
          responses.push({ id, status: 424, headers: { 'Content-Type': 'application/json' }, body: { error: { code: 'FailedDependency', message: 'Dependent request failed.' } } });
          continue;
        }
        const url = (raw.url as string).startsWith('/') ? raw.url as string : `/${raw.url as string}`;
        const itemHeaders: Record<string, string> = {};
        for (const [k, val] of Object.entries((raw.headers ?? {}) as Record<string, unknown>)) if (typeof val === 'string') itemHeaders[k.toLowerCase()] = val;
        const res = await app.inject({
          method: (raw.method as string).toUpperCase() as 'GET',
          url: `/${v}${url}`,
          headers: {
            ...itemHeaders,
            authorization: request.headers.authorization ?? '',
            [INTERNAL_BATCH_HEADER]: ctx.internalToken,
            'client-request-id': String(request.headers['client-request-id'] ?? request.id),
          },
          ...(raw.body === undefined ? {} : { payload: JSON.stringify(raw.body) }),
        });
        statusById.set(id, res.statusCode);
        const headers: Record<string, string> = {};
        for (const name of ['content-type', 'retry-after', 'location']) {
          const val = res.headers[name];
          if (typeof val === 'string') headers[name === 'content-type' ? 'Content-Type' : name === 'retry-after' ? 'Retry-After' : 'Location'] = val;
        }
        let itemBody: unknown;
        if (res.body) {
          try {
            itemBody = JSON.parse(res.body);
          } catch {
            itemBody = Buffer.from(res.body).toString('base64');
          }
        }
        responses.push({ id, status: res.statusCode, headers, ...(itemBody === undefined ? {} : { body: itemBody }) });
      }
      return { responses };
    });
  }
}
