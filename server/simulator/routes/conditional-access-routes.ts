// Conditional Access policies as Graph lists them (graph.md §5.1), filterable and pageable.
import type { FastifyInstance } from 'fastify';
import { notFound } from '../graph-http-error.ts';
import { applySelect, page } from '../odata-collection.ts';
import type { SimContext } from '../simulator-app.ts';
import { PERMISSIONS, query, rawPath, requirePermission, VERSIONS, type Version } from './route-helpers.ts';

export function registerConditionalAccessRoutes(app: FastifyInstance, ctx: SimContext): void {
  for (const v of VERSIONS) {
    const version: Version = v;
    app.get(`/${v}/identity/conditionalAccess/policies`, async (request) => {
      requirePermission(request, PERMISSIONS.caRead);
      return page(ctx.state.conditionalAccessPolicies, { version, path: rawPath(request), query: query(request), defaultTop: 100, maxTop: 999, filterable: ['id', 'displayName', 'state', 'templateId'] }, 'identity/conditionalAccess/policies');
    });
    app.get<{ Params: { id: string } }>(`/${v}/identity/conditionalAccess/policies/:id`, async (request) => {
      requirePermission(request, PERMISSIONS.caRead);
      const p = ctx.state.conditionalAccessPolicies.find((x) => x.id.toLowerCase() === request.params.id.toLowerCase());
      if (!p) throw notFound(request.params.id);
      return applySelect(p, query(request).$select);
    });
  }
}
