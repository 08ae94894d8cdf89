// Officer sign-in: the WebAuthn ceremonies (bootstrap, invite, sign-in, step-up, add a passkey), sessions, invites
// and officer administration. Every state change goes through audit.change() with its entries; failures are
// recorded by the auth plugin from the error's auditContext. Challenges are server-side rows, single-use (deleted when
// first presented, whatever the outcome) and short-lived; they are protocol state, not audited on their own — what
// they lead to is.
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { AuditLog, AuditRecorder } from '../audit/audit-log.ts';
import type { Clock } from '../clock.ts';
import { cleanText } from '../domain/clean-text.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import type { Database } from '../store/database.ts';
import type { Db, OfficerPasskeyTable } from '../store/schema.ts';
import type { AuthSettings } from './auth-settings.ts';
import * as E from './auth-errors.ts';
import { AuthError } from './auth-errors.ts';
import { countActiveAdmins, countOfficers, getOfficer, listOfficers, parseTransports, passkeyByCredentialId, passkeysOf, toOfficer, toPasskey, usernameTaken, type OfficerSummary, type OfficerView, type PasskeyView } from './auth-store.ts';
import { RelyingParty, type VerifiedRegistration } from './relying-party.ts';
import { isRole, type Role } from './roles.ts';
import { csrfTokenFor, fingerprint, newBootstrapCode, newId, newToken, normaliseBootstrapCode, safeEqual, sha256b64url } from './secrets.ts';

export type CeremonyPurpose = 'bootstrap' | 'invite' | 'sign-in' | 'step-up' | 'add-passkey';

/** What the plugin records when a request fails (actor, subject and extra data; never a secret). */
export interface AuditContext {
  actor?: string;
  subject?: string;
  data?: Record<string, unknown>;
}

/** Audit context attached to errors thrown by the ceremonies; read by the auth plugin's onError hook. */
export const auditContexts = new WeakMap<Error, AuditContext>();

function withAudit<T extends Error>(err: T, ctx: AuditContext): T {
  auditContexts.set(err, ctx);
  return err;
}

export interface SessionContext {
  /** The raw session id: in memory for this request only (cookie, CSRF derivation); never stored or logged. */
  id: string;
  idHash: string;
  officer: OfficerView;
  passkeyId: string;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
  idleExpiresAt: string;
  stepUpAt: string | null;
}

export type SessionLookup = { session: SessionContext } | { expired: 'idle' | 'absolute' } | null;

export interface CeremonyStart<O> {
  ceremonyId: string;
  options: O;
}

export interface SignedIn {
  sessionId: string;
  officer: OfficerView;
}

export interface BootstrapNotice {
  code: string;
  file: string;
  expiresAt: string;
}

export interface InviteView {
  id: string;
  displayName: string;
  role: Role;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  status: 'pending' | 'used' | 'expired' | 'revoked';
  usedAt: string | null;
  usedBy: string | null;
}

export interface AuthServiceDeps {
  database: Database;
  audit: AuditLog;
  clock: Clock;
  settings: AuthSettings;
  rp: RelyingParty;
  dataDir: string;
}

const USERNAME = /^[a-z0-9][a-z0-9._@-]{1,63}$/;
export const BOOTSTRAP_FILE = 'bootstrap-code.txt';
/** last_seen_at is written at most this often per session (it is bookkeeping, not an audited change). */
const TOUCH_INTERVAL_MS = 30_000;

const officerActor = (id: string): string => `officer:${id}`;

/** A display or passkey name: NFC, runs of white space folded to one space, then the shared free-text rule. */
function cleanName(value: string, what: string, max: number): string {
  return cleanText(typeof value === 'string' ? value.normalize('NFC').replace(/\s+/g, ' ') : value, { field: what, max, required: true });
}

function cleanUsername(value: string): string {
  const v = value.trim().toLowerCase();
  if (!USERNAME.test(v)) throw new InvalidInputError('username must be 2–64 characters: lower-case letters, digits, and . _ @ - (starting with a letter or digit)');
  return v;
}

export class AuthService {
  readonly settings: AuthSettings;
  readonly rp: RelyingParty;
  readonly #d: AuthServiceDeps;
  #bootstrap: BootstrapNotice | undefined;

  constructor(deps: AuthServiceDeps) {
    this.#d = deps;
    this.settings = deps.settings;
    this.rp = deps.rp;
  }

  get #db(): Db {
    return this.#d.database.db;
  }

  #now(): Date {
    return this.#d.clock.now();
  }

  #plus(ms: number): string {
    return new Date(this.#now().getTime() + ms).toISOString();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Bootstrap: the first admin

  /** True while no officer exists: the UI offers the bootstrap page. */
  async bootstrapRequired(): Promise<boolean> {
    return (await countOfficers(this.#db)) === 0;
  }

  /** The code issued by this process at start, for the console banner (undefined once set up). */
  get bootstrapNotice(): BootstrapNotice | undefined {
    return this.#bootstrap;
  }

  /**
   * At start, while no officer exists: issues a fresh one-time code (older unused codes are superseded), keeps only its
   * hash, writes it to <dataDir>/bootstrap-code.txt (mode 0600) and returns it for the console banner.
   */
  async ensureBootstrap(): Promise<BootstrapNotice | undefined> {
    if (!(await this.bootstrapRequired())) {
      this.#bootstrap = undefined;
      return undefined;
    }
    const code = newBootstrapCode();
    const id = newId();
    const now = this.#now().toISOString();
    const expiresAt = this.#plus(this.settings.bootstrapHours * 3_600_000);
    await this.#d.audit.change(async (tx, audit) => {
      await tx.updateTable('auth_bootstrap').set({ superseded_at: now }).where('used_at', 'is', null).where('superseded_at', 'is', null).execute();
      await tx.insertInto('auth_bootstrap').values({ id, code_hash: sha256b64url(code), created_at: now, expires_at: expiresAt, used_at: null, used_by: null, superseded_at: null }).execute();
      audit.record({ actor: 'system', action: 'auth.bootstrap_issued', subject: `bootstrap:${id}`, data: { expiresAt, codeFingerprint: fingerprint('bootstrap', code) } });
    });
    const file = join(this.#d.dataDir, BOOTSTRAP_FILE);
    mkdirSync(this.#d.dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(
      file,
      `breakglass bootstrap code (one use, valid until ${expiresAt}):\n\n  ${code}\n\nOpen breakglass in a browser, choose "Set up breakglass" and enter it to register the first admin's passkey.\nThis file is deleted once that is done. Restarting the service while no officer exists issues a new code.\n`,
      { mode: 0o600 },
    );
    chmodSync(file, 0o600); // an older file keeps its mode on overwrite
    this.#bootstrap = { code, file, expiresAt };
    return this.#bootstrap;
  }

  async #validBootstrap(tx: Db, code: string): Promise<{ id: string } | undefined> {
    const hash = sha256b64url(normaliseBootstrapCode(code));
    const rows = await tx.selectFrom('auth_bootstrap').select(['id', 'code_hash', 'expires_at']).where('used_at', 'is', null).where('superseded_at', 'is', null).execute();
    const now = this.#now().toISOString();
    const row = rows.find((r) => safeEqual(r.code_hash, hash));
    return row && row.expires_at > now ? { id: row.id } : undefined;
  }

  async bootstrapOptions(input: { code: string; username: string; displayName: string }): Promise<CeremonyStart<PublicKeyCredentialCreationOptionsJSON>> {
    if (!(await this.bootstrapRequired())) throw E.bootstrapDone();
    const valid = await this.#validBootstrap(this.#db, input.code);
    if (!valid) throw withAudit(E.bootstrapInvalid(), { data: { codeFingerprint: fingerprint('bootstrap', normaliseBootstrapCode(input.code)) } });
    const username = cleanUsername(input.username);
    const displayName = cleanName(input.displayName, 'display name', 100);
    const handle = RelyingParty.newUserHandle();
    const options = await this.rp.registrationOptions({ handle, username, displayName }, []);
    const ceremonyId = await this.#saveChallenge('bootstrap', options.challenge, { payload: { bootstrapId: valid.id, username, displayName, handle } });
    return { ceremonyId, options };
  }

  async bootstrapVerify(input: { ceremonyId: string; response: RegistrationResponseJSON; passkeyName: string }, ip: string): Promise<SignedIn> {
    const ch = await this.#consumeChallenge(input.ceremonyId, 'bootstrap');
    const p = ch.payload as { bootstrapId: string; username: string; displayName: string; handle: string };
    const passkeyName = cleanName(input.passkeyName, 'passkey name', 60);
    const reg = await this.#verifyRegistration(input.response, ch.challenge);
    const result = await this.#d.audit.change(async (tx, audit) => {
      if ((await countOfficers(tx)) > 0) throw E.bootstrapDone();
      const b = await tx.selectFrom('auth_bootstrap').selectAll().where('id', '=', p.bootstrapId).executeTakeFirst();
      if (!b || b.used_at || b.superseded_at || b.expires_at <= this.#now().toISOString()) throw E.bootstrapInvalid();
      const officer = await this.#insertOfficer(tx, audit, { username: p.username, displayName: p.displayName, role: 'admin', handle: p.handle, createdBy: 'bootstrap', via: { bootstrapId: b.id } });
      await tx.updateTable('auth_bootstrap').set({ used_at: this.#now().toISOString(), used_by: officer.id }).where('id', '=', b.id).execute();
      const passkeyId = await this.#insertPasskey(tx, audit, officer.id, reg, passkeyName);
      const sessionId = await this.#insertSession(tx, audit, officer, passkeyId, { ip, via: 'bootstrap' });
      return { sessionId, officer };
    });
    this.#bootstrap = undefined;
    try {
      rmSync(join(this.#d.dataDir, BOOTSTRAP_FILE), { force: true });
    } catch {
      /* the code is used up in the database either way; a leftover file no longer opens anything */
    }
    return result;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Invites

  #inviteStatus(r: { used_at: string | null; revoked_at: string | null; expires_at: string }): InviteView['status'] {
    if (r.used_at) return 'used';
    if (r.revoked_at) return 'revoked';
    return r.expires_at <= this.#now().toISOString() ? 'expired' : 'pending';
  }

  async createInvite(actor: OfficerView, input: { displayName: string; role: Role; hours?: number }): Promise<{ invite: InviteView; token: string }> {
    const displayName = cleanName(input.displayName, 'display name', 100);
    const hours = input.hours ?? this.settings.inviteHours;
    if (!Number.isInteger(hours) || hours < 1 || hours > 336) throw new InvalidInputError('an invite lives from 1 to 336 hours');
    const token = newToken();
    const row = {
      id: newId(),
      token_hash: sha256b64url(token),
      role: input.role,
      display_name: displayName,
      created_by: actor.id,
      created_at: this.#now().toISOString(),
      expires_at: this.#plus(hours * 3_600_000),
      used_at: null,
      used_by: null,
      revoked_at: null,
      revoked_by: null,
    };
    await this.#d.audit.change(async (tx, audit) => {
      await tx.insertInto('officer_invite').values(row).execute();
      audit.record({ actor: officerActor(actor.id), action: 'officer.invited', subject: `invite:${row.id}`, data: { role: row.role, displayName, expiresAt: row.expires_at } });
    });
    return { invite: this.#inviteView(row), token };
  }

  #inviteView(r: { id: string; display_name: string; role: string; created_by: string; created_at: string; expires_at: string; used_at: string | null; used_by: string | null; revoked_at: string | null }): InviteView {
    return {
      id: r.id,
      displayName: r.display_name,
      role: isRole(r.role) ? r.role : 'auditor',
      createdBy: r.created_by,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      status: this.#inviteStatus(r),
      usedAt: r.used_at,
      usedBy: r.used_by,
    };
  }

  async listInvites(): Promise<InviteView[]> {
    const rows = await this.#db.selectFrom('officer_invite').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(200).execute();
    return rows.map((r) => this.#inviteView(r));
  }

  async revokeInvite(actor: OfficerView, id: string): Promise<InviteView> {
    return this.#d.audit.change(async (tx, audit) => {
      const r = await tx.selectFrom('officer_invite').selectAll().where('id', '=', id).executeTakeFirst();
      if (!r) throw new NotFoundError('no such invite');
      const status = this.#inviteStatus(r);
      if (status !== 'pending') throw new AuthError('invite_not_pending', `This invite is already ${status}.`, 409);
      const now = this.#now().toISOString();
      await tx.updateTable('officer_invite').set({ revoked_at: now, revoked_by: actor.id }).where('id', '=', id).execute();
      audit.record({ actor: officerActor(actor.id), action: 'officer.invite_revoked', subject: `invite:${id}`, data: {} });
      return this.#inviteView({ ...r, revoked_at: now });
    });
  }

  async #inviteByToken(tx: Db, token: string) {
    const r = await tx.selectFrom('officer_invite').selectAll().where('token_hash', '=', sha256b64url(token)).executeTakeFirst();
    if (!r) throw withAudit(E.inviteInvalid('unknown'), { data: { tokenFingerprint: fingerprint('invite', token) } });
    const status = this.#inviteStatus(r);
    if (status !== 'pending') throw withAudit(E.inviteInvalid(status), { subject: `invite:${r.id}` });
    return r;
  }

  /** What the invite page shows before the invitee chooses a username. */
  async inspectInvite(token: string): Promise<{ displayName: string; role: Role; expiresAt: string; invitedBy: string }> {
    const r = await this.#inviteByToken(this.#db, token);
    const by = await getOfficer(this.#db, r.created_by);
    return { displayName: r.display_name, role: isRole(r.role) ? r.role : 'auditor', expiresAt: r.expires_at, invitedBy: by?.displayName ?? 'an admin' };
  }

  async inviteOptions(input: { token: string; username: string; displayName: string }): Promise<CeremonyStart<PublicKeyCredentialCreationOptionsJSON>> {
    const r = await this.#inviteByToken(this.#db, input.token);
    const username = cleanUsername(input.username);
    const displayName = cleanName(input.displayName, 'display name', 100);
    if (await usernameTaken(this.#db, username)) throw E.usernameTaken(username);
    const handle = RelyingParty.newUserHandle();
    const options = await this.rp.registrationOptions({ handle, username, displayName }, []);
    const ceremonyId = await this.#saveChallenge('invite', options.challenge, { payload: { inviteId: r.id, username, displayName, handle } });
    return { ceremonyId, options };
  }

  async inviteVerify(input: { ceremonyId: string; response: RegistrationResponseJSON; passkeyName: string }, ip: string): Promise<SignedIn> {
    const ch = await this.#consumeChallenge(input.ceremonyId, 'invite');
    const p = ch.payload as { inviteId: string; username: string; displayName: string; handle: string };
    const passkeyName = cleanName(input.passkeyName, 'passkey name', 60);
    const reg = await this.#verifyRegistration(input.response, ch.challenge, { subject: `invite:${p.inviteId}` });
    return this.#d.audit.change(async (tx, audit) => {
      const inv = await tx.selectFrom('officer_invite').selectAll().where('id', '=', p.inviteId).executeTakeFirst();
      if (!inv) throw E.inviteInvalid('unknown');
      const status = this.#inviteStatus(inv);
      if (status !== 'pending') throw withAudit(E.inviteInvalid(status), { subject: `invite:${inv.id}` });
      if (await usernameTaken(tx, p.username)) throw E.usernameTaken(p.username);
      const role = isRole(inv.role) ? inv.role : 'auditor';
      const officer = await this.#insertOfficer(tx, audit, { username: p.username, displayName: p.displayName, role, handle: p.handle, createdBy: officerActor(inv.created_by), via: { inviteId: inv.id } });
      await tx.updateTable('officer_invite').set({ used_at: this.#now().toISOString(), used_by: officer.id }).where('id', '=', inv.id).execute();
      const passkeyId = await this.#insertPasskey(tx, audit, officer.id, reg, passkeyName);
      const sessionId = await this.#insertSession(tx, audit, officer, passkeyId, { ip, via: 'invite' });
      return { sessionId, officer };
    });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Sign-in, step-up, sessions

  async signInOptions(): Promise<CeremonyStart<PublicKeyCredentialRequestOptionsJSON>> {
    // No allowCredentials: the authenticator offers its discoverable credentials for our RP (no username to type,
    // and nothing to tell an attacker whether a username exists).
    const options = await this.rp.authenticationOptions([]);
    const ceremonyId = await this.#saveChallenge('sign-in', options.challenge, {});
    return { ceremonyId, options };
  }

  async signInVerify(input: { ceremonyId: string; response: AuthenticationResponseJSON }, ip: string): Promise<SignedIn> {
    const ch = await this.#consumeChallenge(input.ceremonyId, 'sign-in');
    const { passkey, officer, newCounter, userVerified } = await this.#verifyAssertion(input.response, ch.challenge);
    if (officer.status !== 'active') throw withAudit(E.officerDisabled(), { subject: officerActor(officer.id), data: { passkeyId: passkey.id } });
    return this.#d.audit.change(async (tx, audit) => {
      await this.#advanceCounter(tx, passkey, newCounter);
      const sessionId = await this.#insertSession(tx, audit, officer, passkey.id, { ip, via: 'passkey', userVerified });
      return { sessionId, officer };
    });
  }

  async stepUpOptions(session: SessionContext): Promise<CeremonyStart<PublicKeyCredentialRequestOptionsJSON>> {
    const keys = await passkeysOf(this.#db, session.officer.id);
    const options = await this.rp.authenticationOptions(keys.map((k) => ({ id: k.credential_id, transports: parseTransports(k.transports) })));
    const ceremonyId = await this.#saveChallenge('step-up', options.challenge, { officerId: session.officer.id, sessionHash: session.idHash });
    return { ceremonyId, options };
  }

  async stepUpVerify(session: SessionContext, input: { ceremonyId: string; response: AuthenticationResponseJSON }): Promise<{ stepUpAt: string }> {
    const ch = await this.#consumeChallenge(input.ceremonyId, 'step-up', session);
    const { passkey, officer, newCounter } = await this.#verifyAssertion(input.response, ch.challenge);
    if (officer.id !== session.officer.id) throw withAudit(E.credentialUnknown(), { data: { detail: 'passkey of another officer', passkeyId: passkey.id } });
    const at = this.#now().toISOString();
    await this.#d.audit.change(async (tx, audit) => {
      await this.#advanceCounter(tx, passkey, newCounter);
      await tx.updateTable('auth_session').set({ step_up_at: at, last_seen_at: at }).where('id_hash', '=', session.idHash).execute();
      audit.record({ actor: officerActor(officer.id), action: 'auth.step_up', subject: officerActor(officer.id), data: { passkeyId: passkey.id, validUntil: this.stepUpValidUntil(at) } });
    });
    return { stepUpAt: at };
  }

  stepUpValidUntil(stepUpAt: string | null): string | null {
    return stepUpAt ? new Date(new Date(stepUpAt).getTime() + this.settings.stepUpMinutes * 60_000).toISOString() : null;
  }

  /** True when the session's last passkey assertion is within the step-up window. */
  hasFreshStepUp(session: SessionContext): boolean {
    const until = this.stepUpValidUntil(session.stepUpAt);
    return until !== null && until > this.#now().toISOString();
  }

  csrfToken(session: SessionContext): string {
    return csrfTokenFor(session.id);
  }

  /** Looks a session cookie up; enforces the idle and absolute timeouts and refreshes last-seen (throttled). */
  async lookupSession(sessionId: string): Promise<SessionLookup> {
    if (sessionId.length < 20 || sessionId.length > 100) return null;
    const idHash = sha256b64url(sessionId);
    const row = await this.#db
      .selectFrom('auth_session')
      .innerJoin('officer', 'officer.id', 'auth_session.officer_id')
      .selectAll('officer')
      .select(['auth_session.passkey_id', 'auth_session.created_at as s_created', 'auth_session.last_seen_at', 'auth_session.expires_at', 'auth_session.step_up_at'])
      .where('auth_session.id_hash', '=', idHash)
      .executeTakeFirst();
    if (!row || row.status !== 'active') return null;
    const now = this.#now();
    const nowIso = now.toISOString();
    if (row.expires_at <= nowIso) return { expired: 'absolute' };
    const idleMs = this.settings.idleTimeoutMinutes * 60_000;
    if (new Date(row.last_seen_at).getTime() + idleMs <= now.getTime()) return { expired: 'idle' };
    let lastSeen = row.last_seen_at;
    if (now.getTime() - new Date(lastSeen).getTime() >= TOUCH_INTERVAL_MS) {
      // Bookkeeping only (not an audited change): keeps the idle timer honest across requests.
      await this.#d.database.write((tx) => tx.updateTable('auth_session').set({ last_seen_at: nowIso }).where('id_hash', '=', idHash).execute());
      lastSeen = nowIso;
    }
    const idleEnd = new Date(new Date(lastSeen).getTime() + idleMs).toISOString();
    return {
      session: {
        id: sessionId,
        idHash,
        officer: toOfficer(row),
        passkeyId: row.passkey_id,
        createdAt: row.s_created,
        expiresAt: row.expires_at,
        lastSeenAt: lastSeen,
        idleExpiresAt: idleEnd < row.expires_at ? idleEnd : row.expires_at,
        stepUpAt: row.step_up_at,
      },
    };
  }

  async signOut(session: SessionContext): Promise<void> {
    await this.#d.audit.change(async (tx, audit) => {
      await tx.deleteFrom('auth_session').where('id_hash', '=', session.idHash).execute();
      audit.record({ actor: officerActor(session.officer.id), action: 'auth.signed_out', subject: officerActor(session.officer.id), data: { sessionFingerprint: fingerprint('session', session.id) } });
    });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // An officer's own passkeys

  async listPasskeys(officerId: string): Promise<PasskeyView[]> {
    return (await passkeysOf(this.#db, officerId)).map(toPasskey);
  }

  async addPasskeyOptions(session: SessionContext): Promise<CeremonyStart<PublicKeyCredentialCreationOptionsJSON>> {
    const o = await this.#db.selectFrom('officer').select(['user_handle', 'username', 'display_name']).where('id', '=', session.officer.id).executeTakeFirstOrThrow();
    const keys = await passkeysOf(this.#db, session.officer.id);
    if (keys.length >= 10) throw new AuthError('too_many_passkeys', 'An officer can hold at most 10 passkeys; remove one first.', 409);
    const options = await this.rp.registrationOptions(
      { handle: o.user_handle, username: o.username, displayName: o.display_name },
      keys.map((k) => ({ id: k.credential_id, transports: parseTransports(k.transports) })),
    );
    const ceremonyId = await this.#saveChallenge('add-passkey', options.challenge, { officerId: session.officer.id, sessionHash: session.idHash });
    return { ceremonyId, options };
  }

  async addPasskeyVerify(session: SessionContext, input: { ceremonyId: string; response: RegistrationResponseJSON; name: string }): Promise<PasskeyView> {
    const ch = await this.#consumeChallenge(input.ceremonyId, 'add-passkey', session);
    const name = cleanName(input.name, 'passkey name', 60);
    const reg = await this.#verifyRegistration(input.response, ch.challenge);
    return this.#d.audit.change(async (tx, audit) => {
      const id = await this.#insertPasskey(tx, audit, session.officer.id, reg, name);
      const row = await tx.selectFrom('officer_passkey').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      return toPasskey(row);
    });
  }

  async renamePasskey(session: SessionContext, passkeyId: string, name: string): Promise<PasskeyView> {
    const clean = cleanName(name, 'passkey name', 60);
    return this.#d.audit.change(async (tx, audit) => {
      const row = await tx.selectFrom('officer_passkey').selectAll().where('id', '=', passkeyId).where('officer_id', '=', session.officer.id).executeTakeFirst();
      if (!row) throw new NotFoundError('you have no passkey with that id');
      await tx.updateTable('officer_passkey').set({ name: clean }).where('id', '=', passkeyId).execute();
      audit.record({ actor: officerActor(session.officer.id), action: 'officer.passkey_renamed', subject: officerActor(session.officer.id), data: { passkeyId, from: row.name, to: clean } });
      return toPasskey({ ...row, name: clean });
    });
  }

  /** Removes one of the officer's passkeys (never the last) and ends the other sessions it signed in. */
  async removePasskey(session: SessionContext, passkeyId: string): Promise<{ sessionsEnded: number }> {
    return this.#d.audit.change(async (tx, audit) => {
      const keys = await passkeysOf(tx, session.officer.id);
      const key = keys.find((k) => k.id === passkeyId);
      if (!key) throw new NotFoundError('you have no passkey with that id');
      if (keys.length <= 1) throw E.lastPasskey();
      const ended = await tx.deleteFrom('auth_session').where('passkey_id', '=', passkeyId).where('id_hash', '!=', session.idHash).executeTakeFirst();
      await tx.deleteFrom('officer_passkey').where('id', '=', passkeyId).execute();
      const sessionsEnded = Number(ended.numDeletedRows);
      audit.record({ actor: officerActor(session.officer.id), action: 'officer.passkey_removed', subject: officerActor(session.officer.id), data: { passkeyId, name: key.name, aaguid: key.aaguid, sessionsEnded } });
      return { sessionsEnded };
    });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Officer administration (admins)

  listOfficers(): Promise<OfficerSummary[]> {
    return listOfficers(this.#db);
  }

  async updateOfficer(actor: OfficerView, id: string, change: { role?: Role; status?: 'active' | 'disabled' }): Promise<OfficerView> {
    if (change.role === undefined && change.status === undefined) throw new InvalidInputError('say what to change: role and/or status');
    if (actor.id === id) throw E.selfChange();
    return this.#d.audit.change(async (tx, audit) => {
      const target = await getOfficer(tx, id);
      if (!target) throw new NotFoundError('no such officer');
      const role = change.role ?? target.role;
      const status = change.status ?? target.status;
      if (role === target.role && status === target.status) return target;
      const losesAdmin = target.role === 'admin' && target.status === 'active' && (role !== 'admin' || status !== 'active');
      if (losesAdmin && (await countActiveAdmins(tx)) <= 1) throw E.lastAdmin();
      const now = this.#now().toISOString();
      await tx.updateTable('officer').set({ role, status, updated_at: now }).where('id', '=', id).execute();
      if (role !== target.role) {
        audit.record({ actor: officerActor(actor.id), action: 'officer.role_changed', subject: officerActor(id), data: { from: target.role, to: role } });
      }
      if (status !== target.status) {
        let sessionsEnded = 0;
        if (status === 'disabled') sessionsEnded = Number((await tx.deleteFrom('auth_session').where('officer_id', '=', id).executeTakeFirst()).numDeletedRows);
        audit.record({ actor: officerActor(actor.id), action: status === 'disabled' ? 'officer.disabled' : 'officer.enabled', subject: officerActor(id), data: { sessionsEnded } });
      }
      return { ...target, role, status };
    });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Internals

  async #saveChallenge(purpose: CeremonyPurpose, challenge: string, o: { officerId?: string; sessionHash?: string; payload?: Record<string, unknown> }): Promise<string> {
    const id = newToken();
    const now = this.#now().toISOString();
    await this.#d.database.write(async (tx) => {
      // Housekeeping: expired ceremonies are of no use to anyone.
      await tx.deleteFrom('auth_challenge').where('expires_at', '<=', now).execute();
      await tx
        .insertInto('auth_challenge')
        .values({ id, purpose, challenge, officer_id: o.officerId ?? null, session_hash: o.sessionHash ?? null, payload: JSON.stringify(o.payload ?? {}), created_at: now, expires_at: this.#plus(this.settings.challengeSeconds * 1000) })
        .execute();
    });
    return id;
  }

  /** Takes a challenge out of the store (single use: gone after this, whatever happens next) and checks it. */
  async #consumeChallenge(id: string, purpose: CeremonyPurpose, session?: SessionContext): Promise<{ challenge: string; payload: Record<string, unknown> }> {
    const row = await this.#d.database.write(async (tx) => {
      const r = await tx.selectFrom('auth_challenge').selectAll().where('id', '=', id).executeTakeFirst();
      if (r) await tx.deleteFrom('auth_challenge').where('id', '=', id).execute();
      return r;
    });
    const ctx = { data: { ceremony: purpose } };
    if (!row || row.purpose !== purpose) throw withAudit(E.challengeUnknown(), ctx);
    if (session && row.session_hash !== session.idHash) throw withAudit(E.challengeUnknown(), ctx);
    if (row.expires_at <= this.#now().toISOString()) throw withAudit(E.challengeExpired(), ctx);
    return { challenge: row.challenge, payload: JSON.parse(row.payload) as Record<string, unknown> };
  }

  async #verifyRegistration(response: RegistrationResponseJSON, challenge: string, ctx: AuditContext = {}): Promise<VerifiedRegistration> {
    try {
      const reg = await this.rp.verifyRegistration(response, challenge);
      if (await passkeyByCredentialId(this.#db, reg.credentialId)) throw new AuthError('passkey_exists', 'This passkey is already registered with breakglass.', 409);
      return reg;
    } catch (err) {
      if (err instanceof AuthError && !auditContexts.has(err)) withAudit(err, ctx);
      throw err;
    }
  }

  async #verifyAssertion(response: AuthenticationResponseJSON, challenge: string): Promise<{ passkey: OfficerPasskeyTable; officer: OfficerView; newCounter: number; userVerified: boolean }> {
    const credentialId = typeof response?.id === 'string' ? response.id : '';
    const passkey = credentialId ? await passkeyByCredentialId(this.#db, credentialId) : undefined;
    if (!passkey) throw withAudit(E.credentialUnknown(), { data: { credentialFingerprint: fingerprint('credential', credentialId) } });
    const officer = await getOfficer(this.#db, passkey.officer_id);
    if (!officer) throw withAudit(E.credentialUnknown(), { data: { passkeyId: passkey.id } });
    const ctx: AuditContext = { subject: officerActor(officer.id), data: { passkeyId: passkey.id } };
    const handle = response.response?.userHandle;
    if (handle !== undefined && handle !== null && handle !== '') {
      const o = await this.#db.selectFrom('officer').select('user_handle').where('id', '=', officer.id).executeTakeFirstOrThrow();
      if (handle !== o.user_handle) throw withAudit(E.webauthnInvalid('the passkey answered for another user'), ctx);
    }
    try {
      const { newCounter, userVerified } = await this.rp.verifyAuthentication(response, challenge, {
        id: passkey.credential_id,
        publicKey: passkey.public_key,
        counter: Number(passkey.counter),
        transports: parseTransports(passkey.transports),
      });
      return { passkey, officer, newCounter, userVerified };
    } catch (err) {
      if (err instanceof AuthError) {
        const data = err.code === 'counter_regressed' ? { ...ctx.data, storedCounter: Number(passkey.counter) } : ctx.data;
        withAudit(err, { ...ctx, ...(data ? { data } : {}) });
      }
      throw err;
    }
  }

  async #advanceCounter(tx: Db, passkey: OfficerPasskeyTable, newCounter: number): Promise<void> {
    const r = await tx
      .updateTable('officer_passkey')
      .set({ counter: newCounter, last_used_at: this.#now().toISOString() })
      .where('id', '=', passkey.id)
      .where('counter', '=', Number(passkey.counter))
      .executeTakeFirst();
    // Someone else used this passkey between our read and this write: the counter we checked is stale.
    if (Number(r.numUpdatedRows) !== 1) throw withAudit(E.counterRegressed(), { data: { passkeyId: passkey.id, detail: 'concurrent use' } });
  }

  async #insertOfficer(tx: Db, audit: AuditRecorder, o: { username: string; displayName: string; role: Role; handle: string; createdBy: string; via: Record<string, unknown> }): Promise<OfficerView> {
    const now = this.#now().toISOString();
    const row = { id: newId(), username: o.username, display_name: o.displayName, role: o.role, status: 'active', user_handle: o.handle, created_at: now, created_by: o.createdBy, updated_at: now };
    await tx.insertInto('officer').values(row).execute();
    audit.record({ actor: officerActor(row.id), action: 'officer.created', subject: officerActor(row.id), data: { username: o.username, displayName: o.displayName, role: o.role, createdBy: o.createdBy, ...o.via } });
    return toOfficer(row);
  }

  async #insertPasskey(tx: Db, audit: AuditRecorder, officerId: string, reg: VerifiedRegistration, name: string): Promise<string> {
    const id = newId();
    await tx
      .insertInto('officer_passkey')
      .values({
        id,
        officer_id: officerId,
        credential_id: reg.credentialId,
        name,
        public_key: reg.publicKey,
        counter: reg.counter,
        transports: JSON.stringify(reg.transports),
        aaguid: reg.aaguid,
        fmt: reg.fmt,
        device_type: reg.deviceType,
        backed_up: reg.backedUp ? 1 : 0,
        attestation_object: reg.attestationObject,
        created_at: this.#now().toISOString(),
        last_used_at: null,
      })
      .execute();
    audit.record({
      actor: officerActor(officerId),
      action: 'officer.passkey_added',
      subject: officerActor(officerId),
      data: { passkeyId: id, name, aaguid: reg.aaguid, fmt: reg.fmt, deviceType: reg.deviceType, backedUp: reg.backedUp, credentialFingerprint: fingerprint('credential', reg.credentialId) },
    });
    return id;
  }

  async #insertSession(tx: Db, audit: AuditRecorder, officer: OfficerView, passkeyId: string, data: Record<string, unknown>): Promise<string> {
    const sessionId = newToken();
    const now = this.#now();
    const nowIso = now.toISOString();
    // Housekeeping: sessions past either timeout are dead; remove them with this change.
    const idleCutoff = new Date(now.getTime() - this.settings.idleTimeoutMinutes * 60_000).toISOString();
    await tx.deleteFrom('auth_session').where((eb) => eb.or([eb('expires_at', '<=', nowIso), eb('last_seen_at', '<=', idleCutoff)])).execute();
    const expiresAt = this.#plus(this.settings.absoluteTimeoutHours * 3_600_000);
    await tx.insertInto('auth_session').values({ id_hash: sha256b64url(sessionId), officer_id: officer.id, passkey_id: passkeyId, created_at: nowIso, last_seen_at: nowIso, expires_at: expiresAt, step_up_at: nowIso }).execute();
    audit.record({ actor: officerActor(officer.id), action: 'auth.signed_in', subject: officerActor(officer.id), data: { ...data, passkeyId, role: officer.role, sessionFingerprint: fingerprint('session', sessionId), expiresAt } });
    return sessionId;
  }
}
