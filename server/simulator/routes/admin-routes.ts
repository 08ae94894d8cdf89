// Routes outside Graph's URL space for driving the simulated tenant: health, fault rules, recording a sign-in (what
// the simulated sign-in page of a later issue will do after a passkey assertion), and the mail outbox. They carry no
// Graph token; the simulator listens on 127.0.0.1 by default for that reason.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { validateFaultRule, type FaultRule } from '../fault-injector.ts';
import { recordSignIn, type SignInEvent } from '../sign-in-writer.ts';
import type { SimContext } from '../simulator-app.ts';

const FaultRuleSchema = Type.Object({
  kind: Type.Union([Type.Literal('throttle'), Type.Literal('status'), Type.Literal('latency'), Type.Literal('drop'), Type.Literal('malformed')]),
  method: Type.Optional(Type.String()),
  path: Type.Optional(Type.String()),
  times: Type.Optional(Type.Integer({ minimum: 1 })),
  when: Type.Optional(Type.Union([Type.Literal('before'), Type.Literal('after')])),
  status: Type.Optional(Type.Integer({ minimum: 400, maximum: 599 })),
  retryAfterSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
  latencyMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 120000 })),
}, { additionalProperties: false });

const SignInSchema = Type.Object({
  user: Type.String({ minLength: 1 }),
  at: Type.Optional(Type.String()),
  appDisplayName: Type.Optional(Type.String()),
  appId: Type.Optional(Type.String()),
  ipAddress: Type.Optional(Type.String()),
  steps: Type.Array(Type.Object({
    method: Type.String(),
    detail: Type.Optional(Type.String()),
    succeeded: Type.Boolean(),
    requirement: Type.Optional(Type.Union([Type.Literal('Primary authentication'), Type.Literal('MFA')])),
    resultDetail: Type.Optional(Type.String()),
  }, { additionalProperties: false }), { minItems: 1 }),
  errorCode: Type.Optional(Type.Integer()),
  failureReason: Type.Optional(Type.String()),
  interactive: Type.Optional(Type.Boolean()),
  conditionalAccessStatus: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('notApplied')])),
}, { additionalProperties: false });

export function registerAdminRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get('/_simulator/health', async () => ({
    status: 'ok', simulated: true, tenant: ctx.state.tenant, users: ctx.state.users.size, now: ctx.state.clock.now().toISOString(),
  }));
  app.get('/_simulator/faults', async () => ({ rules: ctx.faults.rules, fired: ctx.faults.fired }));
  app.post('/_simulator/faults', { schema: { body: FaultRuleSchema } }, async (request, reply) => {
    const rule = request.body as FaultRule;
    validateFaultRule(rule);
    return reply.code(201).send({ id: ctx.faults.add(rule) });
  });
  app.delete('/_simulator/faults', async (_request, reply) => {
    ctx.faults.clear();
    return reply.code(204).send();
  });
  app.post('/_simulator/sign-ins', { schema: { body: SignInSchema } }, async (request, reply) => {
    return reply.code(201).send(recordSignIn(ctx.state, request.body as SignInEvent));
  });
  app.get('/_simulator/mail', async () => ({ value: ctx.state.sentMail }));
}
