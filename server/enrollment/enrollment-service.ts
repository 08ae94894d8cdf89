// Key enrollment under four eyes, in two modes, and the lifecycle around it (replace a lost key).
//
// Every step follows one pattern: decide from the recorded state → call Graph (idempotently, or exactly once with a
// read-back when it cannot be) → record the outcome and its audit entry in one audit.change(). Graph is never called
// inside a transaction. What was recorded before a call lets an interrupted flow be resumed (or cancelled) later,
// from this process or another: `resume()` resolves whatever the last recorded step left open.
//
// Guided mode: after approval the requesting officer gets a one-time TAP with the shortest lifetime the tenant
// policy allows — returned once from issueTap() and never stored, logged or audited (not even a hash: a fast hash of a
// short pass is guessable) — and registers the key on the security-info page; watch() polls Graph until a fido2
// method with the pre-checked AAGUID appears, then confirms the TAP was consumed (OneTimeUsed) or deletes it. A TAP
// that expires unused is deleted and alerted. At most one TAP is issued per approval: after an unknown outcome the
// request can only go back to "approved" when reading back proved no pass was created.
//
// Direct mode: get creation options from Graph, make the credential on the key over HID (the PIN is used for that one
// call), verify the attestation locally with @simplewebauthn/server using the rp id and origin from Graph's options,
// POST it, read the method back and compare AAGUIDs.
import { randomUUID } from 'node:crypto';
import { verifyRegistrationResponse, type RegistrationResponseJSON as ServerRegistrationJSON } from '@simplewebauthn/server';
import {
  KeepaliveStatus,
  createCredential,
  type CreationOptionsJSON,
  type LocalAllowList,
  type RegistrationResponseJSON,
} from '../../hardware/index.ts';
import type { AuditLog, AuditRecorder } from '../audit/audit-log.ts';
import { requireAccount, type EmergencyAccount } from '../accounts/emergency-accounts.ts';
import { insertKey, keyEvidence, recordLost, requireKey, setKeyStatus, type AccountKey } from '../accounts/key-inventory.ts';
import type { LifecycleHooks } from '../accounts/lifecycle-hooks.ts';
import {
  approvalRefusal,
  ENROLLMENT_MODES,
  isExpired,
  isTerminal,
  nextState,
  runRefusal,
  type EnrollmentEvent,
  type EnrollmentMode,
  type EnrollmentState,
  OPEN_STATES,
} from '../domain/enrollment-state.ts';
import { cleanText } from '../domain/clean-text.ts';
import { planTap } from '../domain/tap-plan.ts';
import { ConflictError, InvalidInputError } from '../errors.ts';
import type { Directory } from '../graph/directory.ts';
import { GraphNotFoundError, GraphUnknownOutcomeError, isDefinitelyNotApplied } from '../graph/graph-errors.ts';
import type { GraphTemporaryAccessPassMethod, GraphWebauthnCreationOptions } from '../graph/graph-types.ts';
import type { Db, EnrollmentRequestTable } from '../store/schema.ts';
import { PrecheckRefusedError, StaleRequestError, TapPolicyError } from './enrollment-errors.ts';
import { findRequest, listRequests, requireRequest, type EnrollmentRequest, type TapState } from './enrollment-requests.ts';
import type { EnrollmentSettings } from './enrollment-settings.ts';
import { withKeyErrors } from './key-errors.ts';
import type { KeyProvider } from './key-provider.ts';
import { policySubject, runPrecheck, type PrecheckResult } from './precheck.ts';

/** Where an account registers its own security info (real Entra); the simulated tenant serves its own page. */
export const MICROSOFT_SECURITY_INFO_URL = 'https://mysignins.microsoft.com/security-info';

/** How long after a TAP's expiry breakglass still expects Entra's replication to catch up (graph.md §1.5). */
export const TAP_GRACE_MS = 5 * 60_000;
/** A step left open this long (a crashed process) may be resolved by reading Graph back. */
export const STEP_SETTLE_MS = 60_000;
/** Graph's displayName limit for a passkey as DSInternals documents it (1–30 characters). */
export const DISPLAY_NAME_MAX = 30;

export interface EnrollmentLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface EnrollmentDeps {
  audit: AuditLog;
  directory: Directory;
  keys: KeyProvider;
  settings: EnrollmentSettings;
  allowList: LocalAllowList | undefined;
  hooks: LifecycleHooks;
  logger?: EnrollmentLogger;
}

export interface RequestInput {
  account: string;
  mode: EnrollmentMode;
  reason: string;
  displayName?: string;
  location?: string;
  sealNumber?: string;
  /** Replace this inventory key (lost or failing): it is revoked in Entra when the replacement runs. */
  replaceKey?: string;
  /** Accept an "unknown" pre-check verdict (its open points are recorded with the request). */
  acknowledgeUnknown?: boolean;
  device?: string;
  actor: string;
}

/** How the approver proved who they are at approval time (recorded as evidence): a fresh passkey assertion. */
export interface ApprovalEvidence {
  method: 'passkey-step-up';
  /** The web front end's step-up, or the CLI's passkey sign-in over USB. */
  via: 'web' | 'cli';
  /** When the assertion was verified. */
  stepUpAt: string;
  passkeyId?: string;
}

export interface IssuedTap {
  request: EnrollmentRequest;
  /** The pass. Show it once to the requesting officer; never store, log or put it in a URL. */
  temporaryAccessPass: string;
  expiresAt: string;
  lifetimeMinutes: number;
  upn: string;
  securityInfoUrl: string;
}

export type WatchOutcome = 'waiting' | 'completed' | 'expired' | 'failed' | 'not_watching';

export interface WatchResult {
  outcome: WatchOutcome;
  request: EnrollmentRequest;
  /** What Graph says about the TAP right now, while waiting. */
  tap?: { usable: boolean; reason: string } | undefined;
}

export interface DirectInput {
  id: string;
  actor: string;
  /** The key's PIN: used for one getPinToken call, never kept. */
  pin?: string;
  /** A PIN to set on a new key (no PIN yet) before registering; then used as above. */
  newPin?: string;
  device?: string;
  /** Told when the key waits for a touch. */
  onTouch?: () => void;
}

type Patch = Partial<Omit<EnrollmentRequestTable, 'id' | 'account_id' | 'state'>>;

function defaultDisplayName(upn: string, model: string, serial: string | null): string {
  const who = upn.split('@')[0]!.toUpperCase();
  const known = !/^(unknown model|no AAGUID)/.test(model);
  // "YubiKey 5 Series with NFC" → "YubiKey 5 NFC": Entra allows 30 characters and the serial matters more.
  const short = known ? model.replace(/\s*\(.*$/, '').replace(/ Series with /, ' ').replace(/ Series\b/, '') : 'security key';
  let name = `${who} ${short}${serial ? ` #${serial}` : ''}`;
  while (name.length > DISPLAY_NAME_MAX && name.includes(' ')) name = name.slice(0, name.lastIndexOf(' '));
  return name.slice(0, DISPLAY_NAME_MAX);
}

/** Graph's options → the WebAuthn JSON the hardware client takes (beta ids carry a padding-count digit). */
export function toCreationOptions(o: GraphWebauthnCreationOptions['publicKey'], beta: boolean): CreationOptionsJSON {
  const sel = o.authenticatorSelection ?? {};
  const id = (raw: string) => {
    if (!beta) return raw;
    const d = /[0-2]$/.exec(raw);
    return d && (raw.length - 1 + Number(d[0])) % 4 === 0 ? raw.slice(0, -1) : raw;
  };
  const ext = (o.extensions ?? {}) as CreationOptionsJSON['extensions'];
  return {
    challenge: o.challenge,
    rp: { id: o.rp.id, name: o.rp.name ?? o.rp.id },
    user: { id: o.user.id, name: o.user.name, displayName: o.user.displayName ?? o.user.name },
    pubKeyCredParams: o.pubKeyCredParams.filter((p) => p.type === 'public-key').map((p) => ({ alg: p.alg, type: 'public-key' as const })),
    ...(o.timeout !== undefined ? { timeout: o.timeout } : {}),
    excludeCredentials: (o.excludeCredentials ?? []).map((c) => ({ id: id(c.id), type: 'public-key' as const, ...(c.transports ? { transports: c.transports } : {}) })),
    authenticatorSelection: {
      ...(sel.authenticatorAttachment ? { authenticatorAttachment: sel.authenticatorAttachment } : {}),
      ...(sel.requireResidentKey !== undefined ? { requireResidentKey: sel.requireResidentKey } : {}),
      ...(sel.userVerification ? { userVerification: sel.userVerification as 'required' | 'preferred' | 'discouraged' } : {}),
    },
    attestation: (o.attestation ?? 'direct') as CreationOptionsJSON['attestation'],
    ...(ext && Object.keys(ext).length ? { extensions: ext } : {}),
  };
}


export class EnrollmentService {
  readonly #d: EnrollmentDeps;
  /** One operation per request at a time in this process (the watcher, the UI and the CLI may all ask). */
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(deps: EnrollmentDeps) {
    this.#d = deps;
  }

  get #db(): Db {
    return this.#d.audit.database.db;
  }

  #now(): Date {
    return this.#d.audit.clock.now();
  }

  get securityInfoUrl(): string {
    return this.#d.directory.mode.securityInfoUrl ?? MICROSOFT_SECURITY_INFO_URL;
  }

  #serial<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#locks.get(id) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.#locks.set(id, tail);
    void tail.then(() => {
      if (this.#locks.get(id) === tail) this.#locks.delete(id);
    });
    return next;
  }

  /**
   * One state transition, checked against the recorded state inside the transaction (another process may have
   * moved the request), with its patch and audit events.
   */
  async #transition(
    id: string,
    expected: EnrollmentState[],
    event: EnrollmentEvent | null,
    patch: Patch,
    record: (audit: AuditRecorder, r: EnrollmentRequest, tx: Db) => Promise<void> | void,
  ): Promise<EnrollmentRequest> {
    await this.#d.audit.change(async (tx, audit) => {
      const r = await requireRequest(tx, id);
      if (!expected.includes(r.state)) throw new StaleRequestError(id, r.state, expected);
      const state = event ? nextState(r.state, event, r.mode) : r.state;
      await tx.updateTable('enrollment_request').set({ ...patch, state, updated_at: this.#now().toISOString() }).where('id', '=', id).execute();
      await record(audit, r, tx);
    });
    return requireRequest(this.#db, id);
  }

  // ---------------------------------------------------------------- reading

  get(id: string): Promise<EnrollmentRequest> {
    return requireRequest(this.#db, id);
  }

  list(q: { account?: string; open?: boolean; limit?: number } = {}): Promise<EnrollmentRequest[]> {
    return (async () => {
      const accountId = q.account ? (await requireAccount(this.#db, q.account)).id : undefined;
      return listRequests(this.#db, { ...(accountId ? { accountId } : {}), ...(q.open ? { states: [...OPEN_STATES] } : {}), ...(q.limit ? { limit: q.limit } : {}) });
    })();
  }

  async precheck(input: { account: string; mode: EnrollmentMode; device?: string }): Promise<PrecheckResult> {
    const account = await this.#activeAccount(input.account);
    return runPrecheck(this.#precheckDeps(), { account, mode: input.mode, ...(input.device ? { device: input.device } : {}) });
  }

  #precheckDeps() {
    return {
      db: this.#db,
      directory: this.#d.directory,
      keys: this.#d.keys,
      allowList: this.#d.allowList,
      maxTapLifetimeMinutes: this.#d.settings.maxTapLifetimeMinutes,
      now: () => this.#now(),
    };
  }

  async #activeAccount(ref: string): Promise<EmergencyAccount> {
    const account = await requireAccount(this.#db, ref);
    if (account.status !== 'active') throw new ConflictError('account_retired', `${account.upn} is retired; designate it again before enrolling keys`);
    if (account.tenantId !== this.#d.directory.mode.tenantId) {
      throw new ConflictError('wrong_tenant', `${account.upn} belongs to tenant ${account.tenantId}, but this service is connected to ${this.#d.directory.mode.tenantId}`);
    }
    return account;
  }

  // ---------------------------------------------------------------- request, approve, reject, cancel

  async request(input: RequestInput): Promise<{ request: EnrollmentRequest; precheck: PrecheckResult }> {
    if (!(ENROLLMENT_MODES as readonly string[]).includes(input.mode)) throw new InvalidInputError('mode must be "guided" (TAP and the security-info page) or "direct" (on behalf, over HID)');
    const reason = cleanText(input.reason, { field: 'the reason', max: 500 });
    if (!reason) throw new InvalidInputError('say why the key is enrolled (e.g. "second key for BG-02", "replace key lost on 2026-11-01")');
    const location = cleanText(input.location, { field: 'the location', max: 200 });
    const sealNumber = cleanText(input.sealNumber, { field: 'the seal number', max: 200 });
    const givenDisplayName = cleanText(input.displayName, { field: 'the display name', max: DISPLAY_NAME_MAX });
    const account = await this.#activeAccount(input.account);
    let replaced: AccountKey | undefined;
    if (input.replaceKey) {
      replaced = await requireKey(this.#db, input.replaceKey);
      if (replaced.accountId !== account.id) throw new InvalidInputError(`key ${replaced.displayName} belongs to another account`);
      if (replaced.status !== 'active' && replaced.status !== 'lost') throw new ConflictError('key_not_replaceable', `key ${replaced.displayName} is ${replaced.status}; only an active or lost key can be replaced`);
    }
    const pre = await runPrecheck(this.#precheckDeps(), { account, mode: input.mode, ...(input.device ? { device: input.device } : {}) });
    if (pre.verdict === 'blocked' || (pre.verdict === 'unknown' && !input.acknowledgeUnknown)) {
      await this.#d.audit.record({
        actor: input.actor,
        action: 'enrollment.request_refused',
        subject: `account:${account.id}`,
        data: { upn: account.upn, mode: input.mode, verdict: pre.verdict, key: { aaguid: pre.key.aaguid, model: pre.key.model, serial: pre.key.serial, virtual: pre.key.virtual }, reasons: pre.reasons },
      });
      throw new PrecheckRefusedError(pre.verdict === 'blocked' ? 'blocked' : 'unknown', pre.reasons);
    }
    const displayName = givenDisplayName || defaultDisplayName(account.upn, pre.key.model, pre.key.serial);
    const id = randomUUID();
    await this.#d.audit.change(async (tx, audit) => {
      const open = await tx.selectFrom('enrollment_request').select(['id', 'state']).where('account_id', '=', account.id).where('state', 'in', [...OPEN_STATES]).executeTakeFirst();
      if (open) throw new ConflictError('enrollment_open', `${account.upn} already has an open enrollment request (${open.id}, ${open.state}); finish or cancel it first`, { requestId: open.id });
      const now = this.#now();
      if (replaced) {
        const k = await requireKey(tx, replaced.id);
        if (k.status === 'active') {
          await setKeyStatus(tx, k.id, 'lost', { actor: input.actor, at: now.toISOString(), reason });
          recordLost(audit, k, input.actor, reason);
        }
      }
      const row: EnrollmentRequestTable = {
        id,
        account_id: account.id,
        mode: input.mode,
        purpose: replaced ? 'replace' : 'enroll',
        replaces_key_id: replaced?.id ?? null,
        reason,
        state: 'requested',
        aaguid: pre.key.aaguid,
        model: pre.key.model,
        serial: pre.key.serial,
        precheck_verdict: pre.verdict,
        precheck: JSON.stringify({ findings: pre.findings, checkedAt: pre.checkedAt, virtual: pre.key.virtual }),
        display_name: displayName,
        location,
        seal_number: sealNumber,
        requested_by: input.actor,
        requested_at: now.toISOString(),
        expires_at: new Date(now.getTime() + this.#d.settings.requestTtlHours * 3_600_000).toISOString(),
        approved_by: null,
        approved_at: null,
        approval: '{}',
        closed_by: null,
        closed_at: null,
        close_reason: '',
        error_code: null,
        error_message: '',
        step_started_at: null,
        known_method_ids: '[]',
        replaced_key_revoked_at: null,
        tap_state: 'none',
        tap_method_id: null,
        tap_lifetime_minutes: null,
        tap_issued_at: null,
        tap_expires_at: null,
        credential_id: null,
        attested_aaguid: null,
        fido2_method_id: null,
        key_registered_at: null,
        key_id: null,
        drill_due_at: null,
        updated_at: now.toISOString(),
      };
      await tx.insertInto('enrollment_request').values(row).execute();
      audit.record({
        actor: input.actor,
        action: 'enrollment.requested',
        subject: `enrollment:${id}`,
        data: {
          accountId: account.id,
          upn: account.upn,
          mode: input.mode,
          purpose: row.purpose,
          replacesKeyId: row.replaces_key_id,
          reason,
          key: { aaguid: pre.key.aaguid, model: pre.key.model, serial: pre.key.serial, virtual: pre.key.virtual, firmware: pre.key.firmware },
          precheck: { verdict: pre.verdict, open: pre.findings.filter((f) => f.outcome === 'unknown').map((f) => f.check), acknowledged: pre.verdict === 'unknown' },
          displayName,
          custody: { location, sealNumber },
          expiresAt: row.expires_at,
        },
      });
    });
    return { request: await requireRequest(this.#db, id), precheck: pre };
  }

  /** Lapses a request past its expiry (its own transaction, so a refusal that follows does not roll it back). */
  async #expireIfDue(r: EnrollmentRequest, actor = 'system'): Promise<EnrollmentRequest> {
    if (!isExpired(r, this.#now())) return r;
    return this.#transition(r.id, ['requested', 'approved'], 'expire', { closed_by: actor, closed_at: this.#now().toISOString(), close_reason: 'expired before it was run' }, (audit) =>
      audit.record({ actor: 'system', action: 'enrollment.expired', subject: `enrollment:${r.id}`, data: { accountId: r.accountId, upn: r.upn, state: r.state, expiresAt: r.expiresAt } }),
    );
  }

  approve(input: { id: string; actor: string; evidence: ApprovalEvidence }): Promise<EnrollmentRequest> {
    return this.#serial(input.id, async () => {
      const r = await this.#expireIfDue(await this.get(input.id));
      if (r.state === 'expired') throw new ConflictError('request_expired', `enrollment request ${r.id} expired at ${r.expiresAt}; request it again`);
      if (r.state !== 'requested') throw new ConflictError('not_awaiting_approval', `enrollment request ${r.id} is ${r.state}, not waiting for approval`);
      const refusal = approvalRefusal(r, input.actor);
      if (refusal) throw new ConflictError('four_eyes', refusal);
      await this.#activeAccount(r.accountId);
      const at = this.#now().toISOString();
      return this.#transition(r.id, ['requested'], 'approve', { approved_by: input.actor, approved_at: at, approval: JSON.stringify(input.evidence) }, (audit) =>
        audit.record({
          actor: input.actor,
          action: 'enrollment.approved',
          subject: `enrollment:${r.id}`,
          data: { accountId: r.accountId, upn: r.upn, mode: r.mode, purpose: r.purpose, requestedBy: r.requestedBy, approvedBy: input.actor, evidence: input.evidence, key: r.key },
        }),
      );
    });
  }

  reject(input: { id: string; actor: string; reason: string }): Promise<EnrollmentRequest> {
    const reason = cleanText(input.reason, { field: 'the reason', max: 500 });
    if (!reason) throw new InvalidInputError('say why the request is rejected');
    return this.#serial(input.id, async () => {
      const r = await this.get(input.id);
      if (r.state !== 'requested') throw new ConflictError('not_awaiting_approval', `enrollment request ${r.id} is ${r.state}, not waiting for approval`);
      if (r.requestedBy === input.actor) throw new ConflictError('own_request', 'you requested this enrollment: cancel it instead of rejecting it');
      return this.#transition(r.id, ['requested'], 'reject', { closed_by: input.actor, closed_at: this.#now().toISOString(), close_reason: reason }, (audit) =>
        audit.record({ actor: input.actor, action: 'enrollment.rejected', subject: `enrollment:${r.id}`, data: { accountId: r.accountId, upn: r.upn, requestedBy: r.requestedBy, reason } }),
      );
    });
  }

  /**
   * Cancels a request that has not registered a key. A TAP it issued is deleted first (and a pass whose creation
   * outcome was unknown is looked for and deleted); if that Graph call fails nothing changes and cancel can be retried.
   */
  cancel(input: { id: string; actor: string; reason: string }): Promise<EnrollmentRequest> {
    const reason = cleanText(input.reason, { field: 'the reason', max: 500 });
    if (!reason) throw new InvalidInputError('say why the request is cancelled');
    return this.#serial(input.id, async () => {
      let r = await this.get(input.id);
      if (isTerminal(r.state)) throw new ConflictError('request_closed', `enrollment request ${r.id} is already ${r.state}`);
      if (r.state === 'registering') {
        // The POST may have registered the key after all: find out before deciding.
        r = await this.#resolveRegistering(r, input.actor, { allowFresh: true });
      }
      if (r.state === 'key_registered' || r.state === 'completed') {
        throw new ConflictError('key_already_registered', `the key is already registered in Entra (method ${r.fido2MethodId}); resume the request to finish it, or replace the key later`);
      }
      const deleted = await this.#deleteIssuedTaps(r);
      const expected = [r.state];
      return this.#transition(
        r.id,
        expected,
        'cancel',
        { closed_by: input.actor, closed_at: this.#now().toISOString(), close_reason: reason, ...(deleted.touched ? { tap_state: 'deleted' } : {}) },
        (audit) =>
          audit.record({
            actor: input.actor,
            action: 'enrollment.cancelled',
            subject: `enrollment:${r.id}`,
            data: { accountId: r.accountId, upn: r.upn, stateWas: r.state, reason, tapMethodIdsDeleted: deleted.ids },
          }),
      );
    });
  }

  /** Deletes the TAP a request issued (or, after an unknown outcome, any pass created since it started issuing). */
  async #deleteIssuedTaps(r: EnrollmentRequest): Promise<{ touched: boolean; ids: string[] }> {
    const tapOpen: TapState[] = ['issuing', 'issued', 'cleanup_pending'];
    if (!tapOpen.includes(r.tap.state)) return { touched: false, ids: [] };
    const ids = new Set<string>();
    if (r.tap.methodId) ids.add(r.tap.methodId);
    if (r.tap.state === 'issuing') for (const t of await this.#tapsSince(r)) ids.add(t.id);
    for (const id of ids) await this.#d.directory.deleteTemporaryAccessPass(r.userId, id);
    return { touched: true, ids: [...ids] };
  }

  /** TAPs on the account created since the request started issuing (a minute of clock skew allowed). */
  async #tapsSince(r: EnrollmentRequest): Promise<GraphTemporaryAccessPassMethod[]> {
    const since = Date.parse(r.stepStartedAt ?? r.approvedAt ?? r.requestedAt) - 60_000;
    return (await this.#d.directory.listTemporaryAccessPasses(r.userId)).filter((t) => Date.parse(t.createdDateTime) >= since);
  }

  // ---------------------------------------------------------------- running: common

  async #requireRunnable(id: string, actor: string, mode: EnrollmentMode): Promise<EnrollmentRequest> {
    const r = await this.#expireIfDue(await this.get(id));
    if (r.mode !== mode) throw new ConflictError('wrong_mode', `enrollment request ${r.id} is a ${r.mode} enrollment`);
    if (r.state === 'expired') throw new ConflictError('request_expired', `enrollment request ${r.id} expired at ${r.expiresAt}; request it again`);
    if (r.state === 'requested') throw new ConflictError('not_approved', `enrollment request ${r.id} waits for a second officer's approval`);
    if (isTerminal(r.state)) throw new ConflictError('request_closed', `enrollment request ${r.id} is ${r.state}; request a new enrollment`);
    if (r.state !== 'approved') throw new ConflictError('not_runnable', `enrollment request ${r.id} is ${r.state}; use resume to continue it`);
    const refusal = runRefusal(r, actor);
    if (refusal) throw new ConflictError('not_requester', refusal);
    await this.#activeAccount(r.accountId);
    return r;
  }

  /** Replacement: revoke the replaced key's method in Entra (four eyes were given at approval), once. */
  async #revokeReplacedKey(r: EnrollmentRequest, actor: string): Promise<EnrollmentRequest> {
    if (r.purpose !== 'replace' || !r.replacesKeyId || r.replacedKeyRevokedAt) return r;
    const key = await requireKey(this.#db, r.replacesKeyId);
    // DELETE is idempotent at the port: a method already gone is not an error.
    if (key.graphMethodId) await this.#d.directory.deleteFido2Method(r.userId, key.graphMethodId);
    const at = this.#now().toISOString();
    return this.#transition(r.id, [r.state], null, { replaced_key_revoked_at: at }, async (audit, _r, tx) => {
      await setKeyStatus(tx, key.id, 'revoked', { actor, at, reason: `revoked in Entra by replacement request ${r.id}` });
      audit.record({
        actor,
        action: 'key.revoked',
        subject: `account:${r.accountId}`,
        data: { ...keyEvidence(key), requestId: r.id, requestedBy: r.requestedBy, approvedBy: r.approvedBy, graphMethodDeleted: key.graphMethodId },
      });
    });
  }

  // ---------------------------------------------------------------- guided mode

  /**
   * Guided mode, step 1: check the TAP policy (explaining a refusal), then issue a one-time pass with the shortest
   * lifetime the policy allows. The returned value is the only copy there will ever be.
   */
  issueTap(input: { id: string; actor: string }): Promise<IssuedTap> {
    return this.#serial(input.id, async () => {
      let r = await this.#requireRunnable(input.id, input.actor, 'guided');
      const account = await this.#activeAccount(r.accountId);
      const subject = await policySubject(this.#d.directory, account);
      const plan = planTap(await this.#d.directory.getTapPolicy(), subject, { maxLifetimeMinutes: this.#d.settings.maxTapLifetimeMinutes });
      if (!plan.ok) {
        await this.#d.audit.record({ actor: input.actor, action: 'enrollment.tap_refused', subject: `enrollment:${r.id}`, data: { accountId: r.accountId, upn: r.upn, reasons: plan.reasons } });
        throw new TapPolicyError(plan.reasons);
      }
      const existing = (await this.#d.directory.listTemporaryAccessPasses(r.userId)).find((t) => t.isUsable || t.methodUsabilityReason === 'NotYetValid');
      if (existing) {
        throw new ConflictError(
          'tap_exists',
          `${r.upn} already has a Temporary Access Pass (method ${existing.id}) that breakglass did not issue; issuing another would silently replace it. Find out who created it, delete it in the Entra admin center, then run this again`,
          { tapMethodId: existing.id },
        );
      }
      r = await this.#revokeReplacedKey(r, input.actor);
      const known = (await this.#d.directory.listFido2Methods(r.userId)).map((m) => m.id);
      const started = this.#now().toISOString();
      r = await this.#transition(
        r.id,
        ['approved'],
        'begin_tap',
        { step_started_at: started, known_method_ids: JSON.stringify(known), tap_state: 'issuing', tap_lifetime_minutes: plan.lifetimeInMinutes, error_code: null, error_message: '' },
        (audit) =>
          audit.record({
            actor: input.actor,
            action: 'enrollment.tap_issuing',
            subject: `enrollment:${r.id}`,
            data: { accountId: r.accountId, upn: r.upn, lifetimeInMinutes: plan.lifetimeInMinutes, isUsableOnce: true, knownMethodIds: known },
          }),
      );
      let issued;
      try {
        issued = await this.#d.directory.createTemporaryAccessPass(r.userId, { lifetimeInMinutes: plan.lifetimeInMinutes, isUsableOnce: true });
      } catch (err) {
        await this.#afterTapFailure(r, input.actor, err);
        throw err;
      }
      const m = issued.method;
      const start = Date.parse(m.startDateTime || m.createdDateTime);
      const expiresAt = new Date(start + m.lifetimeInMinutes * 60_000).toISOString();
      r = await this.#transition(
        r.id,
        ['tap_issuing'],
        'tap_issued',
        { tap_state: 'issued', tap_method_id: m.id, tap_issued_at: m.createdDateTime, tap_expires_at: expiresAt, tap_lifetime_minutes: m.lifetimeInMinutes },
        (audit) =>
          audit.record({
            actor: input.actor,
            action: 'enrollment.tap_issued',
            subject: `enrollment:${r.id}`,
            // The pass itself never enters the log (nor any hash of it): only Graph's method id and its lifetime.
            data: { accountId: r.accountId, upn: r.upn, tapMethodId: m.id, lifetimeInMinutes: m.lifetimeInMinutes, isUsableOnce: m.isUsableOnce, expiresAt, shownTo: input.actor },
          }),
      );
      return { request: r, temporaryAccessPass: m.temporaryAccessPass, expiresAt, lifetimeMinutes: m.lifetimeInMinutes, upn: r.upn, securityInfoUrl: this.securityInfoUrl };
    });
  }

  /** Records what a failed TAP creation left behind; the caller rethrows the error. */
  async #afterTapFailure(r: EnrollmentRequest, actor: string, err: unknown): Promise<void> {
    const code = (err as { code?: string }).code ?? 'error';
    const message = (err as Error).message ?? String(err);
    if (err instanceof GraphUnknownOutcomeError && err.resolution === 'created') {
      // A pass exists whose value was lost: delete it and close the request (a second pass needs a new approval).
      let deleted = false;
      try {
        await this.#d.directory.deleteTemporaryAccessPass(r.userId, err.methodId!);
        deleted = true;
      } catch {
        deleted = false;
      }
      await this.#transition(r.id, ['tap_issuing'], 'fail', {
        tap_state: deleted ? 'deleted' : 'cleanup_pending', tap_method_id: err.methodId!, error_code: 'tap_value_lost',
        error_message: 'the pass was created but its value was lost in transit; it was revoked. Request a new enrollment (a pass is issued at most once per approval)',
        closed_by: 'system', closed_at: this.#now().toISOString(), close_reason: 'TAP value lost in transit',
      }, (audit) =>
        audit.record({ actor, action: 'enrollment.failed', subject: `enrollment:${r.id}`, data: { accountId: r.accountId, upn: r.upn, code: 'tap_value_lost', tapMethodId: err.methodId, tapDeleted: deleted } }),
      );
      return;
    }
    if (isDefinitelyNotApplied(err) || (err instanceof GraphUnknownOutcomeError && err.resolution === 'not_created')) {
      await this.#transition(r.id, ['tap_issuing'], 'tap_not_issued', { tap_state: 'none', error_code: code, error_message: message.slice(0, 500), step_started_at: null }, (audit) =>
        audit.record({ actor, action: 'enrollment.tap_not_issued', subject: `enrollment:${r.id}`, data: { accountId: r.accountId, upn: r.upn, code, confirmedNotCreated: true } }),
      );
      return;
    }
    // Unknown: leave the request in tap_issuing; resume() (or cancel) resolves it by reading back.
    await this.#transition(r.id, ['tap_issuing'], null, { error_code: code, error_message: message.slice(0, 500) }, (audit) =>
      audit.record({ actor, action: 'enrollment.tap_outcome_unknown', subject: `enrollment:${r.id}`, data: { accountId: r.accountId, upn: r.upn, code } }),
    );
  }

  /**
   * Guided mode, step 2 (idempotent; the watcher, the wizard and `enroll resume` all call it): has the pre-checked key
   * appeared in Entra? Then finish. Has the pass expired, or was another key registered? Then clean up and alert.
   */
  watch(input: { id: string }): Promise<WatchResult> {
    return this.#serial(input.id, async () => {
      try {
        return await this.#watch(input.id);
      } catch (err) {
        // Another process (the service's watcher, a CLI) moved the request first: report where it is now.
        if (err instanceof StaleRequestError) return this.#watch(input.id);
        throw err;
      }
    });
  }

  async #watch(id: string): Promise<WatchResult> {
    let r = await this.get(id);
    if (r.state === 'key_registered') return { outcome: 'completed', request: await this.#finish(r, 'system') };
    if (r.state !== 'awaiting_registration') return { outcome: isTerminal(r.state) ? (r.state === 'completed' ? 'completed' : r.state === 'expired' ? 'expired' : 'failed') : 'not_watching', request: r };
    const methods = await this.#d.directory.listFido2Methods(r.userId);
    const fresh = methods.filter((m) => !r.knownMethodIds.includes(m.id));
    const match = fresh.find((m) => (m.aaGuid ?? '').toLowerCase() === r.key.aaguid);
    if (match) {
      r = await this.#transition(r.id, ['awaiting_registration'], 'key_found', { fido2_method_id: match.id, key_registered_at: match.createdDateTime ?? this.#now().toISOString() }, (audit) =>
        audit.record({
          actor: 'system',
          action: 'enrollment.key_detected',
          subject: `enrollment:${r.id}`,
          data: { accountId: r.accountId, upn: r.upn, fido2MethodId: match.id, aaguid: match.aaGuid, model: match.model ?? null, attestationLevel: match.attestationLevel ?? null, passkeyType: match.passkeyType ?? null },
        }),
      );
      return { outcome: 'completed', request: await this.#finish(r, 'system') };
    }
    if (fresh.length) {
      // Someone registered a key, but not the one that was pre-checked and approved.
      const other = fresh[0]!;
      const deleted = await this.#deleteIssuedTaps(r).catch(() => ({ touched: false, ids: [] as string[] }));
      r = await this.#transition(r.id, ['awaiting_registration'], 'fail', {
        tap_state: deleted.touched ? 'deleted' : 'cleanup_pending',
        error_code: 'aaguid_mismatch',
        error_message: `a key with AAGUID ${other.aaGuid ?? 'unknown'} (${other.model ?? 'unknown model'}) was registered instead of the pre-checked ${r.key.aaguid}; Entra method ${other.id} is not in the inventory — review it and revoke it if nobody can vouch for it`,
        closed_by: 'system', closed_at: this.#now().toISOString(), close_reason: 'a different key was registered',
      }, async (audit, _r, tx) => {
        audit.record({
          actor: 'system',
          action: 'enrollment.failed',
          subject: `enrollment:${r.id}`,
          data: { accountId: r.accountId, upn: r.upn, code: 'aaguid_mismatch', expectedAaguid: r.key.aaguid, registered: fresh.map((m) => ({ methodId: m.id, aaguid: m.aaGuid ?? null })), tapMethodIdsDeleted: deleted.ids },
        });
        await this.#d.hooks.raiseAlert(tx, audit, {
          kind: 'enrollment.key_mismatch',
          severity: 'critical',
          subject: `account:${r.accountId}`,
          title: `A different key was registered for ${r.upn}`,
          details: { requestId: r.id, expectedAaguid: r.key.aaguid, registered: fresh.map((m) => ({ methodId: m.id, aaguid: m.aaGuid ?? null, model: m.model ?? null })) },
          dedupeKey: `enrollment:${r.id}:mismatch`,
        });
      });
      return { outcome: 'failed', request: r };
    }
    // Still waiting: what does Entra say about the pass?
    let tap: GraphTemporaryAccessPassMethod | undefined;
    try {
      tap = r.tap.methodId ? await this.#d.directory.getTemporaryAccessPass(r.userId, r.tap.methodId) : undefined;
    } catch (err) {
      if (!(err instanceof GraphNotFoundError)) throw err;
      tap = undefined;
    }
    const now = this.#now().getTime();
    const pastExpiry = r.tap.expiresAt !== null && now >= Date.parse(r.tap.expiresAt) + TAP_GRACE_MS;
    const gone = tap === undefined;
    const expired = tap?.methodUsabilityReason === 'Expired' || pastExpiry;
    if (!gone && !expired) return { outcome: 'waiting', request: r, tap: { usable: tap!.isUsable, reason: tap!.methodUsabilityReason } };
    if (tap?.methodUsabilityReason === 'OneTimeUsed' && !pastExpiry) return { outcome: 'waiting', request: r, tap: { usable: false, reason: 'OneTimeUsed' } };
    // The pass expired (or vanished) and no key came: delete it, close the request and alert.
    const used = tap?.methodUsabilityReason === 'OneTimeUsed';
    let tapState: TapState = 'deleted';
    if (!gone) {
      try {
        await this.#d.directory.deleteTemporaryAccessPass(r.userId, r.tap.methodId!);
      } catch {
        tapState = 'cleanup_pending';
      }
    }
    const why = gone ? 'the pass was deleted outside breakglass before a key was registered' : used ? 'the pass was used to sign in, but no key was registered before it expired' : 'the pass expired unused';
    r = await this.#transition(r.id, ['awaiting_registration'], gone ? 'fail' : 'tap_expired', {
      tap_state: tapState, error_code: gone ? 'tap_deleted_elsewhere' : used ? 'tap_used_no_key' : 'tap_expired_unused', error_message: why,
      closed_by: 'system', closed_at: this.#now().toISOString(), close_reason: why,
    }, async (audit, _r, tx) => {
      audit.record({ actor: 'system', action: gone ? 'enrollment.failed' : 'enrollment.tap_expired', subject: `enrollment:${r.id}`, data: { accountId: r.accountId, upn: r.upn, tapMethodId: r.tap.methodId, used, tapDeleted: tapState === 'deleted' && !gone, reason: why } });
      await this.#d.hooks.raiseAlert(tx, audit, {
        kind: used || gone ? 'enrollment.tap_anomaly' : 'enrollment.tap_expired_unused',
        severity: used || gone ? 'critical' : 'warning',
        subject: `account:${r.accountId}`,
        title: `Enrollment for ${r.upn}: ${why}`,
        details: { requestId: r.id, tapMethodId: r.tap.methodId, requestedBy: r.requestedBy, approvedBy: r.approvedBy, tapExpiresAt: r.tap.expiresAt },
        dedupeKey: `enrollment:${r.id}:tap`,
      });
    });
    return { outcome: gone ? 'failed' : 'expired', request: r };
  }

  // ---------------------------------------------------------------- direct mode

  /** Direct mode: register the key on behalf of the account (creation options → HID makeCredential → verify → POST). */
  registerDirect(input: DirectInput): Promise<EnrollmentRequest> {
    return this.#serial(input.id, async () => {
      let r = await this.#requireRunnable(input.id, input.actor, 'direct');
      if (input.pin !== undefined && input.newPin !== undefined) throw new InvalidInputError('give either the key\'s PIN or a new PIN for a key without one, not both');
      if (input.pin === undefined && input.newPin === undefined) throw new InvalidInputError('the key\'s PIN is needed to register it (or a new PIN, for a key that has none yet)');
      r = await this.#revokeReplacedKey(r, input.actor);
      const beta = this.#d.settings.challengeTimeoutMinutes !== undefined;
      const made = await withKeyErrors(() =>
        this.#d.keys.withKey(async ({ key, serial }) => {
          if (key.info.aaguid.toLowerCase() !== r.key.aaguid) {
            throw new ConflictError('wrong_key', `the key attached (AAGUID ${key.info.aaguid}) is not the one pre-checked for this request (${r.key.aaguid})`);
          }
          if (r.key.serial && serial && serial !== r.key.serial) {
            throw new ConflictError('wrong_key', `the key attached (serial ${serial}) is not the one pre-checked for this request (serial ${r.key.serial})`);
          }
          let pin = input.pin;
          if (input.newPin !== undefined) {
            if (key.info.options?.clientPin === true) throw new ConflictError('pin_already_set', 'this key already has a PIN: type it instead of choosing a new one');
            await key.clientPin().setPin(input.newPin);
            await key.refreshInfo();
            pin = input.newPin;
            await this.#d.audit.record({ actor: input.actor, action: 'enrollment.key_pin_set', subject: `enrollment:${r.id}`, data: { accountId: r.accountId, aaguid: r.key.aaguid, serial } });
          }
          const options = await this.#d.directory.getPasskeyCreationOptions(r.userId, beta ? { challengeTimeoutInMinutes: this.#d.settings.challengeTimeoutMinutes! } : {});
          const rpId = options.publicKey.rp.id;
          if (!/^[a-z0-9.-]+$/i.test(rpId)) throw new ConflictError('graph_rp_id', `Graph returned an RP ID that is not a host name (${JSON.stringify(rpId).slice(0, 80)})`);
          // WebAuthn's origin for Entra's RP is https:// + the RP ID Graph names (graph.md §2.3); never a constant.
          const origin = `https://${rpId}`;
          let response: RegistrationResponseJSON;
          try {
            response = await createCredential(key, toCreationOptions(options.publicKey, beta), {
              origin,
              pin: pin!,
              onKeepalive: (s) => {
                if (s === KeepaliveStatus.UPNEEDED) input.onTouch?.();
              },
            });
          } catch (err) {
            const e = err as { code?: string; details?: { retriesLeft?: number } };
            if (e.code === 'pin_invalid' || e.code === 'pin_auth_blocked' || e.code === 'pin_blocked') {
              await this.#d.audit.record({ actor: input.actor, action: 'enrollment.key_pin_rejected', subject: `enrollment:${r.id}`, data: { accountId: r.accountId, code: e.code, retriesLeft: e.details?.retriesLeft ?? null } });
            }
            throw err;
          }
          const verified = await verifyRegistrationResponse({
            response: response as unknown as ServerRegistrationJSON,
            expectedChallenge: options.publicKey.challenge,
            expectedOrigin: origin,
            expectedRPID: rpId,
            requireUserVerification: true,
          }).catch((err: unknown) => {
            throw new ConflictError('attestation_invalid', `the key's registration did not verify locally: ${String((err as Error).message ?? err).split('\n')[0]}`);
          });
          if (!verified.verified) throw new ConflictError('attestation_invalid', 'the key\'s registration did not verify locally');
          return { response, info: verified.registrationInfo, options, rpId, origin };
        }, input.device ? { device: input.device } : {}),
      );
      const attested = made.info.aaguid.toLowerCase();
      if (attested !== r.key.aaguid) {
        await this.#transition(r.id, ['approved'], 'fail', {
          error_code: 'attestation_mismatch', error_message: `the key's attestation names AAGUID ${attested}, its getInfo said ${r.key.aaguid}`,
          closed_by: 'system', closed_at: this.#now().toISOString(), close_reason: 'attestation does not match the pre-checked key',
        }, async (audit, _r, tx) => {
          audit.record({ actor: input.actor, action: 'enrollment.failed', subject: `enrollment:${r.id}`, data: { accountId: r.accountId, code: 'attestation_mismatch', precheckedAaguid: r.key.aaguid, attestedAaguid: attested } });
          await this.#d.hooks.raiseAlert(tx, audit, {
            kind: 'enrollment.key_mismatch', severity: 'critical', subject: `account:${r.accountId}`,
            title: `A key claimed one model and attested another for ${r.upn}`,
            details: { requestId: r.id, precheckedAaguid: r.key.aaguid, attestedAaguid: attested }, dedupeKey: `enrollment:${r.id}:attestation`,
          });
        });
        throw new ConflictError('attestation_mismatch', `the key's attestation names AAGUID ${attested}, but its getInfo said ${r.key.aaguid}: nothing was registered, and the request was closed`);
      }
      const known = (await this.#d.directory.listFido2Methods(r.userId)).map((m) => m.id);
      r = await this.#transition(
        r.id,
        ['approved'],
        'begin_register',
        { step_started_at: this.#now().toISOString(), credential_id: made.response.id, attested_aaguid: attested, known_method_ids: JSON.stringify(known), error_code: null, error_message: '' },
        (audit) =>
          audit.record({
            actor: input.actor,
            action: 'enrollment.credential_created',
            subject: `enrollment:${r.id}`,
            data: {
              accountId: r.accountId, upn: r.upn, credentialId: made.response.id, attestedAaguid: attested, fmt: made.info.fmt,
              deviceType: made.info.credentialDeviceType, rpId: made.rpId, origin: made.origin, challengeTimeout: made.options.challengeTimeoutDateTime,
            },
          }),
      );
      let method;
      try {
        method = await this.#d.directory.createPasskey(r.userId, {
          displayName: r.displayName,
          publicKeyCredential: { id: made.response.id, response: { clientDataJSON: made.response.response.clientDataJSON, attestationObject: made.response.response.attestationObject }, clientExtensionResults: made.response.clientExtensionResults },
        });
      } catch (err) {
        const code = (err as { code?: string }).code ?? 'error';
        if (isDefinitelyNotApplied(err) || (err instanceof GraphUnknownOutcomeError && err.resolution === 'not_created')) {
          await this.#transition(r.id, ['registering'], 'register_not_applied', { error_code: code, error_message: ((err as Error).message ?? '').slice(0, 500), step_started_at: null }, (audit) =>
            audit.record({ actor: input.actor, action: 'enrollment.registration_not_applied', subject: `enrollment:${r.id}`, data: { accountId: r.accountId, code, credentialId: made.response.id, note: 'the credential stays on the key unused' } }),
          );
        } else {
          await this.#d.audit.record({ actor: input.actor, action: 'enrollment.registration_outcome_unknown', subject: `enrollment:${r.id}`, data: { accountId: r.accountId, code } });
        }
        throw err;
      }
      r = await this.#transition(r.id, ['registering'], 'key_created', { fido2_method_id: method.id, key_registered_at: method.createdDateTime ?? this.#now().toISOString() }, (audit) =>
        audit.record({
          actor: input.actor,
          action: 'enrollment.key_registered',
          subject: `enrollment:${r.id}`,
          data: { accountId: r.accountId, upn: r.upn, fido2MethodId: method.id, aaguid: method.aaGuid ?? null, attestationLevel: method.attestationLevel ?? null, passkeyType: method.passkeyType ?? null },
        }),
      );
      return this.#finish(r, input.actor);
    });
  }

  /** A registering request whose POST outcome is unknown: did the key appear? */
  async #resolveRegistering(r: EnrollmentRequest, actor: string, opts: { allowFresh?: boolean } = {}): Promise<EnrollmentRequest> {
    const methods = await this.#d.directory.listFido2Methods(r.userId);
    const match = methods.find((m) => !r.knownMethodIds.includes(m.id) && (m.aaGuid ?? '').toLowerCase() === (r.attestedAaguid ?? r.key.aaguid));
    if (match) {
      return this.#transition(r.id, ['registering'], 'key_created', { fido2_method_id: match.id, key_registered_at: match.createdDateTime ?? this.#now().toISOString() }, (audit) =>
        audit.record({ actor, action: 'enrollment.key_registered', subject: `enrollment:${r.id}`, data: { accountId: r.accountId, upn: r.upn, fido2MethodId: match.id, resolvedByReadBack: true } }),
      );
    }
    const settled = r.stepStartedAt === null || this.#now().getTime() - Date.parse(r.stepStartedAt) >= STEP_SETTLE_MS;
    if (!settled && !opts.allowFresh) throw new ConflictError('step_in_progress', 'the registration was sent moments ago and may still be in flight; try again in a minute');
    return this.#transition(r.id, ['registering'], 'register_not_applied', { step_started_at: null, error_code: 'not_registered', error_message: 'reading back found no new key: the registration did not happen' }, (audit) =>
      audit.record({ actor, action: 'enrollment.registration_not_applied', subject: `enrollment:${r.id}`, data: { accountId: r.accountId, resolvedByReadBack: true } }),
    );
  }

  // ---------------------------------------------------------------- finishing, resuming, expiring

  /**
   * The key is registered in Entra: confirm the TAP was consumed or delete it (guided), read the method back and
   * compare AAGUIDs, then in one transaction add the key to the inventory, restart the drill clock and record the
   * evidence (who requested, who approved, which key, which mode, the Graph ids).
   */
  async #finish(r: EnrollmentRequest, actor: string): Promise<EnrollmentRequest> {
    if (r.state !== 'key_registered') return r;
    let tapState: TapState = r.tap.state;
    let tapOutcome: string | null = null;
    if (r.mode === 'guided' && r.tap.methodId && (r.tap.state === 'issued' || r.tap.state === 'cleanup_pending')) {
      let tap: GraphTemporaryAccessPassMethod | undefined;
      try {
        tap = await this.#d.directory.getTemporaryAccessPass(r.userId, r.tap.methodId);
      } catch (err) {
        if (!(err instanceof GraphNotFoundError)) throw err;
      }
      if (tap?.methodUsabilityReason === 'OneTimeUsed') {
        tapState = 'consumed';
        tapOutcome = 'consumed (OneTimeUsed)';
      } else {
        if (tap) await this.#d.directory.deleteTemporaryAccessPass(r.userId, r.tap.methodId);
        tapState = 'deleted';
        tapOutcome = tap ? `deleted (was ${tap.methodUsabilityReason})` : 'already gone';
      }
    }
    const method = await this.#d.directory.getFido2Method(r.userId, r.fido2MethodId!);
    const entraAaguid = (method.aaGuid ?? '').toLowerCase();
    if (entraAaguid !== r.key.aaguid || (r.attestedAaguid && entraAaguid !== r.attestedAaguid)) {
      return this.#transition(r.id, ['key_registered'], 'fail', {
        tap_state: tapState, error_code: 'aaguid_mismatch',
        error_message: `Entra reports AAGUID ${method.aaGuid ?? 'none'} for method ${method.id}, the pre-checked key is ${r.key.aaguid}; the method was not added to the inventory — review and revoke it`,
        closed_by: 'system', closed_at: this.#now().toISOString(), close_reason: 'Entra reports a different key model',
      }, async (audit, _r, tx) => {
        audit.record({ actor, action: 'enrollment.failed', subject: `enrollment:${r.id}`, data: { accountId: r.accountId, code: 'aaguid_mismatch', fido2MethodId: method.id, entraAaguid: method.aaGuid ?? null, precheckedAaguid: r.key.aaguid, attestedAaguid: r.attestedAaguid } });
        await this.#d.hooks.raiseAlert(tx, audit, {
          kind: 'enrollment.key_mismatch', severity: 'critical', subject: `account:${r.accountId}`, title: `Entra reports a different key model for ${r.upn}`,
          details: { requestId: r.id, fido2MethodId: method.id, entraAaguid: method.aaGuid ?? null, precheckedAaguid: r.key.aaguid }, dedupeKey: `enrollment:${r.id}:mismatch`,
        });
      });
    }
    return this.#transition(r.id, ['key_registered'], 'complete', { tap_state: tapState, error_code: null, error_message: '' }, async (audit, cur, tx) => {
      const at = this.#now().toISOString();
      const key = await insertKey(tx, {
        accountId: r.accountId,
        aaguid: entraAaguid,
        model: method.model ?? r.key.model,
        serial: r.key.serial,
        graphMethodId: method.id,
        credentialId: r.credentialId,
        displayName: method.displayName ?? r.displayName,
        registeredAt: method.createdDateTime ?? r.keyRegisteredAt,
        attestationLevel: method.attestationLevel ?? null,
        passkeyType: method.passkeyType ?? null,
        enrolledVia: r.mode,
        enrollmentId: r.id,
        location: r.location,
        sealNumber: r.sealNumber,
        actor,
        at,
      });
      const { dueAt } = await this.#d.hooks.restartDrillClock(tx, audit, { accountId: r.accountId, reason: r.purpose === 'replace' ? 'key_replaced' : 'key_enrolled', at: new Date(at), actor });
      await tx.updateTable('enrollment_request').set({ key_id: key.id, drill_due_at: dueAt }).where('id', '=', r.id).execute();
      let replaced: AccountKey | undefined;
      if (r.replacesKeyId) replaced = await requireKey(tx, r.replacesKeyId);
      const evidence = {
        requestId: r.id,
        accountId: r.accountId,
        upn: r.upn,
        userId: r.userId,
        mode: r.mode,
        purpose: r.purpose,
        reason: r.reason,
        requestedBy: r.requestedBy,
        requestedAt: r.requestedAt,
        approvedBy: cur.approvedBy,
        approvedAt: cur.approvedAt,
        approval: cur.approval,
        key: { ...keyEvidence(key), attestedAaguid: r.attestedAaguid, attestationLevel: key.attestationLevel, passkeyType: key.passkeyType, virtual: r.precheck.virtual },
        graph: { fido2MethodId: method.id, registeredAt: key.registeredAt, tapMethodId: r.tap.methodId, tapOutcome },
        replaced: replaced ? { keyId: replaced.id, graphMethodId: replaced.graphMethodId, revokedAt: r.replacedKeyRevokedAt } : null,
        drill: { dueAt },
      };
      audit.record({ actor, action: 'enrollment.completed', subject: `enrollment:${r.id}`, data: evidence });
      audit.record({ actor, action: r.purpose === 'replace' ? 'key.replaced' : 'key.enrolled', subject: `account:${r.accountId}`, data: { ...keyEvidence(key), requestId: r.id, mode: r.mode, replacedKeyId: replaced?.id ?? null } });
    });
  }

  /** Continues whatever the last recorded step left open (after a crash, a Graph fault, or a closed browser). */
  resume(input: { id: string; actor: string }): Promise<WatchResult> {
    return this.#serial(input.id, async () => {
      let r = await this.#expireIfDue(await this.get(input.id));
      if (!isTerminal(r.state) && r.state !== 'requested' && r.state !== 'approved') {
        const refusal = runRefusal(r, input.actor);
        if (refusal && input.actor !== 'system') throw new ConflictError('not_requester', refusal);
      }
      switch (r.state) {
        case 'tap_issuing':
          r = await this.#resolveTapIssuing(r, input.actor);
          return { outcome: r.state === 'failed' ? 'failed' : 'not_watching', request: r };
        case 'awaiting_registration':
        case 'key_registered':
          return this.#watch(r.id);
        case 'registering': {
          r = await this.#resolveRegistering(r, input.actor);
          if (r.state === 'key_registered') return { outcome: 'completed', request: await this.#finish(r, input.actor) };
          return { outcome: 'not_watching', request: r };
        }
        default:
          if (isTerminal(r.state) && r.tap.state === 'cleanup_pending') r = await this.#retryTapCleanup(r, input.actor);
          return { outcome: r.state === 'completed' ? 'completed' : r.state === 'expired' ? 'expired' : isTerminal(r.state) ? 'failed' : 'not_watching', request: r };
      }
    });
  }

  /** tap_issuing after an unknown outcome: a pass created since then is ours and its value is lost. */
  async #resolveTapIssuing(r: EnrollmentRequest, actor: string): Promise<EnrollmentRequest> {
    const created = await this.#tapsSince(r);
    if (created.length) {
      for (const t of created) await this.#d.directory.deleteTemporaryAccessPass(r.userId, t.id);
      return this.#transition(r.id, ['tap_issuing'], 'fail', {
        tap_state: 'deleted', tap_method_id: created[0]!.id, error_code: 'tap_value_lost',
        error_message: 'the pass was created but its value never reached breakglass; it was revoked. Request a new enrollment (a pass is issued at most once per approval)',
        closed_by: actor, closed_at: this.#now().toISOString(), close_reason: 'TAP value lost',
      }, (audit) =>
        audit.record({ actor, action: 'enrollment.failed', subject: `enrollment:${r.id}`, data: { accountId: r.accountId, code: 'tap_value_lost', tapMethodIdsDeleted: created.map((t) => t.id), resolvedByReadBack: true } }),
      );
    }
    const settled = r.stepStartedAt === null || this.#now().getTime() - Date.parse(r.stepStartedAt) >= STEP_SETTLE_MS;
    if (!settled) throw new ConflictError('step_in_progress', 'the pass is being issued right now; try again in a minute');
    return this.#transition(r.id, ['tap_issuing'], 'tap_not_issued', { tap_state: 'none', step_started_at: null, error_code: 'tap_not_created', error_message: 'reading back found no pass: none was created; run the request again' }, (audit) =>
      audit.record({ actor, action: 'enrollment.tap_not_issued', subject: `enrollment:${r.id}`, data: { accountId: r.accountId, confirmedNotCreated: true, resolvedByReadBack: true } }),
    );
  }

  async #retryTapCleanup(r: EnrollmentRequest, actor: string): Promise<EnrollmentRequest> {
    const d = await this.#deleteIssuedTaps(r);
    return this.#transition(r.id, [r.state], null, { tap_state: 'deleted' }, (audit) =>
      audit.record({ actor, action: 'enrollment.tap_deleted', subject: `enrollment:${r.id}`, data: { accountId: r.accountId, tapMethodIdsDeleted: d.ids } }),
    );
  }

  /**
   * The periodic sweep (the service's watcher; tests call it directly): lapse expired requests, watch every guided
   * request waiting for its key, and retry TAP deletions that failed. Errors on one request do not stop the others.
   */
  async sweep(): Promise<{ checked: number; changed: number; errors: { id: string; code: string }[] }> {
    const open = await listRequests(this.#db, { states: [...OPEN_STATES], limit: 1000 });
    const pending = await this.#db.selectFrom('enrollment_request').select('id').where('tap_state', '=', 'cleanup_pending').execute();
    let changed = 0;
    const errors: { id: string; code: string }[] = [];
    for (const r of open) {
      try {
        if (r.state === 'requested' || r.state === 'approved') {
          if ((await this.#serial(r.id, () => this.#expireIfDue(r))).state !== r.state) changed++;
        } else if (r.state === 'tap_issuing' || r.state === 'registering') {
          // Left open by a crash or an unknown outcome: once settled, reading Entra back decides (a pass whose value
          // was lost is revoked at once rather than left usable on the account).
          if (r.stepStartedAt && this.#now().getTime() - Date.parse(r.stepStartedAt) >= STEP_SETTLE_MS) {
            const next = await this.#serial(r.id, async () => {
              const cur = await this.get(r.id);
              if (cur.state === 'tap_issuing') return this.#resolveTapIssuing(cur, 'system');
              if (cur.state === 'registering') {
                const res = await this.#resolveRegistering(cur, 'system');
                return res.state === 'key_registered' ? this.#finish(res, 'system') : res;
              }
              return cur;
            });
            if (next.state !== r.state) changed++;
          }
        } else {
          const w = await this.watch({ id: r.id });
          if (w.request.state !== r.state) changed++;
        }
      } catch (err) {
        errors.push({ id: r.id, code: (err as { code?: string }).code ?? 'error' });
        this.#d.logger?.warn({ requestId: r.id, code: (err as { code?: string }).code }, 'enrollment watch step failed; will retry');
      }
    }
    for (const p of pending) {
      try {
        const r = await this.get(p.id);
        if (isTerminal(r.state)) {
          await this.#serial(r.id, () => this.#retryTapCleanup(r, 'system'));
          changed++;
        }
      } catch (err) {
        errors.push({ id: p.id, code: (err as { code?: string }).code ?? 'error' });
      }
    }
    return { checked: open.length + pending.length, changed, errors };
  }

  /** For tests and tools: the request if it exists. */
  find(id: string): Promise<EnrollmentRequest | undefined> {
    return findRequest(this.#db, id);
  }
}
