// Users, their directory roles and groups, group members and role assignments (v1.0 and beta shapes are the same
// here). `$select=signInActivity` needs AuditLog.Read.All and an Entra ID P1/P2 tenant, like Graph (graph.md §4.2).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ODATA_TYPE, type GraphUser } from '../../graph/graph-types.ts';
import { GraphHttpError, notFound } from '../graph-http-error.ts';
import { applySelect, page } from '../odata-collection.ts';
import type { SimContext } from '../simulator-app.ts';
import { PERMISSIONS, query, rawPath, requirePermission, VERSIONS, type Version } from './route-helpers.ts';

type IdParams = { Params: { id: string } };

/** Graph does not return signInActivity unless selected, and refuses it without P1. */
function userView(ctx: SimContext, request: FastifyRequest, user: GraphUser, select: string | undefined): Record<string, unknown> {
  const wantsActivity = Boolean(select?.split(',').some((s) => s.trim() === 'signInActivity'));
  const { signInActivity, ...rest } = user;
  const base: Record<string, unknown> = { '@odata.type': ODATA_TYPE.user, ...rest };
  if (wantsActivity) {
    requirePermission(request, PERMISSIONS.auditRead);
    if (!ctx.state.hasPremiumLicense) {
      throw new GraphHttpError(403, 'Authentication_RequestFromNonPremiumTenantOrB2CTenant', "Neither tenant is B2C or tenant doesn't have premium license");
    }
    base.signInActivity = signInActivity ?? null;
  }
  return applySelect(base, select);
}

export function registerUserRoutes(app: FastifyInstance, ctx: SimContext): void {
  const { state } = ctx;
  for (const v of VERSIONS) {
    const version: Version = v;
    app.get(`/${v}/users`, async (request) => {
      requirePermission(request, PERMISSIONS.usersRead);
      const q = query(request);
      return page([...state.users.values()], { version, path: rawPath(request), query: q, defaultTop: 100, maxTop: 999, filterable: ['id', 'userPrincipalName', 'displayName', 'accountEnabled', 'userType', 'mail', 'onPremisesSyncEnabled'] }, 'users', (u) => userView(ctx, request, u, q.$select));
    });

    app.get<IdParams>(`/${v}/users/:id`, async (request) => {
      requirePermission(request, PERMISSIONS.usersRead);
      const user = state.findUser(request.params.id);
      if (!user) throw notFound(request.params.id);
      return { '@odata.context': `https://graph.microsoft.com/${version}/$metadata#users/$entity`, ...userView(ctx, request, user, query(request).$select) };
    });

    app.get<IdParams>(`/${v}/users/:id/memberOf/microsoft.graph.directoryRole`, async (request) => {
      requirePermission(request, PERMISSIONS.rolesRead);
      const user = state.findUser(request.params.id);
      if (!user) throw notFound(request.params.id);
      const roles = state.directoryRolesOf(user.id).map((r) => ({ '@odata.type': ODATA_TYPE.directoryRole, ...r }));
      return page(roles, { version, path: rawPath(request), query: query(request), defaultTop: 100, maxTop: 999, filterable: ['roleTemplateId', 'displayName'] }, 'directoryRoles');
    });

    const transitive = (groupsOnly: boolean) => async (request: FastifyRequest<IdParams>) => {
      requirePermission(request, PERMISSIONS.groupsRead);
      const user = state.findUser(request.params.id);
      if (!user) throw notFound(request.params.id);
      const items: Record<string, unknown>[] = state.transitiveGroupsOf(user.id).map((g) => ({ ...g, '@odata.type': ODATA_TYPE.group }));
      if (!groupsOnly) items.push(...state.directoryRolesOf(user.id).map((r) => ({ '@odata.type': ODATA_TYPE.directoryRole, ...r })));
      return page(items, { version, path: rawPath(request), query: query(request), defaultTop: 100, maxTop: 999, filterable: ['id', 'displayName'] }, groupsOnly ? 'groups' : 'directoryObjects');
    };
    app.get<IdParams>(`/${v}/users/:id/transitiveMemberOf/microsoft.graph.group`, transitive(true));
    app.get<IdParams>(`/${v}/users/:id/transitiveMemberOf`, transitive(false));

    app.get<IdParams>(`/${v}/groups/:id`, async (request) => {
      requirePermission(request, PERMISSIONS.groupsRead);
      const group = state.groups.get(request.params.id.toLowerCase());
      if (!group) throw notFound(request.params.id);
      return applySelect({ ...group, '@odata.type': ODATA_TYPE.group }, query(request).$select);
    });

    app.get<IdParams>(`/${v}/groups/:id/transitiveMembers/microsoft.graph.user`, async (request) => {
      requirePermission(request, PERMISSIONS.groupsRead);
      if (!state.groups.has(request.params.id.toLowerCase())) throw notFound(request.params.id);
      const users = state.transitiveUserMembers(request.params.id).map((u) => {
        const { signInActivity: _omit, ...rest } = u;
        return { '@odata.type': ODATA_TYPE.user, ...rest };
      });
      return page(users, { version, path: rawPath(request), query: query(request), defaultTop: 100, maxTop: 999, filterable: ['id', 'userPrincipalName'] }, 'users');
    });

    app.get(`/${v}/roleManagement/directory/roleAssignments`, async (request) => {
      requirePermission(request, PERMISSIONS.rolesRead);
      const q = query(request);
      // Graph requires a filter on this collection for most callers; we accept both.
      return page(state.roleAssignments, { version, path: rawPath(request), query: q, defaultTop: 100, maxTop: 999, filterable: ['roleDefinitionId', 'principalId', 'directoryScopeId'] }, 'roleManagement/directory/roleAssignments');
    });
  }
}
