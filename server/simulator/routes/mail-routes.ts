// sendMail (graph.md §6.1): 202 Accepted with an empty body; the message lands in the simulator's outbox
// (state.sentMail) for tests and the demo UI to inspect.
import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from '../graph-http-error.ts';
import type { SimContext } from '../simulator-app.ts';
import { PERMISSIONS, requirePermission, VERSIONS } from './route-helpers.ts';

export function registerMailRoutes(app: FastifyInstance, ctx: SimContext): void {
  for (const v of VERSIONS) {
    app.post<{ Params: { id: string } }>(`/${v}/users/:id/sendMail`, async (request, reply) => {
      requirePermission(request, PERMISSIONS.mailSend);
      const sender = ctx.state.findUser(request.params.id);
      if (!sender) throw notFound(request.params.id);
      const body = request.body as { message?: Record<string, unknown>; saveToSentItems?: unknown } | undefined;
      const m = body?.message;
      if (!m || typeof m !== 'object') throw badRequest('Empty Payload. JSON content expected.', 'ErrorInvalidRequest');
      const to = m.toRecipients;
      if (!Array.isArray(to) || to.length === 0 || to.some((r) => typeof (r as { emailAddress?: { address?: unknown } })?.emailAddress?.address !== 'string')) {
        throw badRequest('At least one recipient is not valid., A message can\'t be sent because it contains no recipients.', 'ErrorInvalidRecipients');
      }
      if (ctx.state.sentMail.length >= 1000) ctx.state.sentMail.shift();
      ctx.state.sentMail.push({ from: sender.userPrincipalName, message: m, saveToSentItems: body?.saveToSentItems !== false, at: ctx.state.clock.now().toISOString() });
      return reply.code(202).send();
    });
  }
}
