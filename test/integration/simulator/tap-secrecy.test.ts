// A TAP value reaches exactly one place: the create response handed to the caller. This proves it does not reach the
// adapter's log lines, the simulator's own request logs (Fastify/pino at trace level), any URL, any error message or
// error details, or anything the simulated tenant keeps (state, audit records, request log), including on the fault
// paths where the create response is lost.
import { afterEach, describe, expect, it } from 'vitest';
import { GraphUnknownOutcomeError } from '../../../server/graph/graph-errors.ts';
import type { TenantState } from '../../../server/simulator/tenant-state.ts';
import { DEMO, startHarness, type Harness } from '../../fixtures/graph/sim-harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function dumpState(state: TenantState): string {
  return JSON.stringify({
    users: [...state.users.values()],
    methods: [...state.methods.entries()].map(([k, v]) => [k, v.map((m) => (m.kind === 'tap' ? { ...m, secretHash: m.secretHash?.toString('base64') } : m))]),
    audits: state.directoryAudits,
    signIns: state.signIns,
    requestLog: state.requestLog,
    mail: state.sentMail,
  });
}

describe('TAP secrecy', () => {
  it('the pass text appears only in the create response', async () => {
    const serverLog: string[] = [];
    h = await startHarness({ logger: { level: 'trace', stream: { write: (line: string) => { serverLog.push(line); } } } });
    const issued = await h.dir.createTemporaryAccessPass(DEMO.bg02, { lifetimeInMinutes: 120 });
    const pass = issued.method.temporaryAccessPass;
    expect(pass).toMatch(/^.{8}$/);

    // Reads never return it.
    const listed = await h.dir.listTemporaryAccessPasses(DEMO.bg02);
    const one = await h.dir.getTemporaryAccessPass(DEMO.bg02, issued.method.id);
    const all = await h.dir.listAuthenticationMethods(DEMO.bg02);
    const posture = await h.dir.readPosture([DEMO.bg02]);
    const audits = await h.dir.listDirectoryAudits({ since: '2026-01-01T00:00:00Z' });
    const readBack = JSON.stringify({ listed, one, all, posture, audits });
    expect(readBack).not.toContain(pass);
    expect(one.temporaryAccessPass).toBeNull();

    // A failed create and an unknown-outcome create: messages and details are free of any pass.
    const failure = await h.dir.createTemporaryAccessPass(DEMO.bg02, { lifetimeInMinutes: 9999 }).catch((e: unknown) => e);
    h.sim.faults.add({ kind: 'drop', method: 'POST', path: '/temporaryAccessPassMethods', when: 'after', times: 1 });
    const lost = await h.dir.createTemporaryAccessPass(DEMO.bg02, {}).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(GraphUnknownOutcomeError);
    const errorsText = [failure, lost].map((e) => `${(e as Error).message} ${JSON.stringify((e as GraphUnknownOutcomeError).details)} ${(e as Error).stack}`).join('\n');
    expect(errorsText).not.toContain(pass);

    // Logs on both sides, every URL, and the tenant's stored state.
    expect(h.logs.length).toBeGreaterThan(0);
    expect(h.logs.join('\n')).not.toContain(pass);
    expect(serverLog.length).toBeGreaterThan(10);
    expect(serverLog.join('\n')).not.toContain(pass);
    expect(h.sim.state.requestLog.map((r) => r.path).join('\n')).not.toContain(pass);
    expect(dumpState(h.sim.state)).not.toContain(pass);
    expect(dumpState(h.sim.state)).not.toContain(encodeURIComponent(pass));
  });

  it('the stored pass is an HMAC, not the value, and a fixture may not carry a pass value', async () => {
    h = await startHarness();
    const { method } = await h.dir.createTemporaryAccessPass(DEMO.bg02, {});
    const stored = h.sim.state.methodsOf(DEMO.bg02).find((m) => m.kind === 'tap');
    expect(stored?.kind === 'tap' && stored.secretHash?.length).toBe(32);
    expect(stored?.kind === 'tap' && stored.secretHash?.toString('utf8')).not.toContain(method.temporaryAccessPass);
    await h.close();
    const err = await startHarness({
      edit: (f) => {
        f.authenticationMethods![DEMO.bg02]!.push({ '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethod', id: 'x', temporaryAccessPass: 'Secret12' } as never);
      },
    }).catch((e: unknown) => e);
    h = undefined;
    expect((err as Error).message).toMatch(/must not carry a temporaryAccessPass value/);
    expect((err as Error).message).not.toContain('Secret12');
  });
});
