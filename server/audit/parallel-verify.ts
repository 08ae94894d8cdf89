// Parallel verification of a stored log: the entries are cut into chunks of CHUNK_SIZE (a power of two, so each is
// a perfect Merkle subtree), verified by worker threads on their own read-only connections, and merged in order by
// verifyAuditLog() exactly as the serial path merges them. Used for large logs when more than one core is available.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Database } from '../store/database.ts';
import { CHUNK_SIZE, type ChunkSource } from './audit-verifier.ts';
import type { ChunkResult } from './verify-chunk.ts';
import type { VerifyJob, VerifyWorkerData } from './verify-worker.ts';

/** Below this many entries the serial path is as fast (workers cost tens of milliseconds to start). */
export const PARALLEL_THRESHOLD = 4 * CHUNK_SIZE;

export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

export interface DatabaseChunkOptions {
  /** One past the highest seq stored. */
  end: number;
  workers: number;
  chunkSize?: number;
}

export function databaseChunks(location: VerifyWorkerData, opts: DatabaseChunkOptions): ChunkSource {
  const size = opts.chunkSize ?? CHUNK_SIZE;
  if (size < 1 || (size & (size - 1)) !== 0) throw new RangeError('the chunk size must be a power of two');
  return {
    async *run(marks) {
      const jobs: VerifyJob[] = [];
      for (let from = 0; from < opts.end; from += size) {
        const to = Math.min(from + size, opts.end);
        jobs.push({ from, to, marks: marks.filter((m) => m > from && m <= to) });
      }
      const workers = Array.from({ length: Math.min(opts.workers, Math.max(jobs.length, 1)) }, () => new Worker(new URL('./verify-worker-entry.mjs', import.meta.url), { workerData: location }));
      const results = new Map<number, ChunkResult>();
      const waiting = new Map<number, { resolve: (r: ChunkResult) => void; reject: (e: Error) => void }>();
      let next = 0;
      let failure: Error | undefined;
      const dispatch = (w: Worker): void => {
        if (next >= jobs.length) return;
        const i = next++;
        const onMessage = (m: { ok: true; result: ChunkResult } | { ok: false; error: string }): void => {
          w.off('error', onError);
          if (m.ok) {
            results.set(i, m.result);
            waiting.get(i)?.resolve(m.result);
            dispatch(w);
          } else fail(new Error(`verification worker: ${m.error}`));
        };
        const onError = (e: Error): void => fail(e);
        w.once('message', onMessage);
        w.once('error', onError);
        w.postMessage(jobs[i]);
      };
      const fail = (e: Error): void => {
        failure ??= e;
        for (const { reject } of waiting.values()) reject(e);
      };
      try {
        for (const w of workers) dispatch(w);
        for (let i = 0; i < jobs.length; i++) {
          if (failure) throw failure;
          const ready = results.get(i) ?? (await new Promise<ChunkResult>((resolve, reject) => waiting.set(i, { resolve, reject })));
          waiting.delete(i);
          results.delete(i);
          yield ready;
        }
      } finally {
        await Promise.all(workers.map((w) => stopWorker(w)));
      }
    },
  };
}

/** One past the highest stored seq (0 when empty). */
export async function storedEnd(database: Database): Promise<number> {
  const row = await database.db.selectFrom('audit_entry').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst();
  return row?.m === null || row?.m === undefined ? 0 : Number(row.m) + 1;
}

/** Asks a worker to close its connection and exit; terminates it if it does not within two seconds. */
async function stopWorker(w: Worker): Promise<void> {
  const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
  w.postMessage('close');
  const timer = setTimeout(() => void w.terminate(), 2000);
  await exited;
  clearTimeout(timer);
}
