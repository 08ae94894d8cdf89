// RFC 9457 problem details for every error the service returns: `application/problem+json` with type, title, status,
// detail and a stable `code`. 5xx details are generic (the log has the cause); 4xx details say what to fix.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { PRINTABLE_TEXT_PATTERN } from '../domain/clean-text.ts';
import { BreakglassError } from '../errors.ts';

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);
export type Problem = Static<typeof ProblemSchema>;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function problem(status: number, code: string, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: `https://breakglass.dev/problems/${code}`, title: TITLES[status] ?? 'Error', status, detail, code, ...extra };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(p);
}

interface ValidationItem {
  instancePath?: string;
  message?: string;
  params?: { missingProperty?: string; additionalProperty?: string; pattern?: string };
}

/** Ajv's own words, unless a plainer sentence exists (free text with a control character: not the regular expression). */
function validationMessage(v: ValidationItem): string {
  if (v.params?.pattern === PRINTABLE_TEXT_PATTERN) return 'must not contain control or invisible formatting characters';
  return v.message ?? 'is invalid';
}

function validationProblem(err: FastifyError & { validation?: ValidationItem[]; validationContext?: string }): Problem {
  const where = err.validationContext ?? 'request';
  const errors = (err.validation ?? []).map((v) => {
    const base = (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    const field = v.params?.missingProperty ? [base, v.params.missingProperty].filter(Boolean).join('.') : base || where;
    return { field: `${where}${field && field !== where ? `.${field}` : ''}`, message: validationMessage(v) };
  });
  const detail = errors.length ? errors.map((e) => `${e.field} ${e.message}`).join('; ') : err.message;
  return problem(400, 'invalid_input', `The ${where} is invalid: ${detail}.`, { errors });
}

export function problemErrorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const e = err as FastifyError & { validation?: ValidationItem[]; validationContext?: string };
  if (e.validation) return sendProblem(reply, validationProblem(e));
  if (err instanceof BreakglassError) {
    if (err.status >= 500) request.log.error({ err }, 'request failed');
    const p = problem(err.status, err.code, err.status >= 500 && err.status !== 502 && err.status !== 503 ? 'The server could not complete the request; the log has the details.' : err.message, {
      instance: request.url.split('?')[0]!,
      ...(err.details ? { details: err.details } : {}),
    });
    return sendProblem(reply, p);
  }
  const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500;
  if (status >= 500) {
    request.log.error({ err }, 'request failed');
    return sendProblem(reply, problem(status, 'internal', 'The server could not complete the request; the log has the details.'));
  }
  const code =
    err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
      ? 'invalid_json'
      : err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? 'unsupported_media_type'
        : (err.code ?? 'error').toLowerCase();
  const detail =
    code === 'invalid_json'
      ? 'The request body is not valid JSON.'
      : err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? 'Send the body as application/json.'
        : err.message;
  return sendProblem(reply, problem(status, code, detail));
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler((request, reply) => sendProblem(reply, problem(404, 'not_found', `No route for ${request.method} ${request.url.split('?')[0]}.`)));
}
