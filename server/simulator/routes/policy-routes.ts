// The authentication methods policy and its per-method configurations (TemporaryAccessPass and Fido2 are the ones
// breakglass reads; others from the fixture are served verbatim). Ids are matched case-insensitively as Graph does.
import type { FastifyInstance } from 'fastify';
import { notFound } from '../graph-http-error.ts';
import type { SimContext } from '../simulator-app.ts';
import { PERMISSIONS, requirePermission, VERSIONS } from './route-helpers.ts';

export function registerPolicyRoutes(app: FastifyInstance, ctx: SimContext): void {
  const { state } = ctx;
  const all = () => [state.tapPolicy as unknown as Record<string, unknown>, state.fido2Policy as unknown as Record<string, unknown>, ...state.otherMethodConfigurations];
  for (const v of VERSIONS) {
    app.get(`/${v}/policies/authenticationMethodsPolicy`, async (request) => {
      requirePermission(request, PERMISSIONS.policyRead);
      return {
        id: 'authenticationMethodsPolicy',
        displayName: 'Authentication Methods Policy',
        description: 'The tenant-wide policy that controls which authentication methods are allowed in the tenant, authentication method registration requirements, and self-service password reset settings',
        policyVersion: '1.5',
        authenticationMethodConfigurations: all(),
      };
    });
    app.get<{ Params: { id: string } }>(`/${v}/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/:id`, async (request) => {
      requirePermission(request, PERMISSIONS.policyRead);
      const found = all().find((c) => String(c.id).toLowerCase() === request.params.id.toLowerCase());
      if (!found) throw notFound(request.params.id);
      return { '@odata.context': `https://graph.microsoft.com/${v}/$metadata#policies/authenticationMethodsPolicy/authenticationMethodConfigurations/$entity`, ...found };
    });
  }
}
