// A drill end to end from the command line against the simulated tenant (started by each command from the persisted
// state in the data folder, as on an operator's machine): designate, register a virtual key through Graph's
// creationOptions + POST, announce a window, "not seen yet" before the sign-in, `sim signin` with the key (CTAP
// getAssertion, UV with the PIN), `drill verify` with the verdict, sign-in id and reasons, the custody checklist and
// the pass, the calendar, an unannounced use becoming an incident and its classification, and the readiness report.
// Every bad input is one line, a non-zero exit, and no change.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/config.ts';
import { openRuntime } from '../../../server/runtime.ts';
import { DEMO_TENANT_FIXTURE } from '../../../server/simulator/tenant-fixture.ts';
import { runCli } from '../../helpers/cli.ts';

const UPN = 'bg-02@contosodemo.onmicrosoft.com';
const PIN = '482916';
let dir: string;
let env: NodeJS.ProcessEnv;

async function auditCount(): Promise<number> {
  const rt = await openRuntime(loadConfig({ env }), { directory: false });
  try {
    return (await rt.audit.head()).size;
  } finally {
    await rt.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bg-drill-cli-'));
  env = { BREAKGLASS_DATA_DIR: dir, BREAKGLASS_AUDIT_ORIGIN: 'test.breakglass.local/drills', BREAKGLASS_KEY_PIN: PIN };
  // The store exists once the service has started; create it the same way.
  const rt = await openRuntime(loadConfig({ env }), { directory: false });
  await rt.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('drill from the CLI', () => {
  let drillId: string;
  let signInId: string;

  it('designates the account and registers a virtual key for it through Graph', async () => {
    expect((await runCli(['account', 'designate', UPN], env)).code).toBe(0);
    const r = await runCli(['sim', 'register-key', '--account', UPN, '--virtual', 'yubikey-5-nfc-5.4.3', '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ account: UPN, aaguid: '2fc0579f-8113-47ea-b116-bb5a8db9202a', model: 'YubiKey 5 Series with NFC', attestationLevel: 'attested' });
    // The key's state is kept for the next command; the PIN is not in it.
    const file = readFileSync(out.virtualKey.file, 'utf8');
    expect(JSON.parse(file).credentials).toHaveLength(1);
    expect(file).not.toContain(PIN);
  });

  it('announces a drill window', async () => {
    const r = await runCli(['drill', 'open', '--account', UPN, '--performer', 'Dana Okafor', '--witness', 'Wim de Boer', '--expected-key', 'YubiKey 5 NFC #30117', '--minutes', '30', '--json'], env);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d).toMatchObject({ upn: UPN, status: 'open', phase: 'in_progress', performer: 'Dana Okafor', witness: 'Wim de Boer', verification: { state: 'waiting' } });
    drillId = d.id;
  });

  it('says "not seen" (exit 3), not "failed", before the sign-in reaches the logs', async () => {
    const r = await runCli(['drill', 'verify', '--account', UPN, '--json'], env);
    expect(r.code).toBe(3);
    const v = JSON.parse(r.stdout);
    expect(v).toMatchObject({ verdict: 'not_seen', signInId: null });
    expect(v.reasons[0]).toMatch(/no sign-in of the account between .* in the sign-in logs yet/);
  });

  it('signs in with the virtual key (CTAP getAssertion against the simulator), which writes a beta sign-in record', async () => {
    const r = await runCli(['sim', 'signin', '--account', UPN, '--virtual', 'yubikey-5-nfc-5.4.3', '--json'], env);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ ok: true, signIn: { userPrincipalName: UPN, errorCode: 0, methods: ['Passkey (device-bound)'] } });
    signInId = s.signIn.id;
    expect(r.stdout + r.stderr).not.toContain(PIN);
  });

  it('verifies the drill: verdict, matched sign-in id and reasons (exit 0), and keeps the evidence', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const adhoc = await runCli(['drill', 'verify', '--account', UPN, '--from', from, '--to', to, '--json'], env);
    expect(adhoc.code).toBe(0);
    expect(JSON.parse(adhoc.stdout)).toMatchObject({ verdict: 'verified', signInId, account: UPN, drill: null });
    const r = await runCli(['drill', 'verify', '--drill', drillId, '--json'], env);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v.verdict).toBe('verified');
    expect(v.signInId).toBe(signInId);
    expect(v.reasons[0]).toMatch(/^successful sign-in at .* with "Passkey \(device-bound\)" inside the drill window$/);
    expect(v.drill.verification).toMatchObject({ state: 'verified', signIn: { id: signInId } });
  });

  it('refuses a pass without a complete custody checklist, changing nothing', async () => {
    const before = await auditCount();
    const r = await runCli(['drill', 'close', '--drill', drillId, '--result', 'passed', '--seal-intact', 'yes', '--seal-before', 'A-1001'], env);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot pass yet: record the new seal number after re-sealing; the witness \(Wim de Boer\) must confirm/);
    expect(await auditCount()).toBe(before);
  });

  it('passes with the checklist; the next drill falls due 90 days after the sign-in', async () => {
    const r = await runCli(['drill', 'close', '--drill', drillId, '--result', 'passed', '--seal-intact', 'yes', '--seal-before', 'A-1001', '--seal-after', 'A-1002', '--witness-confirmed', '--admin-task-proven', '--json'], env);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.status).toBe('passed');
    expect(d.checklist).toEqual({ sealIntactBefore: true, sealNumberBefore: 'A-1001', sealNumberAfter: 'A-1002', witnessConfirmed: true, adminTaskProven: true });
    const signedAt = Date.parse(d.verification.signIn.createdDateTime);
    expect(d.result.nextDueAt).toBe(new Date(signedAt + 90 * 86_400_000).toISOString());
    const list = JSON.parse((await runCli(['drill', 'list', '--json'], env)).stdout);
    expect(list.calendar).toEqual([expect.objectContaining({ upn: UPN, state: 'ok', lastPassed: { drillId, at: d.verification.signIn.createdDateTime }, cycle: expect.objectContaining({ reason: 'drill_passed', dueAt: d.result.nextDueAt }) })]);
    const text = await runCli(['drill', 'list'], env);
    expect(text.stdout).toContain(`${UPN}  ok          due ${d.result.nextDueAt.slice(0, 10)}  last passed`);
  });

  it('an unannounced sign-in found by verify becomes an incident, classified once', async () => {
    expect((await runCli(['sim', 'signin', '--account', UPN], env)).code).toBe(0);
    const from = new Date(Date.now() - 60_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    // A window with no drill: the sign-in proves nothing and is a use outside any drill window.
    const v = await runCli(['drill', 'verify', '--account', UPN, '--from', from, '--to', to, '--json'], env);
    expect(JSON.parse(v.stdout).verdict).toBe('verified');
    const list = JSON.parse((await runCli(['incident', 'list', '--status', 'open', '--json'], env)).stdout).incidents;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ kind: 'sign_in', severity: 'critical', upn: UPN, status: 'open', allowedClassifications: ['drill', 'emergency', 'misuse'] });
    const c = await runCli(['incident', 'classify', list[0].id, '--as', 'drill', '--notes', 'Second sign-in by Dana to check the portal, not announced: reminded the team.', '--json'], env);
    expect(c.code).toBe(0);
    expect(JSON.parse(c.stdout)).toMatchObject({ status: 'classified', classification: 'drill', classifiedBy: expect.stringMatching(/^cli:/) });
    const again = await runCli(['incident', 'classify', list[0].id, '--as', 'misuse', '--notes', 'changed my mind'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already classified as drill/);
    const wrongKind = await runCli(['incident', 'classify', list[0].id, '--as', 'authorized_change', '--notes', 'x y z'], env);
    expect(wrongKind.code).toBe(1);
  });

  it('renders the readiness report, exit 1 while a problem remains', async () => {
    const r = await runCli(['report', 'readiness', '--json'], env);
    expect(r.code).toBe(1);
    const rep = JSON.parse(r.stdout);
    expect(rep.tenant.kind).toBe('simulated');
    expect(rep.tenantChecks.find((c: { code: string }) => c.code === 'two_accounts')).toMatchObject({ status: 'problem', detail: expect.stringMatching(/^1 designated/) });
    const acct = rep.accounts[0];
    expect(acct.upn).toBe(UPN);
    const byCode = Object.fromEntries(acct.checks.map((c: { code: string; status: string }) => [c.code, c.status]));
    expect(byCode).toMatchObject({ cloud_only: 'ok', onmicrosoft_domain: 'ok', global_admin: 'ok', phishing_resistant_method: 'ok', no_personal_device: 'ok', drill_recent: 'ok', ca_model: 'ok', ca_blocking: 'warning', incidents: 'ok' });
    const text = await runCli(['report', 'readiness'], env);
    expect(text.stdout).toContain('PROBLEM  At least two emergency accounts: 1 designated');
    expect(text.stdout).toContain(`${UPN} (Emergency Access 02): NEEDS ATTENTION`);
  });

  it.each([
    [['drill', 'open', '--account', UPN, '--performer', 'A'], 2, /--account, --performer and --witness are required/],
    [['drill', 'open', '--account', UPN, '--performer', 'Ann', '--witness', 'ann'], 1, /the witness must be someone other than the performer/],
    [['drill', 'open', '--account', UPN, '--performer', 'A', '--witness', 'B', '--start', 'tomorrow'], 2, /--start must be an ISO-8601 instant/],
    [['drill', 'open', '--account', 'nobody@contosodemo.onmicrosoft.com', '--performer', 'A', '--witness', 'B'], 1, /no emergency account "nobody@contosodemo.onmicrosoft.com"/],
    [['drill', 'open', '--account', UPN, '--performer', 'A', '--witness', 'B', '--minutes', '5'], 1, /the window lasts 10 to 1440 minutes/],
    [['drill', 'verify', '--account', UPN, '--from', '2026-01-01T00:00:00Z'], 2, /give both --from and --to/],
    [['drill', 'close', '--account', UPN, '--result', 'maybe'], 2, /--result is passed or failed/],
    [['drill', 'close', '--account', UPN, '--result', 'failed', '--notes', 'x'], 1, /has no open drill/],
    [['report', 'readiness', '--enforcement-days', '45'], 2, /--enforcement-days must be from 1 to 30/],
    [['sim', 'signin', '--account', 'bg-01@contosodemo.onmicrosoft.com'], 1, /has no passkey this simulated tenant can verify/],
  ])('bad input %j: one line, exit %i, nothing changed', async (args, code, message) => {
    const before = await auditCount();
    const r = await runCli(args as string[], env);
    expect(r.code).toBe(code);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message as RegExp);
    expect(await auditCount()).toBe(before);
  });

  it('refuses a PIN given nowhere', async () => {
    const r = await runCli(['sim', 'signin', '--account', UPN], { ...env, BREAKGLASS_KEY_PIN: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the key PIN is needed: pass --pin-stdin/);
  });
});

describe('drill verify on a tenant without Entra ID P1', () => {
  let freeDir: string;
  let freeEnv: NodeJS.ProcessEnv;
  beforeAll(async () => {
    freeDir = mkdtempSync(join(tmpdir(), 'bg-drill-free-'));
    const fixture = JSON.parse(readFileSync(DEMO_TENANT_FIXTURE, 'utf8'));
    fixture.tenant.license = 'Free';
    writeFileSync(join(freeDir, 'free-tenant.json'), JSON.stringify(fixture));
    freeEnv = { BREAKGLASS_DATA_DIR: freeDir, BREAKGLASS_AUDIT_ORIGIN: 'test.breakglass.local/free', BREAKGLASS_TENANT_FIXTURE: join(freeDir, 'free-tenant.json') };
    await (await openRuntime(loadConfig({ env: freeEnv }), { directory: false })).close();
  });
  afterAll(() => rmSync(freeDir, { recursive: true, force: true }));

  it('says plainly that sign-in logs need a P1/P2 licence, in one line, and records nothing', async () => {
    expect((await runCli(['account', 'designate', UPN], freeEnv)).code).toBe(0);
    expect((await runCli(['drill', 'open', '--account', UPN, '--performer', 'A', '--witness', 'B'], freeEnv)).code).toBe(0);
    const r = await runCli(['drill', 'verify', '--account', UPN], freeEnv);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^breakglass drill verify: This tenant has no Microsoft Entra ID P1 or P2 licence, which Graph requires for sign-in logs/);
    const rep = JSON.parse((await runCli(['report', 'readiness', '--json', '--enforcement-days', '7'], freeEnv)).stdout);
    expect(rep.enforcement.error).toMatch(/no Microsoft Entra ID P1 or P2 licence/);
  });
});
