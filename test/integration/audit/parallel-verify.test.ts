// Worker-thread verification of a stored log (each worker on its own read-only connection) reaches the same verdict
// as the serial pass, intact or tampered, on every backend.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkpointInputsFromDb, entryBatches, storedCheckpoints } from '../../../server/audit/audit-source.ts';
import { verifyAuditLog, type VerifyReport } from '../../../server/audit/audit-verifier.ts';
import { databaseChunks, storedEnd } from '../../../server/audit/parallel-verify.ts';
import { parseVerifierKey } from '../../../server/audit/signed-note.ts';
import { openDatabase } from '../../../server/store/database.ts';
import { backendsUnderTest, createBackend, type Backend } from '../../helpers/backends.ts';
import { buildLog, tamper } from '../../helpers/audit-fixture.ts';

const backends = await backendsUnderTest();

describe.each(backends)('parallel verification on %s', (name) => {
  let b: Backend;
  let verifierKey: string;
  beforeAll(async () => {
    b = await createBackend(name);
    const rt = await buildLog(b, 70, [9, 40, 70]);
    verifierKey = rt.identity.verifierKey;
    await rt.close();
  });
  afterAll(async () => b.dispose());

  async function both(): Promise<{ serial: VerifyReport; parallel: VerifyReport }> {
    const database = await openDatabase(b.databaseUrl ? { sqlitePath: b.sqlitePath, databaseUrl: b.databaseUrl } : { sqlitePath: b.sqlitePath, readonly: true });
    try {
      const common = { origin: 'test.breakglass.local/audit', verifier: parseVerifierKey(verifierKey), checkpoints: checkpointInputsFromDb(await storedCheckpoints(database)) };
      const serial = await verifyAuditLog({ ...common, entries: entryBatches(database) });
      const end = await storedEnd(database);
      const progress: number[] = [];
      const parallel = await verifyAuditLog({
        ...common,
        chunks: databaseChunks({ sqlitePath: b.sqlitePath, databaseUrl: b.databaseUrl }, { end, workers: 2, chunkSize: 8 }),
        onProgress: (n) => progress.push(n),
      });
      expect(progress.at(-1)).toBe(parallel.entries);
      return { serial, parallel };
    } finally {
      await database.close();
    }
  }

  test('an intact log: both verify, with the same root', async () => {
    const { serial, parallel } = await both();
    expect(parallel).toEqual(serial);
    expect(parallel).toMatchObject({ ok: true, entries: 70 });
  });

  test('an edited entry in the middle of a chunk: both name it', async () => {
    await tamper(b, [`UPDATE audit_entry SET record = REPLACE(record, '"note":"event number 33"', '"note":"event number 99"') WHERE seq = 33`]);
    const { serial, parallel } = await both();
    expect(parallel.problems).toEqual(serial.problems);
    expect(parallel.problems[0]).toMatchObject({ kind: 'edited', seq: 33 });
  });
});
