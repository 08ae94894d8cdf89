// The simulated tenant enforces Entra's Temporary Access Pass rules (graph.md §1), observed through the real adapter:
// policy state, targets and lifetime bounds, one pass per user, one-time use, NotYetValid / Expired by the clock.
import { afterEach, describe, expect, it } from 'vitest';
import { GraphBadRequestError, GraphPolicyError } from '../../../server/graph/graph-errors.ts';
import { redeemTap } from '../../../server/simulator/tap-service.ts';
import { DEMO, startHarness, type Harness } from '../../fixtures/graph/sim-harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('TAP issuance rules', () => {
  it('refuses a lifetime outside the tenant policy and says the range', async () => {
    h = await startHarness();
    const err = await h.dir.createTemporaryAccessPass(DEMO.bg02, { lifetimeInMinutes: 30 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphPolicyError);
    expect((err as Error).message).toMatch(/outside the tenant policy: Invalid LifetimeInMinutes specified\. The valid range between 60 and 480\./);
    const tooLong = await h.dir.createTemporaryAccessPass(DEMO.bg02, { lifetimeInMinutes: 481 }).catch((e: unknown) => e);
    expect(tooLong).toBeInstanceOf(GraphPolicyError);
  });

  it('uses the policy default lifetime and one-time setting when none is asked for', async () => {
    h = await startHarness();
    const { method } = await h.dir.createTemporaryAccessPass(DEMO.bg02, {});
    expect(method.lifetimeInMinutes).toBe(60);
    expect(method.isUsableOnce).toBe(true);
    expect(method.isUsable).toBe(true);
    expect(method.methodUsabilityReason).toBe('EnabledByPolicy');
    expect(method.temporaryAccessPass).toHaveLength(8);
  });

  it('refuses a multi-use pass when the policy demands one-time passes', async () => {
    h = await startHarness();
    const err = await h.dir.createTemporaryAccessPass(DEMO.bg02, { isUsableOnce: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphBadRequestError);
    expect((err as Error).message).toMatch(/requires one-time use passes/);
    expect(h.sim.state.methodsOf(DEMO.bg02)).toHaveLength(1); // only the password method: nothing was created
  });

  it('refuses users the policy does not target, guests, and everyone when the policy is disabled', async () => {
    h = await startHarness();
    const notTargeted = await h.dir.createTemporaryAccessPass(DEMO.alice, {}).catch((e: unknown) => e);
    expect(notTargeted).toBeInstanceOf(GraphPolicyError);
    expect((notTargeted as Error).message).toMatch(/policy refuses this: it is disabled or does not target this user/);
    const guest = await h.dir.createTemporaryAccessPass(DEMO.guest, {}).catch((e: unknown) => e);
    expect((guest as Error).message).toMatch(/cannot be issued to a guest user/);
    await h.close();
    h = await startHarness({ edit: (f) => { (f.authenticationMethodConfigurations![0] as Record<string, unknown>).state = 'disabled'; } });
    const disabled = await h.dir.createTemporaryAccessPass(DEMO.bg02, {}).catch((e: unknown) => e);
    expect(disabled).toBeInstanceOf(GraphPolicyError);
  });

  it('keeps one pass per user: a new pass replaces the old one', async () => {
    h = await startHarness();
    const a = await h.dir.createTemporaryAccessPass(DEMO.bg02, {});
    const b = await h.dir.createTemporaryAccessPass(DEMO.bg02, {});
    expect(b.method.id).not.toBe(a.method.id);
    expect((await h.dir.listTemporaryAccessPasses(DEMO.bg02)).map((m) => m.id)).toEqual([b.method.id]);
    // The replaced pass no longer signs in.
    expect(redeemTap(h.sim.state, DEMO.bg02, a.method.temporaryAccessPass).ok).toBe(false);
  });

  it('reports NotYetValid before startDateTime and Expired after the lifetime', async () => {
    h = await startHarness();
    const start = new Date(h.clock.now().getTime() + 2 * 3_600_000).toISOString();
    const { method } = await h.dir.createTemporaryAccessPass(DEMO.bg02, { startDateTime: start, lifetimeInMinutes: 60 });
    expect(method.isUsable).toBe(false);
    expect(method.methodUsabilityReason).toBe('NotYetValid');
    h.clock.advance(2 * 3_600_000 + 1000);
    expect((await h.dir.getTemporaryAccessPass(DEMO.bg02, method.id)).methodUsabilityReason).toBe('EnabledByPolicy');
    h.clock.advance(3_600_000);
    const expired = await h.dir.getTemporaryAccessPass(DEMO.bg02, method.id);
    expect(expired.isUsable).toBe(false);
    expect(expired.methodUsabilityReason).toBe('Expired');
  });

  it('a one-time pass used to sign in reads back as OneTimeUsed and cannot be used again', async () => {
    h = await startHarness();
    const { method } = await h.dir.createTemporaryAccessPass(DEMO.bg02, {});
    expect(redeemTap(h.sim.state, DEMO.bg02Upn, 'not-the-pass')).toEqual({ ok: false, reason: 'wrong_pass' });
    expect(redeemTap(h.sim.state, DEMO.bg02Upn, method.temporaryAccessPass)).toEqual({ ok: true, tapId: method.id });
    const after = await h.dir.getTemporaryAccessPass(DEMO.bg02, method.id);
    expect(after).toMatchObject({ isUsable: false, methodUsabilityReason: 'OneTimeUsed', temporaryAccessPass: null });
    expect(redeemTap(h.sim.state, DEMO.bg02Upn, method.temporaryAccessPass)).toEqual({ ok: false, reason: 'OneTimeUsed' });
  });

  it('a pass whose user falls out of the policy reads back as DisabledByPolicy', async () => {
    h = await startHarness();
    const { method } = await h.dir.createTemporaryAccessPass(DEMO.bg02, {});
    h.sim.state.tapPolicy.state = 'disabled';
    expect((await h.dir.getTemporaryAccessPass(DEMO.bg02, method.id)).methodUsabilityReason).toBe('DisabledByPolicy');
  });

  it('writes the directory audit events Entra writes for admin TAP changes', async () => {
    h = await startHarness();
    const { method } = await h.dir.createTemporaryAccessPass(DEMO.bg02, {});
    h.clock.advance(60_000);
    await h.dir.deleteTemporaryAccessPass(DEMO.bg02, method.id);
    const audits = await h.dir.listDirectoryAudits({ since: '2026-11-01T00:00:00Z', targetUserId: DEMO.bg02, loggedByService: 'Authentication Methods' });
    expect(audits.map((a) => a.resultReason)).toEqual([
      'Admin deleted temporary access pass method for user',
      'Admin registered temporary access pass method for user',
    ]);
    expect(audits[1]!.initiatedBy.app?.displayName).toMatch(/breakglass/);
  });
});
