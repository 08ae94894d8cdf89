// npm run bench:audit — appends 1,000,000 audit entries and verifies them, and prints ratios against baselines
// measured in the same run (no absolute thresholds: machines differ, ratios travel).
//  (a) verify throughput ÷ a raw chained SHA-256 loop over the same record bytes (leaf = H(0x00‖record),
//      chain = H(prev‖leaf): the minimum any verifier of this chain must hash) — goal ≥ 0.5;
//  (b) durable append throughput ÷ raw better-sqlite3 inserts of the same rows at the same synchronous level
//      (FULL, WAL), single-entry transactions and 1,000-entry transactions — goal ≥ 0.8. Both sides get their inputs
//      ready untimed (the baseline its finished rows, ours the events), so what is timed is the audit layer itself.
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

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  console.log(`breakglass audit benchmark: ${fmt(N)} entries, Node ${process.version}, SQLite WAL synchronous=FULL, in ${dir}`);
  console.log('Each figure is the median of rounds in which ours and the baseline alternate, so disk and CPU weather hit both alike.');

  // (b1) single-entry durable appends: ROUNDS rounds of SINGLE/ROUNDS appends each, raw then ours.
  const rawSingle = await rawDb(join(dir, 'raw-single.db'));
  const singleRows = precomputedRows(SINGLE);
  // Our inputs are made ready untimed too, as the baseline's rows are: what is timed is the audit layer, not the caller.
  const singleEvents = Array.from({ length: SINGLE }, (_, i) => event(i));
  const config = loadConfig({ env: { BREAKGLASS_DATA_DIR: join(dir, 'app'), BREAKGLASS_AUDIT_ORIGIN: 'bench.breakglass.local/audit' } });
  const rt = await openRuntime(config);
  const ROUNDS = 8;
  const single = { raw: [] as number[], app: [] as number[], ratio: [] as number[] };
  let t = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const from = (round * SINGLE) / ROUNDS;
    const to = ((round + 1) * SINGLE) / ROUNDS;
    const runRaw = (): number => {
      const t0 = performance.now();
      for (let i = from; i < to; i++) rawSingle.insert.run(...singleRows[i]!);
      return (to - from) / ((performance.now() - t0) / 1000);
    };
    const runApp = async (): Promise<number> => {
      const t0 = performance.now();
      for (let i = from; i < to; i++) {
        const e = singleEvents[i]!;
        await rt.audit.change(async (_tx, audit) => audit.record(e));
      }
      return (to - from) / ((performance.now() - t0) / 1000);
    };
    // Alternate which goes first: the disk may still be flushing the other's writes.
    let rawRate: number;
    let appRate: number;
    if (round % 2 === 0) {
      rawRate = runRaw();
      appRate = await runApp();
    } else {
      appRate = await runApp();
      rawRate = runRaw();
    }
    single.raw.push(rawRate);
    single.app.push(appRate);
    single.ratio.push(appRate / rawRate);
  }
  await rawSingle.close();
  singleRows.length = 0;
  singleEvents.length = 0;

  // (b2) 1,000-entry transactions: ROUNDS rounds of 20,000 entries, raw then ours; then fill the log to N untimed.
  const rawBatch = await rawDb(join(dir, 'raw-batch.db'));
  const PER_ROUND = Math.min(20_000, Math.floor((N - SINGLE - 1) / ROUNDS));
  const batchRows = precomputedRows(PER_ROUND * ROUNDS);
  const batchEvents = Array.from({ length: PER_ROUND * ROUNDS }, (_, i) => event(i));
  const begin = rawBatch.db.prepare('BEGIN');
  const commit = rawBatch.db.prepare('COMMIT');
  const batched = { raw: [] as number[], app: [] as number[], ratio: [] as number[] };
  let appended = 0;
  const appendBatch = async (k: number): Promise<void> => {
    await rt.audit.change(async (_tx, audit) => {
      for (let j = 0; j < k; j++) audit.record(batchEvents[appended + j] ?? event(appended + j));
    });
    appended += k;
  };
  for (let round = 0; round < ROUNDS; round++) {
    const from = round * PER_ROUND;
    const runRaw = (): number => {
      const t0 = performance.now();
      for (let i = from; i < from + PER_ROUND; i += BATCH) {
        begin.run();
        for (let j = i; j < Math.min(i + BATCH, from + PER_ROUND); j++) rawBatch.insert.run(...batchRows[j]!);
        commit.run();
      }
      return PER_ROUND / ((performance.now() - t0) / 1000);
    };
    const runApp = async (): Promise<number> => {
      const t0 = performance.now();
      for (let i = 0; i < PER_ROUND; i += BATCH) await appendBatch(Math.min(BATCH, PER_ROUND - i));
      return PER_ROUND / ((performance.now() - t0) / 1000);
    };
    let rawRate: number;
    let appRate: number;
    if (round % 2 === 0) {
      rawRate = runRaw();
      appRate = await runApp();
    } else {
      appRate = await runApp();
      rawRate = runRaw();
    }
    batched.raw.push(rawRate);
    batched.app.push(appRate);
    batched.ratio.push(appRate / rawRate);
  }
  await rawBatch.close();
  batchRows.length = 0;
  batchEvents.length = 0;
  const remaining = N - SINGLE - 1; // entry 0 is audit.initialized
  let lastPrint = 0;
  while (appended < remaining) {
    await appendBatch(Math.min(BATCH, remaining - appended));
    if (process.stderr.isTTY && appended - lastPrint >= 100_000) {
      process.stderr.write(`\r  appended ${fmt(appended + SINGLE + 1)} / ${fmt(N)}`);
      lastPrint = appended;
    }
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  await rt.checkpointer.checkpoint();
  const verifier = parseVerifierKey(rt.identity.verifierKey);
  const origin = rt.identity.origin;

  // (a) verify. Baseline: the raw chained SHA-256 loop over the same record bytes, already in memory:
  // leaf = H(0x00 ‖ record), chain = H(prev ‖ leaf) — the hashing any verifier of this chain must do, and nothing else.
  // The bytes are encoded untimed (0x00 ‖ UTF-8 record, one Buffer each): hashing ready bytes is the fastest form.
  const records: Buffer[] = [];
  for await (const b of entryBatches(rt.database)) for (const e of b) records.push(Buffer.from(`\u0000${e.record}`));
  const chainBuf = Buffer.allocUnsafe(64);
  const baselineLoop = (): number => {
    const t0 = performance.now();
    let prevBin = Buffer.alloc(32).toString('latin1');
    for (const r of records) {
      chainBuf.write(prevBin, 0, 32, 'latin1');
      chainBuf.write(shaBin(r), 32, 32, 'latin1');
      prevBin = shaBin(chainBuf);
    }
    return records.length / ((performance.now() - t0) / 1000);
  };
  const checkpoints = checkpointInputsFromDb(await storedCheckpoints(rt.database));
  const workers = defaultWorkerCount();
  const end = await storedEnd(rt.database);
  const verify = { base: [] as number[], serial: [] as number[], parallel: [] as number[] };
  let report: Awaited<ReturnType<typeof verifyAuditLog>> | undefined;
  for (let round = 0; round < 3; round++) {
    verify.base.push(baselineLoop());
    t = performance.now();
    report = await verifyAuditLog({ origin, verifier, checkpoints, entries: entryBatches(rt.database) });
    verify.serial.push(report.entries / ((performance.now() - t) / 1000));
    // The path `breakglass audit verify` takes for a large stored log: chunks verified by worker threads.
    t = performance.now();
    const parallel = await verifyAuditLog({ origin, verifier, checkpoints, chunks: databaseChunks({ sqlitePath: config.storage.sqlitePath, databaseUrl: undefined }, { end, workers }) });
    verify.parallel.push(parallel.entries / ((performance.now() - t) / 1000));
    if (!parallel.ok || parallel.rootHash !== report.rootHash) throw new Error('parallel verification disagreed with the serial pass');
  }
  records.length = 0;
  if (!report?.ok) throw new Error(`benchmark log did not verify: ${JSON.stringify(report?.problems)}`);

  // Memory, in a separate untimed pass: live heap (after a forced GC) after each chunk of the serial path.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  let liveFirst = 0;
  let liveAll = 0;
  let firstChunk = 0;
  await verifyAuditLog({
    origin,
    verifier,
    checkpoints,
    entries: entryBatches(rt.database),
    onProgress: (n) => {
      if (!gc) return;
      gc();
      const h = process.memoryUsage().heapUsed;
      if (!firstChunk) {
        firstChunk = n;
        liveFirst = h;
      }
      liveAll = Math.max(liveAll, h);
    },
  });
  await rt.close();

  const line = (label: string, ours: number[], base: number[], ratios: number[], goal: number): void => {
    const ratio = median(ratios);
    const spread = `${fmt(Math.min(...ratios), 2)}–${fmt(Math.max(...ratios), 2)}`;
    console.log(`${label.padEnd(44)} ${fmt(median(ours)).padStart(9)}/s vs ${fmt(median(base)).padStart(9)}/s  ratio ${fmt(ratio, 2)} (rounds ${spread}; goal ≥ ${goal}) ${ratio >= goal ? 'ok' : 'BELOW GOAL'}`);
  };
  console.log('');
  line(`(a) verify, ${workers} worker thread${workers === 1 ? '' : 's'} (audit verify)`, verify.parallel, verify.base, verify.parallel.map((v, i) => v / verify.base[i]!), 0.5);
  line('(a) verify, one thread (bundles, small logs)', verify.serial, verify.base, verify.serial.map((v, i) => v / verify.base[i]!), 0.5);
  line('(b) append, one entry per transaction', single.app, single.raw, single.ratio, 0.8);
  line(`(b) append, ${fmt(BATCH)} entries per transaction`, batched.app, batched.raw, batched.ratio, 0.8);
  if (gc) console.log(`verify live heap (after GC): ${fmt(liveFirst / 1_048_576, 1)} MiB after the first ${fmt(firstChunk)} entries, at most ${fmt(liveAll / 1_048_576, 1)} MiB over all ${fmt(report.entries)}`);
  else console.log('verify live heap: not measured (run with --expose-gc, as npm run bench:audit does)');
  console.log(`log verified: ${fmt(report.entries)} entries, ${report.checkpoints.verified} checkpoint(s), root ${report.rootHash}`);
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  rmSync(dir, { recursive: true, force: true });
  console.error(`bench:audit failed: ${(err as Error).message}`);
  process.exitCode = 1;
});
