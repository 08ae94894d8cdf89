// The inventory, custody, custodian, request and reconcile tables on both storage backends (SQLite and PostgreSQL),
// through the services that write them: every change lands with its audit entry, and the real drill clock runs in
// the same transaction when a custodian leaves or a key is enrolled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCustodian, listCustodians, removeCustodian } from '../../../server/accounts/custodians.ts';
import { retireAccount } from '../../../server/accounts/emergency-accounts.ts';
import { findKey, insertKey, listKeys, reportKeyLost, updateCustody } from '../../../server/accounts/key-inventory.ts';
import { defaultLifecycleHooks } from '../../../server/accounts/lifecycle-hooks.ts';
import { reconcileAccounts, lastReconcile } from '../../../server/accounts/reconcile.ts';
import { EnrollmentService } from '../../../server/enrollment/enrollment-service.ts';
import { virtualKeyProvider } from '../../../server/enrollment/key-provider.ts';
import { backendsUnderTest } from '../../helpers/backends.ts';
import { ALICE, BOB, DEMO, KEY_PIN, openEnrollHarness, type EnrollHarness } from '../enrollment/enrollment-harness.ts';

const backends = await backendsUnderTest();

describe.each(backends)('inventory on %s', (backend) => {
  let h: EnrollHarness;
  beforeAll(async () => {
    h = await openEnrollHarness({ backend });
  });
  afterAll(async () => {
    await h.close();
  });

  it('keys: insert, find by id or Entra method id, refuse a duplicate active method, custody and loss are audited', async () => {
    const db = h.runtime.database.db;
    const key = await h.runtime.audit.change(async (tx, audit) => {
      const k = await insertKey(tx, {
        accountId: h.bg02.id, aaguid: '2FC0579F-8113-47EA-B116-BB5A8DB9202A', model: 'YubiKey 5 Series with NFC', serial: '21045871', graphMethodId: 'method-1', credentialId: null,
        displayName: 'BG-02 #1', registeredAt: '2026-11-20T09:00:00.000Z', attestationLevel: 'attested', passkeyType: 'deviceBound', enrolledVia: 'adopted', enrollmentId: null,
        location: 'Safe A', sealNumber: 'S-1', actor: ALICE, at: '2026-11-20T09:00:00.000Z',
      });
      audit.record({ actor: ALICE, action: 'test.key_added', subject: `account:${h.bg02.id}` });
      return k;
    });
    expect(key.aaguid).toBe('2fc0579f-8113-47ea-b116-bb5a8db9202a');
    expect((await findKey(db, 'method-1'))!.id).toBe(key.id);
    await expect(h.runtime.audit.change(async (tx) => insertKey(tx, { ...key, accountId: h.bg02.id, actor: ALICE, at: key.addedAt }))).rejects.toMatchObject({ code: 'key_in_inventory' });

    const moved = await updateCustody({ audit: h.runtime.audit }, { key: key.id, location: 'Safe B', reason: 'moved to the DR site', actor: BOB });
    expect(moved).toMatchObject({ location: 'Safe B', sealNumber: 'S-1' });
    await expect(updateCustody({ audit: h.runtime.audit }, { key: key.id, reason: 'nothing' , actor: BOB })).rejects.toMatchObject({ code: 'invalid_input' });
    const lost = await reportKeyLost({ audit: h.runtime.audit }, { key: key.id, reason: 'missing at the drill', actor: BOB });
    expect(lost.status).toBe('lost');
    expect((await listKeys(db, { accountId: h.bg02.id, status: 'active' }))).toEqual([]);
    const custody = (await h.runtime.audit.entries({ limit: 1, action: 'key.custody_changed' }))[0]!;
    expect(custody.data).toMatchObject({ from: { location: 'Safe A' }, to: { location: 'Safe B' }, reason: 'moved to the DR site' });
  });

  it('custodians: add, refuse a duplicate, remove — which restarts the drill clock in the same transaction', async () => {
    const c = await addCustodian({ audit: h.runtime.audit }, { account: DEMO.bg02Upn, name: 'Dana Ruiz', contact: 'dana@contoso.example', role: 'safe holder', actor: ALICE });
    await expect(addCustodian({ audit: h.runtime.audit }, { account: DEMO.bg02Upn, name: 'dana ruiz', actor: ALICE })).rejects.toMatchObject({ code: 'custodian_exists' });
    const r = await removeCustodian({ audit: h.runtime.audit, hooks: defaultLifecycleHooks }, { custodian: c.id, reason: 'left the company', actor: BOB });
    expect(Date.parse(r.drillDueAt)).toBeGreaterThan(h.g.clock.now().getTime());
    expect(await listCustodians(h.runtime.database.db, h.bg02.id)).toEqual([]);
    expect((await listCustodians(h.runtime.database.db, h.bg02.id, { includeRemoved: true }))[0]).toMatchObject({ name: 'Dana Ruiz', removedBy: BOB, removedReason: 'left the company' });
    const cycle = await h.runtime.database.db.selectFrom('drill_cycle').selectAll().where('account_id', '=', h.bg02.id).where('state', '=', 'open').executeTakeFirstOrThrow();
    expect(cycle).toMatchObject({ reason: 'custodian_left', due_at: r.drillDueAt });
  });

  it('a direct enrollment writes its request, the key and the drill cycle; reconcile stores its result; retiring retires the keys', async () => {
    const service = new EnrollmentService({ audit: h.runtime.audit, directory: h.g.dir, keys: virtualKeyProvider(h.key), settings: h.settings, allowList: undefined, hooks: defaultLifecycleHooks });
    const { request } = await service.request({ account: DEMO.bg02Upn, mode: 'direct', reason: 'store test', location: 'Safe C', actor: ALICE });
    await service.approve({ id: request.id, actor: BOB, evidence: { method: 'passkey-step-up', via: 'web', stepUpAt: h.g.clock.now().toISOString() } });
    const done = await service.registerDirect({ id: request.id, actor: ALICE, pin: KEY_PIN });
    expect(done).toMatchObject({ state: 'completed', approvedBy: BOB, approval: { via: 'web' }, location: 'Safe C' });
    expect(done.knownMethodIds).toEqual([]);
    const active = await listKeys(h.runtime.database.db, { accountId: h.bg02.id, status: 'active' });
    expect(active.map((k) => k.id)).toEqual([done.keyId]);

    const [rec] = await reconcileAccounts({ audit: h.runtime.audit, directory: h.g.dir, hooks: defaultLifecycleHooks }, { account: DEMO.bg02Upn, actor: ALICE });
    // The lost key from the first test was never registered in this tenant: only the new key is in Entra.
    expect(rec!.findings).toEqual([]);
    expect(await lastReconcile(h.runtime.database.db, h.bg02.id)).toMatchObject({ problems: 0, warnings: 0 });

    await retireAccount({ audit: h.runtime.audit }, { account: DEMO.bg02Upn, reason: 'test over', actor: ALICE });
    expect((await listKeys(h.runtime.database.db, { accountId: h.bg02.id })).map((k) => k.status).sort()).toEqual(['retired', 'retired']);
  });
});
