// The alert channels: built from the `drills.notify` settings (webhooks) and the `graph` sender mailbox (mail), and
// mirrored into the notify_channel table — names and non-secret targets only — so raiseAlert(), which runs inside a
// transaction with nothing but the transaction, knows which outbox rows to create. The mirror is refreshed when the
// service starts (applyOperationalSettings). Secrets (webhook URLs and signing secrets) stay in the Config.
import type { Config } from '../config.ts';
import type { Db } from '../store/schema.ts';

export interface ChannelInfo {
  /** `mail` or `webhook:<name>`. */
  name: string;
  kind: 'webhook' | 'mail';
  /** What it points at, safe to show and log: a webhook's scheme and host, the number of mail recipients. */
  target: string;
}

export function webhookChannelName(name: string): string {
  return `webhook:${name}`;
}

/** Scheme and host of a URL: never the path or query, which can carry a signature (Teams Workflows `sig=`). */
export function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(invalid url)';
  }
}

export function configuredChannels(config: Pick<Config, 'drills' | 'graph'>): ChannelInfo[] {
  const out: ChannelInfo[] = config.drills.notify.webhooks.map((w) => ({ name: webhookChannelName(w.name), kind: 'webhook' as const, target: safeHost(w.url) }));
  const sender = config.graph.senderMailbox;
  const to = config.drills.notify.mailTo;
  if (sender && to.length) out.push({ name: 'mail', kind: 'mail', target: `${to.length} recipient${to.length === 1 ? '' : 's'} from ${sender}` });
  return out;
}

export async function enabledChannels(db: Db): Promise<ChannelInfo[]> {
  const rows = await db.selectFrom('notify_channel').selectAll().where('enabled', '=', 1).orderBy('name').execute();
  return rows.map((r) => ({ name: r.name, kind: r.kind as ChannelInfo['kind'], target: r.target }));
}
