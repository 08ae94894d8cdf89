// Writes signed checkpoints of the audit tree: on a schedule (also when idle, so a stop of checkpoints is itself
// visible) and on demand. Before signing it re-checks every entry it has not checked yet (leaf, chain, and the root at
// the previous checkpoint): the log must never sign a tree that disagrees with what it signed before.
import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditLog } from './audit-log.ts';
import { GENESIS_CHAIN_HEX, nextChainHex, recordLeafLatin1, recordSeq } from './audit-record.ts';
import { entryBatches, type StoredCheckpoint } from './audit-source.ts';
import { signCheckpoint } from './checkpoint.ts';
import { CompactRange } from './merkle.ts';
import type { NoteSigner } from './signed-note.ts';
import { BreakglassError } from '../errors.ts';
import type { Db } from '../store/schema.ts';
import type { Database } from '../store/database.ts';

export class AuditIntegrityError extends BreakglassError {
  constructor(message: string) {
    super('audit_integrity', message, { status: 500 });
  }
}

interface LatestCheckpoint {
  treeSize: number;
  rootHash: Buffer;
  id: number;
}

async function latestCheckpoint(db: Db): Promise<LatestCheckpoint | undefined> {
  const row = await db.selectFrom('audit_checkpoint').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row ? { treeSize: Number(row.tree_size), rootHash: Buffer.from(row.root_hash, 'hex'), id: Number(row.id) } : undefined;
}

export interface CheckpointerLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export class Checkpointer {
  readonly #log: AuditLog;
  readonly #signer: NoteSigner;
  readonly #copyPath: string | undefined;
  readonly #logger: CheckpointerLogger | undefined;
  #range = new CompactRange();
  #chain = GENESIS_CHAIN_HEX;
  #timer: NodeJS.Timeout | undefined;
  #lastSignedAt: string | undefined;
  #lastError: string | undefined;
  #running: Promise<unknown> = Promise.resolve();

  constructor(log: AuditLog, signer: NoteSigner, opts: { copyPath?: string; logger?: CheckpointerLogger } = {}) {
    this.#log = log;
    this.#signer = signer;
    this.#copyPath = opts.copyPath;
    this.#logger = opts.logger;
  }

  /** Signs a checkpoint of the current tree and stores it (database row + copy file). */
  checkpoint(): Promise<StoredCheckpoint> {
    const run = this.#running.then(() => this.#checkpoint());
    this.#running = run.catch(() => undefined);
    return run;
  }

  /** When the last checkpoint was signed, and the error of the last attempt if it failed (for /ready). */
  health(): { lastSignedAt: string | undefined; lastError: string | undefined } {
    return { lastSignedAt: this.#lastSignedAt, lastError: this.#lastError };
  }

  async #checkpoint(): Promise<StoredCheckpoint> {
    try {
      const cp = await this.#sign();
      this.#lastSignedAt = cp.at;
      this.#lastError = undefined;
      return cp;
    } catch (err) {
      this.#lastError = (err as Error).message;
      throw err;
    }
  }

  async #sign(): Promise<StoredCheckpoint> {
    const database = this.#log.database;
    // First re-check what is already committed, outside the write lock and on a connection of its own: at the first
    // checkpoint of a process that is the whole log, and writers (and, on SQLite, every reader of the main
    // connection) must not wait for it. Inside the lock only what was appended meanwhile is left to check.
    const reader = await database.openReader();
    try {
      await this.#catchUp(reader, reader.db, await latestCheckpoint(reader.db));
    } finally {
      await reader.close();
    }
    const stored = await database.write(async (tx) => {
      const latest = await latestCheckpoint(tx);
      await this.#catchUp(database, tx, latest);
      const at = this.#log.clock.now().toISOString();
      const rootHash = this.#range.root();
      const treeSize = this.#range.size;
      const note = signCheckpoint({ origin: this.#signer.name, treeSize, rootHash, timestamp: at }, this.#signer);
      const id = latest ? Number(latest.id) + 1 : 1;
      await tx.insertInto('audit_checkpoint').values({ id, tree_size: treeSize, root_hash: rootHash.toString('hex'), at, note }).execute();
      return { id, treeSize, rootHash, at, note };
    });
    if (this.#copyPath) this.#appendCopy(stored);
    return stored;
  }

  /** Extends the verified tree with the entries in `source` after it; `executor` is the transaction when inside one. */
  async #catchUp(source: Database, executor: Db, latest: LatestCheckpoint | undefined): Promise<void> {
    let headSeq = -1;
    const head = await executor.selectFrom('audit_entry').select('seq').orderBy('seq', 'desc').limit(1).executeTakeFirst();
    if (head) headSeq = Number(head.seq);
    if (headSeq + 1 < this.#range.size) {
      throw new AuditIntegrityError(`the audit log shrank from ${this.#range.size} to ${headSeq + 1} entries; refusing to sign a checkpoint (run \`breakglass audit verify\`)`);
    }
    if (latest && latest.treeSize > headSeq + 1) {
      throw new AuditIntegrityError(`checkpoint #${latest.id} covers ${latest.treeSize} entries but the log has ${headSeq + 1}; refusing to sign (run \`breakglass audit verify\`)`);
    }
    const checkLatest = (): void => {
      if (latest && this.#range.size === latest.treeSize && !this.#range.root().equals(latest.rootHash)) {
        throw new AuditIntegrityError(`the entries no longer match checkpoint #${latest.id}; refusing to sign (run \`breakglass audit verify\`)`);
      }
    };
    if (this.#range.size === 0) checkLatest();
    for await (const batch of entryBatches(source, { from: this.#range.size }, executor)) {
      for (const e of batch) {
        if (e.seq !== this.#range.size || recordSeq(e.record) !== e.seq) {
          throw new AuditIntegrityError(`audit seq ${this.#range.size} is missing or moved; refusing to sign (run \`breakglass audit verify\`)`);
        }
        const leaf = recordLeafLatin1(e.record);
        const chain = nextChainHex(this.#chain, leaf);
        if (chain !== e.chainHash) {
          throw new AuditIntegrityError(`audit entry ${e.seq} does not match its chain hash; refusing to sign (run \`breakglass audit verify\`)`);
        }
        this.#range.appendLatin1(leaf);
        this.#chain = chain;
        checkLatest();
      }
    }
  }

  #appendCopy(cp: StoredCheckpoint): void {
    try {
      mkdirSync(dirname(this.#copyPath!), { recursive: true, mode: 0o700 });
      const line = `${JSON.stringify({ id: cp.id, treeSize: cp.treeSize, at: cp.at, note: cp.note })}\n`;
      const fd = openSync(this.#copyPath!, 'a', 0o600);
      try {
        appendFileSync(fd, line);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      // The database row is the primary record; a failed copy is loud but does not undo the checkpoint.
      this.#logger?.error({ err, path: this.#copyPath }, 'could not append the checkpoint copy');
    }
  }

  /** Checkpoints now and then every `intervalMs`, until stop(). */
  start(intervalMs: number): void {
    const tick = (): void => {
      this.checkpoint().then(
        (cp) => this.#logger?.info({ checkpoint: cp.id, treeSize: cp.treeSize }, 'audit checkpoint signed'),
        (err: unknown) => this.#logger?.error({ err }, 'audit checkpoint failed'),
      );
    };
    tick();
    this.#timer = setInterval(tick, intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
