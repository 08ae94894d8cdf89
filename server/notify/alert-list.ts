// Recent alerts with the state of each channel's delivery (delivered, pending with the next attempt, or dead-lettered
// with the last error), for the incidents page and the drill console: an officer sees whether the SOC was told.
import type { Db } from '../store/schema.ts';

export interface AlertView {
  id: string;
  kind: string;
  severity: string;
  subject: string;
  title: string;
  createdAt: string;
  deliveries: { channel: string; state: string; attempts: number; lastStatus: string | null; lastError: string | null; deliveredAt: string | null; nextAttemptAt: string | null }[];
}

export async function listAlerts(db: Db, opts: { subject?: string; limit?: number } = {}): Promise<AlertView[]> {
  let q = db.selectFrom('alert').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(opts.limit ?? 50);
  if (opts.subject) q = q.where('subject', '=', opts.subject);
  const alerts = await q.execute();
  if (alerts.length === 0) return [];
  const rows = await db.selectFrom('alert_delivery').selectAll().where('alert_id', 'in', alerts.map((a) => a.id)).orderBy('channel').execute();
  return alerts.map((a) => ({
    id: a.id, kind: a.kind, severity: a.severity, subject: a.subject, title: a.title, createdAt: a.created_at,
    deliveries: rows.filter((d) => d.alert_id === a.id).map((d) => ({
      channel: d.channel, state: d.state, attempts: Number(d.attempts), lastStatus: d.last_status, lastError: d.last_error, deliveredAt: d.delivered_at,
      nextAttemptAt: d.state === 'pending' ? d.next_attempt_at : null,
    })),
  }));
}
