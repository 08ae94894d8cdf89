// Table types for Kysely, shared by SQLite and PostgreSQL. Portable column choices (see docs/architecture.md):
// timestamps are ISO-8601 UTC text, ids are app-generated text, JSON is canonical text, hashes are bytes.
import type { Kysely, Transaction } from 'kysely';

export interface AuditEntryTable {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  /** Canonical JSON (RFC 8785) text; hashed verbatim. */
  data: string;
  leaf_hash: Uint8Array;
  chain_hash: Uint8Array;
}

export interface AuditCheckpointTable {
  id: number;
  tree_size: number;
  root_hash: Uint8Array;
  at: string;
  /** The whole C2SP signed note. */
  note: string;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface Schema {
  audit_entry: AuditEntryTable;
  audit_checkpoint: AuditCheckpointTable;
  meta: MetaTable;
}

export type Db = Kysely<Schema>;
export type Tx = Kysely<Schema> | Transaction<Schema>;
