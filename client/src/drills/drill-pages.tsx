// Where the drill, incident and readiness pages live in the front end: their navigation entries, which permission
// each path needs, and the page for a path (including /drills/<id>). The app shell asks here before "not found".
import type { ComponentChildren } from 'preact';
import type { Permission } from '../api/types.ts';
import { DrillCalendarPage } from '../pages/drill-calendar-page.tsx';
import { DrillConsolePage } from '../pages/drill-console-page.tsx';
import { IncidentsPage } from '../pages/incidents-page.tsx';
import { ReadinessPage } from '../pages/readiness-page.tsx';

export const DRILL_NAV: { href: string; label: string; permission: Permission | null }[] = [
  { href: '/drills', label: 'Drills', permission: 'accounts.read' },
  { href: '/incidents', label: 'Incidents', permission: 'accounts.read' },
  { href: '/readiness', label: 'Readiness', permission: 'reports.read' },
];

const ID = /^[A-Za-z0-9-]{1,64}$/;

export function drillPermission(path: string): Permission | undefined {
  if (path === '/drills' || path === '/incidents') return 'accounts.read';
  if (path === '/readiness') return 'reports.read';
  const [, first, second, extra] = path.split('/');
  if (first === 'drills' && second && ID.test(second) && extra === undefined) return 'accounts.read';
  return undefined;
}

export function drillPage(path: string): ComponentChildren | undefined {
  if (path === '/drills') return <DrillCalendarPage />;
  if (path === '/incidents') return <IncidentsPage />;
  if (path === '/readiness') return <ReadinessPage />;
  const [, first, second, extra] = path.split('/');
  if (first === 'drills' && second && ID.test(second) && extra === undefined) return <DrillConsolePage key={second} id={second} />;
  return undefined;
}
