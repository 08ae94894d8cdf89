// Small helpers shared by the simulator's Graph routes: both API versions, the calling app and its permissions
// (403 Authorization_RequestDenied like Graph), the raw path below the version for nextLinks, and query access.
import type { FastifyRequest } from 'fastify';
import { GraphHttpError } from '../graph-http-error.ts';
import type { Application } from '../tenant-state.ts';

export const VERSIONS = ['v1.0', 'beta'] as const;
export type Version = (typeof VERSIONS)[number];

export function callerApp(request: FastifyRequest): Application {
  if (!request.graphApp) throw new GraphHttpError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
  return request.graphApp;
}

export function actorOf(request: FastifyRequest): { appId: string; displayName: string } {
  const app = callerApp(request);
  return { appId: app.appId, displayName: app.displayName };
}

/** The app must hold at least one of these application permissions. */
export function requirePermission(request: FastifyRequest, anyOf: readonly string[]): void {
  const granted = callerApp(request).permissions;
  if (!anyOf.some((p) => granted.includes(p))) {
    throw new GraphHttpError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  }
}

export function query(request: FastifyRequest): Record<string, string | undefined> {
  const q = request.query as Record<string, unknown> | undefined;
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(q ?? {})) out[k] = Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v);
  return out;
}

/** The request path below `/{version}` as sent (still encoded), for building nextLinks. */
export function rawPath(request: FastifyRequest): string {
  const path = request.url.split('?')[0] ?? request.url;
  return path.replace(/^\/(v1\.0|beta)/, '');
}

export const PERMISSIONS = {
  usersRead: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  auditRead: ['AuditLog.Read.All'],
  rolesRead: ['RoleManagement.Read.Directory', 'RoleManagement.Read.All', 'RoleManagement.ReadWrite.Directory', 'Directory.Read.All'],
  groupsRead: ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All'],
  methodsRead: ['UserAuthenticationMethod.Read.All', 'UserAuthenticationMethod.ReadWrite.All'],
  tapRead: ['UserAuthMethod-TAP.Read.All', 'UserAuthMethod-TAP.ReadWrite.All', 'UserAuthenticationMethod.Read.All', 'UserAuthenticationMethod.ReadWrite.All'],
  tapWrite: ['UserAuthMethod-TAP.ReadWrite.All', 'UserAuthenticationMethod.ReadWrite.All'],
  passkeyRead: ['UserAuthMethod-Passkey.Read.All', 'UserAuthMethod-Passkey.ReadWrite.All', 'UserAuthenticationMethod.Read.All', 'UserAuthenticationMethod.ReadWrite.All'],
  passkeyWrite: ['UserAuthMethod-Passkey.ReadWrite.All', 'UserAuthenticationMethod.ReadWrite.All'],
  policyRead: ['Policy.Read.AuthenticationMethod', 'Policy.ReadWrite.AuthenticationMethod', 'Policy.Read.All'],
  caRead: ['Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess'],
  mailSend: ['Mail.Send'],
} as const;
