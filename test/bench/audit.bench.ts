// npm run bench:audit — appends 1,000,000 audit entries and verifies them, and prints ratios against baselines
// measured in the same run (no absolute thresholds: machines differ, ratios travel).
//  (a) verify throughput ÷ a raw chained SHA-256 loop over the same record bytes (leaf = H(0x00‖record),
//      chain = H(prev‖leaf): the minimum any verifier of this chain must hash) — goal ≥ 0.5;
//  (b) durable append throughput ÷ raw better-sqlite3 inserts of the same rows at the same synchronous level
//      (FULL, WAL), single-entry transactions and 1,000-entry transactions — goal ≥ 0.8.
// Also prints verify's peak heap over the first 10% and over the whole log: flat means it streams.
// BENCH_ENTRIES overrides the size (default 1,000,000).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hash } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { loadConfig } from '../../server/config.ts';
import { openRuntime } from '../../server/runtime.ts';
import { verifyAuditLog } from '../../server/audit/audit-verifier.ts';
import { entryBatches, checkpointInputsFromDb, storedCheckpoints } from '../../server/audit/audit-source.ts';
import { recordText, GENESIS_CHAIN_HEX } from '../../server/audit/audit-record.ts';
import { canonicalJson } from '../../server/audit/canonical-json.ts';
import { parseVerifierKey } from '../../server/audit/signed-note.ts';
import { databaseChunks, defaultWorkerCount, storedEnd } from '../../server/audit/parallel-verify.ts';
import { openDatabase } from '../../server/store/database.ts';

const N = Number(process.env.BENCH_ENTRIES ?? 1_000_000);
const SINGLE = Number(process.env.BENCH_SINGLE ?? 2_000);
const BATCH = 1_000;
const dir = mkdtempSync(join(tmpdir(), 'bg-bench-'));
const fmt = (n: number, d = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
// Baselines use the fastest plain form of the primitive (one-shot hash to a binary string), as our code does.
const shaBin = (d: string | Buffer): string => hash('sha256', d, 'binary');

function event(i: number): { actor: string; action: string; subject: string; data: Record<string, unknown> } {
  return { actor: `officer:${i % 7}`, action: 'drill.verified', subject: `account:${i % 50}`, data: { drillId: `d-${i}`, signInId: `5b1f${i.toString(16).padStart(8, '0')}`, result: 'passed', reasons: ['fido2 sign-in inside the window'] } };
}

/** A database with exactly the application's schema (same table, generated columns and indexes), for raw inserts. */
async function rawDb(path: string): Promise<{ db: BetterSqlite3.Database; insert: BetterSqlite3.Statement; close: () => Promise<void> }> {
  const database = await openDatabase({ sqlitePath: path, migrate: true });
  const db = database.sqlite!;
  return { db, insert: db.prepare('INSERT INTO audit_entry (seq, record, chain_hash) VALUES (?, ?, ?)'), close: () => database.close() };
}

/** Raw baseline rows: the same records and chain hashes, computed outside the timed loop. */
function precomputedRows(n: number): [number, string, string][] {
  const at = new Date().toISOString();
  const rows: [number, string, string][] = [];
  const buf = Buffer.allocUnsafe(64);
  let prev = GENESIS_CHAIN_HEX;
  for (let i = 0; i < n; i++) {
    const e = event(i);
    const record = recordText({ seq: i, at, actor: e.actor, action: e.action, subject: e.subject, data: canonicalJson(e.data) });
    buf.write(prev, 0, 32, 'hex');
    buf.write(shaBin(`\u0000${record}`), 32, 32, 'latin1');
    prev = hash('sha256', buf, 'hex');
    rows.push([i, record, prev]);
  }
  return rows;
}

async function main(): Promise<void> {
  console.log(`breakglass audit benchmark: ${fmt(N)} entries, Node ${process.version}, SQLite WAL synchronous=FULL, in ${dir}`);

  // (b1) single-entry durable appends, raw and ours interleaved in rounds so disk weather hits both alike.
  const rawSingle = await rawDb(join(dir, 'raw-single.db'));
  const singleRows = precomputedRows(SINGLE);
  const config = loadConfig({ env: { BREAKGLASS_DATA_DIR: join(dir, 'app'), BREAKGLASS_AUDIT_ORIGIN: 'bench.breakglass.local/audit' } });
  const rt = await openRuntime(config);
  const ROUNDS = 4;
  let rawSingleMs = 0;
  let appSingleMs = 0;
  let t = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const from = (round * SINGLE) / ROUNDS;
    const to = ((round + 1) * SINGLE) / ROUNDS;
    t = performance.now();
    for (let i = from; i < to; i++) rawSingle.insert.run(...singleRows[i]!);
    rawSingleMs += performance.now() - t;
    t = performance.now();
    for (let i = from; i < to; i++) {
      const e = event(i);
      await rt.audit.change(async (_tx, audit) => audit.record(e));
    }
    appSingleMs += performance.now() - t;
  }
  await rawSingle.close();
  const rawSingleRate = SINGLE / (rawSingleMs / 1000);
  const appSingleRate = SINGLE / (appSingleMs / 1000);

  // (b2) batched durable appends, which also fill the log for (a).
  const rawBatch = await rawDb(join(dir, 'raw-batch.db'));
  const batchSample = Math.min(N, 200_000);
  const batchRows = precomputedRows(batchSample);
  const begin = rawBatch.db.prepare('BEGIN');
  const commit = rawBatch.db.prepare('COMMIT');
  t = performance.now();
  for (let i = 0; i < batchSample; i += BATCH) {
    begin.run();
    for (let j = i; j < Math.min(i + BATCH, batchSample); j++) rawBatch.insert.run(...batchRows[j]!);
    commit.run();
  }
  const rawBatchRate = batchSample / ((performance.now() - t) / 1000);
  await rawBatch.close();

  const remaining = N - SINGLE - 1; // entry 0 is audit.initialized
  t = performance.now();
  let appended = 0;
  let lastPrint = 0;
  while (appended < remaining) {
    const k = Math.min(BATCH, remaining - appended);
    await rt.audit.change(async (_tx, audit) => {
      for (let j = 0; j < k; j++) audit.record(event(appended + j));
    });
    appended += k;
    if (process.stderr.isTTY && appended - lastPrint >= 100_000) {
      process.stderr.write(`\r  appended ${fmt(appended + SINGLE + 1)} / ${fmt(N)}`);
      lastPrint = appended;
    }
  }
  const appBatchRate = appended / ((performance.now() - t) / 1000);
  if (process.stderr.isTTY) process.stderr.write('\n');
  await rt.checkpointer.checkpoint();
  const verifier = parseVerifierKey(rt.identity.verifierKey);
  const origin = rt.identity.origin;

  // (a) verify. Baseline: the raw chained SHA-256 loop over the same record bytes, already in memory:
  // leaf = H(0x00 ‖ record), chain = H(prev ‖ leaf) — the hashing any verifier of this chain must do, and nothing else.
  const records: string[] = [];
  for await (const b of entryBatches(rt.database)) for (const e of b) records.push(`\u0000${e.record}`);
  const chainBuf = Buffer.allocUnsafe(64);
  t = performance.now();
  let prevBin = Buffer.alloc(32).toString('latin1');
  for (const r of records) {
    chainBuf.write(prevBin, 0, 32, 'latin1');
    chainBuf.write(shaBin(r), 32, 32, 'latin1');
    prevBin = shaBin(chainBuf);
  }
  const baseVerifyRate = records.length / ((performance.now() - t) / 1000);
  records.length = 0;
  (globalThis as { gc?: () => void }).gc?.();

  const checkpoints = checkpointInputsFromDb(await storedCheckpoints(rt.database));
  t = performance.now();
  const report = await verifyAuditLog({ origin, verifier, checkpoints, entries: entryBatches(rt.database) });
  const verifySerialRate = report.entries / ((performance.now() - t) / 1000);
  // The path `breakglass audit verify` takes for a large stored log: chunks verified by worker threads.
  const workers = defaultWorkerCount();
  t = performance.now();
  const parallel = await verifyAuditLog({ origin, verifier, checkpoints, chunks: databaseChunks({ sqlitePath: config.storage.sqlitePath, databaseUrl: undefined }, { end: await storedEnd(rt.database), workers }) });
  const verifyRate = parallel.entries / ((performance.now() - t) / 1000);
  if (!parallel.ok || parallel.rootHash !== report.rootHash) throw new Error('parallel verification disagreed with the serial pass');

  // Memory, in a separate untimed pass: live heap (after a forced GC) sampled every 10 batches.
  const gc = (globalThis as { gc?: () => void }).gc;
  let liveEarly = 0;
  let liveAll = 0;
  let batches = 0;
  await verifyAuditLog({
    origin,
    verifier,
    checkpoints,
    entries: entryBatches(rt.database),
    onProgress: (n) => {
      if (!gc || batches++ % 10 !== 0) return;
      gc();
      const h = process.memoryUsage().heapUsed;
      if (n <= N / 10) liveEarly = Math.max(liveEarly, h);
      liveAll = Math.max(liveAll, h);
    },
  });
  await rt.close();
  if (!report.ok) throw new Error(`benchmark log did not verify: ${JSON.stringify(report.problems)}`);

  const line = (label: string, ours: number, base: number, goal: number): void => {
    const ratio = ours / base;
    console.log(`${label.padEnd(46)} ${fmt(ours).padStart(10)}/s vs ${fmt(base).padStart(10)}/s  ratio ${fmt(ratio, 2)}  (goal ≥ ${goal}) ${ratio >= goal ? 'ok' : 'BELOW GOAL'}`);
  };
  console.log('');
  line(`(a) verify, ${workers} worker thread${workers === 1 ? '' : 's'} (audit verify)`, verifyRate, baseVerifyRate, 0.5);
  line('(a) verify, one thread (bundles, small logs)', verifySerialRate, baseVerifyRate, 0.5);
  line('(b) append, one entry per transaction', appSingleRate, rawSingleRate, 0.8);
  line(`(b) append, ${fmt(BATCH)} entries per transaction`, appBatchRate, rawBatchRate, 0.8);
  if (gc) console.log(`verify live heap (after GC): at most ${fmt(liveEarly / 1_048_576, 1)} MiB over the first 10% of entries, ${fmt(liveAll / 1_048_576, 1)} MiB over all ${fmt(report.entries)}`);
  else console.log('verify live heap: not measured (run with --expose-gc, as npm run bench:audit does)');
  console.log(`log verified: ${fmt(report.entries)} entries, ${report.checkpoints.verified} checkpoint(s), root ${report.rootHash}`);
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  rmSync(dir, { recursive: true, force: true });
  console.error(`bench:audit failed: ${(err as Error).message}`);
  process.exitCode = 1;
});
