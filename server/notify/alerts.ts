// raiseAlert() (contract for other modules): records an alert and one outbox row per configured channel, inside the
// caller's transaction. The alert is unique by dedupeKey and each outbox row by (dedupeKey, channel), so raising the
// same alert again — a retried poll, a restart, another replica — changes nothing and nothing goes out twice. The
// notifier worker (notifier.ts) delivers the outbox rows, with retries and a dead-letter state.
//
// Details travel to webhooks and mail, so they follow the audit log's rule: ids, names, times and reasons only, never
// a secret (secret-named fields are refused, as the audit writer does).
import { randomUUID } from 'node:crypto';
import type { AuditRecorder } from '../audit/audit-log.ts';
import { SECRET_KEYS } from '../audit/audit-record.ts';
import { InvalidInputError } from '../errors.ts';
import type { Db } from '../store/schema.ts';
import { enabledChannels } from './channels.ts';

export type AlertSeverity = 'info' | 'warning' | 'critical';

export interface AlertInput {
  /** Dotted kind, e.g. `incident.sign_in`, `drill.reminder`, `drill.announced`, `enrollment.tap_expired_unused`. */
  kind: string;
  severity: AlertSeverity;
  /** What it is about, e.g. `account:<id>`. */
  subject: string;
  /** One line a person can act on. */
  title: string;
  details: Record<string, unknown>;
  /** Same key = same alert: raised once, delivered once per channel. */
  dedupeKey: string;
}

function findSecretKey(v: unknown, path: string): string | undefined {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const f = findSecretKey(v[i], `${path}[${i}]`);
      if (f) return f;
    }
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (SECRET_KEYS.test(k)) return `${path}.${k}`;
      const f = findSecretKey(x, `${path}.${k}`);
      if (f) return f;
    }
  }
  return undefined;
}

/**
 * Records the alert and its outbox rows (one per enabled channel). A second call with the same dedupeKey is a no-op:
 * it records no audit event, so a change that only raises an already-raised alert must record its own event.
 */
export async function raiseAlert(tx: Db, audit: AuditRecorder, alert: AlertInput): Promise<void> {
  for (const f of ['kind', 'subject', 'title', 'dedupeKey'] as const) {
    if (typeof alert[f] !== 'string' || alert[f].trim() === '') throw new InvalidInputError(`an alert needs a non-empty ${f}`);
  }
  if (!['info', 'warning', 'critical'].includes(alert.severity)) throw new InvalidInputError(`alert severity must be info, warning or critical, got ${JSON.stringify(alert.severity)}`);
  if (alert.dedupeKey.length > 300) throw new InvalidInputError('an alert dedupeKey is at most 300 characters');
  const secret = findSecretKey(alert.details ?? {}, 'details');
  if (secret) throw new InvalidInputError(`refusing to put ${secret} in an alert: alerts leave breakglass, and secrets never do`);
  const existing = await tx.selectFrom('alert').select('id').where('dedupe_key', '=', alert.dedupeKey).executeTakeFirst();
  if (existing) return;
  const now = (audit.now ?? new Date()).toISOString();
  const id = randomUUID();
  await tx
    .insertInto('alert')
    .values({ id, dedupe_key: alert.dedupeKey, kind: alert.kind, severity: alert.severity, subject: alert.subject, title: alert.title, details: JSON.stringify(alert.details ?? {}), created_at: now })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .execute();
  const channels = await enabledChannels(tx);
  if (channels.length) {
    await tx
      .insertInto('alert_delivery')
      .values(channels.map((c) => ({
        id: randomUUID(), alert_id: id, dedupe_key: alert.dedupeKey, channel: c.name, state: 'pending', attempts: 0,
        next_attempt_at: now, last_attempt_at: null, last_status: null, last_error: null, delivered_at: null,
      })))
      .onConflict((oc) => oc.columns(['dedupe_key', 'channel']).doNothing())
      .execute();
  }
  audit.record({
    actor: 'system',
    action: 'alert.raised',
    subject: alert.subject,
    data: { alertId: id, kind: alert.kind, severity: alert.severity, title: alert.title, dedupeKey: alert.dedupeKey, channels: channels.map((c) => c.name), details: alert.details ?? {} },
  });
}
