// Liveness (`/health`: the process answers) and readiness (`/ready`: the store answers and the audit log can sign).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { problem, ProblemSchema, sendProblem } from './problem.ts';

const Health = Type.Object({ status: Type.Literal('ok') });
const Ready = Type.Object({
  status: Type.Literal('ready'),
  checks: Type.Object({ database: Type.String(), audit: Type.String() }),
});

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/health', { schema: { tags: ['health'], summary: 'Liveness', response: { 200: Health } } }, async () => ({ status: 'ok' as const }));

  app.get('/ready', { schema: { tags: ['health'], summary: 'Readiness: database reachable, audit log signing', response: { 200: Ready, 503: ProblemSchema } } }, async (_req, reply) => {
    const { database, identity, checkpointer } = app.runtime;
    try {
      await sql`select 1`.execute(database.db);
    } catch {
      return sendProblem(reply, problem(503, 'not_ready', `The database (${database.location}) does not answer.`));
    }
    // The audit log must be able to sign: the last checkpoint attempt failing (integrity error, unreadable key, …)
    // makes the service not ready until the next one succeeds.
    const health = checkpointer.health();
    if (health.lastError) {
      return sendProblem(reply, problem(503, 'not_ready', `The audit log could not sign its last checkpoint: ${health.lastError}`));
    }
    return { status: 'ready' as const, checks: { database: `${database.dialect} ok`, audit: `signing as ${identity.origin}` } };
  });
};
