// Worker thread for parallel verification: opens the store read-only on its own connection, then verifies the
// chunks it is sent (verify-chunk.ts) and posts the results back. Started through verify-worker-entry.mjs.
// SQLite is read with better-sqlite3 directly (a lean start: the worker does not load Kysely or the migrations);
// PostgreSQL goes through the store like everything else.
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { GENESIS_CHAIN_HEX } from './audit-record.ts';
import { ChunkVerifier } from './verify-chunk.ts';

export interface VerifyWorkerData {
  sqlitePath: string;
  databaseUrl: string | undefined;
}

export interface VerifyJob {
  from: number;
  to: number;
  marks: number[];
}

interface ChunkReader {
  /** Chain hash of the last entry before `from`. */
  prevChain(from: number): Promise<string>;
  /** Feeds the entries with from <= seq < to to the verifier, in seq order. */
  feed(v: ChunkVerifier, from: number, to: number): Promise<void>;
  close(): Promise<void>;
}

const READ_BATCH = 8192;

async function openReader(data: VerifyWorkerData): Promise<ChunkReader> {
  if (!data.databaseUrl) {
    const db = new BetterSqlite3(data.sqlitePath, { readonly: true, fileMustExist: true });
    const before = db.prepare('SELECT chain_hash FROM audit_entry WHERE seq < ? ORDER BY seq DESC LIMIT 1').pluck();
    const rows = db.prepare('SELECT seq, record, chain_hash FROM audit_entry WHERE seq >= ? AND seq < ? ORDER BY seq LIMIT ?').raw(true);
    return {
      async prevChain(from) {
        return from === 0 ? GENESIS_CHAIN_HEX : ((before.get(from) as string | undefined) ?? GENESIS_CHAIN_HEX);
      },
      async feed(v, from, to) {
        // Raw rows straight into the verifier: no entry object per row (less garbage on the hot path).
        let next = from;
        for (;;) {
          const list = rows.all(next, to, READ_BATCH) as [number, string, string][];
          for (let i = 0; i < list.length; i++) {
            const r = list[i]!;
            v.addRow(r[0], r[1], r[2]);
          }
          if (list.length < READ_BATCH) return;
          next = list[list.length - 1]![0] + 1;
        }
      },
      async close() {
        db.close();
      },
    };
  }
  const { openDatabase } = await import('../store/database.ts');
  const { entryBatches } = await import('./audit-source.ts');
  const database = await openDatabase({ sqlitePath: data.sqlitePath, databaseUrl: data.databaseUrl });
  return {
    async prevChain(from) {
      const prev = from === 0 ? undefined : await database.db.selectFrom('audit_entry').select('chain_hash').where('seq', '<', from).orderBy('seq', 'desc').limit(1).executeTakeFirst();
      return prev?.chain_hash ?? GENESIS_CHAIN_HEX;
    },
    async feed(v, from, to) {
      for await (const batch of entryBatches(database, { from, to: to - 1, batch: READ_BATCH })) for (const e of batch) v.add(e);
    },
    close: () => database.close(),
  };
}

const reader = await openReader(workerData as VerifyWorkerData);

parentPort!.on('message', (msg: VerifyJob | 'close') => {
  if (msg === 'close') {
    void reader.close().then(() => process.exit(0));
    return;
  }
  void (async () => {
    try {
      const v = new ChunkVerifier(msg.from, await reader.prevChain(msg.from), msg.marks);
      await reader.feed(v, msg.from, msg.to);
      parentPort!.postMessage({ ok: true, result: v.result() });
    } catch (err) {
      parentPort!.postMessage({ ok: false, error: (err as Error).message });
    }
  })();
});
