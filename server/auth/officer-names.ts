// Display names of officers for actors written as `officer:<id>` (audit entries, requests, drills), so pages and
// CLI output show people, not ids. Other actors (`system`, `cli:<user>`) have no entry.
import type { Db } from '../store/schema.ts';

export async function officerNames(db: Db, actors: (string | null)[]): Promise<Record<string, string>> {
  const ids = [...new Set(actors.filter((a): a is string => !!a && a.startsWith('officer:')).map((a) => a.slice('officer:'.length)))];
  if (!ids.length) return {};
  const rows = await db.selectFrom('officer').select(['id', 'display_name']).where('id', 'in', ids).execute();
  return Object.fromEntries(rows.map((r) => [`officer:${r.id}`, r.display_name]));
}
