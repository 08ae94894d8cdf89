// Direct mode end to end against the simulated tenant with the virtual key: creation options from Graph, CTAP2
// makeCredential over the virtual HID device with the PIN, local attestation verification with the rp id and origin
// Graph named, the POST (which the simulator checks as Entra would), the read-back, the inventory and the drill.
import { afterEach, describe, expect, it } from 'vitest';
import { listKeys } from '../../../server/accounts/key-inventory.ts';
import { EnrollmentService } from '../../../server/enrollment/enrollment-service.ts';
import { virtualKeyProvider } from '../../../server/enrollment/key-provider.ts';
import type { Directory } from '../../../server/graph/directory.ts';
import { ALICE, BOB, DEMO, KEY_PIN, openEnrollHarness, sqliteBytes, type EnrollHarness } from './enrollment-harness.ts';

let h: EnrollHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function approvedDirect(x: EnrollHarness) {
  const { request } = await x.service.request({ account: DEMO.bg02Upn, mode: 'direct', reason: 'second key', sealNumber: 'SEAL-0002', actor: ALICE });
  await x.service.approve({ id: request.id, actor: BOB, evidence: { method: 'passkey-step-up', via: 'web', stepUpAt: x.g.clock.now().toISOString() } });
  return request.id;
}

describe('direct enrollment', () => {
  it('registers the key on behalf of the account and records credential id, method id and AAGUIDs', async () => {
    h = await openEnrollHarness();
    const id = await approvedDirect(h);
    const r = await h.service.registerDirect({ id, actor: ALICE, pin: KEY_PIN });
    expect(r.state).toBe('completed');
    expect(r.credentialId).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(r.attestedAaguid).toBe('2fc0579f-8113-47ea-b116-bb5a8db9202a');
    const methods = await h.g.dir.listFido2Methods(DEMO.bg02);
    expect(methods).toHaveLength(1);
    expect(methods[0]).toMatchObject({ id: r.fido2MethodId, aaGuid: r.attestedAaguid, attestationLevel: 'attested', passkeyType: 'deviceBound', displayName: r.displayName });
    // The key holds the credential for Entra's RP, taken from Graph's options.
    expect(h.key.authenticator.exportCredentials().map((c) => c.rpId)).toEqual(['login.microsoft.com']);
    const keys = await listKeys(h.runtime.database.db, { accountId: h.bg02.id });
    expect(keys[0]).toMatchObject({ enrolledVia: 'direct', credentialId: r.credentialId, graphMethodId: r.fido2MethodId, sealNumber: 'SEAL-0002' });
    expect(h.hooks.drillClock.map((c) => c.reason)).toEqual(['key_enrolled']);
    const actions = (await h.runtime.audit.entries({ limit: 100, subject: `enrollment:${id}` })).map((e) => e.action).reverse();
    expect(actions).toEqual(['enrollment.requested', 'enrollment.approved', 'enrollment.credential_created', 'enrollment.key_registered', 'enrollment.completed']);
    expect(sqliteBytes(h.backend)).not.toContain(KEY_PIN);
    expect(h.g.logs.join('\n')).not.toContain(KEY_PIN);
  });

  it('takes the RP ID and origin from Graph\'s creation options, never from a constant', async () => {
    h = await openEnrollHarness();
    const realDir = h.g.dir;
    // Graph's v1.0 doc example names login.microsoftonline.com; live tenants say login.microsoft.com (graph.md §2.3).
    const dir = new Proxy(realDir, {
      get(target, prop, receiver) {
        if (prop === 'getPasskeyCreationOptions') {
          return async (...args: Parameters<Directory['getPasskeyCreationOptions']>) => {
            const o = await target.getPasskeyCreationOptions(...args);
            return { ...o, publicKey: { ...o.publicKey, rp: { ...o.publicKey.rp, id: 'login.microsoftonline.com' } } };
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const service = new EnrollmentService({ audit: h.runtime.audit, directory: dir, keys: virtualKeyProvider(h.key), settings: h.settings, allowList: undefined, hooks: h.hooks });
    const id = await approvedDirect(h);
    // Our local check passes for the RP Graph named; the simulated Entra (RP login.microsoft.com) then refuses it.
    await expect(service.registerDirect({ id, actor: ALICE, pin: KEY_PIN })).rejects.toMatchObject({ code: 'graph_bad_request', message: expect.stringContaining('attestation is not valid') });
    expect(h.key.authenticator.exportCredentials().map((c) => c.rpId)).toEqual(['login.microsoftonline.com']);
    const created = (await h.runtime.audit.entries({ limit: 1, action: 'enrollment.credential_created' }))[0]!;
    expect(created.data).toMatchObject({ rpId: 'login.microsoftonline.com', origin: 'https://login.microsoftonline.com' });
    expect((await service.get(id)).state).toBe('approved');
  });
});
