// Graph faults at every step of both modes (429, 5xx, dropped connections before and after the request took effect,
// and unknown outcomes whose read-back fails too): the flow resumes or fails cleanly, a TAP is never issued twice for
// one approval, and an interrupted flow can be resumed or cancelled — cancelling deletes any TAP it issued.
import { afterEach, describe, expect, it } from 'vitest';
import { EnrollmentService } from '../../../server/enrollment/enrollment-service.ts';
import { virtualKeyProvider } from '../../../server/enrollment/key-provider.ts';
import type { Directory } from '../../../server/graph/directory.ts';
import { GraphUnknownOutcomeError } from '../../../server/graph/graph-errors.ts';
import { ALICE, BOB, DEMO, KEY_PIN, openEnrollHarness, SecurityInfoClient, type EnrollHarness } from './enrollment-harness.ts';

let h: EnrollHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function approved(x: EnrollHarness, mode: 'guided' | 'direct', service = x.service) {
  const { request } = await service.request({ account: DEMO.bg02Upn, mode, reason: 'test', actor: ALICE });
  await service.approve({ id: request.id, actor: BOB, evidence: { method: 'passkey-step-up', via: 'web', stepUpAt: x.g.clock.now().toISOString() } });
  return request.id;
}

/** TAPs the simulated tenant ever created for bg-02, from its own directory audit. */
function tapsCreated(x: EnrollHarness): number {
  return x.g.sim.state.directoryAudits.filter((a) => a.resultReason === 'Admin registered temporary access pass method for user' && a.targetResources[0]?.id === DEMO.bg02).length;
}

/** A Directory whose chosen calls misbehave once, in ways the simulator's wire faults cannot time precisely. */
function withOverrides(dir: Directory, overrides: Partial<Record<keyof Directory, (...args: never[]) => unknown>>): Directory {
  return new Proxy(dir, {
    get(target, prop, receiver) {
      const o = overrides[prop as keyof Directory];
      if (o) return o;
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

describe('guided mode under Graph faults', () => {
  it('a TAP created whose response was lost is revoked, and the approval is spent: no second pass', async () => {
    h = await openEnrollHarness();
    const id = await approved(h, 'guided');
    h.g.sim.faults.add({ kind: 'status', status: 503, method: 'POST', path: '/temporaryAccessPassMethods', when: 'after', times: 1 });
    const err = await h.service.issueTap({ id, actor: ALICE }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphUnknownOutcomeError);
    expect((err as GraphUnknownOutcomeError).resolution).toBe('created');
    const r = await h.service.get(id);
    expect(r.state).toBe('failed');
    expect(r.error?.code).toBe('tap_value_lost');
    expect(r.tap.state).toBe('deleted');
    expect(await h.g.dir.listTemporaryAccessPasses(DEMO.bg02)).toEqual([]);
    const again = await h.service.issueTap({ id, actor: ALICE }).catch((e: unknown) => e as Error);
    expect((again as Error).message).toMatch(/is failed; request a new enrollment/);
    expect(tapsCreated(h)).toBe(1);
    expect(h.g.wire('POST', '/temporaryAccessPassMethods')).toHaveLength(1);
  });

  it('a TAP request dropped before Graph handled it, or throttled, goes back to approved and can be run again', async () => {
    h = await openEnrollHarness();
    const id = await approved(h, 'guided');
    h.g.sim.faults.add({ kind: 'drop', method: 'POST', path: '/temporaryAccessPassMethods', when: 'before', times: 1 });
    const dropped = await h.service.issueTap({ id, actor: ALICE }).catch((e: unknown) => e);
    expect((dropped as GraphUnknownOutcomeError).resolution).toBe('not_created');
    expect((await h.service.get(id)).state).toBe('approved');
    h.g.sim.faults.add({ kind: 'throttle', method: 'POST', path: '/temporaryAccessPassMethods', retryAfterSeconds: 3, times: 1 });
    const throttled = await h.service.issueTap({ id, actor: ALICE }).catch((e: unknown) => e as { code: string });
    expect((throttled as { code: string }).code).toBe('graph_throttled');
    expect((await h.service.get(id)).state).toBe('approved');
    const issued = await h.service.issueTap({ id, actor: ALICE });
    expect(issued.request.state).toBe('awaiting_registration');
    expect(tapsCreated(h)).toBe(1);
    const actions = (await h.runtime.audit.entries({ limit: 50, subject: `enrollment:${id}` })).map((e) => e.action).reverse();
    expect(actions.filter((a) => a === 'enrollment.tap_not_issued')).toHaveLength(2);
  });

  it('an unknown outcome whose read-back also failed stays open; resume finds the pass, revokes it and closes the request', async () => {
    h = await openEnrollHarness();
    const realDir = h.g.dir;
    const flaky = withOverrides(realDir, {
      createTemporaryAccessPass: (async (userId: string, input: Parameters<Directory['createTemporaryAccessPass']>[1]) => {
        await realDir.createTemporaryAccessPass(userId, input);
        throw new GraphUnknownOutcomeError('lost and unreadable', { httpStatus: 0, graphCode: '', operation: 'POST tap' }, 'unknown', undefined);
      }) as never,
    });
    const service = new EnrollmentService({ audit: h.runtime.audit, directory: flaky, keys: virtualKeyProvider(h.key), settings: h.settings, allowList: undefined, hooks: h.hooks });
    const id = await approved(h, 'guided', service);
    await expect(service.issueTap({ id, actor: ALICE })).rejects.toBeInstanceOf(GraphUnknownOutcomeError);
    expect((await service.get(id)).state).toBe('tap_issuing');
    expect(await realDir.listTemporaryAccessPasses(DEMO.bg02)).toHaveLength(1);
    const resumed = await h.service.resume({ id, actor: ALICE });
    expect(resumed.request.state).toBe('failed');
    expect(resumed.request.error?.code).toBe('tap_value_lost');
    expect(await realDir.listTemporaryAccessPasses(DEMO.bg02)).toEqual([]);
    expect(tapsCreated(h)).toBe(1);
  });

  it('the background sweep resolves an issuing step left open, once it has settled: the lost pass is revoked', async () => {
    h = await openEnrollHarness();
    const realDir = h.g.dir;
    const flaky = withOverrides(realDir, {
      createTemporaryAccessPass: (async (userId: string, input: Parameters<Directory['createTemporaryAccessPass']>[1]) => {
        await realDir.createTemporaryAccessPass(userId, input);
        throw new GraphUnknownOutcomeError('lost and unreadable', { httpStatus: 0, graphCode: '', operation: 'POST tap' }, 'unknown', undefined);
      }) as never,
    });
    const service = new EnrollmentService({ audit: h.runtime.audit, directory: flaky, keys: virtualKeyProvider(h.key), settings: h.settings, allowList: undefined, hooks: h.hooks });
    const id = await approved(h, 'guided', service);
    await expect(service.issueTap({ id, actor: ALICE })).rejects.toBeInstanceOf(GraphUnknownOutcomeError);
    expect((await h.service.sweep()).changed).toBe(0);
    expect((await h.service.get(id)).state).toBe('tap_issuing');
    h.g.clock.advance(60_000);
    expect((await h.service.sweep()).changed).toBe(1);
    expect((await h.service.get(id))).toMatchObject({ state: 'failed', error: { code: 'tap_value_lost' }, tap: { state: 'deleted' } });
    expect(await realDir.listTemporaryAccessPasses(DEMO.bg02)).toEqual([]);
  });

  it('watching survives 5xx and throttling on the fido2 reads and completes once Graph answers again', async () => {
    h = await openEnrollHarness({ maxRetries: 1 });
    const id = await approved(h, 'guided');
    const issued = await h.service.issueTap({ id, actor: ALICE });
    const browser = new SecurityInfoClient(issued.securityInfoUrl);
    await browser.signIn(DEMO.bg02Upn, issued.temporaryAccessPass);
    await browser.registerKey(h.key, 'BG-02');
    h.g.sim.faults.add({ kind: 'status', status: 503, method: 'GET', path: '/fido2Methods', times: 2 }); // the first try and its one retry
    const first = await h.service.sweep();
    expect(first.errors).toEqual([{ id, code: 'graph_unavailable' }]);
    expect((await h.service.get(id)).state).toBe('awaiting_registration');
    h.g.sim.faults.add({ kind: 'throttle', method: 'GET', path: '/fido2Methods', retryAfterSeconds: 30, times: 2 });
    const second = await h.service.sweep();
    expect(second.errors.map((e) => e.code)).toEqual(['graph_throttled']);
    const third = await h.service.sweep();
    expect(third.errors).toEqual([]);
    expect((await h.service.get(id)).state).toBe('completed');
  });

  it('cancelling deletes the TAP; when the delete fails nothing changes and cancelling again succeeds', async () => {
    h = await openEnrollHarness({ maxRetries: 0 });
    const id = await approved(h, 'guided');
    const issued = await h.service.issueTap({ id, actor: ALICE });
    h.g.sim.faults.add({ kind: 'status', status: 503, method: 'DELETE', path: '/temporaryAccessPassMethods', times: 1 });
    await expect(h.service.cancel({ id, actor: BOB, reason: 'wrong key brought' })).rejects.toMatchObject({ code: 'graph_unavailable' });
    expect((await h.service.get(id)).state).toBe('awaiting_registration');
    expect(await h.g.dir.listTemporaryAccessPasses(DEMO.bg02)).toHaveLength(1);
    const r = await h.service.cancel({ id, actor: BOB, reason: 'wrong key brought' });
    expect(r.state).toBe('cancelled');
    expect(r.tap.state).toBe('deleted');
    expect(await h.g.dir.listTemporaryAccessPasses(DEMO.bg02)).toEqual([]);
    const browser = new SecurityInfoClient(issued.securityInfoUrl);
    expect((await browser.signIn(DEMO.bg02Upn, issued.temporaryAccessPass)).json.error).toBe('no_pass');
    const entry = (await h.runtime.audit.entries({ limit: 1, action: 'enrollment.cancelled' }))[0]!;
    expect(entry.data).toMatchObject({ tapMethodIdsDeleted: [issued.request.tap.methodId], stateWas: 'awaiting_registration' });
  });
});

describe('direct mode under Graph faults', () => {
  it('a registration whose response was dropped is resolved by reading back, and completes', async () => {
    h = await openEnrollHarness();
    const id = await approved(h, 'direct');
    h.g.sim.faults.add({ kind: 'drop', method: 'POST', path: '/fido2Methods', when: 'after', times: 1 });
    const r = await h.service.registerDirect({ id, actor: ALICE, pin: KEY_PIN });
    expect(r.state).toBe('completed');
    expect(h.g.wire('POST', '/fido2Methods')).toHaveLength(1);
    expect(await h.g.dir.listFido2Methods(DEMO.bg02)).toHaveLength(1);
  });

  it('a registration refused with 5xx that read-back shows did not happen returns to approved; running again registers once', async () => {
    h = await openEnrollHarness();
    const id = await approved(h, 'direct');
    h.g.sim.faults.add({ kind: 'status', status: 503, method: 'POST', path: '/fido2Methods', times: 1 });
    await expect(h.service.registerDirect({ id, actor: ALICE, pin: KEY_PIN })).rejects.toMatchObject({ code: 'graph_unknown_outcome', resolution: 'not_created' });
    expect((await h.service.get(id)).state).toBe('approved');
    const r = await h.service.registerDirect({ id, actor: ALICE, pin: KEY_PIN });
    expect(r.state).toBe('completed');
    expect(await h.g.dir.listFido2Methods(DEMO.bg02)).toHaveLength(1);
    // Creation options come fresh for the second attempt: the first challenge is single-use.
    expect(h.g.wire('GET', '/creationOptions')).toHaveLength(2);
  });

  it('creation options throttled past the retries: nothing happened, and the request stays approved', async () => {
    h = await openEnrollHarness({ maxRetries: 1 });
    const id = await approved(h, 'direct');
    h.g.sim.faults.add({ kind: 'throttle', method: 'GET', path: '/creationOptions', retryAfterSeconds: 2, times: 2 });
    await expect(h.service.registerDirect({ id, actor: ALICE, pin: KEY_PIN })).rejects.toMatchObject({ code: 'graph_throttled' });
    expect((await h.service.get(id)).state).toBe('approved');
    expect(h.key.authenticator.exportCredentials()).toHaveLength(0);
  });

  it('an unknown outcome with a failed read-back stays "registering"; resume finds the key and finishes', async () => {
    h = await openEnrollHarness();
    const realDir = h.g.dir;
    const flaky = withOverrides(realDir, {
      createPasskey: (async (userId: string, input: Parameters<Directory['createPasskey']>[1]) => {
        await realDir.createPasskey(userId, input);
        throw new GraphUnknownOutcomeError('lost', { httpStatus: 0, graphCode: '', operation: 'POST fido2' }, 'unknown', undefined);
      }) as never,
    });
    const service = new EnrollmentService({ audit: h.runtime.audit, directory: flaky, keys: virtualKeyProvider(h.key), settings: h.settings, allowList: undefined, hooks: h.hooks });
    const id = await approved(h, 'direct', service);
    await expect(service.registerDirect({ id, actor: ALICE, pin: KEY_PIN })).rejects.toBeInstanceOf(GraphUnknownOutcomeError);
    expect((await service.get(id)).state).toBe('registering');
    await expect(service.cancel({ id, actor: ALICE, reason: 'x' })).rejects.toMatchObject({ code: 'key_already_registered' });
    const r = await h.service.resume({ id, actor: ALICE });
    expect(r.outcome).toBe('completed');
    expect(r.request.state).toBe('completed');
  });
});
