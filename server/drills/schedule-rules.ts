// Where the drill cadence the transaction-level code uses comes from. restartDrillClock() and the tick run inside
// audit.change() with nothing but the transaction, so the cadence in force (reminder offsets, overdue escalation,
// change-trigger due days) is kept in the store (`meta` key `drills.schedule`), written when the service starts from
// the `drills` settings (applyOperationalSettings) and recorded in the audit log whenever it changes. A store that
// never saw the service uses the defaults below, which are also the settings' defaults.
import type { ScheduleRules } from '../domain/drill-schedule.ts';
import type { Db } from '../store/schema.ts';

export const SCHEDULE_META_KEY = 'drills.schedule';

export const DEFAULT_SCHEDULE_RULES: ScheduleRules = { reminderDays: [14, 7, 1], overdueDays: [1, 7], overdueRepeatDays: 7, changeDueDays: 14 };

function isRules(v: unknown): v is ScheduleRules {
  const r = v as ScheduleRules | null;
  const days = (xs: unknown) => Array.isArray(xs) && xs.every((x) => Number.isInteger(x) && x > 0);
  return Boolean(r && days(r.reminderDays) && days(r.overdueDays) && Number.isInteger(r.overdueRepeatDays) && Number.isInteger(r.changeDueDays));
}

export async function readScheduleRules(db: Db): Promise<ScheduleRules> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', SCHEDULE_META_KEY).executeTakeFirst();
  if (!row) return DEFAULT_SCHEDULE_RULES;
  try {
    const parsed: unknown = JSON.parse(row.value);
    return isRules(parsed) ? parsed : DEFAULT_SCHEDULE_RULES;
  } catch {
    return DEFAULT_SCHEDULE_RULES;
  }
}

export function rulesFromSettings(s: { reminderDays: number[]; overdueDays: number[]; overdueRepeatDays: number; changeDueDays: number }): ScheduleRules {
  return { reminderDays: [...s.reminderDays], overdueDays: [...s.overdueDays], overdueRepeatDays: s.overdueRepeatDays, changeDueDays: s.changeDueDays };
}
