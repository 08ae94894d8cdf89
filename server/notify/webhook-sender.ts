// Sends one alert to a webhook endpoint signed per Standard Webhooks 1.0 (audit-sched-scale.md §6.3), with the
// reference `standardwebhooks` library: `webhook-id` is the alert id (the same on every retry, so receivers can drop
// duplicates), `webhook-timestamp` the Unix seconds of this attempt, `webhook-signature` `v1,<base64 HMAC-SHA256 of
// "{id}.{timestamp}.{body}">`. The body is `{type, timestamp, data}`. Errors name the endpoint by scheme and host only:
// its path and query can hold a signature, and the secret never leaves this function.
import { retryAfterMs } from '../graph/graph-error-mapper.ts';
import { Webhook } from 'standardwebhooks';
import type { WebhookChannelSettings } from '../drills/drill-settings.ts';
import { safeHost } from './channels.ts';

export interface OutgoingAlert {
  id: string;
  kind: string;
  severity: string;
  subject: string;
  title: string;
  details: Record<string, unknown>;
  createdAt: string;
  dedupeKey: string;
}

export type SendOutcome =
  | { ok: true; status: string }
  | { ok: false; status: string; error: string; retryAfterMs?: number; permanent?: boolean };

export function webhookBody(alert: OutgoingAlert): string {
  return JSON.stringify({
    type: alert.kind,
    timestamp: alert.createdAt,
    data: { alertId: alert.id, severity: alert.severity, subject: alert.subject, title: alert.title, details: alert.details, dedupeKey: alert.dedupeKey },
  });
}

export async function sendWebhook(endpoint: WebhookChannelSettings, alert: OutgoingAlert, now: Date, timeoutMs = 10_000): Promise<SendOutcome> {
  const body = webhookBody(alert);
  const signature = new Webhook(endpoint.secret).sign(alert.id, now, body);
  const where = safeHost(endpoint.url);
  let res: Response;
  try {
    res = await fetch(endpoint.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'breakglass-notifier',
        'webhook-id': alert.id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}` : e.cause?.code ?? e.name ?? 'network error';
    return { ok: false, status: 'network', error: `${where}: ${why}` };
  }
  // Drain the body so the connection can be reused; what the receiver says is not kept (it could echo anything).
  await res.arrayBuffer().catch(() => undefined);
  if (res.status >= 200 && res.status < 300) return { ok: true, status: `HTTP ${res.status}` };
  const ra = retryAfterMs(res.headers, now.getTime());
  return {
    ok: false,
    status: `HTTP ${res.status}`,
    error: `${where} answered HTTP ${res.status}`,
    ...(ra === undefined ? {} : { retryAfterMs: ra }),
    // 410 Gone: the receiver says this endpoint is retired (Standard Webhooks); keep no further attempts.
    ...(res.status === 410 ? { permanent: true } : {}),
  };
}
