// Inclusion proofs (one entry is in the tree a checkpoint signed) and consistency proofs (an older checkpoint's tree
// is a prefix of a newer one's), computed from the stored leaf hashes and checked against the signed roots before
// they are handed out (RFC 9162 §2.1.3, §2.1.4).
import type { Database } from '../store/database.ts';
import { toAuditEntry, type AuditEntry } from './audit-log.ts';
import { recordLeafHash } from './audit-record.ts';
import { entryBatches, leafHashes, type StoredCheckpoint } from './audit-source.ts';
import { consistencyProof, inclusionProof, verifyConsistency, verifyInclusion } from './merkle.ts';

export interface InclusionProof {
  entry: AuditEntry;
  /** Leaf hash recomputed from the entry's content (hex). */
  leafHash: string;
  treeSize: number;
  rootHash: string;
  proof: string[];
  checkpoint: { id: number; at: string; note: string };
  /** The proof leads from the recomputed leaf to the signed root. */
  verified: boolean;
}

export async function proveInclusion(database: Database, seq: number, checkpoint: StoredCheckpoint): Promise<InclusionProof> {
  if (seq >= checkpoint.treeSize) throw new RangeError(`seq ${seq} is not covered by checkpoint #${checkpoint.id} (tree size ${checkpoint.treeSize}); sign a newer checkpoint first`);
  let stored;
  for await (const b of entryBatches(database, { from: seq, to: seq, batch: 1 })) stored = b[0];
  if (!stored || stored.seq !== seq) throw new RangeError(`no audit entry with seq ${seq}`);
  const leaves = await leafHashes(database, checkpoint.treeSize);
  const leaf = recordLeafHash(stored.record);
  const proof = leaves.length === checkpoint.treeSize ? inclusionProof(leaves, seq, checkpoint.treeSize) : [];
  return {
    entry: toAuditEntry(stored),
    leafHash: leaf.toString('hex'),
    treeSize: checkpoint.treeSize,
    rootHash: checkpoint.rootHash.toString('hex'),
    proof: proof.map((p) => p.toString('hex')),
    checkpoint: { id: checkpoint.id, at: checkpoint.at, note: checkpoint.note },
    verified: leaves.length === checkpoint.treeSize && verifyInclusion(leaf, seq, checkpoint.treeSize, proof, checkpoint.rootHash),
  };
}

export interface ConsistencyProof {
  from: { id: number; treeSize: number; rootHash: string };
  to: { id: number; treeSize: number; rootHash: string };
  proof: string[];
  verified: boolean;
}

export async function proveConsistency(database: Database, older: StoredCheckpoint, newer: StoredCheckpoint): Promise<ConsistencyProof> {
  if (older.treeSize > newer.treeSize) throw new RangeError(`checkpoint #${older.id} (size ${older.treeSize}) is larger than #${newer.id} (size ${newer.treeSize}); give the older one first`);
  const leaves = await leafHashes(database, newer.treeSize);
  const complete = leaves.length === newer.treeSize;
  const proof = complete ? consistencyProof(leaves, older.treeSize, newer.treeSize) : [];
  return {
    from: { id: older.id, treeSize: older.treeSize, rootHash: older.rootHash.toString('hex') },
    to: { id: newer.id, treeSize: newer.treeSize, rootHash: newer.rootHash.toString('hex') },
    proof: proof.map((p) => p.toString('hex')),
    verified: complete && verifyConsistency(older.treeSize, newer.treeSize, older.rootHash, newer.rootHash, proof),
  };
}
