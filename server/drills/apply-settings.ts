// Brings the store in line with the `drills` settings when the service starts (CLI commands never do, so a shell
// with other settings cannot redirect the service's alerts): the cadence
// that new cycles use (meta `drills.schedule`) and the alert channels raiseAlert() fans out to (notify_channel).
// Writes, with one `drills.settings_applied` audit event, only when something differs, so restarts with the same
// settings leave no trace and a changed cadence or channel list is on the record.
import type { Config } from '../config.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { configuredChannels } from '../notify/channels.ts';
import { readScheduleRules, rulesFromSettings, SCHEDULE_META_KEY } from './schedule-rules.ts';

export async function applyOperationalSettings(deps: { audit: AuditLog; config: Pick<Config, 'drills' | 'graph'> }, actor = 'system'): Promise<{ changed: boolean }> {
  const wantRules = rulesFromSettings(deps.config.drills.schedule);
  const wantChannels = configuredChannels(deps.config);
  const db = deps.audit.database.db;
  const haveRules = await readScheduleRules(db);
  const metaRow = await db.selectFrom('meta').select('value').where('key', '=', SCHEDULE_META_KEY).executeTakeFirst();
  const haveChannels = await db.selectFrom('notify_channel').selectAll().orderBy('name').execute();
  const sameRules = Boolean(metaRow) && JSON.stringify(haveRules) === JSON.stringify(wantRules);
  const key = (c: { name: string; kind: string; target: string }) => `${c.name}|${c.kind}|${c.target}`;
  const enabledNow = haveChannels.filter((c) => Number(c.enabled) === 1).map(key).sort();
  const sameChannels = JSON.stringify(enabledNow) === JSON.stringify(wantChannels.map(key).sort());
  if (sameRules && sameChannels) return { changed: false };
  await deps.audit.change(async (tx, audit) => {
    const now = (audit.now ?? deps.audit.clock.now()).toISOString();
    const value = JSON.stringify(wantRules);
    await tx.insertInto('meta').values({ key: SCHEDULE_META_KEY, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
    await tx.updateTable('notify_channel').set({ enabled: 0, updated_at: now }).where('enabled', '=', 1).execute();
    for (const c of wantChannels) {
      await tx
        .insertInto('notify_channel')
        .values({ name: c.name, kind: c.kind, target: c.target, enabled: 1, updated_at: now })
        .onConflict((oc) => oc.column('name').doUpdateSet({ kind: c.kind, target: c.target, enabled: 1, updated_at: now }))
        .execute();
    }
    audit.record({
      actor,
      action: 'drills.settings_applied',
      subject: 'settings:drills',
      data: { schedule: wantRules, channels: wantChannels, previousChannels: haveChannels.filter((c) => Number(c.enabled) === 1).map((c) => c.name) },
    });
  });
  return { changed: true };
}
