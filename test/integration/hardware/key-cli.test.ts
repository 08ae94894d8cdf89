// The `breakglass key …` commands end to end through the CLI entry (main), with virtual keys standing in for
// hardware behind the same device interface, plus the real binary once for the no-key case. Checks what a person
// sees: the lines, the --json fields, the exit codes, and one-line errors without stack traces.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable, Writable } from 'node:stream';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../../server/cli/main.ts';
import type { CliIo, Command } from '../../../server/cli/command.ts';
import { createKeyListCommand } from '../../../server/cli/key-list-command.ts';
import { createKeyInfoCommand } from '../../../server/cli/key-info-command.ts';
import { createKeyCheckCommand } from '../../../server/cli/key-check-command.ts';
import { keyInspectCommand } from '../../../server/cli/key-inspect-command.ts';
import type { KeyCommandDeps } from '../../../server/cli/key-support.ts';
import { VirtualSecurityKey } from '../../../hardware/virtual/virtual-security-key.ts';
import { DevicePermissionError, KeyNotFoundAtPathError } from '../../../hardware/errors.ts';
import type { HidBackend } from '../../../hardware/node-hid-backend.ts';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const fixtures = join(repo, 'test/fixtures/hardware');
const ROOT_CA = join(repo, 'hardware/virtual/attestation/test-attestation-root.pem');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], deps?: Partial<KeyCommandDeps>): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: new Writable({ write: (c, _e, cb) => ((stdout += String(c)), cb()) }),
    stderr: new Writable({ write: (c, _e, cb) => ((stderr += String(c)), cb()) }),
    stdin: Readable.from([]),
    env: {},
    cwd: repo,
  };
  const d: KeyCommandDeps = { backend: deps?.backend ?? (() => backendOf([])) };
  const list: Command[] = [createKeyListCommand(d), createKeyInfoCommand(d), createKeyCheckCommand(d), keyInspectCommand];
  const code = await main(argv, io, list);
  return { code, stdout, stderr };
}

function backendOf(keys: VirtualSecurityKey[]): HidBackend {
  return {
    listFidoDevices: async () => keys.map((k) => k.descriptor),
    open: async (path) => {
      const key = keys.find((k) => k.descriptor.path === path);
      if (!key) throw new KeyNotFoundAtPathError(path);
      return key.open();
    },
  };
}

function expectOneLineError(r: Run, pattern: RegExp): void {
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('key list', () => {
  it('says "no FIDO2 security key found" with the Linux permissions hint and exits 1', async () => {
    const r = await run(['key', 'list']);
    expect(r.code).toBe(1);
    expectOneLineError(r, /^breakglass key list: no FIDO2 security key found; plug one in \(on Linux the hidraw node must be readable.*udev/);
    const j = await run(['key', 'list', '--json']);
    expect(JSON.parse(j.stdout)).toEqual({ devices: [] });
    expect(j.code).toBe(1);
  });

  it('lists attached keys with path, vendor:product and name', async () => {
    const yk = await VirtualSecurityKey.load('yubikey-5-nfc-5.4.3');
    const r = await run(['key', 'list'], { backend: () => backendOf([yk]) });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('virtual:yubikey-5-nfc-5.4.3 — Yubico YubiKey OTP+FIDO+CCID (1050:0407)');
    const j = JSON.parse((await run(['key', 'list', '--json'], { backend: () => backendOf([yk]) })).stdout);
    expect(j.devices[0]).toMatchObject({ path: 'virtual:yubikey-5-nfc-5.4.3', vendorId: '1050', productId: '0407', manufacturer: 'Yubico' });
  });
});

describe('key info', () => {
  it('prints what fido2-token -I prints, for the one key attached', async () => {
    const yk = await VirtualSecurityKey.load('yubikey-5-nfc-5.4.3');
    const r = await run(['key', 'info'], { backend: () => backendOf([yk]) });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    const field = (label: string) => lines.find((l) => l.startsWith(`${label}:`))?.slice(label.length + 1).trim();
    expect(field('model')).toBe('YubiKey 5 Series with NFC (Yubico)');
    expect(field('aaguid')).toBe('2fc0579f-8113-47ea-b116-bb5a8db9202a');
    expect(field('versions')).toBe('U2F_V2, FIDO_2_0, FIDO_2_1_PRE');
    expect(field('extensions')).toBe('credProtect, hmac-secret');
    expect(field('options')).toBe('rk, up, noplat, clientPin, credentialMgmtPreview');
    expect(field('algorithms')).toBe('es256, eddsa');
    expect(field('PIN')).toBe('set, 8 tries left');
    expect(field('min PIN length')).toBe('4');
    expect(field('firmware')).toBe('0x50403');
    expect(field('remaining discoverable credentials')).toBe('25');
    expect(field('PIN/UV auth protocols')).toBe('2, 1');
    expect(r.stdout).toMatch(/note: the AAGUID comes from getInfo and is self-declared/);
  });

  it('gives --json with the CTAP spec names', async () => {
    const r = await run(['key', 'info', '--virtual', 'yubikey-5-nfc-5.4.3', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      aaguid: '2fc0579f-8113-47ea-b116-bb5a8db9202a',
      versions: ['U2F_V2', 'FIDO_2_0', 'FIDO_2_1_PRE'],
      extensions: ['credProtect', 'hmac-secret'],
      options: { rk: true, up: true, plat: false, clientPin: true, credentialMgmtPreview: true },
      maxMsgSize: 1200,
      pinUvAuthProtocols: [2, 1],
      firmwareVersion: 0x050403,
      minPINLength: 4,
      remainingDiscoverableCredentials: 25,
      pinRetries: 8,
      model: 'YubiKey 5 Series with NFC',
      virtual: true,
      ctaphid: { protocolVersion: 2, deviceVersion: '5.4.3' },
    });
  });

  it('prints the raw getInfo with --raw: a recorded answer comes back byte for byte, ready for a profile', async () => {
    const recorded = (await readFile(join(fixtures, 'getinfo/security-key-by-yubico.hex'), 'utf8')).trim();
    const r = await run(['key', 'info', '--virtual', 'security-key-by-yubico', '--raw']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(recorded);
    // A live profile's answer, saved as a recording, describes the same key.
    const live = (await run(['key', 'info', '--virtual', 'yubikey-5-nfc-5.4.3', '--raw'])).stdout.trim();
    const dir = await mkdtemp(join(tmpdir(), 'breakglass-raw-'));
    try {
      const profile = join(dir, 'recorded.json');
      await writeFile(profile, JSON.stringify({ name: 'recorded from key info --raw', getInfo: live }));
      const a = JSON.parse((await run(['key', 'info', '--virtual', profile, '--json'])).stdout);
      const b = JSON.parse((await run(['key', 'info', '--virtual', 'yubikey-5-nfc-5.4.3', '--json'])).stdout);
      for (const k of ['aaguid', 'versions', 'options', 'firmwareVersion', 'maxMsgSize', 'pinUvAuthProtocols']) expect(a[k]).toEqual(b[k]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('labels a virtual key as such', async () => {
    const r = await run(['key', 'info', '--virtual', 'breakglass-virtual']);
    expect(r.stdout).toMatch(/^device: .*\[VIRTUAL KEY, not hardware\]/m);
    expect(r.stdout).toMatch(/^PIN: +NOT SET, 8 tries left/m);
  });

  it.each([
    [['key', 'info', '--virtual', 'test/fixtures/hardware/profiles/bad-unknown-field.json'], 2, /key profile .*bad-unknown-field\.json: unknown field "maxMsgSise"/],
    [['key', 'info', '--virtual', 'test/fixtures/hardware/profiles/bad-not-json.json'], 2, /not valid JSON/],
    [['key', 'info', '--virtual', 'no-such-profile'], 2, /no such built-in profile/],
    [['key', 'info', '--device', '/dev/hidraw7', '--virtual', 'breakglass-virtual'], 2, /either --device or --virtual/],
    [['key', 'info'], 1, /no FIDO2 security key found/],
    [['key', 'info', '--device', '/dev/hidraw7'], 1, /no FIDO2 security key at \/dev\/hidraw7/],
    [['key', 'info', '--bogus'], 2, /Unknown option '--bogus'/],
  ])('%j fails with exit %i and one line', async (argv, code, message) => {
    const r = await run(argv);
    expect(r.code).toBe(code);
    expectOneLineError(r, message);
  });

  it('says when several keys are attached and when a key may not be opened', async () => {
    const a = await VirtualSecurityKey.load('breakglass-virtual', { path: '/dev/hidraw1' });
    const b = await VirtualSecurityKey.load('breakglass-virtual', { path: '/dev/hidraw2' });
    const several = await run(['key', 'info'], { backend: () => backendOf([a, b]) });
    expect(several.code).toBe(1);
    expectOneLineError(several, /2 FIDO2 security keys found; choose one with --device PATH \(\/dev\/hidraw1, \/dev\/hidraw2\)/);
    const denied: HidBackend = { listFidoDevices: async () => [a.descriptor], open: async (p) => Promise.reject(new DevicePermissionError(p, 'linux')) };
    const r = await run(['key', 'info', '--device', '/dev/hidraw1'], { backend: () => denied });
    expect(r.code).toBe(1);
    expectOneLineError(r, /found a key at \/dev\/hidraw1 but may not open it \(on Linux .*uaccess/);
  });
});

describe('key check', () => {
  const allow = ['--allow-list', 'test/fixtures/hardware/allow-lists/yubikey-5-nfc.json'];
  const tenant = (f: string) => ['--tenant-policy', `test/fixtures/hardware/tenant-policies/${f}`];

  it('allows a listed key the tenant allows (exit 0)', async () => {
    const r = await run(['key', 'check', '--virtual', 'yubikey-5-nfc-5.4.3', ...allow, ...tenant('allow-yubikey-5-nfc.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^verdict: ALLOWED$/m);
    expect(r.stdout).toMatch(/^key: +YubiKey 5 Series with NFC, AAGUID 2fc0579f-8113-47ea-b116-bb5a8db9202a \[VIRTUAL KEY\]$/m);
    expect(r.stdout).toMatch(/note: the AAGUID comes from getInfo and is self-declared/);
  });

  it('blocks a key the tenant blocks (exit 1) and says why', async () => {
    const r = await run(['key', 'check', '--virtual', 'yubikey-5-nfc-5.4.3', ...allow, ...tenant('block-yubikey-5-nfc.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^verdict: BLOCKED$/m);
    expect(r.stdout).toMatch(/FAIL +AAGUID 2fc0579f-8113-47ea-b116-bb5a8db9202a is on the tenant's blocked list/);
  });

  it('is unknown without the tenant policy (exit 3)', async () => {
    const r = await run(['key', 'check', '--virtual', 'yubikey-5-nfc-5.4.3', ...allow, '--json']);
    expect(r.code).toBe(3);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ verdict: 'unknown', aaguid: '2fc0579f-8113-47ea-b116-bb5a8db9202a', virtual: true });
    expect(j.reasons).toEqual([expect.stringMatching(/key restrictions were not supplied/)]);
  });

  it.each([
    ['test/fixtures/hardware/profiles/yubikey-old-firmware.json', /firmware 0x50102 is below the minimum 0x50403/],
    ['test/fixtures/hardware/profiles/u2f-only.json', /CTAP version too old/],
    ['breakglass-virtual', /no PIN set: set one on the key before enrolling it/],
  ])('blocks %s', async (profile, reason) => {
    const r = await run(['key', 'check', '--virtual', profile, ...allow, ...tenant('unrestricted.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(reason);
  });

  it('rejects a missing or bad allow-list before touching any key (exit 2)', async () => {
    const missing = await run(['key', 'check', '--virtual', 'breakglass-virtual']);
    expect(missing.code).toBe(2);
    expectOneLineError(missing, /--allow-list FILE is required/);
    const bad = await run(['key', 'check', '--allow-list', 'test/fixtures/hardware/allow-lists/bad-aaguid.json']);
    expect(bad.code).toBe(2);
    expectOneLineError(bad, /allow-list .*bad-aaguid\.json: "keys"\[0\]: "not-an-aaguid" is not an AAGUID/);
  });
});

describe('key inspect', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'breakglass-inspect-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const committed = join(fixtures, 'registrations/virtual-key-registration.json');

  it('prints format, AAGUID and model, certificate subject, flags, and that it verifies', async () => {
    const r = await run(['key', 'inspect', committed, '--ca', ROOT_CA]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^format: +packed$/m);
    expect(r.stdout).toMatch(/^AAGUID: +57e466f2-2f74-44f2-a7fd-a5a438446aed$/m);
    expect(r.stdout).toMatch(/^model: +breakglass virtual authenticator/m);
    expect(r.stdout).toMatch(/^certificate 0: +subject C=ZZ, O=breakglass test attestation \(NOT FOR PRODUCTION\), OU=Authenticator Attestation, CN=/m);
    expect(r.stdout).toMatch(/^flags: +UP yes, UV yes, BE no, BS no$/m);
    expect(r.stdout).toMatch(/^verified: +YES \(.*certificate path to 1 trust anchor/m);
  });

  it('gives --json with the same facts', async () => {
    const j = JSON.parse((await run(['key', 'inspect', committed, '--json'])).stdout);
    expect(j).toMatchObject({
      fmt: 'packed',
      aaguid: '57e466f2-2f74-44f2-a7fd-a5a438446aed',
      flags: { userPresent: true, userVerified: true },
      attestation: { type: 'full', signature: 'valid' },
      verification: { verified: true },
    });
    expect(j.attestation.certificates[0].subject).toContain('OU=Authenticator Attestation');
  });

  it('exits 1 when the response does not match the expected challenge', async () => {
    const file = JSON.parse(await readFile(committed, 'utf8'));
    file.expectedChallenge = Buffer.from('another challenge').toString('base64url');
    const path = join(dir, 'wrong-challenge.json');
    await writeFile(path, JSON.stringify(file));
    const r = await run(['key', 'inspect', path]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^verified: +NO — .*challenge/m);
  });

  it('notices a tampered signature', async () => {
    const file = JSON.parse(await readFile(committed, 'utf8'));
    const att = Buffer.from(file.response.response.attestationObject, 'base64url');
    att.writeUInt8(att.readUInt8(att.length - 1) ^ 0x01, att.length - 1); // inside authData, which the signature covers
    file.response.response.attestationObject = att.toString('base64url');
    const path = join(dir, 'tampered.json');
    await writeFile(path, JSON.stringify(file));
    const r = await run(['key', 'inspect', path, '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.verification.verified).toBe(false);
  });

  it('reads a bare response and says what was not verified', async () => {
    const file = JSON.parse(await readFile(committed, 'utf8'));
    const path = join(dir, 'bare.json');
    await writeFile(path, JSON.stringify(file.response));
    const r = await run(['key', 'inspect', path]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^verified: +not checked/m);
    expect(r.stdout).toMatch(/challenge, origin and RP ID were not verified/);
  });

  it.each([
    ['registrations/not-a-registration.json', /has no "response"/],
    ['registrations/bad-attestation-object.json', /attestation object/],
    ['profiles/bad-not-json.json', /not valid JSON/],
    ['registrations/missing.json', /file not found/],
  ])('fails on %s with exit 2 and one line', async (file, message) => {
    const r = await run(['key', 'inspect', join(fixtures, file)]);
    expect(r.code).toBe(2);
    expectOneLineError(r, message);
  });
});

describe('the real binary', () => {
  const bin = join(repo, 'bin/breakglass.mjs');
  const exec = (args: string[]) =>
    new Promise<Run>((resolve) => {
      execFile(process.execPath, [bin, ...args], { cwd: repo, env: { ...process.env, BREAKGLASS_DEBUG: '' } }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });

  it('answers `key list` on this machine (no key attached) with one line and exit 1', async () => {
    const r = await exec(['key', 'list']);
    expect(r.code).toBe(1);
    expectOneLineError(r, /^breakglass key list: no FIDO2 security key found/);
  });

  it('answers `key info` with a broken profile with one line and exit 2, no stack trace', async () => {
    const r = await exec(['key', 'info', '--virtual', 'test/fixtures/hardware/profiles/bad-aaguid.json']);
    expect(r.code).toBe(2);
    expectOneLineError(r, /is not an AAGUID/);
  });
});
