// Temporary Access Pass rules as Entra enforces them (graph.md §1): the tenant policy's state, targets and lifetime
// bounds; one pass per user (a new one replaces the old); the pass text exists only in the create response (the state
// keeps an HMAC to check a pass typed at the simulated sign-in page); usability is computed at read time
// (EnabledByPolicy, DisabledByPolicy, NotYetValid, Expired, OneTimeUsed).
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { ODATA_TYPE, type GraphTemporaryAccessPassMethod, type GraphUser, type TapUsabilityReason } from '../graph/graph-types.ts';
import { recordDirectoryAudit } from './directory-audit-writer.ts';
import { badRequest, GraphHttpError, notFound } from './graph-http-error.ts';
import type { StoredTap, TenantState } from './tenant-state.ts';

export interface CreateTapBody {
  startDateTime?: string;
  lifetimeInMinutes?: number;
  isUsableOnce?: boolean;
}

/** Characters Entra uses in generated passes: letters, digits and a few symbols (no look-alikes). */
const TAP_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#$%&*+-=?@';

export function tapHash(state: TenantState, value: string): Buffer {
  return createHmac('sha256', state.tapKey).update(value, 'utf8').digest();
}

function generatePass(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; out.length < length; i++) {
    const b = bytes[i % bytes.length]!;
    // Rejection sampling keeps the distribution uniform over the alphabet.
    if (b < Math.floor(256 / TAP_ALPHABET.length) * TAP_ALPHABET.length) out += TAP_ALPHABET[b % TAP_ALPHABET.length];
    if (i > bytes.length * 4) return generatePass(length);
  }
  return out;
}

export function tapUsability(state: TenantState, userId: string, tap: StoredTap): { isUsable: boolean; methodUsabilityReason: TapUsabilityReason } {
  const policy = state.tapPolicy;
  if (policy.state !== 'enabled' || !state.isTargeted(userId, policy.includeTargets ?? []) || state.isTargeted(userId, (policy.excludeTargets ?? []).filter((t) => t.id !== 'all_users'))) {
    return { isUsable: false, methodUsabilityReason: 'DisabledByPolicy' };
  }
  if (tap.usedDateTime !== undefined && tap.isUsableOnce) return { isUsable: false, methodUsabilityReason: 'OneTimeUsed' };
  const now = state.clock.now().getTime();
  const start = Date.parse(tap.startDateTime);
  if (now < start) return { isUsable: false, methodUsabilityReason: 'NotYetValid' };
  if (now >= start + tap.lifetimeInMinutes * 60_000) return { isUsable: false, methodUsabilityReason: 'Expired' };
  return { isUsable: true, methodUsabilityReason: 'EnabledByPolicy' };
}

/** The Graph view of a stored pass; `temporaryAccessPass` is always null after creation. */
export function tapView(state: TenantState, userId: string, tap: StoredTap): GraphTemporaryAccessPassMethod {
  return {
    '@odata.type': ODATA_TYPE.tap,
    id: tap.id,
    temporaryAccessPass: null,
    createdDateTime: tap.createdDateTime,
    startDateTime: tap.startDateTime,
    lifetimeInMinutes: tap.lifetimeInMinutes,
    isUsableOnce: tap.isUsableOnce,
    ...tapUsability(state, userId, tap),
  };
}

function requireUser(state: TenantState, idOrUpn: string): GraphUser {
  const user = state.findUser(idOrUpn);
  if (!user) throw notFound(idOrUpn);
  return user;
}

/** POST …/temporaryAccessPassMethods. Returns the one response that carries the pass text. */
export function createTap(state: TenantState, idOrUpn: string, body: CreateTapBody, actor: { appId: string; displayName: string }): GraphTemporaryAccessPassMethod & { temporaryAccessPass: string } {
  const user = requireUser(state, idOrUpn);
  const policy = state.tapPolicy;
  if ((user.userType ?? 'Member') === 'Guest') throw badRequest('Temporary Access Pass cannot be added to an external guest user.');
  const targeted = state.isTargeted(user.id, policy.includeTargets ?? []) && !state.isTargeted(user.id, (policy.excludeTargets ?? []).filter((t) => t.id !== 'all_users'));
  if (policy.state !== 'enabled' || !targeted) {
    // Text as seen from the live service (graph.md §1.6); the status code there is not recorded, 400 is our choice.
    throw badRequest('Converged UserCredentialPolicy does not allow creating or updating this authentication method. AuthMethodType [TemporaryAccessPass].');
  }
  const lifetime = body.lifetimeInMinutes ?? policy.defaultLifetimeInMinutes;
  if (!Number.isInteger(lifetime) || lifetime < policy.minimumLifetimeInMinutes || lifetime > policy.maximumLifetimeInMinutes) {
    // graph.md §1.2: the range printed is the tenant policy's.
    throw badRequest(`Invalid LifetimeInMinutes specified. The valid range between ${policy.minimumLifetimeInMinutes} and ${policy.maximumLifetimeInMinutes}.`, 'badRequest');
  }
  const isUsableOnce = body.isUsableOnce ?? policy.isUsableOnce;
  if (policy.isUsableOnce && !isUsableOnce) throw badRequest('The Temporary Access Pass policy requires one-time use passes; isUsableOnce cannot be false.', 'badRequest');
  const now = state.clock.now();
  let start = now;
  if (body.startDateTime !== undefined) {
    const ms = Date.parse(body.startDateTime);
    if (Number.isNaN(ms)) throw badRequest('startDateTime is not a valid DateTimeOffset.', 'badRequest');
    start = new Date(ms);
  }
  const pass = generatePass(Math.min(48, Math.max(8, policy.defaultLength)));
  const tap: StoredTap = {
    kind: 'tap', id: randomUUID(), createdDateTime: now.toISOString(), startDateTime: start.toISOString(),
    lifetimeInMinutes: lifetime, isUsableOnce, secretHash: tapHash(state, pass), usedDateTime: undefined,
  };
  const methods = state.methodsOf(user.id);
  // One TAP per user: creating a new one deletes the old one (graph.md §1.5).
  for (let i = methods.length - 1; i >= 0; i--) if (methods[i]!.kind === 'tap') methods.splice(i, 1);
  methods.push(tap);
  recordDirectoryAudit(state, {
    activityDisplayName: 'Admin registered security info', resultReason: 'Admin registered temporary access pass method for user',
    operationType: 'Add', app: actor, target: user,
  });
  return { ...tapView(state, user.id, tap), temporaryAccessPass: pass };
}

export function listTaps(state: TenantState, idOrUpn: string): GraphTemporaryAccessPassMethod[] {
  const user = requireUser(state, idOrUpn);
  return state.methodsOf(user.id).filter((m): m is StoredTap => m.kind === 'tap').map((t) => tapView(state, user.id, t));
}

export function getTap(state: TenantState, idOrUpn: string, methodId: string): GraphTemporaryAccessPassMethod {
  const user = requireUser(state, idOrUpn);
  const tap = state.methodsOf(user.id).find((m): m is StoredTap => m.kind === 'tap' && m.id.toLowerCase() === methodId.toLowerCase());
  if (!tap) throw notFound(methodId);
  return tapView(state, user.id, tap);
}

export function deleteTap(state: TenantState, idOrUpn: string, methodId: string, actor: { appId: string; displayName: string }): void {
  const user = requireUser(state, idOrUpn);
  const methods = state.methodsOf(user.id);
  const i = methods.findIndex((m) => m.kind === 'tap' && m.id.toLowerCase() === methodId.toLowerCase());
  if (i < 0) throw notFound(methodId);
  methods.splice(i, 1);
  recordDirectoryAudit(state, {
    activityDisplayName: 'Admin deleted security info', resultReason: 'Admin deleted temporary access pass method for user',
    operationType: 'Delete', app: actor, target: user,
  });
}

export type TapRedeemResult =
  | { ok: true; tapId: string }
  | { ok: false; reason: 'no_pass' | 'wrong_pass' | TapUsabilityReason };

/**
 * A person signs in with a pass (the simulated sign-in / security-info pages use this). Checks the value against the
 * stored HMAC in constant time and the pass's usability; a one-time pass is then used up (OneTimeUsed).
 */
export function redeemTap(state: TenantState, idOrUpn: string, value: string): TapRedeemResult {
  const user = state.findUser(idOrUpn);
  if (!user) return { ok: false, reason: 'no_pass' };
  const tap = state.methodsOf(user.id).find((m): m is StoredTap => m.kind === 'tap');
  if (!tap?.secretHash) return { ok: false, reason: 'no_pass' };
  const given = tapHash(state, value);
  if (given.length !== tap.secretHash.length || !timingSafeEqual(given, tap.secretHash)) return { ok: false, reason: 'wrong_pass' };
  const u = tapUsability(state, user.id, tap);
  if (!u.isUsable) return { ok: false, reason: u.methodUsabilityReason };
  if (tap.isUsableOnce) tap.usedDateTime = state.clock.now().toISOString();
  return { ok: true, tapId: tap.id };
}

export function assertTapBody(body: unknown): CreateTapBody {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('The request body must be a JSON object.');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) {
    if (!['startDateTime', 'lifetimeInMinutes', 'isUsableOnce', '@odata.type'].includes(k)) {
      throw new GraphHttpError(400, 'BadRequest', `Invalid property '${k}' for type temporaryAccessPassAuthenticationMethod.`);
    }
  }
  if (b.lifetimeInMinutes !== undefined && (typeof b.lifetimeInMinutes !== 'number' || !Number.isInteger(b.lifetimeInMinutes))) throw badRequest('lifetimeInMinutes must be an Int32.');
  if (b.isUsableOnce !== undefined && typeof b.isUsableOnce !== 'boolean') throw badRequest('isUsableOnce must be a Boolean.');
  if (b.startDateTime !== undefined && typeof b.startDateTime !== 'string') throw badRequest('startDateTime must be a DateTimeOffset string.');
  return b as CreateTapBody;
}
