// Writes directory audit records the way Entra logs authentication-method changes (graph.md §1.8, §2.5):
// category UserManagement, loggedByService "Authentication Methods", the target user in targetResources[0].
import { randomUUID } from 'node:crypto';
import type { GraphDirectoryAudit, GraphUser } from '../graph/graph-types.ts';
import type { TenantState } from './tenant-state.ts';

export interface AuditEvent {
  activityDisplayName: string;
  resultReason: string;
  operationType: 'Add' | 'Delete' | 'Update';
  /** The app that called Graph (application permissions), or a user for self-service. */
  app?: { appId: string; displayName: string };
  user?: GraphUser;
  target: GraphUser;
  additionalDetails?: { key: string; value: string }[];
  result?: 'success' | 'failure';
}

export function recordDirectoryAudit(state: TenantState, e: AuditEvent): GraphDirectoryAudit {
  const audit: GraphDirectoryAudit = {
    id: `Directory_${randomUUID()}`,
    activityDateTime: state.clock.now().toISOString(),
    activityDisplayName: e.activityDisplayName,
    category: 'UserManagement',
    correlationId: randomUUID(),
    loggedByService: 'Authentication Methods',
    operationType: e.operationType,
    result: e.result ?? 'success',
    resultReason: e.resultReason,
    initiatedBy: {
      user: e.user ? { id: e.user.id, displayName: e.user.displayName ?? null, userPrincipalName: e.user.userPrincipalName, ipAddress: null } : null,
      app: e.app ? { appId: e.app.appId, displayName: e.app.displayName, servicePrincipalId: null, servicePrincipalName: null } : null,
    },
    targetResources: [{ id: e.target.id, displayName: e.target.displayName ?? null, type: 'User', userPrincipalName: e.target.userPrincipalName, modifiedProperties: [] }],
    additionalDetails: e.additionalDetails ?? [],
  };
  state.directoryAudits.push(audit);
  return audit;
}
