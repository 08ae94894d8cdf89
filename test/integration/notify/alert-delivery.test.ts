// Alerts leave breakglass exactly once per channel, end to end, on SQLite and PostgreSQL: a sign-in outside any drill
// window (real Graph client → simulated tenant) becomes an incident whose alert reaches a real local webhook receiver
// that verifies the Standard Webhooks signature with the `standardwebhooks` package, and reaches the simulated
// tenant's sent mail through Graph sendMail — once each, also after re-polls and a restart. Then the outbox's failure
// handling: retries with back-off and Retry-After, the same webhook-id on every attempt, dead letters, and no secret
// (signing secret, URL query) in the audit log.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Notifier } from '../../../server/notify/notifier.ts';
import { raiseAlert } from '../../../server/notify/alerts.ts';
import { SignInMonitor } from '../../../server/monitoring/sign-in-monitor.ts';
import { recordSignIn } from '../../../server/simulator/sign-in-writer.ts';
import { backendsUnderTest, createBackend, type Backend } from '../../helpers/backends.ts';
import { DEMO, startHarness, type Harness } from '../../fixtures/graph/sim-harness.ts';
import { deliveries, openDrillRuntime, seedAccount, TEST_WEBHOOK_SECRET, type DrillRuntime } from '../drills/drill-harness.ts';
import { startReceiver, type Receiver } from './webhook-receiver.ts';

const backends = await backendsUnderTest();
const MIN = 60_000;


function env(receiver: Receiver, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    BREAKGLASS_ALERT_WEBHOOKS: JSON.stringify([{ name: 'soc', url: receiver.url, secret: TEST_WEBHOOK_SECRET }]),
    BREAKGLASS_MAIL_SENDER: DEMO.sender,
    BREAKGLASS_ALERT_MAIL_TO: 'soc@contosodemo.onmicrosoft.com,ciso@contosodemo.onmicrosoft.com',
    ...extra,
  };
}

describe.each(backends)('alert delivery on %s', (name) => {
  let b: Backend;
  let rt: DrillRuntime;
  let receiver: Receiver;
  let h: Harness;

  beforeAll(async () => {
    // The receiver checks webhook-timestamp against its own wall clock (5-minute tolerance), so virtual time starts now.
    h = await startHarness({ start: new Date().toISOString() });
  });
  afterAll(async () => {
    await h?.close();
  });

  afterEach(async () => {
    await rt?.close();
    await receiver?.close();
    await b?.dispose();
  });

  async function open(extra: NodeJS.ProcessEnv = {}): Promise<void> {
    h.sim.state.signIns.length = 0;
    h.sim.state.sentMail.length = 0;
    h.sim.faults.clear();
    h.clock.set(Math.max(Date.now(), h.clock.now().getTime()));
    b = await createBackend(name);
    receiver = await startReceiver(TEST_WEBHOOK_SECRET);
    rt = await openDrillRuntime(b, { clock: h.clock, env: env(receiver, extra), directory: h.dir });
  }

  const notifier = (r: DrillRuntime, timeoutMs?: number) => new Notifier({ audit: r.runtime.audit, clock: h.clock, config: r.config, directory: h.dir, ...(timeoutMs ? { timeoutMs } : {}) });
  const mailsAbout = (text: string) => h.sim.state.sentMail.filter((m) => String((m.message as { subject: string }).subject).includes(text));

  it('a sign-in outside a drill window reaches the webhook (signature verified) and the mailbox once each, also across a restart', async () => {
    await open();
    const acct = await seedAccount(rt, DEMO.bg01Upn, DEMO.bg01);
    // Virtual time stays within the receiver's 5-minute timestamp tolerance until the alert has gone out.
    h.clock.advance(MIN);
    const s = recordSignIn(h.sim.state, { user: DEMO.bg01, steps: [{ method: 'Passkey (device-bound)', succeeded: true }], ipAddress: '203.0.113.99' });
    h.clock.advance(MIN);
    const monitor = new SignInMonitor({ audit: rt.runtime.audit, clock: h.clock, directory: h.dir, settings: rt.config.drills });
    expect((await monitor.pollOnce()).incidentsOpened).toHaveLength(1);
    const sent = await notifier(rt).runOnce();
    expect(sent.map((d) => [d.channel, d.outcome]).sort()).toEqual([['mail', 'delivered'], ['webhook:soc', 'delivered']]);

    expect(receiver.received).toHaveLength(1);
    const got = receiver.received[0]!;
    expect(got.error).toBeUndefined();
    expect(got.timestampOutsideTolerance).toBeUndefined();
    expect(got.path).toBe('/hooks/breakglass?sig=query-signature-that-is-a-secret');
    const payload = got.verified as { type: string; data: { title: string; severity: string; details: Record<string, unknown> } };
    expect(payload.type).toBe('incident.sign_in');
    expect(payload.data.severity).toBe('critical');
    expect(payload.data.title).toBe(`Emergency account ${DEMO.bg01Upn} signed in outside any drill window`);
    expect(payload.data.details).toMatchObject({ accountId: acct.id, signInId: s.id, ipAddress: '203.0.113.99', expectedDrill: false });

    const mail = mailsAbout('signed in outside any drill window');
    expect(mail).toHaveLength(1);
    expect(mail[0]!.from).toBe(DEMO.sender);
    const message = mail[0]!.message as { subject: string; toRecipients: { emailAddress: { address: string } }[]; body: { content: string }; internetMessageHeaders: { name: string; value: string }[] };
    expect(message.subject).toBe(`[breakglass critical] Emergency account ${DEMO.bg01Upn} signed in outside any drill window`);
    expect(message.toRecipients.map((r) => r.emailAddress.address)).toEqual(['soc@contosodemo.onmicrosoft.com', 'ciso@contosodemo.onmicrosoft.com']);
    expect(message.body.content).toContain(`signInId: ${s.id}`);
    expect(message.internetMessageHeaders).toEqual([{ name: 'x-breakglass-alert-id', value: got.id }]);

    // More polls and notifier runs, then a restart of the whole runtime: nothing goes out again.
    for (let i = 0; i < 3; i++) {
      h.clock.advance(5 * MIN);
      await monitor.pollOnce();
      expect(await notifier(rt).runOnce()).toEqual([]);
    }
    await rt.close();
    rt = await openDrillRuntime(b, { clock: h.clock, env: env(receiver), directory: h.dir });
    const monitor2 = new SignInMonitor({ audit: rt.runtime.audit, clock: h.clock, directory: h.dir, settings: rt.config.drills });
    h.clock.advance(5 * MIN);
    expect((await monitor2.pollOnce()).incidentsOpened).toEqual([]);
    expect(await notifier(rt).runOnce()).toEqual([]);
    expect(receiver.received).toHaveLength(1);
    expect(mailsAbout('signed in outside any drill window')).toHaveLength(1);
    expect((await deliveries(rt)).map((d) => [d.channel, d.state, d.attempts])).toEqual([['mail', 'delivered', 1], ['webhook:soc', 'delivered', 1]]);
  });

  it('retries a failing endpoint with back-off and Retry-After, keeping one webhook-id, until it is delivered', async () => {
    await open();
    receiver.script.push({ status: 500 }, { status: 429, headers: { 'retry-after': '900' } });
    await rt.runtime.audit.change((tx, audit) => raiseAlert(tx, audit, { kind: 'test.alert', severity: 'warning', subject: 'test:1', title: 'Retry me', details: { n: 1 }, dedupeKey: 'test:retry' }));
    const n = notifier(rt);
    const sentAt: number[] = [];
    const r1 = await n.runOnce();
    sentAt.push(Math.floor(h.clock.now().getTime() / 1000));
    expect(r1.find((d) => d.channel === 'webhook:soc')).toMatchObject({ outcome: 'retry', status: 'HTTP 500', attempt: 1 });
    // Not yet due: the first back-off is 30 s.
    h.clock.advance(29_000);
    expect((await n.runOnce()).filter((d) => d.channel === 'webhook:soc')).toEqual([]);
    h.clock.advance(1_000);
    expect((await n.runOnce()).find((d) => d.channel === 'webhook:soc')).toMatchObject({ outcome: 'retry', status: 'HTTP 429', attempt: 2 });
    sentAt.push(Math.floor(h.clock.now().getTime() / 1000));
    // Retry-After 900 s beats the 2-minute back-off.
    h.clock.advance(2 * MIN);
    expect(await n.runOnce()).toEqual([]);
    h.clock.advance(13 * MIN);
    expect((await n.runOnce()).find((d) => d.channel === 'webhook:soc')).toMatchObject({ outcome: 'delivered', attempt: 3 });
    sentAt.push(Math.floor(h.clock.now().getTime() / 1000));
    // Each attempt is signed afresh with its own timestamp (the signature covers id, timestamp and body).
    expect(receiver.received.map((r) => r.error ?? 'ok')).toEqual(['ok', 'ok', 'ok']);
    expect(receiver.received.map((r) => Number(r.timestamp))).toEqual(sentAt);
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(1);
    // Every attempt and outcome is on the record.
    const actions = (await rt.runtime.audit.entries({ limit: 50, action: 'alert.*' })).filter((e) => (e.data as { channel?: string }).channel === 'webhook:soc').map((e) => e.action).reverse();
    expect(actions).toEqual(['alert.delivery_attempt', 'alert.delivery_failed', 'alert.delivery_attempt', 'alert.delivery_failed', 'alert.delivery_attempt', 'alert.delivered']);
  });

  it('a receiver that never answers is retried with the same webhook-id; one that keeps failing is dead-lettered', async () => {
    await open({ BREAKGLASS_ALERT_MAX_ATTEMPTS: '3' });
    receiver.script.push('hold', { status: 503 }, { status: 503 });
    h.sim.faults.add({ kind: 'status', status: 503, method: 'POST', path: '/sendMail', times: 1 });
    await rt.runtime.audit.change((tx, audit) => raiseAlert(tx, audit, { kind: 'test.alert', severity: 'critical', subject: 'test:2', title: 'Dead letter me', details: {}, dedupeKey: 'test:dead' }));
    const n = notifier(rt, 300);
    const first = await n.runOnce();
    expect(first.map((d) => [d.channel, d.outcome, d.status]).sort()).toEqual([['mail', 'retry', 'graph_unavailable'], ['webhook:soc', 'retry', 'network']]);
    expect(first.find((d) => d.channel === 'webhook:soc')!.error).toMatch(/^http:\/\/127\.0\.0\.1:\d+: no answer within 300 ms$/);
    h.clock.advance(MIN);
    const second = await n.runOnce();
    expect(second.map((d) => [d.channel, d.outcome]).sort()).toEqual([['mail', 'delivered'], ['webhook:soc', 'retry']]);
    h.clock.advance(3 * MIN);
    expect((await n.runOnce()).map((d) => [d.channel, d.outcome, d.attempt])).toEqual([['webhook:soc', 'dead', 3]]);
    h.clock.advance(24 * 60 * MIN);
    expect(await n.runOnce()).toEqual([]);
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(1);
    expect(receiver.received).toHaveLength(3);
    const dead = (await deliveries(rt)).find((d) => d.channel === 'webhook:soc')!;
    expect([dead.state, dead.attempts, dead.last_status, dead.next_attempt_at]).toEqual(['dead', 3, 'HTTP 503', null]);
    expect(mailsAbout('Dead letter me')).toHaveLength(1);
    // Neither the signing secret nor the URL's query ever reaches the audit log.
    const log = JSON.stringify(await rt.runtime.audit.entries({ limit: 1000 }));
    expect(log).not.toContain(TEST_WEBHOOK_SECRET.slice(6, 20));
    expect(log).not.toContain('query-signature-that-is-a-secret');
    expect(log).toContain('alert.delivery_dead');
  });

  it('refuses secret-named fields in alert details and changes nothing', async () => {
    await open();
    const err = await rt.runtime.audit.change((tx, audit) => raiseAlert(tx, audit, { kind: 'x', severity: 'info', subject: 's', title: 't', details: { nested: { pin: '1234' } }, dedupeKey: 'k' })).catch((e: unknown) => e);
    expect((err as Error).message).toBe('refusing to put details.nested.pin in an alert: alerts leave breakglass, and secrets never do');
    expect(await rt.runtime.database.db.selectFrom('alert').selectAll().execute()).toEqual([]);
  });
});
