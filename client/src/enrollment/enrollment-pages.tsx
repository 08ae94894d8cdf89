// Where the inventory and enrollment pages live in the front end: their navigation entries, which permission each
// path needs, and the page for a path (including paths with an id). The app shell asks here before "not found".
import type { ComponentChildren } from 'preact';
import type { Permission } from '../api/types.ts';
import { EnrollmentPage } from '../pages/enrollment-page.tsx';
import { EnrollmentsPage, NewEnrollmentPage } from '../pages/enrollments-page.tsx';
import { AccountInventoryPage, InventoryPage } from '../pages/inventory-page.tsx';

export const ENROLLMENT_NAV: { href: string; label: string; permission: Permission | null }[] = [
  { href: '/inventory', label: 'Key inventory', permission: 'accounts.read' },
  { href: '/enrollments', label: 'Enrollments', permission: 'accounts.read' },
];

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The permission a path needs, or undefined when the path is not one of these pages. */
export function enrollmentPermission(path: string): Permission | undefined {
  if (path === '/enrollments/new') return 'enrollment.request';
  if (path === '/inventory' || path === '/enrollments') return 'accounts.read';
  const [, first, second, extra] = path.split('/');
  if ((first === 'inventory' || first === 'enrollments') && second && ID.test(second) && extra === undefined) return 'accounts.read';
  return undefined;
}

export function enrollmentPage(path: string): ComponentChildren | undefined {
  if (path === '/inventory') return <InventoryPage />;
  if (path === '/enrollments') return <EnrollmentsPage />;
  if (path === '/enrollments/new') return <NewEnrollmentPage />;
  const [, first, second, extra] = path.split('/');
  if (extra !== undefined || !second || !ID.test(second)) return undefined;
  if (first === 'inventory') return <AccountInventoryPage key={second} accountId={second} />;
  if (first === 'enrollments') return <EnrollmentPage key={second} id={second} />;
  return undefined;
}
