// Monitoring of the emergency accounts through Microsoft Graph: each poll makes one filtered beta sign-in query per 15
// emergency accounts (an `or` clause) and one directory-audit query per account for authentication-method changes
// (`targetResources/any(t: t/id eq …)`, so a busy tenant's other users cost nothing), paced by the adapter to the
// reports throttle (5 requests / 10 s, graph.md §4.1). Every record is kept once (monitor_record, keyed by Graph's id),
// so re-reading overlapping windows is harmless:
//   - each poll re-reads `lookbackMinutes` before where the last successful poll got to, because records arrive
//     minutes late, and after an outage it resumes from the last success, however long ago;
//   - a query reads at most `maxRecordsPerQuery` records per poll and says when it stopped with records left. Logs are
//     read newest first, so such a read covered its window down to some instant: the window's older part is a "pass"
//     that later polls continue, newest first, until it is read to its start (each poll also reads what arrived after
//     the pass began). Only then does the cursor move, to where the pass ended. Meanwhile the stream is "behind": one
//     alert per episode, the records that were read are processed at once, and none that were not are passed over;
//   - a sign-in inside an announced drill window becomes drill evidence (captured at once: Entra keeps sign-ins 7 or
//     30 days); any other sign-in or failed attempt, and any method added to or removed from an account, is an
//     incident that alerts at once (incidents.ts);
//   - a drill whose sign-in has not shown up `verifyGraceMinutes` after its window is marked "not seen" — never
//     "failed": that is an officer's call;
//   - while a drill waits for its sign-in, polls come faster (1, 2, 4, 8 … minutes after the window opens and after
//     it ends), backing off to the normal interval.
// Graph failures are recorded as the cursor's state: a tenant without Entra ID P1 (no sign-in logs) and missing
// permissions alert at once with a message that says what to fix; transient failures alert when they last.
// Nothing is written while nothing happens except a periodic heartbeat (evidence that monitoring ran).
import type { AuditLog, AuditRecorder } from '../audit/audit-log.ts';
import type { Clock } from '../clock.ts';
import type { DrillSettings } from '../drills/drill-settings.ts';
import { classifyDirectoryAudit, classifySignIn, type AnnouncedWindow } from '../domain/incident-rules.ts';
import { decideEvidence, signInSummary, type EvidenceDecision } from '../domain/sign-in-evidence.ts';
import type { Directory, LogRead } from '../graph/directory.ts';
import { GraphAuthorizationError, GraphError, GraphLicenseError } from '../graph/graph-errors.ts';
import type { GraphDirectoryAudit, GraphSignIn } from '../graph/graph-types.ts';
import { raiseAlert } from '../notify/alerts.ts';
import type { Db, EmergencyAccountTable, MonitorCursorTable } from '../store/schema.ts';
import { openIncident } from './incidents.ts';

export type Stream = 'sign_ins' | 'directory_audits';
export type MonitorState = 'ok' | 'behind' | 'failing' | 'license_required' | 'forbidden';

const RETENTION_MS = 30 * 86_400_000;
const MINUTE = 60_000;
/** Graph's most records per query the adapter allows; the cap for a crowded millisecond (see #pollStream). */
const CROWDED_CAP = 100_000;

export interface MonitorLimits {
  /** Records one query (a batch of 15 accounts' sign-ins, one account's audits) reads per poll before it stops. */
  maxRecordsPerQuery: number;
  /** Page size asked of Graph (1000 is its maximum for both logs). */
  pageSize: number;
}

export const DEFAULT_MONITOR_LIMITS: MonitorLimits = { maxRecordsPerQuery: 20_000, pageSize: 1000 };

export interface MonitorDeps {
  audit: AuditLog;
  clock: Clock;
  directory: Directory;
  settings: Pick<DrillSettings, 'monitoring' | 'schedule'>;
  /** Per-poll read limits (tests make them small). */
  limits?: Partial<MonitorLimits>;
}

export interface StreamReport {
  stream: Stream;
  ok: boolean;
  state: MonitorState;
  since?: string;
  until?: string;
  fetched: number;
  newRecords: number;
  /** False when a query stopped at its cap with records left (state `behind`); what was read is processed. */
  complete?: boolean;
  /** While behind: the window whose records are not all read yet, continued by the next polls. */
  pending?: { since: string; until: string };
  error?: { code: string; message: string };
}

export interface PollReport {
  at: string;
  accounts: number;
  streams: StreamReport[];
  incidentsOpened: string[];
  drillsVerified: string[];
  drillsRejected: string[];
  drillsNotSeen: string[];
}

/**
 * The window [from, to] of a read that did not fit in one poll. Read newest first, it has covered (nextTo, to] so far;
 * `base` is the cursor it started from (a pass only continues while the cursor is where it was).
 */
interface Pass {
  base: string | null;
  from: string;
  to: string;
  nextTo: string;
}

interface Memory {
  polledUntil?: string;
  lastPersistAt?: number;
  failures: number;
  /** Kept in memory only: after a restart the read starts again from the cursor, which never passed unread records. */
  pass?: Pass;
  behind?: boolean;
}

/** An emergency account as monitoring sees it; one retired while its records were still unread is kept until read. */
type Account = Pick<EmergencyAccountTable, 'id' | 'upn' | 'user_id' | 'designated_at' | 'tenant_id' | 'status' | 'retired_at'>;

/** Records from before designation or after retirement are kept but raise nothing. */
function outsideService(account: Account, at: string): 'before_designation' | 'after_retirement' | undefined {
  if (at < account.designated_at) return 'before_designation';
  if (account.retired_at && at >= account.retired_at) return 'after_retirement';
  return undefined;
}

interface Outcome {
  incidentsOpened: string[];
  drillsVerified: string[];
  drillsRejected: string[];
  drillsNotSeen: string[];
  newRecords: number;
}

const emptyOutcome = (): Outcome => ({ incidentsOpened: [], drillsVerified: [], drillsRejected: [], drillsNotSeen: [], newRecords: 0 });

function stateOf(err: unknown): MonitorState {
  if (err instanceof GraphLicenseError) return 'license_required';
  if (err instanceof GraphAuthorizationError) return 'forbidden';
  return 'failing';
}

function errorInfo(err: unknown): { code: string; message: string } {
  if (err instanceof GraphLicenseError) {
    return { code: err.code, message: 'the tenant has no Microsoft Entra ID P1/P2 licence, so Graph does not serve sign-in logs (403 Authentication_RequestFromNonPremiumTenantOrB2CTenant): uses of the emergency accounts cannot be detected and drills cannot be verified from the logs until a P1 or P2 licence is added' };
  }
  if (err instanceof GraphError) return { code: err.code, message: err.message.split('\n')[0]! };
  return { code: 'error', message: (err as Error)?.message?.split('\n')[0] ?? String(err) };
}

/**
 * Drill windows that count as announced for an account: every drill not cancelled, and a closed drill only until it
 * was closed (a sign-in after the officer closed the drill is no longer part of it).
 */
async function announcedWindows(tx: Db, accountId: string): Promise<AnnouncedWindow[]> {
  const rows = await tx.selectFrom('drill').select(['id', 'window_start', 'window_end', 'closed_at']).where('account_id', '=', accountId).where('status', '!=', 'cancelled').execute();
  return rows.map((r) => ({ drillId: r.id, start: r.window_start, end: r.closed_at && r.closed_at < r.window_end ? r.closed_at : r.window_end }));
}

async function knownIds(tx: Db, tenantId: string, stream: Stream, ids: string[]): Promise<Set<string>> {
  const known = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await tx.selectFrom('monitor_record').select('record_id').where('tenant_id', '=', tenantId).where('stream', '=', stream).where('record_id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of rows) known.add(r.record_id);
  }
  return known;
}

/** Records new sign-ins: drill evidence or incidents. Returns the drills whose evidence must be re-judged. */
async function processSignIns(tx: Db, audit: AuditRecorder, records: GraphSignIn[], ctx: { tenantId: string; now: string; accounts: Map<string, Account>; out: Outcome }): Promise<Set<string>> {
  const touched = new Set<string>();
  const unique = new Map<string, GraphSignIn>();
  for (const r of records) if (r?.id && !unique.has(r.id)) unique.set(r.id, r);
  const known = await knownIds(tx, ctx.tenantId, 'sign_ins', [...unique.keys()]);
  const fresh = [...unique.values()].filter((r) => !known.has(r.id)).sort((a, b) => a.createdDateTime.localeCompare(b.createdDateTime));
  // Drill windows do not change inside this transaction: read them once per account, not once per record.
  const windows = new Map<string, AnnouncedWindow[]>();
  for (const r of fresh) {
    const account = ctx.accounts.get(r.userId?.toLowerCase());
    if (!account) continue;
    let disposition = 'incident';
    let drillId: string | null = null;
    let incidentId: string | null = null;
    const outside = outsideService(account, r.createdDateTime);
    if (outside) {
      disposition = outside;
    } else {
      let w = windows.get(account.id);
      if (!w) windows.set(account.id, (w = await announcedWindows(tx, account.id)));
      const d = classifySignIn(r, account, w);
      if (d.disposition === 'drill') {
        disposition = 'drill';
        drillId = d.drillId;
        touched.add(d.drillId);
      } else {
        const opened = await openIncident(tx, audit, { tenantId: ctx.tenantId, account, draft: d.incident, recordId: r.id, now: ctx.now });
        incidentId = opened.id;
        if (opened.created) ctx.out.incidentsOpened.push(opened.id);
      }
    }
    await tx.insertInto('monitor_record').values({
      tenant_id: ctx.tenantId, stream: 'sign_ins', record_id: r.id, account_id: account.id, occurred_at: r.createdDateTime, seen_at: ctx.now,
      disposition, drill_id: drillId, incident_id: incidentId, summary: JSON.stringify(signInSummary(r)), record: JSON.stringify(r),
    }).onConflict((oc) => oc.columns(['tenant_id', 'stream', 'record_id']).doNothing()).execute();
    ctx.out.newRecords += 1;
  }
  return touched;
}

async function processDirectoryAudits(tx: Db, audit: AuditRecorder, records: GraphDirectoryAudit[], ctx: { tenantId: string; now: string; accounts: Map<string, Account>; out: Outcome }): Promise<void> {
  const userIds = new Set(ctx.accounts.keys());
  const relevant = new Map<string, { a: GraphDirectoryAudit; c: NonNullable<ReturnType<typeof classifyDirectoryAudit>> }>();
  for (const a of records) {
    if (!a?.id || relevant.has(a.id)) continue;
    const c = classifyDirectoryAudit(a, userIds);
    if (c) relevant.set(a.id, { a, c });
  }
  const known = await knownIds(tx, ctx.tenantId, 'directory_audits', [...relevant.keys()]);
  for (const { a, c } of [...relevant.values()].filter((x) => !known.has(x.a.id)).sort((x, y) => x.a.activityDateTime.localeCompare(y.a.activityDateTime))) {
    const account = ctx.accounts.get(c.userId)!;
    let disposition = 'incident';
    let incidentId: string | null = null;
    const outside = outsideService(account, a.activityDateTime);
    if (outside) disposition = outside;
    else {
      const opened = await openIncident(tx, audit, { tenantId: ctx.tenantId, account, draft: c.incident, recordId: a.id, now: ctx.now });
      incidentId = opened.id;
      if (opened.created) ctx.out.incidentsOpened.push(opened.id);
    }
    await tx.insertInto('monitor_record').values({
      tenant_id: ctx.tenantId, stream: 'directory_audits', record_id: a.id, account_id: account.id, occurred_at: a.activityDateTime, seen_at: ctx.now,
      disposition, drill_id: null, incident_id: incidentId,
      summary: JSON.stringify({ id: a.id, activityDateTime: a.activityDateTime, activityDisplayName: a.activityDisplayName, resultReason: a.resultReason ?? null, result: a.result }),
      record: JSON.stringify(a),
    }).onConflict((oc) => oc.columns(['tenant_id', 'stream', 'record_id']).doNothing()).execute();
    ctx.out.newRecords += 1;
  }
}

/** Re-judges a drill's evidence from the records kept for its window, capturing the proving record at once. */
/** `partial`: the window's records were not all read, so only a verified sign-in is recorded (a rejection may not be final). */
export async function judgeDrill(tx: Db, audit: AuditRecorder, drillId: string, now: string, out: Outcome, partial = false): Promise<EvidenceDecision | undefined> {
  const drill = await tx.selectFrom('drill').selectAll().where('id', '=', drillId).executeTakeFirst();
  if (!drill) return undefined;
  const rows = await tx.selectFrom('monitor_record').select(['record']).where('stream', '=', 'sign_ins').where('drill_id', '=', drillId).execute();
  const records = rows.map((r) => JSON.parse(r.record) as GraphSignIn);
  const decision = decideEvidence(records, { start: drill.window_start, end: drill.window_end });
  if (drill.status !== 'open') {
    if (records.length) audit.record({ actor: 'system', action: 'drill.record_after_close', subject: `drill:${drillId}`, data: { status: drill.status, verdict: decision.verdict, records: records.map((r) => r.id) } });
    return decision;
  }
  if (decision.verdict === 'verified' && drill.verification !== 'verified') {
    const m = decision.match!;
    await tx.updateTable('drill').set({
      verification: 'verified', verification_reasons: JSON.stringify(decision.reasons), evidence_sign_in_id: m.id, evidence_sign_in_at: m.createdDateTime,
      evidence: JSON.stringify(m), evidence_captured_at: now,
    }).where('id', '=', drillId).execute();
    audit.record({ actor: 'system', action: 'drill.evidence_captured', subject: `drill:${drillId}`, data: { accountId: drill.account_id, signIn: signInSummary(m), reasons: decision.reasons } });
    await raiseAlert(tx, audit, {
      kind: 'drill.sign_in_verified', severity: 'info', subject: `account:${drill.account_id}`, dedupeKey: `drill:${drillId}:verified`,
      title: `Drill sign-in observed and verified (planned activity): ${m.userPrincipalName} at ${m.createdDateTime}`,
      details: { drillId, accountId: drill.account_id, signInId: m.id, createdDateTime: m.createdDateTime, expectedDrill: true, performer: drill.performer, witness: drill.witness },
    });
    out.drillsVerified.push(drillId);
  } else if (!partial && decision.verdict === 'rejected' && drill.verification !== 'verified' && drill.verification_reasons !== JSON.stringify(decision.reasons)) {
    await tx.updateTable('drill').set({ verification: 'rejected', verification_reasons: JSON.stringify(decision.reasons) }).where('id', '=', drillId).execute();
    audit.record({ actor: 'system', action: 'drill.sign_in_rejected', subject: `drill:${drillId}`, data: { accountId: drill.account_id, reasons: decision.reasons } });
    out.drillsRejected.push(drillId);
  }
  return decision;
}

/** Drills still waiting for their sign-in `graceMinutes` after the window: "not seen" (not failed). */
async function markNotSeen(tx: Db, audit: AuditRecorder, now: Date, graceMinutes: number, accountIds: string[], out: Outcome): Promise<void> {
  if (accountIds.length === 0) return;
  const cutoff = new Date(now.getTime() - graceMinutes * MINUTE).toISOString();
  const late = await tx.selectFrom('drill as d').innerJoin('emergency_account as a', 'a.id', 'd.account_id').select(['d.id', 'd.account_id', 'd.window_start', 'd.window_end', 'a.upn'])
    .where('d.status', '=', 'open').where('d.verification', '=', 'waiting').where('d.window_end', '<=', cutoff).where('d.account_id', 'in', accountIds).execute();
  for (const d of late) {
    const reasons = [`no sign-in of ${d.upn} between ${d.window_start} and ${d.window_end} had reached the sign-in logs ${graceMinutes} minutes after the window; this is not a failure: verify again later, or close the drill as failed if the sign-in did not happen`];
    await tx.updateTable('drill').set({ verification: 'not_seen', verification_reasons: JSON.stringify(reasons) }).where('id', '=', d.id).execute();
    audit.record({ actor: 'system', action: 'drill.sign_in_not_seen', subject: `drill:${d.id}`, data: { accountId: d.account_id, windowStart: d.window_start, windowEnd: d.window_end, graceMinutes } });
    await raiseAlert(tx, audit, {
      kind: 'drill.sign_in_not_seen', severity: 'warning', subject: `account:${d.account_id}`, dedupeKey: `drill:${d.id}:not_seen`,
      title: `Drill sign-in for ${d.upn} not seen in the sign-in logs yet`,
      details: { drillId: d.id, accountId: d.account_id, windowStart: d.window_start, windowEnd: d.window_end, graceMinutes },
    });
    out.drillsNotSeen.push(d.id);
  }
}

export class SignInMonitor {
  readonly #d: MonitorDeps;
  readonly #limits: MonitorLimits;
  readonly #memory = new Map<Stream, Memory>([['sign_ins', { failures: 0 }], ['directory_audits', { failures: 0 }]]);

  constructor(deps: MonitorDeps) {
    this.#d = deps;
    this.#limits = { ...DEFAULT_MONITOR_LIMITS, ...deps.limits };
  }

  get tenantId(): string {
    return this.#d.directory.mode.tenantId;
  }

  /** Active accounts, and those retired after `readsFrom` (their records up to retirement may still be unread). */
  async #accounts(readsFrom?: string): Promise<Map<string, Account>> {
    const rows = await this.#d.audit.database.db.selectFrom('emergency_account').select(['id', 'upn', 'user_id', 'designated_at', 'tenant_id', 'status', 'retired_at'])
      .where('tenant_id', '=', this.tenantId)
      .where((eb) => (readsFrom === undefined ? eb('status', '=', 'active') : eb.or([eb('status', '=', 'active'), eb('retired_at', '>', readsFrom)])))
      .execute();
    // An active row wins over a retired one for the same user (re-designated after retirement).
    const out = new Map<string, Account>();
    for (const r of rows.sort((a, b) => (a.status === 'active' ? 1 : 0) - (b.status === 'active' ? 1 : 0))) out.set(r.user_id.toLowerCase(), r);
    return out;
  }

  /** The oldest instant the next poll of any stream may read from (a held pass, or the cursor less the look-back). */
  async #oldestReadStart(now: Date): Promise<string> {
    const lookback = this.#d.settings.monitoring.lookbackMinutes * MINUTE;
    let oldest = now.getTime() - lookback;
    for (const stream of ['sign_ins', 'directory_audits'] as const) {
      const mem = this.#memory.get(stream)!;
      if (mem.pass) oldest = Math.min(oldest, Date.parse(mem.pass.from));
      const base = mem.polledUntil ?? (await this.#cursor(stream))?.polled_until;
      if (base) oldest = Math.min(oldest, Date.parse(base) - lookback);
    }
    return new Date(Math.max(oldest, now.getTime() - RETENTION_MS)).toISOString();
  }

  async #cursor(stream: Stream) {
    return this.#d.audit.database.db.selectFrom('monitor_cursor').selectAll().where('tenant_id', '=', this.tenantId).where('stream', '=', stream).executeTakeFirst();
  }

  /** One poll of both streams. Never throws for Graph failures: they become the cursor's state (and alerts). */
  async pollOnce(): Promise<PollReport> {
    const now = this.#d.clock.now();
    const accounts = await this.#accounts(await this.#oldestReadStart(now));
    const report: PollReport = { at: now.toISOString(), accounts: accounts.size, streams: [], incidentsOpened: [], drillsVerified: [], drillsRejected: [], drillsNotSeen: [] };
    if (accounts.size === 0) return report;
    for (const stream of ['sign_ins', 'directory_audits'] as const) {
      const r = await this.#pollStream(stream, accounts, now);
      report.streams.push(r.report);
      for (const k of ['incidentsOpened', 'drillsVerified', 'drillsRejected', 'drillsNotSeen'] as const) report[k].push(...r.outcome[k]);
    }
    return report;
  }

  /** One capped read of a stream's window for every account: sign-ins per 15 accounts, audits per account. */
  #read(stream: Stream, accounts: Map<string, Account>, since: string, until: string, maxRecords: number): Promise<LogRead<GraphSignIn | GraphDirectoryAudit>> {
    const userIds = [...new Set([...accounts.values()].map((a) => a.user_id.toLowerCase()))];
    const pageSize = this.#limits.pageSize;
    return stream === 'sign_ins'
      ? this.#d.directory.readSignIns({ userIds, since, until, pageSize, maxRecords })
      : this.#d.directory.readDirectoryAudits({ since, until, loggedByService: 'Authentication Methods', targetUserIds: userIds, pageSize, maxRecords });
  }

  async #pollStream(stream: Stream, accounts: Map<string, Account>, now: Date): Promise<{ report: StreamReport; outcome: Outcome }> {
    const mem = this.#memory.get(stream)!;
    const row = await this.#cursor(stream);
    const lookback = this.#d.settings.monitoring.lookbackMinutes * MINUTE;
    const nowIso = now.toISOString();
    const base = mem.polledUntil ?? row?.polled_until ?? null;
    // A pass left by an earlier poll continues; otherwise this poll reads from the cursor (less the look-back) to now.
    const held = mem.pass && mem.pass.base === base ? mem.pass : undefined;
    const from = new Date(Math.max(base ? Date.parse(base) - lookback : now.getTime() - lookback, now.getTime() - RETENTION_MS)).toISOString();
    // Without a cursor yet, the pass's base is where it starts reading: a pass cut short then stores that as the cursor,
    // so a restart re-reads from there rather than from a later "now − look-back" (which would skip records).
    const pass: Pass = held ?? { base: base ?? from, from, to: nowIso, nextTo: nowIso };
    const cap = this.#limits.maxRecordsPerQuery;
    const outcome = emptyOutcome();
    let older: LogRead<GraphSignIn | GraphDirectoryAudit>;
    let crowded: { from: string; read: LogRead<GraphSignIn | GraphDirectoryAudit> } | undefined;
    let newer: LogRead<GraphSignIn | GraphDirectoryAudit> | undefined;
    try {
      older = await this.#read(stream, accounts, pass.from, pass.nextTo, cap);
      if (!older.complete && !(Date.parse(older.coveredAfter!) < Date.parse(pass.nextTo))) {
        // More than `cap` records inside the window's last millisecond: no narrower window exists, so that millisecond
        // is read on its own as far as Graph allows (it never happens with real traffic; it keeps the pass moving).
        const from = new Date(Date.parse(pass.nextTo) - 1).toISOString();
        crowded = { from, read: await this.#read(stream, accounts, from, pass.nextTo, CROWDED_CAP) };
      }
      // While a pass is in progress, also read what arrived since it began, so a use now is not stuck behind the backlog.
      if (held) newer = await this.#read(stream, accounts, pass.to, nowIso, cap);
    } catch (err) {
      mem.failures += 1;
      const state = stateOf(err);
      const info = errorInfo(err);
      await this.#recordFailure(stream, row, state, info, now);
      return { report: { stream, ok: false, state, since: pass.from, until: pass.nextTo, fetched: 0, newRecords: 0, error: info }, outcome };
    }
    mem.failures = 0;

    // Where the pass goes on from: nowhere (it is read to its start), or down from the oldest instant this read covered.
    let nextTo: string | undefined;
    if (!older.complete) nextTo = crowded ? new Date(Date.parse(pass.nextTo) - 1).toISOString() : older.coveredAfter!;
    if (nextTo !== undefined && Date.parse(nextTo) < Date.parse(pass.from)) nextTo = undefined;
    const skipped = crowded && !crowded.read.complete ? { since: crowded.from, until: pass.nextTo } : undefined;
    // The cursor moves only when the pass is read to its start, and then only to where the pass ended: records of the
    // pass's window that arrive late are re-read by the next poll's look-back.
    const polledUntil = nextTo === undefined ? pass.to : pass.base;
    const behind = nextTo !== undefined || (newer !== undefined && !newer.complete);
    const pending = nextTo !== undefined
      ? { since: pass.from, until: newer && !newer.complete ? newer.coveredAfter! : nextTo }
      : behind ? { since: pass.to, until: newer!.coveredAfter! } : undefined;
    const fetchedRecords = [...older.records, ...crowded?.read.records ?? [], ...newer?.records ?? []];
    const truncatedQueries = older.truncatedQueries + (newer?.truncatedQueries ?? 0);
    const state: MonitorState = behind ? 'behind' : 'ok';
    // Two episodes with their own starts: the backlog (kept through failures until everything is read) and failures
    // (over now: Graph answered).
    const behindSince = behind ? row?.behind_since ?? nowIso : null;
    const behindMessage = pending
      ? `the ${stream.replace('_', '-')} read stopped at its limit of ${cap} records per query with records left (${truncatedQueries} ${truncatedQueries === 1 ? 'query' : 'queries'}): `
        + `records between ${pending.since} and ${pending.until} are not all read yet, so a use of an emergency account in that time may not have alerted; `
        + 'the next polls read on from there and alert on what they find'
      : null;

    const failureEnded = row !== undefined && (row.state === 'failing' || row.state === 'license_required' || row.state === 'forbidden');
    const caughtUp = !behind && !!row?.behind_since;
    const recovered = failureEnded || caughtUp;
    const stateChanged = !row || row.state !== state;
    const heartbeatDue = mem.lastPersistAt === undefined || now.getTime() - mem.lastPersistAt >= this.#d.settings.monitoring.heartbeatMinutes * MINUTE;
    const tenantId = this.tenantId;
    const accountIds = [...accounts.values()].filter((a) => a.status === 'active').map((a) => a.id);
    const lastSuccessAt = behind ? row?.last_success_at ?? null : nowIso;
    const cursor = {
      polled_until: polledUntil, state, last_success_at: lastSuccessAt, failing_since: null, behind_since: behindSince,
      last_error_code: behind ? 'monitoring_behind' : null, last_error: behindMessage, last_error_at: behind ? nowIso : null, updated_at: nowIso,
    };
    // Decide inside the transaction whether anything changed; a quiet poll writes nothing (unless a heartbeat is due).
    let wrote = false;
    try {
      await this.#d.audit.change(async (tx, audit) => {
        const ctx = { tenantId, now: nowIso, accounts, out: outcome };
        if (stream === 'sign_ins') {
          const touched = await processSignIns(tx, audit, fetchedRecords as GraphSignIn[], ctx);
          for (const id of touched) await judgeDrill(tx, audit, id, nowIso, outcome);
          // "Not seen" only once everything up to now has been read: while behind, the sign-in may be in what is left.
          if (!behind) await markNotSeen(tx, audit, now, this.#d.settings.schedule.verifyGraceMinutes, accountIds, outcome);
        } else {
          await processDirectoryAudits(tx, audit, fetchedRecords as GraphDirectoryAudit[], ctx);
        }
        const changed = outcome.newRecords > 0 || outcome.drillsNotSeen.length > 0;
        if (!changed && !recovered && !stateChanged && !skipped && !heartbeatDue && row) throw new QuietPoll();
        await tx.insertInto('monitor_cursor').values({ tenant_id: tenantId, stream, ...cursor })
          .onConflict((oc) => oc.columns(['tenant_id', 'stream']).doUpdateSet(cursor)).execute();
        const label = stream.replace('_', ' ');
        if (failureEnded) {
          audit.record({ actor: 'system', action: 'monitoring.recovered', subject: `tenant:${tenantId}`, data: { stream, failingSince: row!.failing_since, previousState: row!.state, lastError: row!.last_error_code, behind } });
          await raiseAlert(tx, audit, {
            kind: 'monitoring.recovered', severity: 'info', subject: `tenant:${tenantId}`, dedupeKey: `monitoring:${tenantId}:${stream}:recovered:${row!.failing_since ?? nowIso}`,
            title: behind
              ? `Monitoring of the emergency accounts (${label}) works again, and is still catching up on the logs`
              : `Monitoring of the emergency accounts (${label}) works again`,
            details: { stream, failingSince: row!.failing_since, recoveredAt: nowIso, resumedFrom: pass.from, behind },
          });
        }
        if (caughtUp) {
          audit.record({ actor: 'system', action: 'monitoring.caught_up', subject: `tenant:${tenantId}`, data: { stream, behindSince: row!.behind_since, readFrom: pass.from } });
          await raiseAlert(tx, audit, {
            kind: 'monitoring.recovered', severity: 'info', subject: `tenant:${tenantId}`, dedupeKey: `monitoring:${tenantId}:${stream}:caught_up:${row!.behind_since}`,
            title: `Monitoring of the emergency accounts (${label}) has caught up: every record since ${pass.from} has been read`,
            details: { stream, behindSince: row!.behind_since, caughtUpAt: nowIso, readFrom: pass.from },
          });
        }
        if (behind) {
          if (stateChanged) {
            audit.record({ actor: 'system', action: 'monitoring.behind', subject: `tenant:${tenantId}`, data: { stream, pending: pending!, maxRecordsPerQuery: cap, truncatedQueries, previousState: row?.state ?? null } });
          }
          // One alert per episode (dedupe key), however many polls it takes to catch up.
          await raiseAlert(tx, audit, {
            kind: 'monitoring.behind', severity: 'critical', subject: `tenant:${tenantId}`, dedupeKey: `monitoring:${tenantId}:${stream}:behind:${behindSince}`,
            title: `Emergency-account monitoring is BEHIND (${label}): more records than one poll reads; uses of the accounts since ${pending!.since} may not have alerted yet`,
            details: { stream, behindSince, pendingSince: pending!.since, pendingUntil: pending!.until, maxRecordsPerQuery: cap, truncatedQueries, message: behindMessage },
          });
        }
        if (skipped) {
          audit.record({ actor: 'system', action: 'monitoring.records_skipped', subject: `tenant:${tenantId}`, data: { stream, ...skipped, cap: CROWDED_CAP } });
          await raiseAlert(tx, audit, {
            kind: 'monitoring.records_skipped', severity: 'critical', subject: `tenant:${tenantId}`, dedupeKey: `monitoring:${tenantId}:${stream}:skipped:${skipped.since}`,
            title: `Emergency-account monitoring could not read every ${label} record between ${skipped.since} and ${skipped.until}: more than ${CROWDED_CAP} in one millisecond`,
            details: { stream, ...skipped, cap: CROWDED_CAP },
          });
        }
        audit.record({
          actor: 'system',
          action: changed ? 'monitoring.polled' : 'monitoring.heartbeat',
          subject: `tenant:${tenantId}`,
          data: {
            stream, since: pass.from, until: pass.nextTo, fetched: fetchedRecords.length, newRecords: outcome.newRecords, incidentsOpened: outcome.incidentsOpened.length,
            drillsVerified: outcome.drillsVerified.length, complete: !behind, ...pending ? { pending } : {},
          },
        });
      });
      wrote = true;
    } catch (err) {
      if (!(err instanceof QuietPoll)) throw err;
    }
    mem.polledUntil = polledUntil ?? undefined;
    mem.pass = nextTo === undefined ? undefined : { ...pass, nextTo };
    mem.behind = behind;
    if (wrote) mem.lastPersistAt = now.getTime();
    return {
      report: {
        stream, ok: true, state, since: pass.from, until: pass.nextTo, fetched: fetchedRecords.length, newRecords: outcome.newRecords, complete: !behind,
        ...pending ? { pending } : {},
      },
      outcome,
    };
  }

  async #recordFailure(stream: Stream, row: MonitorCursorTable | undefined, state: MonitorState, info: { code: string; message: string }, now: Date): Promise<void> {
    const nowIso = now.toISOString();
    const tenantId = this.tenantId;
    // A failure episode starts at the first failure after Graph last answered (a backlog is not a failure).
    const failingSince = row?.failing_since ?? nowIso;
    const interval = this.#d.settings.monitoring.pollIntervalSeconds * 1000;
    const lastingFor = now.getTime() - Date.parse(failingSince);
    // Licence and permission problems need a person now; a transient failure alerts once it outlasts two polls (min 10 min).
    const alertNow = state !== 'failing' || lastingFor >= Math.max(2 * interval, 10 * MINUTE);
    const dedupeKey = `monitoring:${tenantId}:${stream}:${state}:${failingSince}`;
    const stateChanged = !row || row.state !== state || row.last_error_code !== info.code;
    const alreadyAlerted = alertNow ? await this.#d.audit.database.db.selectFrom('alert').select('id').where('dedupe_key', '=', dedupeKey).executeTakeFirst() : undefined;
    if (!stateChanged && (!alertNow || alreadyAlerted)) return;
    await this.#d.audit.change(async (tx, audit) => {
      await tx.insertInto('monitor_cursor').values({
        tenant_id: tenantId, stream, polled_until: row?.polled_until ?? null, state, last_success_at: row?.last_success_at ?? null, failing_since: failingSince,
        last_error_code: info.code, last_error: info.message, last_error_at: nowIso, updated_at: nowIso,
      }).onConflict((oc) => oc.columns(['tenant_id', 'stream']).doUpdateSet({ state, failing_since: failingSince, last_error_code: info.code, last_error: info.message, last_error_at: nowIso, updated_at: nowIso })).execute();
      audit.record({ actor: 'system', action: 'monitoring.poll_failed', subject: `tenant:${tenantId}`, data: { stream, state, code: info.code, message: info.message, failingSince } });
      if (alertNow && !alreadyAlerted) {
        await raiseAlert(tx, audit, {
          kind: `monitoring.${state}`,
          severity: state === 'failing' ? 'warning' : 'critical',
          subject: `tenant:${tenantId}`,
          dedupeKey,
          title: state === 'license_required'
            ? 'Emergency-account monitoring is BLIND: the tenant has no Entra ID P1/P2 licence for sign-in logs'
            : state === 'forbidden'
              ? 'Emergency-account monitoring is BLIND: the breakglass app lacks permission to read the audit logs'
              : `Emergency-account monitoring has been failing since ${failingSince}`,
          details: { stream, code: info.code, message: info.message, failingSince, lastSuccessAt: row?.last_success_at ?? null },
        });
      }
    });
  }

  /**
   * Verifies one drill window now (the `drill verify` path): reads the account's sign-ins for the window, records what
   * is new like a poll would, and returns the verdict over every record found for the window.
   */
  async verifyWindow(account: { id: string; userId: string }, window: { start: string; end: string; drillId?: string }): Promise<EvidenceDecision> {
    const now = this.#d.clock.now();
    const until = new Date(Math.min(Date.parse(window.end), now.getTime())).toISOString();
    const cap = this.#limits.maxRecordsPerQuery;
    const read = Date.parse(window.start) > now.getTime()
      ? { records: [], complete: true, queries: 0, truncatedQueries: 0 } satisfies LogRead<GraphSignIn>
      : await this.#d.directory.readSignIns({ userIds: [account.userId], since: window.start, until, pageSize: this.#limits.pageSize, maxRecords: cap });
    const records = read.records;
    const accounts = await this.#accounts(window.start);
    const nowIso = now.toISOString();
    const outcome = emptyOutcome();
    let decision: EvidenceDecision | undefined;
    try {
      await this.#d.audit.change(async (tx, audit) => {
        const touched = await processSignIns(tx, audit, records, { tenantId: this.tenantId, now: nowIso, accounts, out: outcome });
        if (window.drillId) touched.add(window.drillId);
        for (const id of touched) {
          const d = await judgeDrill(tx, audit, id, nowIso, outcome, !read.complete);
          if (id === window.drillId) decision = d;
        }
        if (outcome.newRecords === 0 && outcome.drillsVerified.length === 0 && outcome.drillsRejected.length === 0) throw new QuietPoll();
        audit.record({ actor: 'system', action: 'monitoring.verified_window', subject: `account:${account.id}`, data: { drillId: window.drillId ?? null, since: window.start, until, fetched: records.length, newRecords: outcome.newRecords, complete: read.complete } });
      });
    } catch (err) {
      if (!(err instanceof QuietPoll)) throw err;
    }
    const result = decision ?? decideEvidence(records.filter((r) => r.userId?.toLowerCase() === account.userId.toLowerCase()), window);
    if (read.complete || result.verdict === 'verified') return result;
    // Only the newest records of a crowded window were read: not a verdict yet ("not seen yet" is not "failed").
    return { ...result, verdict: 'not_seen', reasons: [...result.reasons, `more than ${cap} sign-in records of the account fall in the window; only those after ${read.coveredAfter} were read here (background monitoring reads the rest): verify again later`] };
  }

  /** How long until the next poll: the interval, faster while a drill waits for its sign-in, slower without a licence. */
  async nextDelayMs(): Promise<number> {
    const now = this.#d.clock.now().getTime();
    const interval = this.#d.settings.monitoring.pollIntervalSeconds * 1000;
    const row = await this.#cursor('sign_ins');
    if (row?.state === 'license_required' || row?.state === 'forbidden') return Math.max(interval, 60 * MINUTE);
    const failures = this.#memory.get('sign_ins')!.failures;
    let delay = failures > 0 ? Math.min(interval, 30_000 * 2 ** (failures - 1)) : interval;
    // Behind: read on soon (the adapter paces the reads themselves to Graph's reports throttle).
    const streams = [...this.#memory.values()];
    if (streams.some((m) => m.behind) && streams.every((m) => m.failures === 0)) delay = Math.min(delay, MINUTE);
    const grace = this.#d.settings.schedule.verifyGraceMinutes * MINUTE;
    const waiting = await this.#d.audit.database.db.selectFrom('drill').select(['window_start', 'window_end']).where('status', '=', 'open').where('verification', 'in', ['waiting', 'rejected']).execute();
    for (const w of waiting) {
      const start = Date.parse(w.window_start);
      const end = Date.parse(w.window_end);
      if (now < start - MINUTE || now > end + grace) continue;
      for (const anchor of [start, end]) {
        for (let k = 0; k <= 7; k++) {
          const t = anchor + 2 ** k * MINUTE;
          if (t > now) {
            delay = Math.min(delay, t - now);
            break;
          }
        }
      }
    }
    return Math.max(15_000, delay);
  }
}

class QuietPoll extends Error {}

/** Monitoring health for the UI and the readiness report. */
export async function monitoringStatus(db: Db, tenantId: string): Promise<{ state: MonitorState; lastSuccessAt: string | null; detail: string | null; streams: { stream: string; state: string; lastSuccessAt: string | null; lastError: string | null; failingSince: string | null }[] } | undefined> {
  const rows = await db.selectFrom('monitor_cursor').selectAll().where('tenant_id', '=', tenantId).execute();
  if (rows.length === 0) return undefined;
  const worst = rows.find((r) => r.state === 'license_required') ?? rows.find((r) => r.state === 'forbidden') ?? rows.find((r) => r.state === 'failing')
    ?? rows.find((r) => r.state === 'behind') ?? rows[0]!;
  const signIns = rows.find((r) => r.stream === 'sign_ins');
  return {
    state: worst.state as MonitorState,
    lastSuccessAt: signIns?.last_success_at ?? null,
    detail: worst.state === 'ok' ? null : worst.last_error,
    streams: rows.map((r) => ({ stream: r.stream, state: r.state, lastSuccessAt: r.last_success_at, lastError: r.last_error, failingSince: r.failing_since })),
  };
}
