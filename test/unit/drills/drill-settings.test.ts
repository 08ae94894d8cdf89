// The `drills` settings: defaults, lists of days, webhook channels from a JSON array or the single-URL shorthand, and
// every bad value reported on its own line without ever echoing a secret or a URL's query.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/config.ts';
import { ConfigError } from '../../../server/errors.ts';
import { configuredChannels } from '../../../server/notify/channels.ts';

const SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig({ env, cwd: '/srv/bg' });
    return [];
  } catch (err) {
    return (err as ConfigError).problems;
  }
}

describe('drill settings', () => {
  it('defaults to 14/7/1-day reminders, escalation on days 1 and 7 then weekly, a 5-minute poll, no channel', () => {
    const c = loadConfig({ env: {}, cwd: '/srv/bg' });
    expect(c.drills.schedule).toEqual({ reminderDays: [14, 7, 1], overdueDays: [1, 7], overdueRepeatDays: 7, changeDueDays: 14, tickSeconds: 60, verifyGraceMinutes: 60 });
    expect(c.drills.monitoring).toEqual({ enabled: true, pollIntervalSeconds: 300, lookbackMinutes: 120, heartbeatMinutes: 60 });
    expect(c.drills.notify).toEqual({ webhooks: [], mailTo: [], maxAttempts: 8 });
    expect(configuredChannels(c)).toEqual([]);
  });

  it('reads day lists, webhooks and mail recipients; channels show no secret', () => {
    const c = loadConfig({
      cwd: '/srv/bg',
      env: {
        BREAKGLASS_DRILL_REMINDER_DAYS: '30, 7',
        BREAKGLASS_ALERT_WEBHOOKS: JSON.stringify([{ name: 'pagerduty', url: 'https://events.example.net/hook?sig=abc', secret: SECRET }]),
        BREAKGLASS_ALERT_WEBHOOK_URL: 'http://127.0.0.1:8080/local',
        BREAKGLASS_ALERT_WEBHOOK_SECRET: SECRET,
        BREAKGLASS_ALERT_MAIL_TO: 'soc@contoso.com; ciso@contoso.com',
        BREAKGLASS_MAIL_SENDER: 'breakglass@contoso.onmicrosoft.com',
      },
    });
    expect(c.drills.schedule.reminderDays).toEqual([30, 7]);
    expect(c.drills.notify.webhooks.map((w) => w.name)).toEqual(['pagerduty', 'default']);
    expect(c.drills.notify.mailTo).toEqual(['soc@contoso.com', 'ciso@contoso.com']);
    const channels = configuredChannels(c);
    expect(channels).toEqual([
      { name: 'webhook:pagerduty', kind: 'webhook', target: 'https://events.example.net' },
      { name: 'webhook:default', kind: 'webhook', target: 'http://127.0.0.1:8080' },
      { name: 'mail', kind: 'mail', target: '2 recipients from breakglass@contoso.onmicrosoft.com' },
    ]);
    expect(JSON.stringify(channels)).not.toContain('sig=abc');
  });

  it('reports each bad value on its own line, never echoing a secret or a webhook URL', () => {
    const weak = `whsec_${Buffer.from('short').toString('base64')}`;
    const p = problems({
      BREAKGLASS_DRILL_REMINDER_DAYS: '14,zero',
      BREAKGLASS_ALERT_WEBHOOKS: JSON.stringify([
        { name: 'a', url: 'http://hooks.example.com/x?sig=SIGNATURE', secret: SECRET },
        { name: 'b', url: 'https://hooks.example.com/y', secret: weak },
        { name: 'c', url: 'https://hooks.example.com/z', secret: 'plain-secret-value' },
        { name: 'bad name!', url: 'https://h.example.com', secret: SECRET, extra: 1 },
      ]),
      BREAKGLASS_ALERT_MAIL_TO: 'soc@contoso.com,not-mail',
      BREAKGLASS_MONITOR_POLL_SECONDS: '5',
    });
    expect(p).toEqual([
      'BREAKGLASS_DRILL_REMINDER_DAYS (config file: drills.reminderDays): must be a list of whole numbers of days from 1 to 89 (e.g. "14,7,1"), got "14,zero"',
      'BREAKGLASS_ALERT_MAIL_TO (config file: notify.mailTo): "not-mail" is not a mail address',
      'BREAKGLASS_MONITOR_POLL_SECONDS (config file: monitoring.pollIntervalSeconds): must be a whole number from 30 to 3600, got "5"',
      'BREAKGLASS_ALERT_WEBHOOKS (config file: notify.webhooks): webhook "a" its url must use https (plain http is accepted only for a receiver on this machine), got http://hooks.example.com',
      'BREAKGLASS_ALERT_WEBHOOKS (config file: notify.webhooks): webhook "b" its secret is shorter than 24 bytes (the Standard Webhooks minimum); generate a longer one',
      'BREAKGLASS_ALERT_WEBHOOKS (config file: notify.webhooks): webhook "c" its secret must start with "whsec_" (Standard Webhooks format); the value is not shown',
      'BREAKGLASS_ALERT_WEBHOOKS (config file: notify.webhooks): entry 3 needs a "name" of 1–40 letters, digits, "-" or "_"',
      'BREAKGLASS_ALERT_WEBHOOKS (config file: notify.webhooks): entry 3 has unknown field(s) extra',
    ]);
    const text = p.join('\n');
    for (const secret of ['SIGNATURE', 'plain-secret-value', SECRET.slice(6), weak.slice(6)]) expect(text).not.toContain(secret);
  });

  it('does not echo an unparseable webhook list (it holds secrets)', () => {
    const p = problems({ BREAKGLASS_ALERT_WEBHOOKS: `[{"name":"x","secret":"${SECRET}"` });
    expect(p).toEqual(['BREAKGLASS_ALERT_WEBHOOKS (config file: notify.webhooks): is not valid JSON (expected an array of {"name", "url", "secret"}); the value is not shown because it holds secrets']);
  });

  it('wants the shorthand URL and secret together', () => {
    expect(problems({ BREAKGLASS_ALERT_WEBHOOK_URL: 'https://h.example.com/x' })).toEqual([
      'BREAKGLASS_ALERT_WEBHOOK_SECRET (config file: notify.webhookSecret): is needed with BREAKGLASS_ALERT_WEBHOOK_URL (whsec_ followed by base64)',
    ]);
  });
});
