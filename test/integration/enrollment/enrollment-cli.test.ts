// Both modes end to end from the CLI against the simulated tenant (the CLI reaches it as it reaches a running
// service's tenant: through <dataDir>/simulator.json), with officers who prove themselves with passkeys on virtual
// keys, a virtual break-glass key, PINs on standard input, and the security-info page driven by the account's
// "browser" while `enroll run` watches. Also the inventory, custody, drift and lifecycle commands, with exit codes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredential, SecurityKey, VirtualSecurityKey, type CreationOptionsJSON } from '../../../hardware/index.ts';
import { defaultLifecycleHooks } from '../../../server/accounts/lifecycle-hooks.ts';
import type { AuditEntry } from '../../../server/audit/audit-log.ts';
import { getOfficer } from '../../../server/auth/auth-store.ts';
import { RelyingParty } from '../../../server/auth/relying-party.ts';
import type { CliIo, Command } from '../../../server/cli/command.ts';
import { enrollmentCommands } from '../../../server/cli/enrollment-commands.ts';
import { main } from '../../../server/cli/main.ts';
import { loadConfig } from '../../../server/config.ts';
import { virtualKeyProvider } from '../../../server/enrollment/key-provider.ts';
import { openRuntime, type Runtime } from '../../../server/runtime.ts';
import { SIMULATOR_CONNECTION_FILE } from '../../../server/simulator/open-directory.ts';
import { backendEnv } from '../../helpers/audit-fixture.ts';
import { createBackend, type Backend } from '../../helpers/backends.ts';
import { DEMO, startHarness, type Harness } from '../../fixtures/graph/sim-harness.ts';
import { KEY_PIN, SecurityInfoClient, sqliteBytes } from './enrollment-harness.ts';
import { authServiceFor, createOfficers, OFFICER_PIN, type TestOfficer } from './officer-keys.ts';

let g: Harness;
let b: Backend;
let env: NodeJS.ProcessEnv;
let officers: Record<string, TestOfficer>;
let bgKey: VirtualSecurityKey;
let current: TestOfficer;
let commands: Command[];
const outputs: string[] = [];

async function cli(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string; stdoutSoFar: () => string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const input = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  input.end(stdin);
  const io: CliIo = { stdout, stderr, stdin: input, env: { PATH: process.env.PATH, ...env }, cwd: process.cwd() };
  const code = await main(args, io, commands);
  outputs.push(out, err);
  return { code, stdout: out, stderr: err, stdoutSoFar: () => out };
}

/** Starts a CLI command without waiting for it; lets the test read its output while it runs. */
function cliStart(args: string[], stdin = '') {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const input = new PassThrough();
  const seen = { out: '', err: '' };
  stdout.on('data', (d: Buffer) => (seen.out += d.toString()));
  stderr.on('data', (d: Buffer) => (seen.err += d.toString()));
  input.end(stdin);
  const io: CliIo = { stdout, stderr, stdin: input, env: { PATH: process.env.PATH, ...env }, cwd: process.cwd() };
  const done = main(args, io, commands).then((code) => {
    outputs.push(seen.out, seen.err);
    return code;
  });
  return { seen, done };
}

async function until<T>(what: string, fn: () => T | undefined): Promise<T> {
  for (let i = 0; i < 2000; i++) {
    const v = fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const as = (o: TestOfficer) => {
  current = o;
  return `${OFFICER_PIN}\n`;
};

let runtime: Runtime;

beforeAll(async () => {
  g = await startHarness();
  b = await createBackend('sqlite');
  env = { ...backendEnv(b), BREAKGLASS_ENROLLMENT_POLL_SECONDS: '0' };
  writeFileSync(join(b.dataDir, SIMULATOR_CONNECTION_FILE), JSON.stringify({ ...g.sim.connection, pid: process.pid }));
  runtime = await openRuntime(loadConfig({ env }), { clock: g.clock });
  officers = await createOfficers(runtime, [{ username: 'alice', role: 'admin' }, { username: 'bob', role: 'officer' }, { username: 'carol', role: 'auditor' }]);
  await runtime.close();
  bgKey = await VirtualSecurityKey.load('yubikey-5-nfc-5.4.3', { pin: KEY_PIN });
  const bgProvider = virtualKeyProvider(bgKey);
  const officerProviders = new Map(Object.values(officers).map((o) => [o.username, virtualKeyProvider(o.key)]));
  commands = enrollmentCommands({
    clock: g.clock,
    hooks: defaultLifecycleHooks,
    breakglassKeys: () => bgProvider,
    officerKeys: () => officerProviders.get(current.username)!,
    sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))),
  });
});

afterAll(async () => {
  await g.close();
  await b.dispose();
});

describe('breakglass account / key / enroll', () => {
  it('designates bg-02, pre-checks the key, and runs a guided enrollment to completion while the account registers the key', async () => {
    const des = await cli(['account', 'designate', DEMO.bg02Upn, '--json']);
    expect(des.code, des.stderr).toBe(0);
    const accountId = JSON.parse(des.stdout).account.id as string;

    const pre = await cli(['enroll', 'precheck', DEMO.bg02Upn, '--mode', 'guided']);
    expect(pre.code, pre.stderr).toBe(0);
    expect(pre.stdout).toContain('verdict: ALLOWED');
    expect(pre.stdout).toContain('accepted by passkey profile "Emergency access security keys"');
    expect(pre.stdout).toContain('a one-time pass valid for 60 minutes');

    const req = await cli(['enroll', 'request', DEMO.bg02Upn, '--mode', 'guided', '--reason', 'first key for BG-02', '--location', 'Safe A', '--seal', 'S-100', '--json'], as(officers.alice!));
    expect(req.code, req.stderr).toBe(0);
    const id = JSON.parse(req.stdout).request.id as string;
    expect(JSON.parse(req.stdout).request.requestedBy).toBe(officers.alice!.actor);

    // Four eyes: alice cannot approve her own request; an auditor may not approve at all; bob can.
    const self = await cli(['enroll', 'approve', id], as(officers.alice!));
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('four eyes');
    const auditor = await cli(['enroll', 'approve', id], as(officers.carol!));
    expect(auditor.code).toBe(1);
    expect(auditor.stderr).toMatch(/may not approve/);
    const ok = await cli(['enroll', 'approve', id], as(officers.bob!));
    expect(ok.code, ok.stderr).toBe(0);

    // Only the requester runs it.
    const wrong = await cli(['enroll', 'run', id], as(officers.bob!));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('only the officer who requested');

    const run = cliStart(['enroll', 'run', id, '--poll', '0.01'], as(officers.alice!));
    const tap = await until('the TAP on stdout', () => /shown once, stored nowhere:\n\n {4}(\S+)\n/.exec(run.seen.out)?.[1]);
    const url = /Open (http:\/\/localhost:\d+) in a private browser window/.exec(run.seen.out)![1]!;
    const browser = new SecurityInfoClient(url);
    expect((await browser.signIn(DEMO.bg02Upn, tap)).status).toBe(200);
    expect((await browser.registerKey(bgKey, 'BG-02 key')).status).toBe(201);
    const code = await run.done;
    expect(code, run.seen.err).toBe(0);
    expect(run.seen.out).toContain('The Temporary Access Pass was consumed (OneTimeUsed).');

    const inv = await cli(['key', 'inventory', DEMO.bg02Upn, '--json']);
    const keys = JSON.parse(inv.stdout).accounts[0].keys;
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ aaguid: '2fc0579f-8113-47ea-b116-bb5a8db9202a', location: 'Safe A', sealNumber: 'S-100', enrolledVia: 'guided', status: 'active' });

    const show = await cli(['enroll', 'show', id, '--json']);
    const shown = JSON.parse(show.stdout);
    expect(shown.request.state).toBe('completed');
    expect(shown.evidence.map((e: { action: string }) => e.action)).toEqual(['enrollment.requested', 'enrollment.approved', 'enrollment.tap_issuing', 'enrollment.tap_issued', 'enrollment.key_detected', 'enrollment.completed']);
    expect(shown.evidence[1].data.evidence).toMatchObject({ method: 'passkey-step-up', via: 'cli' });

    // The real drill clock ran in the same transaction: a cycle is open for the account.
    const rt = await openRuntime(loadConfig({ env }), { clock: g.clock });
    const cycles = await rt.database.db.selectFrom('drill_cycle').selectAll().where('account_id', '=', accountId).where('state', '=', 'open').execute();
    await rt.close();
    expect(cycles).toHaveLength(1);
    expect(cycles[0]!.reason).toBe('key_enrolled');

    const everything = [sqliteBytes(b), ...outputs.filter((o) => !o.includes('shown once'))].join('\n');
    expect(everything).not.toContain(tap);
    expect(everything).not.toContain(OFFICER_PIN);
    expect(everything).not.toContain(KEY_PIN);
  });

  it('replaces the lost key in direct mode: revokes it in Entra, registers the new one, restarts the drill clock', async () => {
    const inv = JSON.parse((await cli(['key', 'inventory', DEMO.bg02Upn, '--json'])).stdout).accounts[0].keys;
    const lostId = inv[0].id as string;
    const lostMethod = inv[0].graphMethodId as string;
    const lost = await cli(['key', 'lost', lostId, '--reason', 'not in the safe at the drill']);
    expect(lost.code, lost.stderr).toBe(0);
    expect(lost.stdout).toContain('Entra still accepts it');

    const req = await cli(['enroll', 'request', DEMO.bg02Upn, '--mode', 'direct', '--reason', 'replace the lost key', '--replace', lostId, '--seal', 'S-101', '--json'], as(officers.bob!));
    expect(req.code, req.stderr).toBe(0);
    const id = JSON.parse(req.stdout).request.id as string;
    expect((await cli(['enroll', 'approve', id], as(officers.alice!))).code).toBe(0);
    const run = await cli(['enroll', 'run', id], `${as(officers.bob!)}${KEY_PIN}\n`);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('completed');

    const methods = await g.dir.listFido2Methods(DEMO.bg02);
    expect(methods.map((m) => m.id)).not.toContain(lostMethod);
    expect(methods).toHaveLength(1);
    const all = JSON.parse((await cli(['key', 'inventory', DEMO.bg02Upn, '--all', '--json'])).stdout).accounts[0].keys;
    expect(all.map((k: { status: string }) => k.status).sort()).toEqual(['active', 'revoked']);
    expect(all.find((k: { status: string }) => k.status === 'active')).toMatchObject({ enrolledVia: 'direct', sealNumber: 'S-101' });

    const reconcile = await cli(['account', 'reconcile', DEMO.bg02Upn]);
    expect(reconcile.code, reconcile.stdout).toBe(0);
    expect(reconcile.stdout).toContain('no problems');
  });

  it('reports drift with exit 1: a key Entra has that the inventory does not know, and a phone method', async () => {
    const bg01 = await cli(['account', 'designate', DEMO.bg01Upn]);
    expect(bg01.code, bg01.stderr).toBe(0);
    g.sim.state.methodsOf(DEMO.bg01).push({ kind: 'other', graph: { '@odata.type': '#microsoft.graph.phoneAuthenticationMethod', id: '3179e48a-750b-4051-897c-87b9720928f7', phoneNumber: '+31 6 12345678', phoneType: 'mobile' } });
    const r = await cli(['account', 'reconcile', DEMO.bg01Upn]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Entra has a key the inventory does not know: "BG-01 YubiKey 5 NFC #21045871"');
    expect(r.stdout).toContain('weak or personal method on an emergency account: a phone number');
    const adopt = await cli(['key', 'adopt', DEMO.bg01Upn, 'nv6kaCVlPEa3qyrPXrZKzAhT4uS3mHNBjmVwJ9Cx5ag1', '--location', 'Safe B', '--seal', 'S-200']);
    expect(adopt.code, adopt.stderr).toBe(0);
    const again = await cli(['account', 'reconcile', DEMO.bg01Upn, '--json']);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout).results[0].findings.map((f: { code: string }) => f.code)).toEqual(['weak_method']);
  });

  it('manages custodians and custody, and retires an account', async () => {
    const add = await cli(['account', 'custodian', 'add', DEMO.bg01Upn, '--name', 'Dana Ruiz', '--role', 'safe holder', '--json']);
    expect(add.code, add.stderr).toBe(0);
    const custodianId = JSON.parse(add.stdout).id as string;
    const keyId = JSON.parse((await cli(['key', 'inventory', DEMO.bg01Upn, '--json'])).stdout).accounts[0].keys[0].id as string;
    const custody = await cli(['key', 'custody', keyId, '--seal', 'S-201', '--reason', 're-sealed after the drill']);
    expect(custody.code, custody.stderr).toBe(0);
    expect(custody.stdout).toContain('kept at Safe B, seal S-201');
    const remove = await cli(['account', 'custodian', 'remove', custodianId, '--reason', 'left the company']);
    expect(remove.code, remove.stderr).toBe(0);
    expect(remove.stdout).toMatch(/next drill is now due by \d{4}-/);
    const show = await cli(['account', 'show', DEMO.bg01Upn]);
    expect(show.stdout).toContain('seal S-201');
    expect(show.stdout).toContain('custodians (0)');

    const retire = await cli(['account', 'retire', DEMO.bg01Upn, '--reason', 'replaced by bg-03']);
    expect(retire.code, retire.stderr).toBe(0);
    expect(retire.stdout).toContain('Entra may still accept these keys');
    const list = await cli(['account', 'list', '--json']);
    expect(JSON.parse(list.stdout).accounts.map((a: { account: { upn: string } }) => a.account.upn)).toEqual([DEMO.bg02Upn]);
  });

  it('refuses a blocked key with exit 1 and records the refusal', async () => {
    const other = await VirtualSecurityKey.load('security-key-by-yubico', { pin: KEY_PIN });
    const blockedCommands = enrollmentCommands({ clock: g.clock, hooks: defaultLifecycleHooks, breakglassKeys: () => virtualKeyProvider(other), officerKeys: () => virtualKeyProvider(officers.alice!.key) });
    const saved = commands;
    commands = blockedCommands;
    try {
      const pre = await cli(['enroll', 'precheck', DEMO.bg02Upn, '--mode', 'direct']);
      expect(pre.code).toBe(1);
      expect(pre.stdout).toContain('verdict: BLOCKED');
      expect(pre.stdout).toMatch(/does not list AAGUID/);
      const req = await cli(['enroll', 'request', DEMO.bg02Upn, '--mode', 'direct', '--reason', 'x'], `${OFFICER_PIN}\n`);
      expect(req.code).toBe(1);
      expect(req.stderr).toContain('the key cannot be enrolled for this account');
    } finally {
      commands = saved;
    }
  });
});

/** Opens the CLI's store for a look (the CLI commands open and close their own runtime). */
async function withStore<T>(fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const rt = await openRuntime(loadConfig({ env }), { clock: g.clock });
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

const headSeq = () => withStore(async (rt) => (await rt.audit.entries({ limit: 1 }))[0]!.seq);
/** Entries appended after `seq`, oldest first. */
const entriesAfter = (seq: number) => withStore(async (rt) => (await rt.audit.entries({ limit: 100 })).filter((e) => e.seq > seq).reverse());

/** Runs CLI commands with a different officer key (not one of the cast's own). */
async function withOfficerKey<T>(key: VirtualSecurityKey, fn: () => Promise<T>): Promise<T> {
  const saved = commands;
  commands = enrollmentCommands({ clock: g.clock, hooks: defaultLifecycleHooks, breakglassKeys: () => virtualKeyProvider(bgKey), officerKeys: () => virtualKeyProvider(key) });
  try {
    return await fn();
  } finally {
    commands = saved;
  }
}

const NO_SUCH_REQUEST = '6a0f3c1e-0000-4000-8000-000000000000';

describe('CLI passkey sign-in failures are audited as over HTTP (auth.sign_in_failed)', () => {
  /** Runs a four-eyes command whose sign-in must fail; returns the entries it added. */
  async function failedSignIn(args: string[]): Promise<{ stderr: string; added: AuditEntry[] }> {
    const before = await headSeq();
    const r = await cli(args, `${OFFICER_PIN}\n`);
    expect(r.code, r.stderr).toBe(1);
    return { stderr: r.stderr, added: await entriesAfter(before) };
  }

  it('a passkey breakglass does not know (a key registered for our origin elsewhere) → credential_unknown', async () => {
    const stranger = await VirtualSecurityKey.load('breakglass-virtual', { pin: OFFICER_PIN });
    const options = await withStore((rt) => authServiceFor(rt).rp.registrationOptions({ handle: RelyingParty.newUserHandle(), username: 'mallory', displayName: 'mallory' }, []));
    const key = await SecurityKey.open(stranger.open(), { descriptor: stranger.descriptor });
    try {
      await createCredential(key, options as unknown as CreationOptionsJSON, { origin: loadConfig({ env }).auth.origin, pin: OFFICER_PIN });
    } finally {
      await key.close();
    }
    const { stderr, added } = await withOfficerKey(stranger, () => failedSignIn(['enroll', 'cancel', NO_SUCH_REQUEST, '--reason', 'probe']));
    expect(stderr).toContain('not registered with breakglass');
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ actor: 'anonymous', action: 'auth.sign_in_failed', subject: 'auth', data: { reason: 'credential_unknown', ip: 'cli', credentialFingerprint: expect.any(String) } });
  });

  it('a cloned officer key whose signature counter went backwards → counter_regressed, naming the officer and passkey', async () => {
    const bob = officers.bob!;
    const clone = await VirtualSecurityKey.load('breakglass-virtual', { pin: OFFICER_PIN });
    clone.authenticator.importCredentials(bob.key.authenticator.exportCredentials());
    // Bob signs in with the real key (the command then fails on the unknown request): the stored counter moves on.
    const real = await cli(['enroll', 'cancel', NO_SUCH_REQUEST, '--reason', 'probe'], as(bob));
    expect(real.code).toBe(1);
    expect(real.stderr).not.toContain('counter');
    const passkeyId = await withStore(async (rt) => (await rt.database.db.selectFrom('officer_passkey').select('id').where('officer_id', '=', bob.id).executeTakeFirstOrThrow()).id);
    const { stderr, added } = await withOfficerKey(clone, () => failedSignIn(['enroll', 'cancel', NO_SUCH_REQUEST, '--reason', 'probe']));
    expect(stderr).toMatch(/counter/i);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ actor: 'anonymous', action: 'auth.sign_in_failed', subject: bob.actor, data: { reason: 'counter_regressed', ip: 'cli', passkeyId, storedCounter: expect.any(Number) } });
  });

  it('a disabled officer → officer_disabled, and no session is opened', async () => {
    const carol = officers.carol!;
    await withStore(async (rt) => {
      const alice = (await getOfficer(rt.database.db, officers.alice!.id))!;
      await authServiceFor(rt).updateOfficer(alice, carol.id, { status: 'disabled' });
    });
    try {
      const sessions = () => withStore(async (rt) => (await rt.database.db.selectFrom('auth_session').select('id_hash').where('officer_id', '=', carol.id).execute()).length);
      as(carol);
      const { stderr, added } = await failedSignIn(['enroll', 'cancel', NO_SUCH_REQUEST, '--reason', 'probe']);
      expect(stderr).toContain('disabled');
      expect(added).toHaveLength(1);
      expect(added[0]).toMatchObject({ actor: 'anonymous', action: 'auth.sign_in_failed', subject: carol.actor, data: { reason: 'officer_disabled', ip: 'cli', passkeyId: expect.any(String) } });
      expect(await sessions()).toBe(0);
    } finally {
      await withStore(async (rt) => {
        const alice = (await getOfficer(rt.database.db, officers.alice!.id))!;
        await authServiceFor(rt).updateOfficer(alice, carol.id, { status: 'active' });
      });
    }
  });
});

describe('free text with control characters is refused before anything changes (exit 2)', () => {
  const SPOOF = 'moved\u001b[2K\r\u001b[32mall keys accounted for\u001b[0m';

  it('key lost --reason with a terminal escape sequence: exit 2, the key and the audit log untouched', async () => {
    const keys = JSON.parse((await cli(['key', 'inventory', DEMO.bg02Upn, '--json'])).stdout).accounts[0].keys as { id: string; status: string }[];
    const active = keys.find((k) => k.status === 'active')!;
    expect(active).toBeDefined();
    const before = await headSeq();
    const r = await cli(['key', 'lost', active.id, '--reason', SPOOF]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--reason must not contain control or invisible formatting characters (found U+001B at character 6)');
    expect(r.stderr).not.toContain('\u001b');
    expect(await entriesAfter(before)).toEqual([]);
    const after = JSON.parse((await cli(['key', 'inventory', DEMO.bg02Upn, '--json'])).stdout).accounts[0].keys as { id: string; status: string }[];
    expect(after.find((k) => k.id === active.id)!.status).toBe('active');
  });

  it('enroll request --location with a control character: exit 2 before the officer signs in', async () => {
    const before = await headSeq();
    const r = await cli(['enroll', 'request', DEMO.bg02Upn, '--mode', 'direct', '--reason', 'spare key', '--location', 'Safe\u0007 A'], as(officers.alice!));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--location must not contain control or invisible formatting characters (found U+0007');
    expect(await entriesAfter(before)).toEqual([]);
  });
});
