// The identity endpoints a confidential client needs for client credentials (graph.md §8.3): the OpenID
// configuration MSAL reads first, and the v2.0 token endpoint. Errors follow Entra's AADSTS shape so @azure/identity
// surfaces them as it would against login.microsoftonline.com.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimContext } from '../simulator-app.ts';

function origin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

function aadError(reply: FastifyReply, status: number, error: string, code: number, description: string) {
  return reply.code(status).send({
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${crypto.randomUUID()} Correlation ID: ${crypto.randomUUID()} Timestamp: ${new Date().toISOString()}`,
    error_codes: [code],
    timestamp: new Date().toISOString(),
  });
}

export function registerTokenRoutes(app: FastifyInstance, ctx: SimContext): void {
  const knownTenant = (t: string) => t.toLowerCase() === ctx.state.tenant.id.toLowerCase() || t.toLowerCase() === ctx.state.tenant.defaultDomain.toLowerCase();

  app.get<{ Params: { tenant: string } }>('/:tenant/v2.0/.well-known/openid-configuration', async (request, reply) => {
    if (!knownTenant(request.params.tenant)) return aadError(reply, 400, 'invalid_tenant', 90002, `Tenant '${request.params.tenant}' not found.`);
    const base = `${origin(request)}/${ctx.state.tenant.id}`;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      issuer: `${base}/v2.0`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      tenant_region_scope: 'EU',
    };
  });

  app.get('/:tenant/discovery/v2.0/keys', async () => ({ keys: [] }));

  app.post<{ Params: { tenant: string }; Body: Record<string, string> }>('/:tenant/oauth2/v2.0/token', async (request, reply) => {
    if (!knownTenant(request.params.tenant)) return aadError(reply, 400, 'invalid_request', 90002, `Tenant '${request.params.tenant}' not found.`);
    const body = (request.body ?? {}) as Record<string, string>;
    if (body.grant_type !== 'client_credentials') return aadError(reply, 400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type; the simulated tenant supports client_credentials only.');
    if (!body.scope || !/\/\.default$/.test(body.scope)) return aadError(reply, 400, 'invalid_scope', 1002012, 'The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.');
    const app = ctx.tokens.authenticate(body.client_id ?? '', body.client_secret ?? '');
    if (!app) {
      const known = ctx.state.applications.some((a) => a.appId.toLowerCase() === (body.client_id ?? '').toLowerCase());
      return known
        ? aadError(reply, 401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.')
        : aadError(reply, 400, 'unauthorized_client', 700016, `Application with identifier '${body.client_id ?? ''}' was not found in the directory '${ctx.state.tenant.displayName}'.`);
    }
    const issued = ctx.tokens.issue(app);
    return { token_type: 'Bearer', expires_in: issued.expiresIn, ext_expires_in: issued.expiresIn, access_token: issued.token };
  });
}
