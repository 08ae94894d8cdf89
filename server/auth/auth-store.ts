// Reads of the sign-in tables and their mapping to the views the service and routes use. Writes live in the
// service, inside audit.change(), so each one lands with its audit entry. Every function takes the executor to use:
// inside a change that must be the transaction (SQLite has one connection).
import type { Db, OfficerPasskeyTable, OfficerTable } from '../store/schema.ts';
import { isRole, type Role } from './roles.ts';

export type OfficerStatus = 'active' | 'disabled';

export interface OfficerView {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  status: OfficerStatus;
  createdAt: string;
  createdBy: string;
}

export interface PasskeyView {
  id: string;
  name: string;
  aaguid: string;
  fmt: string;
  deviceType: string;
  backedUp: boolean;
  transports: string[];
  createdAt: string;
  lastUsedAt: string | null;
}

export function toOfficer(r: OfficerTable): OfficerView {
  if (!isRole(r.role)) throw new Error(`officer ${r.id} has an unknown role in the database`);
  return { id: r.id, username: r.username, displayName: r.display_name, role: r.role, status: r.status === 'active' ? 'active' : 'disabled', createdAt: r.created_at, createdBy: r.created_by };
}

export function parseTransports(text: string): string[] {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

export function toPasskey(r: OfficerPasskeyTable): PasskeyView {
  return {
    id: r.id,
    name: r.name,
    aaguid: r.aaguid,
    fmt: r.fmt,
    deviceType: r.device_type,
    backedUp: Number(r.backed_up) === 1,
    transports: parseTransports(r.transports),
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
  };
}

export async function countOfficers(db: Db): Promise<number> {
  const row = await db.selectFrom('officer').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function countActiveAdmins(db: Db): Promise<number> {
  const row = await db.selectFrom('officer').select((eb) => eb.fn.countAll<number>().as('n')).where('role', '=', 'admin').where('status', '=', 'active').executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function getOfficer(db: Db, id: string): Promise<OfficerView | undefined> {
  const r = await db.selectFrom('officer').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toOfficer(r) : undefined;
}

export async function usernameTaken(db: Db, username: string): Promise<boolean> {
  return (await db.selectFrom('officer').select('id').where('username', '=', username).executeTakeFirst()) !== undefined;
}

export async function passkeysOf(db: Db, officerId: string): Promise<OfficerPasskeyTable[]> {
  return db.selectFrom('officer_passkey').selectAll().where('officer_id', '=', officerId).orderBy('created_at').orderBy('id').execute();
}

export async function passkeyByCredentialId(db: Db, credentialId: string): Promise<OfficerPasskeyTable | undefined> {
  return db.selectFrom('officer_passkey').selectAll().where('credential_id', '=', credentialId).executeTakeFirst();
}

export interface OfficerSummary extends OfficerView {
  passkeys: number;
  lastSignInAt: string | null;
}

export async function listOfficers(db: Db): Promise<OfficerSummary[]> {
  const officers = await db.selectFrom('officer').selectAll().orderBy('display_name').orderBy('id').execute();
  const keys = await db
    .selectFrom('officer_passkey')
    .select((eb) => ['officer_id', eb.fn.countAll<number>().as('n'), eb.fn.max('last_used_at').as('last')])
    .groupBy('officer_id')
    .execute();
  const byOfficer = new Map(keys.map((k) => [k.officer_id, k]));
  return officers.map((o) => {
    const k = byOfficer.get(o.id);
    return { ...toOfficer(o), passkeys: Number(k?.n ?? 0), lastSignInAt: (k?.last as string | null | undefined) ?? null };
  });
}
