// Graph's error envelope (graph.md §6.4): `{"error":{"code","message","innerError":{"date","request-id",
// "client-request-id"}}}`, with the same ids echoed in the `request-id` / `client-request-id` headers.
import type { FastifyReply, FastifyRequest } from 'fastify';

export function graphErrorBody(request: FastifyRequest, code: string, message: string): { error: Record<string, unknown> } {
  return {
    error: {
      code,
      message,
      innerError: {
        date: new Date().toISOString().replace(/\.\d{3}Z$/, ''),
        'request-id': request.id,
        'client-request-id': clientRequestId(request),
      },
    },
  };
}

export function clientRequestId(request: FastifyRequest): string {
  const h = request.headers['client-request-id'];
  return typeof h === 'string' && /^[\w-]{1,64}$/.test(h) ? h : request.id;
}

export function sendGraphError(request: FastifyRequest, reply: FastifyReply, status: number, code: string, message: string, headers: Record<string, string> = {}): FastifyReply {
  return reply.code(status).headers(headers).type('application/json').send(graphErrorBody(request, code, message));
}
