// The whole CTAP2 path — CTAPHID framing over 64-byte reports, CTAP2 commands, ClientPIN with PIN/UV auth protocols
// 1 and 2 — against the virtual authenticator behind the node-hid device interface, i.e. the code path a real key
// takes. Registrations and assertions are checked by an independent relying party, @simplewebauthn/server.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  SettingsService,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type RegistrationResponseJSON as SwaRegistration,
  type AuthenticationResponseJSON as SwaAuthentication,
} from '@simplewebauthn/server';
import { ClientPin, Permission } from '../../../hardware/client-pin.ts';
import { createCredential, getAssertion, type CreationOptionsJSON } from '../../../hardware/webauthn-client.ts';
import { KeepaliveStatus } from '../../../hardware/ctaphid-framing.ts';
import { PinProtocolV1 } from '../../../hardware/pin-protocol.ts';
import { VIRTUAL_AUTHENTICATOR_AAGUID } from '../../../hardware/aaguids.ts';
import { testAttestationRootPem } from '../../../hardware/virtual/test-attestation.ts';
import type { SecurityKey } from '../../../hardware/security-key.ts';
import {
  CredentialExcludedError,
  CtapError,
  DeviceDisconnectedError,
  InvalidArgumentError,
  KeepaliveCancelError,
  KeyStoreFullError,
  NoCredentialsError,
  OperationDeniedError,
  PinAuthBlockedError,
  PinAuthInvalidError,
  PinBlockedError,
  PinInvalidError,
  PinPolicyError,
  PinRequiredError,
  UnsupportedAlgorithmError,
  UserActionTimeoutError,
} from '../../../hardware/errors.ts';
import { ORIGIN, RP_ID, openVirtualKey } from '../../fixtures/hardware/helpers/virtual-key.ts';
import { parseKeyProfile } from '../../../hardware/key-profile.ts';
import { VirtualSecurityKey } from '../../../hardware/virtual/virtual-security-key.ts';
import { SecurityKey as SecurityKeyClass } from '../../../hardware/security-key.ts';

const PIN = '4711-break';
const open: SecurityKey[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((k) => k.close().catch(() => undefined)));
});

async function virtualKey(...args: Parameters<typeof openVirtualKey>) {
  const opened = await openVirtualKey(...args);
  open.push(opened.key);
  return opened;
}

const cdh = (text = 'client data'): Uint8Array => new Uint8Array(createHash('sha256').update(text).digest());

async function registrationOptions(overrides: Partial<Parameters<typeof generateRegistrationOptions>[0]> = {}): Promise<CreationOptionsJSON> {
  return (await generateRegistrationOptions({
    rpName: 'Microsoft',
    rpID: RP_ID,
    userName: 'bg-admin-1@contoso.onmicrosoft.com',
    userDisplayName: 'Break-glass admin 1',
    attestationType: 'direct',
    authenticatorSelection: { residentKey: 'required', userVerification: 'required', authenticatorAttachment: 'cross-platform' },
    supportedAlgorithmIDs: [-7, -257],
    ...overrides,
  })) as unknown as CreationOptionsJSON;
}

beforeAll(() => {
  SettingsService.setRootCertificates({ identifier: 'packed', certificates: [testAttestationRootPem()] });
});

describe('getInfo and the inventory report', () => {
  it('reads the profile\'s getInfo over CTAPHID, with the CTAPHID version from INIT', async () => {
    const { key, virtual } = await virtualKey('yubikey-5-nfc-5.4.3', { pin: PIN });
    expect(key.info).toEqual({ ...virtual.profile.info, options: { ...virtual.profile.info.options, clientPin: true } });
    const report = await key.report();
    expect(report).toMatchObject({
      model: 'YubiKey 5 Series with NFC',
      vendor: 'Yubico',
      pin: { supported: true, set: true, retries: 8 },
      ctaphid: { protocolVersion: 2, deviceVersion: { major: 5, minor: 4, build: 3 }, cbor: true },
      device: { vendorId: 0x1050, productId: 0x0407, path: 'virtual:yubikey-5-nfc-5.4.3' },
    });
    expect(report.notes.join(' ')).toMatch(/self-declared/);
  });

  it('replays a recorded getInfo verbatim', async () => {
    const { key } = await virtualKey('security-key-by-yubico');
    expect(key.info.aaguid).toBe('f8a011f3-8c0a-4d15-8006-17111f9edc7d');
    expect(key.info.pinUvAuthProtocols).toEqual([1]);
  });
});

describe('ClientPIN with PIN/UV auth protocol 2', () => {
  it('sets a PIN, then counts wrong PINs down and resets the count on the right one', async () => {
    const { key, virtual } = await virtualKey();
    await key.clientPin().setPin(PIN);
    await key.refreshInfo();
    expect(key.info.options?.clientPin).toBe(true);
    const pin = key.clientPin();
    expect(pin.protocolVersion).toBe(2);
    const wrong = await pin.getPinToken('0000', { permissions: Permission.makeCredential, rpId: RP_ID }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(PinInvalidError);
    expect((wrong as PinInvalidError).retriesLeft).toBe(7);
    expect((wrong as Error).message).toBe('wrong PIN — 7 tries left before the key blocks its PIN for good');
    expect(virtual.state.pinRetries).toBe(7);
    const token = await pin.getPinToken(PIN, { permissions: Permission.makeCredential, rpId: RP_ID });
    expect(token.protocol).toBe(2);
    expect((await pin.getPinRetries()).retries).toBe(8);
  });

  it('blocks after 3 wrong PINs in a row until the key is re-inserted, without spending more tries meanwhile', async () => {
    const { key, virtual } = await virtualKey('breakglass-virtual', { pin: PIN });
    const pin = key.clientPin();
    const attempt = () => pin.getPinToken('9999', { permissions: Permission.makeCredential, rpId: RP_ID }).catch((e: unknown) => e);
    expect(await attempt()).toBeInstanceOf(PinInvalidError);
    expect(await attempt()).toBeInstanceOf(PinInvalidError);
    const third = await attempt();
    expect(third).toBeInstanceOf(PinAuthBlockedError);
    expect((third as Error).message).toBe('PIN blocked after 3 wrong attempts in a row, re-insert the key before trying again (5 tries left)');
    // The pre-check reads powerCycleState and stops before the key decrements again.
    expect(await attempt()).toBeInstanceOf(PinAuthBlockedError);
    expect(virtual.state.pinRetries).toBe(5);
    expect(await pin.getPinRetries()).toEqual({ retries: 5, powerCycleState: true });
    virtual.powerCycle();
    const key2 = await SecurityKeyClass.open(virtual.open(), { descriptor: virtual.descriptor });
    open.push(key2);
    await key2.clientPin().getPinToken(PIN, { permissions: Permission.makeCredential, rpId: RP_ID });
    expect(virtual.state.pinRetries).toBe(8);
  });

  it('blocks the PIN for good at zero tries; a power cycle does not help', async () => {
    const { key, virtual } = await virtualKey('breakglass-virtual', { pin: PIN });
    expect(await exhaust(key, virtual)).toBeInstanceOf(PinBlockedError);
    expect(virtual.state.pinRetries).toBe(0);
    virtual.powerCycle();
    const again = await SecurityKeyClass.open(virtual.open());
    open.push(again);
    const err = await again.clientPin().getPinToken(PIN, { permissions: Permission.getAssertion }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PinBlockedError);
    expect((err as Error).message).toMatch(/only a reset, which erases every credential/);
    expect((await again.report()).pin.retries).toBe(0);
  });

  it('changes the PIN: the old one stops working, the new one works', async () => {
    const { key } = await virtualKey('breakglass-virtual', { pin: PIN });
    await key.clientPin().changePin(PIN, 'new-pin-2026');
    expect(await key.clientPin().getPinToken(PIN, { permissions: 1 }).catch((e: unknown) => e)).toBeInstanceOf(PinInvalidError);
    await key.clientPin().getPinToken('new-pin-2026', { permissions: 1 });
  });

  it('enforces the key\'s PIN policy on its side too (minPINLength in code points)', async () => {
    const profile = parseKeyProfile(
      { name: 'min 6', aaguid: VIRTUAL_AUTHENTICATOR_AAGUID, versions: ['FIDO_2_1'], options: { rk: true, clientPin: false, pinUvAuthToken: true }, pinUvAuthProtocols: [2], minPINLength: 6 },
      'test',
    );
    const virtual = new VirtualSecurityKey(profile);
    const key = await SecurityKeyClass.open(virtual.open());
    open.push(key);
    // The client refuses first (it never sends a PIN it knows is too short)…
    await expect(key.clientPin().setPin('12345')).rejects.toThrow(/at least 6 characters/);
    // …and a client that thinks 4 is enough gets the key's PIN_POLICY_VIOLATION.
    const lax = new ClientPin(key.ctap, { ...key.info, minPINLength: 4 });
    const err = await lax.setPin('12345').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PinPolicyError);
    // Six code points, more than six bytes: accepted.
    await key.clientPin().setPin('äöüßéè');
  });

  it('answers NOT_ALLOWED to setPIN on a key that already has a PIN', async () => {
    const { key } = await virtualKey('breakglass-virtual', { pin: PIN });
    await expect(key.clientPin().setPin('another')).rejects.toThrow(InvalidArgumentError);
    const blind = new ClientPin(key.ctap, { ...key.info, options: { ...key.info.options, clientPin: false } });
    const err = (await blind.setPin('another').catch((e: unknown) => e)) as CtapError;
    expect(err).toBeInstanceOf(CtapError);
    expect(err.statusName).toBe('NOT_ALLOWED');
  });
});

async function exhaust(key: SecurityKey, virtual: VirtualSecurityKey): Promise<unknown> {
  for (let i = 0; i < 10; i++) {
    const err = await key.clientPin().getPinToken('9999', { permissions: Permission.getAssertion }).catch((e: unknown) => e);
    if (err instanceof PinBlockedError) return err;
    if (err instanceof PinAuthBlockedError) {
      virtual.powerCycle();
      await key.close();
      const again = await SecurityKeyClass.open(virtual.open());
      open.push(again);
      return exhaust(again, virtual);
    }
  }
  return undefined;
}

describe('PIN/UV auth protocol 1 (older keys)', () => {
  it('sets a PIN and registers with a legacy getPinToken token on a CTAP 2.0 key', async () => {
    const { key, virtual } = await virtualKey('security-key-by-yubico');
    await key.clientPin().setPin(PIN);
    expect(virtual.state.pinSet).toBe(true);
    // The recorded getInfo still says clientPin=false (it is replayed verbatim), so tell ClientPin the truth.
    const pin = new ClientPin(key.ctap, { ...key.info, options: { ...key.info.options, clientPin: true } });
    expect(pin.protocolVersion).toBe(1);
    const token = await pin.getPinToken(PIN, { permissions: Permission.makeCredential, rpId: RP_ID });
    expect(token.permissions).toBe(Permission.makeCredential | Permission.getAssertion);
    const hash = cdh();
    const made = await key.ctap.makeCredential({
      clientDataHash: hash,
      rp: { id: RP_ID },
      user: { id: Uint8Array.of(1) },
      pubKeyCredParams: [{ alg: -7, type: 'public-key' }],
      pinUvAuthParam: token.authenticate(hash),
      pinUvAuthProtocol: 1,
    });
    expect(token.authenticate(hash)).toHaveLength(16);
    expect(made.authenticatorData.userVerified).toBe(true);
  });

  it('works with protocol 1 on a key that prefers 2', async () => {
    const { key } = await virtualKey('breakglass-virtual', { pin: PIN });
    const pin = key.clientPin({ protocol: new PinProtocolV1() });
    const token = await pin.getPinToken(PIN, { permissions: Permission.makeCredential, rpId: RP_ID });
    expect(token.protocol).toBe(1);
  });
});

describe('registration and sign-in, verified by @simplewebauthn/server', () => {
  it('registers a discoverable credential with packed attestation from the test CA and signs in with it', async () => {
    const { key } = await virtualKey('breakglass-virtual', { pin: PIN });
    const options = await registrationOptions();
    const response = await createCredential(key, options, { origin: ORIGIN, pin: PIN });
    const verified = await verifyRegistrationResponse({
      response: response as unknown as SwaRegistration,
      expectedChallenge: options.challenge,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
      requireUserVerification: true,
    });
    expect(verified.verified).toBe(true);
    const info = verified.registrationInfo!;
    expect(info).toMatchObject({ fmt: 'packed', aaguid: VIRTUAL_AUTHENTICATOR_AAGUID, userVerified: true, credentialDeviceType: 'singleDevice', credentialBackedUp: false });

    const auth = await generateAuthenticationOptions({ rpID: RP_ID, userVerification: 'required' });
    const assertion = await getAssertion(key, { challenge: auth.challenge, rpId: RP_ID, userVerification: 'required' }, { origin: ORIGIN, pin: PIN });
    const signedIn = await verifyAuthenticationResponse({
      response: assertion as unknown as SwaAuthentication,
      expectedChallenge: auth.challenge,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
      credential: info.credential,
      requireUserVerification: true,
    });
    expect(signedIn.verified).toBe(true);
    expect(signedIn.authenticationInfo.newCounter).toBe(1);
    expect(assertion.response.userHandle).toBe(options.user.id);
  });

  it('attests a replayed model (no AAGUID extension) with the generic certificate, still chaining to the test root', async () => {
    const { key } = await virtualKey('yubikey-5-nfc-5.4.3', { pin: PIN });
    const options = await registrationOptions();
    const response = await createCredential(key, options, { origin: ORIGIN, pin: PIN });
    const verified = await verifyRegistrationResponse({ response: response as unknown as SwaRegistration, expectedChallenge: options.challenge, expectedOrigin: ORIGIN, expectedRPID: RP_ID });
    expect(verified.verified).toBe(true);
    expect(verified.registrationInfo?.aaguid).toBe('2fc0579f-8113-47ea-b116-bb5a8db9202a');
  });

  it('refuses a second registration for an excluded credential, also beyond maxCredentialCountInList', async () => {
    const { key } = await virtualKey('breakglass-virtual', { pin: PIN });
    const first = await createCredential(key, await registrationOptions(), { origin: ORIGIN, pin: PIN });
    const exclude = [{ id: first.id, type: 'public-key' as const }];
    const again = await createCredential(key, { ...(await registrationOptions()), excludeCredentials: exclude }, { origin: ORIGIN, pin: PIN }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(CredentialExcludedError);
    const many = Array.from({ length: 12 }, (_, i) => ({ id: Buffer.alloc(32, i + 1).toString('base64url'), type: 'public-key' as const }));
    many.splice(9, 0, exclude[0]!);
    const batched = await createCredential(key, { ...(await registrationOptions()), excludeCredentials: many }, { origin: ORIGIN, pin: PIN }).catch((e: unknown) => e);
    expect(batched).toBeInstanceOf(CredentialExcludedError);
  });

  it('refuses an origin that does not belong to the RP ID, before touching the key', async () => {
    const { key } = await virtualKey('breakglass-virtual', { pin: PIN });
    await expect(createCredential(key, await registrationOptions(), { origin: 'https://evil.example', pin: PIN })).rejects.toThrow(/not the origin's host/);
    await expect(createCredential(key, await registrationOptions(), { origin: 'http://login.microsoft.com', pin: PIN })).rejects.toThrow(/not secure/);
    await expect(createCredential(key, await registrationOptions(), { origin: ORIGIN })).rejects.toThrow(/supply the key's PIN/);
  });
});

describe('touch: keepalive, deny, timeout, cancel', () => {
  it('sends KEEPALIVE UPNEEDED while waiting for a touch and finishes once touched', async () => {
    const { key, virtual } = await virtualKey('breakglass-virtual', { pin: PIN, presence: { kind: 'manual' }, keepaliveIntervalMs: 20 });
    const seen: number[] = [];
    const response = await createCredential(key, await registrationOptions(), {
      origin: ORIGIN,
      pin: PIN,
      onKeepalive: (s) => {
        seen.push(s);
        if (s === KeepaliveStatus.UPNEEDED) virtual.touch();
      },
    });
    expect(seen).toContain(KeepaliveStatus.UPNEEDED);
    expect(response.type).toBe('public-key');
  });

  it('keeps the transport alive through a delayed touch longer than its frame timeout', async () => {
    const { key } = await virtualKey('breakglass-virtual', { pin: PIN, presence: { kind: 'delayed', delayMs: 1000 }, keepaliveIntervalMs: 25 }, { timeoutMs: 300 });
    const seen: number[] = [];
    await createCredential(key, await registrationOptions(), { origin: ORIGIN, pin: PIN, onKeepalive: (s) => seen.push(s) });
    expect(seen).toContain(KeepaliveStatus.UPNEEDED);
  });

  it('reports a declined touch as OPERATION_DENIED', async () => {
    const { key } = await virtualKey('breakglass-virtual', { pin: PIN, presence: { kind: 'deny' } });
    expect(await createCredential(key, await registrationOptions(), { origin: ORIGIN, pin: PIN }).catch((e: unknown) => e)).toBeInstanceOf(OperationDeniedError);
  });

  it('reports the key giving up on a touch as "timed out waiting for touch"', async () => {
    const { key } = await virtualKey('breakglass-virtual', { pin: PIN, presence: { kind: 'manual' }, touchTimeoutMs: 50 });
    const err = await createCredential(key, await registrationOptions(), { origin: ORIGIN, pin: PIN }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserActionTimeoutError);
    expect((err as Error).message).toMatch(/timed out waiting for touch/);
  });

  it('cancels a pending touch with CTAPHID_CANCEL', async () => {
    const { key, virtual } = await virtualKey('breakglass-virtual', { pin: PIN, presence: { kind: 'manual' } });
    const controller = new AbortController();
    const err = await createCredential(key, await registrationOptions(), {
      origin: ORIGIN,
      pin: PIN,
      signal: controller.signal,
      onKeepalive: (s) => s === KeepaliveStatus.UPNEEDED && controller.abort(),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeepaliveCancelError);
    expect(virtual.presence.waiting).toBe(false);
    // The key is usable again right away.
    expect((await key.clientPin().getPinRetries()).retries).toBe(8);
  });
});

describe('pinUvAuthToken rules (CTAP 2.2 §6.5.2)', () => {
  const mc = (key: SecurityKey, hash: Uint8Array, param: Uint8Array | undefined, rk = true, rpId = RP_ID) =>
    key.ctap.makeCredential({
      clientDataHash: hash,
      rp: { id: rpId },
      user: { id: Uint8Array.of(7), name: 'u' },
      pubKeyCredParams: [{ alg: -7, type: 'public-key' }],
      options: { rk },
      ...(param ? { pinUvAuthParam: param, pinUvAuthProtocol: 2 as const } : {}),
    });

  it('clears the makeCredential permission after one use', async () => {
    const { key } = await virtualKey('breakglass-virtual', { pin: PIN });
    const token = await key.clientPin().getPinToken(PIN, { permissions: Permission.makeCredential, rpId: RP_ID });
    await mc(key, cdh('a'), token.authenticate(cdh('a')));
    expect(await mc(key, cdh('b'), token.authenticate(cdh('b'))).catch((e: unknown) => e)).toBeInstanceOf(PinAuthInvalidError);
  });

  it('binds a token to its RP ID and its permissions', async () => {
    const { key } = await virtualKey('breakglass-virtual', { pin: PIN });
    const token = await key.clientPin().getPinToken(PIN, { permissions: Permission.makeCredential, rpId: RP_ID });
    expect(await mc(key, cdh(), token.authenticate(cdh()), true, 'example.com').catch((e: unknown) => e)).toBeInstanceOf(PinAuthInvalidError);
    const gaOnly = await key.clientPin().getPinToken(PIN, { permissions: Permission.getAssertion, rpId: RP_ID });
    expect(await mc(key, cdh(), gaOnly.authenticate(cdh())).catch((e: unknown) => e)).toBeInstanceOf(PinAuthInvalidError);
  });

  it('expires a token not used within 30 seconds', async () => {
    let now = 1_000_000;
    const { key } = await virtualKey('breakglass-virtual', { pin: PIN, now: () => now });
    const token = await key.clientPin().getPinToken(PIN, { permissions: Permission.makeCredential, rpId: RP_ID });
    now += 30_001;
    expect(await mc(key, cdh(), token.authenticate(cdh())).catch((e: unknown) => e)).toBeInstanceOf(PinAuthInvalidError);
  });

  it('requires a token for a discoverable credential on a PIN-protected key, but not for others (makeCredUvNotRqd)', async () => {
    const { key } = await virtualKey('breakglass-virtual', { pin: PIN });
    expect(await mc(key, cdh(), undefined, true).catch((e: unknown) => e)).toBeInstanceOf(PinRequiredError);
    const nonResident = await mc(key, cdh(), undefined, false);
    expect(nonResident.authenticatorData.userVerified).toBe(false);
    expect(nonResident.authenticatorData.userPresent).toBe(true);
  });

  it('hides credProtect level 3 credentials from assertions without user verification', async () => {
    const { key } = await virtualKey('breakglass-virtual', { pin: PIN });
    const options = await registrationOptions();
    options.extensions = { credentialProtectionPolicy: 'userVerificationRequired', enforceCredentialProtectionPolicy: true };
    const reg = await createCredential(key, options, { origin: ORIGIN, pin: PIN });
    const allow = [{ id: reg.id, type: 'public-key' as const }];
    const challenge = Buffer.alloc(32, 1).toString('base64url');
    expect(await getAssertion(key, { challenge, rpId: RP_ID, allowCredentials: allow, userVerification: 'discouraged' }, { origin: ORIGIN }).catch((e: unknown) => e)).toBeInstanceOf(
      NoCredentialsError,
    );
    const withUv = await getAssertion(key, { challenge, rpId: RP_ID, allowCredentials: allow }, { origin: ORIGIN, pin: PIN });
    expect(withUv.id).toBe(reg.id);
  });

  it('offers several discoverable credentials one by one with getNextAssertion, names only after UV', async () => {
    const { key } = await virtualKey('breakglass-virtual', { pin: PIN });
    for (const name of ['first@contoso', 'second@contoso']) {
      await createCredential(key, await registrationOptions({ userName: name }), { origin: ORIGIN, pin: PIN });
    }
    const token = await key.clientPin().getPinToken(PIN, { permissions: Permission.getAssertion, rpId: RP_ID });
    const hash = cdh('ga');
    const first = await key.ctap.getAssertion({ rpId: RP_ID, clientDataHash: hash, pinUvAuthParam: token.authenticate(hash), pinUvAuthProtocol: 2 });
    expect(first.numberOfCredentials).toBe(2);
    expect(first.user?.name).toBe('second@contoso');
    const next = await key.ctap.getNextAssertion();
    expect(next.user?.name).toBe('first@contoso');
    const noUv = await key.ctap.getAssertion({ rpId: RP_ID, clientDataHash: hash });
    expect(noUv.user?.name).toBeUndefined();
    expect(noUv.user?.id).toBeDefined();
  });
});

describe('other answers of a strict key', () => {
  it('reports a full credential store, replacing a credential of the same user in place', async () => {
    const profile = parseKeyProfile(
      { name: 'one slot', aaguid: VIRTUAL_AUTHENTICATOR_AAGUID, versions: ['FIDO_2_1'], options: { rk: true, clientPin: true, pinUvAuthToken: true }, pinUvAuthProtocols: [2], remainingDiscoverableCredentials: 1 },
      'test',
    );
    const virtual = new VirtualSecurityKey(profile, { pin: PIN });
    const key = await SecurityKeyClass.open(virtual.open());
    open.push(key);
    const options = await registrationOptions();
    await createCredential(key, options, { origin: ORIGIN, pin: PIN });
    await createCredential(key, { ...(await registrationOptions()), user: options.user }, { origin: ORIGIN, pin: PIN });
    expect(virtual.state.discoverableCredentials).toBe(1);
    expect(await createCredential(key, await registrationOptions({ userName: 'other' }), { origin: ORIGIN, pin: PIN }).catch((e: unknown) => e)).toBeInstanceOf(
      KeyStoreFullError,
    );
  });

  it('refuses algorithms it does not have', async () => {
    const { key } = await virtualKey('breakglass-virtual', { pin: PIN });
    const options = { ...(await registrationOptions()), pubKeyCredParams: [{ alg: -257, type: 'public-key' as const }] };
    expect(await createCredential(key, options, { origin: ORIGIN, pin: PIN }).catch((e: unknown) => e)).toBeInstanceOf(UnsupportedAlgorithmError);
  });

  it('never sends authenticatorReset, and winks on request', async () => {
    const { key, virtual } = await virtualKey();
    await expect(key.ctap.send(0x07)).rejects.toThrow(/deliberately not available/);
    let winks = 0;
    virtual.on('wink', () => winks++);
    expect(await key.wink()).toBe(true);
    expect(winks).toBe(1);
  });

  it('fails a pending request with DeviceDisconnectedError when the key is pulled out', async () => {
    const { key, virtual } = await virtualKey('breakglass-virtual', { pin: PIN, presence: { kind: 'manual' } });
    const pending = createCredential(key, await registrationOptions(), {
      origin: ORIGIN,
      pin: PIN,
      onKeepalive: (s) => s === KeepaliveStatus.UPNEEDED && virtual.unplug(),
    }).catch((e: unknown) => e);
    expect(await pending).toBeInstanceOf(DeviceDisconnectedError);
  });
});
