// Roles and what each may do. Routes declare the permission they need (route config `access`); the auth plugin checks
// it for every request, and the authorization-matrix test walks every route × role against this table.
//   admin   — officers and settings, plus everything an officer and an auditor may do
//   officer — operations on emergency accounts and keys
//   auditor — read-only everywhere, the audit log included
export const ROLES = ['admin', 'officer', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = ['officers.manage', 'accounts.read', 'accounts.operate', 'audit.read', 'enrollment.request', 'enrollment.approve', 'drills.operate', 'incidents.classify', 'reports.read', 'reports.send'] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: ['officers.manage', 'accounts.read', 'accounts.operate', 'audit.read', 'enrollment.request', 'enrollment.approve', 'drills.operate', 'incidents.classify', 'reports.read', 'reports.send'],
  officer: ['accounts.read', 'accounts.operate', 'enrollment.request', 'enrollment.approve', 'drills.operate', 'incidents.classify', 'reports.read', 'reports.send'],
  auditor: ['accounts.read', 'audit.read', 'reports.read'],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function permissionsOf(role: Role): Permission[] {
  return [...GRANTS[role]];
}

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

/**
 * What a route needs. `public`: anyone; `session`: any signed-in officer (their own profile and passkeys);
 * a Permission: a signed-in officer whose role grants it. `stepUp` adds a recent passkey assertion.
 */
export type Access = 'public' | 'session' | Permission;
