// The `drills` configuration section: the drill cadence (reminder offsets before the due date, overdue escalation,
// how soon a change — a key enrolled or replaced, a custodian gone — makes a drill due), sign-in monitoring (poll
// interval, how far back each poll looks for late records, how long a drill waits for its sign-in to show up), and the
// alert channels (Standard Webhooks endpoints with their secrets, mail recipients; the sender mailbox is the `graph`
// section's). Webhook secrets and URLs (a Teams Workflows URL carries its signature in the query) are secrets: they
// live only in this object, and describeChannels() gives the loggable view.
import type { SettingsSource } from '../settings-source.ts';

export interface WebhookChannelSettings {
  /** Channel name (`webhook:<name>`), unique; letters, digits, dash, underscore. */
  name: string;
  /** Endpoint URL (https, or http to a loopback host for local receivers). Treated as a secret. */
  url: string;
  /** Standard Webhooks signing secret, `whsec_` + base64 of at least 24 random bytes. Secret. */
  secret: string;
}

export interface DrillScheduleSettings {
  /** Reminders this many days before the due date, e.g. [14, 7, 1]. */
  reminderDays: number[];
  /** Overdue escalations this many days after the due date, e.g. [1, 7]; then every `overdueRepeatDays`. */
  overdueDays: number[];
  overdueRepeatDays: number;
  /** After a change trigger (key enrolled/replaced, custodian left) a drill is due within this many days. */
  changeDueDays: number;
  /** Seconds between ticks of the reminder scheduler (it also runs once at start). */
  tickSeconds: number;
  /** How long after a drill window ends breakglass keeps looking for its sign-in before calling it "not seen". */
  verifyGraceMinutes: number;
}

export interface MonitoringSettings {
  /** Watch the emergency accounts' sign-ins and method changes (on by default). */
  enabled: boolean;
  /** One filtered sign-in call and one directory-audit call per tenant per interval. */
  pollIntervalSeconds: number;
  /** Each poll re-reads this far back, because sign-in records arrive minutes (sometimes half an hour) late. */
  lookbackMinutes: number;
  /** While nothing happens, the poll cursor and a heartbeat entry are written at most this often. */
  heartbeatMinutes: number;
}

export interface NotifySettings {
  webhooks: WebhookChannelSettings[];
  /** Recipients of alert mail (Graph sendMail from graph.senderMailbox); empty = no mail channel. */
  mailTo: string[];
  /** Delivery attempts per alert and channel before the delivery is dead-lettered. */
  maxAttempts: number;
}

export interface DrillSettings {
  schedule: DrillScheduleSettings;
  monitoring: MonitoringSettings;
  notify: NotifySettings;
}

export const DRILL_KEYS = {
  reminderDays: { env: 'BREAKGLASS_DRILL_REMINDER_DAYS', file: 'drills.reminderDays' },
  overdueDays: { env: 'BREAKGLASS_DRILL_OVERDUE_DAYS', file: 'drills.overdueDays' },
  overdueRepeatDays: { env: 'BREAKGLASS_DRILL_OVERDUE_REPEAT_DAYS', file: 'drills.overdueRepeatDays' },
  changeDueDays: { env: 'BREAKGLASS_DRILL_CHANGE_DUE_DAYS', file: 'drills.changeDueDays' },
  tickSeconds: { env: 'BREAKGLASS_DRILL_TICK_SECONDS', file: 'drills.tickSeconds' },
  verifyGraceMinutes: { env: 'BREAKGLASS_DRILL_VERIFY_GRACE_MINUTES', file: 'drills.verifyGraceMinutes' },
  monitoringEnabled: { env: 'BREAKGLASS_MONITOR_ENABLED', file: 'monitoring.enabled' },
  pollIntervalSeconds: { env: 'BREAKGLASS_MONITOR_POLL_SECONDS', file: 'monitoring.pollIntervalSeconds' },
  lookbackMinutes: { env: 'BREAKGLASS_MONITOR_LOOKBACK_MINUTES', file: 'monitoring.lookbackMinutes' },
  heartbeatMinutes: { env: 'BREAKGLASS_MONITOR_HEARTBEAT_MINUTES', file: 'monitoring.heartbeatMinutes' },
  webhooks: { env: 'BREAKGLASS_ALERT_WEBHOOKS', file: 'notify.webhooks' },
  webhookUrl: { env: 'BREAKGLASS_ALERT_WEBHOOK_URL', file: 'notify.webhookUrl' },
  webhookSecret: { env: 'BREAKGLASS_ALERT_WEBHOOK_SECRET', file: 'notify.webhookSecret' },
  mailTo: { env: 'BREAKGLASS_ALERT_MAIL_TO', file: 'notify.mailTo' },
  maxAttempts: { env: 'BREAKGLASS_ALERT_MAX_ATTEMPTS', file: 'notify.maxAttempts' },
} as const;

const NAME = /^[A-Za-z0-9_-]{1,40}$/;
const MAILBOX = /^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** A list of whole days: a JSON array or a comma-separated string. */
function dayList(src: SettingsSource, key: { env: string; file: string }, fallback: number[], opts: { min: number; max: number }): number[] {
  const raw = src.raw(key);
  if (raw === undefined) return fallback;
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter(Boolean) : [raw];
  const out: number[] = [];
  for (const item of items) {
    const n = typeof item === 'number' ? item : typeof item === 'string' && /^\d+$/.test(item) ? Number(item) : Number.NaN;
    if (!Number.isInteger(n) || n < opts.min || n > opts.max) {
      src.problem(key, `must be a list of whole numbers of days from ${opts.min} to ${opts.max} (e.g. "14,7,1"), got ${JSON.stringify(raw)}`);
      return fallback;
    }
    out.push(n);
  }
  const unique = [...new Set(out)];
  if (unique.length !== out.length) src.problem(key, `lists a day twice: ${JSON.stringify(raw)}`);
  return unique;
}

function stringList(src: SettingsSource, key: { env: string; file: string }): string[] {
  const raw = src.raw(key);
  if (raw === undefined) return [];
  if (Array.isArray(raw) && raw.every((r) => typeof r === 'string')) return raw.map((r) => r.trim()).filter(Boolean);
  if (typeof raw === 'string') return raw.split(/[,;]/).map((s) => s.trim()).filter(Boolean);
  src.problem(key, `must be a list of mail addresses (JSON array or comma-separated), got ${JSON.stringify(raw)}`);
  return [];
}

/** Checks a Standard Webhooks secret without ever echoing it. */
function secretProblem(secret: unknown): string | undefined {
  if (typeof secret !== 'string' || secret.length === 0) return 'needs a "secret" (whsec_ followed by base64)';
  if (!secret.startsWith('whsec_')) return 'its secret must start with "whsec_" (Standard Webhooks format); the value is not shown';
  const body = secret.slice(6);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return 'its secret is not base64 after "whsec_"; the value is not shown';
  if (Buffer.from(body, 'base64').length < 24) return 'its secret is shorter than 24 bytes (the Standard Webhooks minimum); generate a longer one';
  return undefined;
}

/** A URL's problem, described without the URL itself (it can carry a signature). */
function urlProblem(url: unknown): string | undefined {
  if (typeof url !== 'string' || url.length === 0) return 'needs a "url"';
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'its url is not an absolute URL';
  }
  if (u.protocol === 'https:') return undefined;
  if (u.protocol === 'http:' && LOOPBACK.has(u.hostname)) return undefined;
  return `its url must use https (plain http is accepted only for a receiver on this machine), got ${u.protocol}//${u.hostname}`;
}

function readWebhooks(src: SettingsSource): WebhookChannelSettings[] {
  const out: WebhookChannelSettings[] = [];
  let raw = src.raw(DRILL_KEYS.webhooks);
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      // Never echo: the value holds secrets.
      src.problem(DRILL_KEYS.webhooks, 'is not valid JSON (expected an array of {"name", "url", "secret"}); the value is not shown because it holds secrets');
      raw = undefined;
    }
  }
  if (raw !== undefined) {
    if (!Array.isArray(raw)) {
      src.problem(DRILL_KEYS.webhooks, 'must be an array of {"name", "url", "secret"}');
    } else {
      raw.forEach((item, i) => {
        const w = item as Record<string, unknown> | null;
        if (!w || typeof w !== 'object') {
          src.problem(DRILL_KEYS.webhooks, `entry ${i} must be an object {"name", "url", "secret"}`);
          return;
        }
        const name = typeof w.name === 'string' ? w.name : '';
        const label = NAME.test(name) ? `webhook "${name}"` : `entry ${i}`;
        if (!NAME.test(name)) src.problem(DRILL_KEYS.webhooks, `entry ${i} needs a "name" of 1–40 letters, digits, "-" or "_"`);
        const unknown = Object.keys(w).filter((k) => !['name', 'url', 'secret'].includes(k));
        if (unknown.length) src.problem(DRILL_KEYS.webhooks, `${label} has unknown field(s) ${unknown.join(', ')}`);
        const up = urlProblem(w.url);
        if (up) src.problem(DRILL_KEYS.webhooks, `${label} ${up}`);
        const sp = secretProblem(w.secret);
        if (sp) src.problem(DRILL_KEYS.webhooks, `${label} ${sp}`);
        if (NAME.test(name) && !up && !sp) out.push({ name, url: w.url as string, secret: w.secret as string });
      });
    }
  }
  const url = src.string(DRILL_KEYS.webhookUrl);
  const secret = src.string(DRILL_KEYS.webhookSecret);
  if (url !== undefined || secret !== undefined) {
    const up = url === undefined ? 'is not set' : urlProblem(url);
    const sp = secretProblem(secret);
    if (up) src.problem(DRILL_KEYS.webhookUrl, up === 'is not set' ? `is needed with ${DRILL_KEYS.webhookSecret.env}` : up.replace(/^its url /, ''));
    if (sp) src.problem(DRILL_KEYS.webhookSecret, sp.replace(/^its secret /, '').replace(/^needs a "secret"/, `is needed with ${DRILL_KEYS.webhookUrl.env}`));
    if (!up && !sp) out.push({ name: 'default', url: url!, secret: secret! });
  }
  const names = new Set<string>();
  for (const w of out) {
    if (names.has(w.name)) src.problem(DRILL_KEYS.webhooks, `two webhooks are named "${w.name}"; names must be unique`);
    names.add(w.name);
  }
  return out;
}

export function readDrillSettings(src: SettingsSource): DrillSettings {
  const reminderDays = dayList(src, DRILL_KEYS.reminderDays, [14, 7, 1], { min: 1, max: 89 }).sort((a, b) => b - a);
  const overdueDays = dayList(src, DRILL_KEYS.overdueDays, [1, 7], { min: 1, max: 365 }).sort((a, b) => a - b);
  const mailTo = stringList(src, DRILL_KEYS.mailTo);
  for (const m of mailTo) if (!MAILBOX.test(m)) src.problem(DRILL_KEYS.mailTo, `${JSON.stringify(m)} is not a mail address`);
  return {
    schedule: {
      reminderDays,
      overdueDays,
      overdueRepeatDays: src.int(DRILL_KEYS.overdueRepeatDays, { min: 1, max: 90, fallback: 7 }),
      changeDueDays: src.int(DRILL_KEYS.changeDueDays, { min: 1, max: 90, fallback: 14 }),
      tickSeconds: src.int(DRILL_KEYS.tickSeconds, { min: 5, max: 3600, fallback: 60 }),
      verifyGraceMinutes: src.int(DRILL_KEYS.verifyGraceMinutes, { min: 5, max: 24 * 60, fallback: 60 }),
    },
    monitoring: {
      enabled: src.bool(DRILL_KEYS.monitoringEnabled, true),
      pollIntervalSeconds: src.int(DRILL_KEYS.pollIntervalSeconds, { min: 30, max: 3600, fallback: 300 }),
      lookbackMinutes: src.int(DRILL_KEYS.lookbackMinutes, { min: 10, max: 7 * 24 * 60, fallback: 120 }),
      heartbeatMinutes: src.int(DRILL_KEYS.heartbeatMinutes, { min: 5, max: 24 * 60, fallback: 60 }),
    },
    notify: {
      webhooks: readWebhooks(src),
      mailTo: mailTo.filter((m) => MAILBOX.test(m)),
      maxAttempts: src.int(DRILL_KEYS.maxAttempts, { min: 1, max: 50, fallback: 8 }),
    },
  };
}
