// The notifier: delivers the alert outbox (alert_delivery rows) to its channels, with retries and a dead-letter
// state. Each run claims the due rows in one transaction (attempts + 1 and a lease, so a second replica or a crash in
// the middle cannot lose or double-claim a row), sends outside any transaction, then records the outcome: delivered,
// failed with the next attempt time (exponential back-off, honouring Retry-After), or dead after `maxAttempts`. Every
// attempt and outcome is in the audit log. A delivery that was sent but whose outcome was never recorded (a crash) is
// sent again when its lease runs out, with the same `webhook-id`: at-least-once, idempotent for the receiver.
import type { AuditLog } from '../audit/audit-log.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Directory } from '../graph/directory.ts';
import { webhookChannelName } from './channels.ts';
import { sendAlertMail } from './mail-sender.ts';
import { sendWebhook, type OutgoingAlert, type SendOutcome } from './webhook-sender.ts';

/** Back-off after failed attempt n (1-based): 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, then 8 h. */
const BACKOFF_MS = [30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000];
/** How long a claimed delivery is reserved for the claimant before it may be claimed again. */
const LEASE_MS = 5 * 60_000;
const BATCH = 25;

export function backoffMs(failedAttempts: number): number {
  return BACKOFF_MS[Math.min(Math.max(failedAttempts, 1), BACKOFF_MS.length) - 1]!;
}

export interface NotifierDeps {
  audit: AuditLog;
  clock: Clock;
  config: Pick<Config, 'drills' | 'graph' | 'server'>;
  directory: Directory | undefined;
  /** Webhook request timeout (ms). */
  timeoutMs?: number;
}

export interface DeliveryResult {
  deliveryId: string;
  alertId: string;
  channel: string;
  attempt: number;
  outcome: 'delivered' | 'retry' | 'dead';
  status: string;
  error?: string;
}

interface Claimed {
  id: string;
  alertId: string;
  channel: string;
  attempts: number;
  alert: OutgoingAlert;
}

export class Notifier {
  readonly #d: NotifierDeps;

  constructor(deps: NotifierDeps) {
    this.#d = deps;
  }

  async #claim(): Promise<Claimed[]> {
    const nowIso = this.#d.clock.now().toISOString();
    const rows = await this.#d.audit.database.db
      .selectFrom('alert_delivery')
      .select('id')
      .where('state', '=', 'pending')
      .where('next_attempt_at', '<=', nowIso)
      .limit(1)
      .execute();
    if (rows.length === 0) return [];
    return this.#d.audit.change(async (tx, audit) => {
      const now = this.#d.clock.now();
      const due = await tx
        .selectFrom('alert_delivery as d')
        .innerJoin('alert as a', 'a.id', 'd.alert_id')
        .select(['d.id', 'd.alert_id', 'd.channel', 'd.attempts', 'a.kind', 'a.severity', 'a.subject', 'a.title', 'a.details', 'a.created_at', 'a.dedupe_key'])
        .where('d.state', '=', 'pending')
        .where('d.next_attempt_at', '<=', now.toISOString())
        .orderBy('d.next_attempt_at')
        .limit(BATCH)
        .execute();
      const lease = new Date(now.getTime() + LEASE_MS).toISOString();
      const claimed: Claimed[] = [];
      for (const r of due) {
        const attempts = Number(r.attempts) + 1;
        await tx.updateTable('alert_delivery').set({ attempts, last_attempt_at: now.toISOString(), next_attempt_at: lease }).where('id', '=', r.id).where('state', '=', 'pending').execute();
        claimed.push({
          id: r.id, alertId: r.alert_id, channel: r.channel, attempts,
          alert: { id: r.alert_id, kind: r.kind, severity: r.severity, subject: r.subject, title: r.title, details: JSON.parse(r.details) as Record<string, unknown>, createdAt: r.created_at, dedupeKey: r.dedupe_key },
        });
        audit.record({ actor: 'system', action: 'alert.delivery_attempt', subject: `alert:${r.alert_id}`, data: { deliveryId: r.id, channel: r.channel, attempt: attempts } });
      }
      if (claimed.length === 0) audit.record({ actor: 'system', action: 'alert.delivery_idle', subject: 'alerts:outbox', data: { note: 'due deliveries were claimed by another worker' } });
      return claimed;
    });
  }

  async #send(c: Claimed): Promise<SendOutcome> {
    const cfg = this.#d.config;
    if (c.channel === 'mail') {
      return sendAlertMail(this.#d.directory, { from: cfg.graph.senderMailbox, to: cfg.drills.notify.mailTo, publicUrl: cfg.server.publicUrl }, c.alert);
    }
    const hook = cfg.drills.notify.webhooks.find((w) => webhookChannelName(w.name) === c.channel);
    if (!hook) return { ok: false, status: 'not_configured', error: `channel ${c.channel} is no longer configured`, permanent: true };
    return sendWebhook(hook, c.alert, this.#d.clock.now(), this.#d.timeoutMs);
  }

  /** Delivers every due outbox row once; returns what happened to each. */
  async runOnce(): Promise<DeliveryResult[]> {
    const claimed = await this.#claim();
    if (claimed.length === 0) return [];
    const outcomes = await Promise.all(claimed.map(async (c) => ({ c, out: await this.#send(c).catch((err: unknown): SendOutcome => ({ ok: false, status: 'error', error: (err as Error)?.message ?? String(err) })) })));
    const max = this.#d.config.drills.notify.maxAttempts;
    return this.#d.audit.change(async (tx, audit) => {
      const now = this.#d.clock.now();
      const results: DeliveryResult[] = [];
      for (const { c, out } of outcomes) {
        if (out.ok) {
          await tx.updateTable('alert_delivery').set({ state: 'delivered', delivered_at: now.toISOString(), next_attempt_at: null, last_status: out.status, last_error: null }).where('id', '=', c.id).execute();
          audit.record({ actor: 'system', action: 'alert.delivered', subject: `alert:${c.alertId}`, data: { deliveryId: c.id, channel: c.channel, attempt: c.attempts, status: out.status } });
          results.push({ deliveryId: c.id, alertId: c.alertId, channel: c.channel, attempt: c.attempts, outcome: 'delivered', status: out.status });
          continue;
        }
        const dead = out.permanent === true || c.attempts >= max;
        const nextAt = dead ? null : new Date(now.getTime() + Math.max(backoffMs(c.attempts), out.retryAfterMs ?? 0)).toISOString();
        await tx.updateTable('alert_delivery').set({ state: dead ? 'dead' : 'pending', next_attempt_at: nextAt, last_status: out.status, last_error: out.error }).where('id', '=', c.id).execute();
        audit.record({
          actor: 'system',
          action: dead ? 'alert.delivery_dead' : 'alert.delivery_failed',
          subject: `alert:${c.alertId}`,
          data: { deliveryId: c.id, channel: c.channel, attempt: c.attempts, status: out.status, error: out.error, ...(nextAt ? { nextAttemptAt: nextAt } : { deadLettered: true }) },
        });
        results.push({ deliveryId: c.id, alertId: c.alertId, channel: c.channel, attempt: c.attempts, outcome: dead ? 'dead' : 'retry', status: out.status, error: out.error });
      }
      return results;
    });
  }

  /** When the next pending delivery is due, or undefined. */
  async nextDueAt(): Promise<Date | undefined> {
    const row = await this.#d.audit.database.db.selectFrom('alert_delivery').select('next_attempt_at').where('state', '=', 'pending').orderBy('next_attempt_at').limit(1).executeTakeFirst();
    return row?.next_attempt_at ? new Date(row.next_attempt_at) : undefined;
  }
}
