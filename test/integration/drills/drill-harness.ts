// Shared set-up for the drill, monitoring and notifier suites: a real runtime (store + audit log) on a backend with a
// ManualClock, emergency accounts seeded the way designation writes them (row + first drill cycle, in one audited
// change), and small readers for the rows the tests check.
import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../../server/clock.ts';
import { loadConfig, type Config } from '../../../server/config.ts';
import { applyOperationalSettings } from '../../../server/drills/apply-settings.ts';
import { restartDrillClock } from '../../../server/drills/drill-clock.ts';
import { openRuntime, type Runtime } from '../../../server/runtime.ts';
import type { Directory } from '../../../server/graph/directory.ts';
import { backendEnv } from '../../helpers/audit-fixture.ts';
import type { Backend } from '../../helpers/backends.ts';

/** A Standard Webhooks secret for tests (24 random-looking bytes, base64). */
export const TEST_WEBHOOK_SECRET = `whsec_${Buffer.from('breakglass-test-secret-0123456789').toString('base64')}`;

export interface DrillRuntime {
  runtime: Runtime;
  clock: ManualClock;
  config: Config;
  close(): Promise<void>;
}

export async function openDrillRuntime(b: Backend, opts: { start?: string; env?: NodeJS.ProcessEnv; directory?: Directory; clock?: ManualClock } = {}): Promise<DrillRuntime> {
  const clock = opts.clock ?? new ManualClock(opts.start ?? '2026-01-05T09:00:00.000Z');
  const config = loadConfig({ env: { ...backendEnv(b), ...opts.env } });
  const runtime = await openRuntime(config, { clock });
  if (opts.directory) runtime.directory = opts.directory;
  await applyOperationalSettings({ audit: runtime.audit, config });
  return { runtime, clock, config, close: () => runtime.close() };
}

export interface SeededAccount {
  id: string;
  upn: string;
  userId: string;
}

/** Inserts an emergency account as designateAccount() does (row, first cycle, audit events), at the clock's time. */
export async function seedAccount(rt: DrillRuntime, upn: string, userId: string = randomUUID(), opts: { intervalDays?: number; tenantId?: string } = {}): Promise<SeededAccount> {
  const id = randomUUID();
  const at = rt.clock.now();
  await rt.runtime.audit.change(async (tx, audit) => {
    await tx.insertInto('emergency_account').values({
      id, tenant_id: opts.tenantId ?? '8c1a7e52-3f4b-4d2e-9a61-5b0c2d7e9f10', user_id: userId, upn, display_name: upn, status: 'active',
      drill_interval_days: opts.intervalDays ?? 90, designated_by: 'test', designated_at: at.toISOString(), retired_at: null, notes: '',
    }).execute();
    audit.record({ actor: 'test', action: 'account.designated', subject: `account:${id}`, data: { upn } });
    await restartDrillClock(tx, audit, { accountId: id, reason: 'designated', at, actor: 'test' });
  });
  return { id, upn, userId };
}

export async function alerts(rt: DrillRuntime, kindPrefix?: string) {
  let q = rt.runtime.database.db.selectFrom('alert').selectAll().orderBy('created_at').orderBy('id');
  if (kindPrefix) q = q.where('kind', 'like', `${kindPrefix}%`);
  return q.execute();
}

export async function deliveries(rt: DrillRuntime) {
  return rt.runtime.database.db.selectFrom('alert_delivery').selectAll().orderBy('channel').execute();
}

export async function notices(rt: DrillRuntime, accountId: string) {
  return rt.runtime.database.db.selectFrom('drill_notice').selectAll().where('account_id', '=', accountId).orderBy('due_at').execute();
}

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
