// Sends one alert as mail through Graph `sendMail` from the configured sender mailbox (graph.md §6.1): 202 means
// accepted, not delivered. The alert id travels in an `x-breakglass-alert-id` header so mail rules can drop a
// duplicate (sendMail has no idempotency key; an unknown outcome is retried, and a duplicate beats a lost alert).
import type { Directory } from '../graph/directory.ts';
import { GraphError } from '../graph/graph-errors.ts';
import type { OutgoingAlert, SendOutcome } from './webhook-sender.ts';

export function mailText(alert: OutgoingAlert, publicUrl: string | undefined): string {
  const lines = [alert.title, '', `Severity: ${alert.severity}`, `Kind: ${alert.kind}`, `Raised: ${alert.createdAt}`, `About: ${alert.subject}`, ''];
  for (const [k, v] of Object.entries(alert.details)) {
    if (v === null || v === undefined) continue;
    lines.push(`${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  }
  lines.push('', `Alert id: ${alert.id}`);
  if (publicUrl) lines.push(`breakglass: ${publicUrl}`);
  lines.push('', 'Sent by breakglass. Every use of an emergency account is alerted and must be classified as drill, emergency or misuse.');
  return lines.join('\n');
}

export async function sendAlertMail(directory: Directory | undefined, input: { from: string | undefined; to: string[]; publicUrl?: string }, alert: OutgoingAlert): Promise<SendOutcome> {
  if (!directory) return { ok: false, status: 'no_directory', error: 'this process has no connection to Microsoft Graph' };
  if (!input.from || input.to.length === 0) return { ok: false, status: 'not_configured', error: 'no sender mailbox or recipients configured', permanent: true };
  try {
    await directory.sendMail({
      from: input.from,
      saveToSentItems: false,
      message: {
        subject: `[breakglass ${alert.severity}] ${alert.title}`,
        body: { contentType: 'Text', content: mailText(alert, input.publicUrl) },
        toRecipients: input.to.map((address) => ({ emailAddress: { address } })),
        internetMessageHeaders: [{ name: 'x-breakglass-alert-id', value: alert.id }],
      },
    });
    return { ok: true, status: 'HTTP 202' };
  } catch (err) {
    if (err instanceof GraphError) {
      const ra = (err as { retryAfterMs?: number }).retryAfterMs;
      return { ok: false, status: err.code, error: err.message.split('\n')[0]!, ...(ra === undefined ? {} : { retryAfterMs: ra }) };
    }
    return { ok: false, status: 'error', error: (err as Error)?.message?.split('\n')[0] ?? String(err) };
  }
}
