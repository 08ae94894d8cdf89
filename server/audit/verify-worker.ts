// Worker thread for parallel verification: opens the store read-only on its own connection, then verifies the
// chunks it is sent (verify-chunk.ts) and posts the results back. Started through verify-worker-entry.mjs.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../store/database.ts';
import { GENESIS_CHAIN_HEX } from './audit-record.ts';
import { entryBatches } from './audit-source.ts';
import { verifyChunk } from './verify-chunk.ts';

export interface VerifyWorkerData {
  sqlitePath: string;
  databaseUrl: string | undefined;
}

export interface VerifyJob {
  from: number;
  to: number;
  marks: number[];
}

const data = workerData as VerifyWorkerData;
const database = await openDatabase(data.databaseUrl ? { sqlitePath: data.sqlitePath, databaseUrl: data.databaseUrl } : { sqlitePath: data.sqlitePath, readonly: true });

parentPort!.on('message', (msg: VerifyJob | 'close') => {
  if (msg === 'close') {
    void database.close().then(() => process.exit(0));
    return;
  }
  void (async () => {
    try {
      const before = msg.from === 0 ? undefined : await database.db.selectFrom('audit_entry').select('chain_hash').where('seq', '<', msg.from).orderBy('seq', 'desc').limit(1).executeTakeFirst();
      const entries = [];
      for await (const b of entryBatches(database, { from: msg.from, to: msg.to - 1, batch: msg.to - msg.from })) entries.push(...b);
      parentPort!.postMessage({ ok: true, result: verifyChunk({ entries, from: msg.from, prevChain: before?.chain_hash ?? GENESIS_CHAIN_HEX, marks: msg.marks }) });
    } catch (err) {
      parentPort!.postMessage({ ok: false, error: (err as Error).message });
    }
  })();
});
