// The key inventory of the emergency accounts: every FIDO2 key (AAGUID and model, serial where the key exposes one,
// Entra's fido2 method id, the credential id when breakglass made the credential, display name, registration time),
// where it is kept (safe or location, seal number) and its status over its life. Keys enter the inventory from an
// enrollment (server/enrollment) or by adopting a key Entra already has; every change is audited in the same
// transaction as the write.
import { randomUUID } from 'node:crypto';
import type { AuditLog, AuditRecorder } from '../audit/audit-log.ts';
import { cleanText } from '../domain/clean-text.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.ts';
import type { Directory } from '../graph/directory.ts';
import { GraphNotFoundError } from '../graph/graph-errors.ts';
import type { AccountKeyTable, Db } from '../store/schema.ts';
import { requireAccount } from './emergency-accounts.ts';

export const KEY_STATUSES = ['active', 'lost', 'replaced', 'revoked', 'retired'] as const;
export type KeyStatus = (typeof KEY_STATUSES)[number];

export interface AccountKey {
  id: string;
  accountId: string;
  status: KeyStatus;
  aaguid: string;
  model: string;
  serial: string | null;
  graphMethodId: string | null;
  credentialId: string | null;
  displayName: string;
  registeredAt: string | null;
  attestationLevel: string | null;
  passkeyType: string | null;
  enrolledVia: 'guided' | 'direct' | 'adopted';
  enrollmentId: string | null;
  location: string;
  sealNumber: string;
  addedAt: string;
  addedBy: string;
  statusChangedAt: string | null;
  statusChangedBy: string | null;
  statusReason: string;
}

export function toKey(r: AccountKeyTable): AccountKey {
  return {
    id: r.id,
    accountId: r.account_id,
    status: r.status as KeyStatus,
    aaguid: r.aaguid,
    model: r.model,
    serial: r.serial,
    graphMethodId: r.graph_method_id,
    credentialId: r.credential_id,
    displayName: r.display_name,
    registeredAt: r.registered_at,
    attestationLevel: r.attestation_level,
    passkeyType: r.passkey_type,
    enrolledVia: r.enrolled_via as AccountKey['enrolledVia'],
    enrollmentId: r.enrollment_id,
    location: r.location,
    sealNumber: r.seal_number,
    addedAt: r.added_at,
    addedBy: r.added_by,
    statusChangedAt: r.status_changed_at,
    statusChangedBy: r.status_changed_by,
    statusReason: r.status_reason,
  };
}

export async function listKeys(db: Db, opts: { accountId?: string; status?: KeyStatus | KeyStatus[] } = {}): Promise<AccountKey[]> {
  let q = db.selectFrom('account_key').selectAll().orderBy('added_at').orderBy('id');
  if (opts.accountId) q = q.where('account_id', '=', opts.accountId);
  if (opts.status) q = q.where('status', 'in', [opts.status].flat());
  return (await q.execute()).map(toKey);
}

export async function findKey(db: Db, id: string): Promise<AccountKey | undefined> {
  const r = await db.selectFrom('account_key').selectAll().where((eb) => eb.or([eb('id', '=', id), eb('graph_method_id', '=', id)])).orderBy('added_at', 'desc').executeTakeFirst();
  return r ? toKey(r) : undefined;
}

export async function requireKey(db: Db, id: string): Promise<AccountKey> {
  const k = await findKey(db, id);
  if (!k) throw new NotFoundError(`no key "${id}" in the inventory (see \`breakglass key inventory\`)`);
  return k;
}

export interface NewKey {
  accountId: string;
  aaguid: string;
  model: string;
  serial: string | null;
  graphMethodId: string | null;
  credentialId: string | null;
  displayName: string;
  registeredAt: string | null;
  attestationLevel: string | null;
  passkeyType: string | null;
  enrolledVia: AccountKey['enrolledVia'];
  enrollmentId: string | null;
  location: string;
  sealNumber: string;
  actor: string;
  at: string;
}

/** Inserts an active key inside a caller's change() (the caller records the audit event). */
export async function insertKey(tx: Db, k: NewKey): Promise<AccountKey> {
  if (k.graphMethodId) {
    const dup = await tx.selectFrom('account_key').select(['id', 'status']).where('graph_method_id', '=', k.graphMethodId).where('status', '=', 'active').executeTakeFirst();
    if (dup) throw new ConflictError('key_in_inventory', `Entra method ${k.graphMethodId} is already in the inventory as key ${dup.id}`, { keyId: dup.id });
  }
  const row: AccountKeyTable = {
    id: randomUUID(),
    account_id: k.accountId,
    status: 'active',
    aaguid: k.aaguid.toLowerCase(),
    model: k.model,
    serial: k.serial,
    graph_method_id: k.graphMethodId,
    credential_id: k.credentialId,
    display_name: k.displayName,
    registered_at: k.registeredAt,
    attestation_level: k.attestationLevel,
    passkey_type: k.passkeyType,
    enrolled_via: k.enrolledVia,
    enrollment_id: k.enrollmentId,
    location: k.location,
    seal_number: k.sealNumber,
    added_at: k.at,
    added_by: k.actor,
    status_changed_at: null,
    status_changed_by: null,
    status_reason: '',
  };
  await tx.insertInto('account_key').values(row).execute();
  return toKey(row);
}

/** Changes a key's status inside a caller's change(). */
export async function setKeyStatus(tx: Db, keyId: string, status: KeyStatus, by: { actor: string; at: string; reason: string }): Promise<void> {
  await tx.updateTable('account_key').set({ status, status_changed_at: by.at, status_changed_by: by.actor, status_reason: by.reason }).where('id', '=', keyId).execute();
}

/** The non-secret facts of a key for audit records and evidence. */
export function keyEvidence(k: Pick<AccountKey, 'id' | 'aaguid' | 'model' | 'serial' | 'graphMethodId' | 'credentialId' | 'displayName' | 'location' | 'sealNumber'>): Record<string, unknown> {
  return {
    keyId: k.id,
    aaguid: k.aaguid,
    model: k.model,
    serial: k.serial,
    graphMethodId: k.graphMethodId,
    credentialId: k.credentialId,
    displayName: k.displayName,
    location: k.location,
    sealNumber: k.sealNumber,
  };
}

export interface InventoryDeps {
  audit: AuditLog;
  directory: Directory;
}

const TEXT_MAX = 200;
const REASON_MAX = 500;
const textField = (what: string) => ({ field: what, max: TEXT_MAX });

/**
 * Adopts a key Entra already has for the account (registered before breakglass, or found by reconcile) into the
 * inventory, with where it is kept. Reads the method from Graph first: only a method that exists can be adopted.
 */
export async function adoptKey(
  deps: InventoryDeps,
  input: { account: string; methodId: string; location?: string; sealNumber?: string; serial?: string; actor: string },
): Promise<AccountKey> {
  const location = cleanText(input.location, textField('the location'));
  const sealNumber = cleanText(input.sealNumber, textField('the seal number'));
  const serial = cleanText(input.serial, textField('the serial number')) || null;
  const account = await requireAccount(deps.audit.database.db, input.account);
  if (account.status !== 'active') throw new ConflictError('account_retired', `${account.upn} is retired`);
  let method;
  try {
    method = await deps.directory.getFido2Method(account.userId, input.methodId);
  } catch (err) {
    if (err instanceof GraphNotFoundError) throw new NotFoundError(`Entra has no FIDO2 method ${input.methodId} for ${account.upn}`);
    throw err;
  }
  return deps.audit.change(async (tx, audit) => {
    const at = deps.audit.clock.now().toISOString();
    const key = await insertKey(tx, {
      accountId: account.id,
      aaguid: (method.aaGuid ?? '00000000-0000-0000-0000-000000000000').toLowerCase(),
      model: method.model ?? 'unknown model',
      serial,
      graphMethodId: method.id,
      credentialId: null,
      displayName: method.displayName ?? method.id,
      registeredAt: method.createdDateTime ?? null,
      attestationLevel: method.attestationLevel ?? null,
      passkeyType: method.passkeyType ?? null,
      enrolledVia: 'adopted',
      enrollmentId: null,
      location,
      sealNumber,
      actor: input.actor,
      at,
    });
    audit.record({ actor: input.actor, action: 'key.adopted', subject: `account:${account.id}`, data: { ...keyEvidence(key), attestationLevel: key.attestationLevel, passkeyType: key.passkeyType } });
    return key;
  });
}

/** Records where a key is kept now (moved to another safe, re-sealed after a drill, …). */
export async function updateCustody(
  deps: Pick<InventoryDeps, 'audit'>,
  input: { key: string; location?: string; sealNumber?: string; reason: string; actor: string },
): Promise<AccountKey> {
  if (input.location === undefined && input.sealNumber === undefined) throw new InvalidInputError('say what changed: a new location, a new seal number, or both');
  const reason = cleanText(input.reason, { field: 'the reason', max: REASON_MAX });
  if (!reason) throw new InvalidInputError('say why the custody changed (e.g. "re-sealed after the drill on 2026-11-02")');
  const location = input.location === undefined ? undefined : cleanText(input.location, textField('the location'));
  const sealNumber = input.sealNumber === undefined ? undefined : cleanText(input.sealNumber, textField('the seal number'));
  return deps.audit.change(async (tx, audit) => {
    const k = await requireKey(tx, input.key);
    if (k.status !== 'active') throw new ConflictError('key_not_active', `key ${k.displayName} is ${k.status}; only active keys have custody`);
    const next = { location: location ?? k.location, seal_number: sealNumber ?? k.sealNumber };
    await tx.updateTable('account_key').set(next).where('id', '=', k.id).execute();
    audit.record({
      actor: input.actor,
      action: 'key.custody_changed',
      subject: `account:${k.accountId}`,
      data: { keyId: k.id, from: { location: k.location, sealNumber: k.sealNumber }, to: { location: next.location, sealNumber: next.seal_number }, reason },
    });
    return { ...k, location: next.location, sealNumber: next.seal_number };
  });
}

/** Marks a key lost (a fact report; revoking it in Entra is a four-eyes replacement, see server/enrollment). */
export async function reportKeyLost(deps: Pick<InventoryDeps, 'audit'>, input: { key: string; reason: string; actor: string }): Promise<AccountKey> {
  const reason = cleanText(input.reason, { field: 'the reason', max: REASON_MAX });
  if (!reason) throw new InvalidInputError('say what happened to the key (--reason)');
  return deps.audit.change(async (tx, audit) => {
    const k = await requireKey(tx, input.key);
    if (k.status !== 'active') throw new ConflictError('key_not_active', `key ${k.displayName} is already ${k.status}`);
    const at = deps.audit.clock.now().toISOString();
    await setKeyStatus(tx, k.id, 'lost', { actor: input.actor, at, reason });
    recordLost(audit, k, input.actor, reason);
    return { ...k, status: 'lost' as const, statusChangedAt: at, statusChangedBy: input.actor, statusReason: reason };
  });
}

export function recordLost(audit: AuditRecorder, k: AccountKey, actor: string, reason: string): void {
  audit.record({ actor, action: 'key.reported_lost', subject: `account:${k.accountId}`, data: { ...keyEvidence(k), reason, stillRegisteredInEntra: k.graphMethodId !== null } });
}
