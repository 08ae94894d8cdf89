// Display helpers: times in the officer's locale with the UTC instant available, role names.
import type { Role } from './api/types.ts';

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export const ROLE_LABEL: Record<Role, string> = { admin: 'Admin', officer: 'Officer', auditor: 'Auditor' };

export const ROLE_HELP: Record<Role, string> = {
  admin: 'can manage officers and settings, and do everything an officer and an auditor can',
  officer: 'can operate on emergency accounts and keys',
  auditor: 'can read everything, the audit log included, and change nothing',
};
