// Resolves what `audit verify` and friends work on: the configured store, a SQLite file (--db) or an exported bundle
// (--bundle); and which public key to trust (--key, else the local signing key, else the key recorded in the data
// itself — which is not independent and is said so).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from '../config.ts';
import { readMeta } from '../audit/audit-identity.ts';
import { BundleError, openBundle } from '../audit/audit-bundle.ts';
import { checkpointInputsFromCopyFile, checkpointInputsFromDb, entryBatches, storedCheckpoints } from '../audit/audit-source.ts';
import type { CheckpointInput, ChunkSource, Problem } from '../audit/audit-verifier.ts';
import { databaseChunks, defaultWorkerCount, PARALLEL_THRESHOLD, storedEnd } from '../audit/parallel-verify.ts';
import type { StoredEntry } from '../audit/audit-record.ts';
import { parseVerifierKey, signerFromPrivateKey, SignedNoteError, type NoteVerifier } from '../audit/signed-note.ts';
import { readSigningKey } from '../audit/signing-key.ts';
import type { Database } from '../store/database.ts';
import { openStoreReadOnly } from '../runtime.ts';
import { CliError } from './command.ts';

export interface AuditTarget {
  /** Human description: `SQLite file …`, `bundle …`. */
  label: string;
  origin: string;
  verifier: NoteVerifier;
  /** Where the trusted key came from, for the report. */
  keySource: string;
  /** True when the key was taken from the data being verified (not an independent check). */
  keyFromData: boolean;
  checkpoints: CheckpointInput[];
  entries: AsyncIterable<StoredEntry[]>;
  /** For large stored logs: chunks verified by worker threads (used instead of `entries`). */
  chunks?: ChunkSource | undefined;
  /** Entry count when known up front (for progress). */
  total: number | undefined;
  /** Problems found while reading (damaged bundle lines …), filled as entries are read. */
  readProblems: Problem[];
  database: Database | undefined;
  close(): Promise<void>;
}

export interface TargetOptions {
  db?: string | undefined;
  bundle?: string | undefined;
  key?: string | undefined;
  externalCheckpoints?: string[];
  /** Worker threads for large stored logs (default: the cores available, at most 8; 1 = serial). */
  workers?: number;
}

/** A pinned key: the verifier key text itself, or a file that holds it. */
export function loadPinnedKey(arg: string): NoteVerifier {
  let text = arg;
  if (!/^[^+\s]+\+[0-9a-f]{8}\+/.test(arg)) {
    if (!existsSync(arg)) throw new CliError(`--key ${arg}: not a verifier key (<name>+<key id>+<key>) and no such file`);
    text = readFileSync(arg, 'utf8').trim();
  }
  try {
    return parseVerifierKey(text);
  } catch (err) {
    throw new CliError(`--key: ${(err as Error).message}`);
  }
}

/** External checkpoints: a file with one signed note, or a JSON Lines copy file (`{"note": …}` per line). */
export function loadExternalCheckpoints(paths: string[]): CheckpointInput[] {
  const out: CheckpointInput[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new CliError(`--checkpoint ${p}: no such file`);
    const text = readFileSync(p, 'utf8');
    if (text.trimStart().startsWith('{')) out.push(...checkpointInputsFromCopyFile(p).map((c) => ({ ...c, source: 'external' as const })));
    else out.push({ note: text, source: 'external', label: `checkpoint file ${p}` });
  }
  return out;
}

export async function openAuditTarget(config: Config, opts: TargetOptions): Promise<AuditTarget> {
  if (opts.db && opts.bundle) throw new CliError('give either --db or --bundle, not both');
  const pinned = opts.key ? loadPinnedKey(opts.key) : undefined;
  const external = loadExternalCheckpoints(opts.externalCheckpoints ?? []);

  if (opts.bundle) {
    if (!existsSync(opts.bundle)) throw new CliError(`--bundle ${opts.bundle}: no such file`);
    let b;
    try {
      b = await openBundle(opts.bundle);
    } catch (err) {
      if (err instanceof BundleError) throw new CliError(err.message);
      throw err;
    }
    let verifier = pinned;
    let keyFromData = false;
    if (!verifier) {
      try {
        verifier = parseVerifierKey(b.header.verifierKey);
      } catch (err) {
        throw new CliError(`the bundle's header carries no usable key (${(err as SignedNoteError).message}); pass --key`);
      }
      keyFromData = true;
    }
    return {
      label: `bundle ${opts.bundle}`,
      origin: b.header.origin,
      verifier,
      keySource: pinned ? 'pinned with --key' : "the bundle's own header",
      keyFromData,
      checkpoints: [...b.checkpoints, ...external],
      entries: b.entries,
      total: Number.isSafeInteger(b.header.treeSize) ? b.header.treeSize : undefined,
      readProblems: b.problems,
      database: undefined,
      close: async () => {},
    };
  }

  const database = await openStoreReadOnly(config, opts.db);
  try {
    let origin: string | undefined;
    let recordedKey: string | undefined;
    try {
      origin = await readMeta(database, 'audit.origin');
      recordedKey = await readMeta(database, 'audit.verifier_key');
    } catch {
      origin = undefined;
    }
    if (!origin) throw new CliError(`${database.location} is not a breakglass audit database (no audit origin recorded)`);
    let verifier = pinned;
    let keySource = 'pinned with --key';
    let keyFromData = false;
    if (!verifier) {
      const keyPath = opts.db ? join(dirname(opts.db), 'audit-signing-key.pem') : config.audit.signingKeyPath;
      if (existsSync(keyPath)) {
        try {
          verifier = signerFromPrivateKey(origin, readSigningKey(keyPath));
          keySource = `the signing key ${keyPath}`;
        } catch (err) {
          throw new CliError(`${(err as Error).message}; or pass --key`);
        }
      } else if (recordedKey) {
        verifier = parseVerifierKey(recordedKey);
        keySource = 'the key recorded in the database itself';
        keyFromData = true;
      } else {
        throw new CliError('no public key to verify with: pass --key <verifier key or file>');
      }
    }
    const copyPath = opts.db ? join(dirname(opts.db), 'checkpoints.jsonl') : config.audit.checkpointCopyPath;
    const checkpoints = [...checkpointInputsFromDb(await storedCheckpoints(database)), ...checkpointInputsFromCopyFile(copyPath), ...external];
    const end = await storedEnd(database);
    const workers = opts.workers ?? defaultWorkerCount();
    const chunks =
      workers > 1 && end >= PARALLEL_THRESHOLD
        ? databaseChunks({ sqlitePath: opts.db ?? config.storage.sqlitePath, databaseUrl: opts.db ? undefined : config.storage.databaseUrl }, { end, workers })
        : undefined;
    return {
      chunks,
      label: database.location,
      origin,
      verifier,
      keySource,
      keyFromData,
      checkpoints,
      entries: entryBatches(database),
      total: end,
      readProblems: [],
      database,
      close: () => database.close(),
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}
