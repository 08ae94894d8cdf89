// Sign-in logs and directory audits (graph.md §4). Sign-ins need AuditLog.Read.All and an Entra ID P1/P2 tenant
// (403 Authentication_RequestFromNonPremiumTenantOrB2CTenant otherwise); v1.0 omits the beta-only properties such as
// authenticationDetails; beta returns interactive sign-ins only unless the filter names signInEventTypes. Newest first;
// directory audits also take `$orderby=activityDateTime [asc|desc]`, the one ordering Graph documents for them.
import type { FastifyInstance } from 'fastify';
import { badRequest, GraphHttpError } from '../graph-http-error.ts';
import { page } from '../odata-collection.ts';
import { toV1SignIn } from '../sign-in-writer.ts';
import type { SimContext } from '../simulator-app.ts';
import { PERMISSIONS, query, rawPath, requirePermission, VERSIONS, type Version } from './route-helpers.ts';

const SIGN_IN_FILTERABLE_V1 = ['id', 'userId', 'userPrincipalName', 'createdDateTime', 'appId', 'appDisplayName', 'status/errorCode', 'conditionalAccessStatus', 'ipAddress', 'correlationId', 'isInteractive'];
const SIGN_IN_FILTERABLE_BETA = [...SIGN_IN_FILTERABLE_V1, 'authenticationRequirement', 'signInEventTypes'];
const AUDIT_FILTERABLE = ['id', 'activityDateTime', 'activityDisplayName', 'category', 'correlationId', 'loggedByService', 'operationType', 'result', 'initiatedBy/user/id', 'initiatedBy/user/userPrincipalName', 'initiatedBy/app/appId', 'targetResources'];

/** directoryAudit documents `$orderby` on activityDateTime only (resources/directoryaudit); newest first by default. */
function auditOrder(orderby: string | undefined): 'asc' | 'desc' {
  if (orderby === undefined) return 'desc';
  const m = /^\s*activityDateTime(?:\s+(asc|desc))?\s*$/i.exec(orderby);
  if (!m) throw badRequest(`Unsupported $orderby '${orderby}': directory audits can be ordered by activityDateTime only.`, 'Request_UnsupportedQuery');
  return (m[1]?.toLowerCase() as 'asc' | 'desc' | undefined) ?? 'asc';
}

export function registerAuditLogRoutes(app: FastifyInstance, ctx: SimContext): void {
  const { state } = ctx;
  for (const v of VERSIONS) {
    const version: Version = v;
    app.get(`/${v}/auditLogs/signIns`, async (request) => {
      requirePermission(request, PERMISSIONS.auditRead);
      if (!state.hasPremiumLicense) {
        throw new GraphHttpError(403, 'Authentication_RequestFromNonPremiumTenantOrB2CTenant', "Neither tenant is B2C or tenant doesn't have premium license");
      }
      const q = query(request);
      let records = [...state.signIns].sort((a, b) => b.createdDateTime.localeCompare(a.createdDateTime));
      if (version === 'beta' && !/signInEventTypes/i.test(q.$filter ?? '')) {
        records = records.filter((s) => s.isInteractive !== false && (!s.signInEventTypes || s.signInEventTypes.includes('interactiveUser')));
      }
      const shaped = version === 'v1.0' ? records.map(toV1SignIn) : records;
      return page(shaped, { version, path: rawPath(request), query: q, defaultTop: 1000, maxTop: 1000, filterable: version === 'beta' ? SIGN_IN_FILTERABLE_BETA : SIGN_IN_FILTERABLE_V1 }, 'auditLogs/signIns');
    });

    app.get(`/${v}/auditLogs/directoryAudits`, async (request) => {
      requirePermission(request, PERMISSIONS.auditRead);
      const q = query(request);
      const records = [...state.directoryAudits].sort((a, b) => b.activityDateTime.localeCompare(a.activityDateTime));
      if (auditOrder(q.$orderby) === 'asc') records.reverse();
      return page(records, { version, path: rawPath(request), query: q, defaultTop: 1000, maxTop: 1000, filterable: AUDIT_FILTERABLE }, 'auditLogs/directoryAudits');
    });
  }
}
