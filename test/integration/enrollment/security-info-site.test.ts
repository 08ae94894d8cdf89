// The simulated security-info page on its own: served on http://localhost (WebAuthn needs a secure context and a
// host-name RP ID), strict headers, TAP sign-in with Entra's rules (wrong pass, used pass, expired pass), a sign-in
// log record for each attempt, the 10-minute registration window after a TAP sign-in, and registration through the
// same checks as the Graph POST (policy, attestation), with a self-service directory audit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecurityKey, VirtualSecurityKey, createCredential, type CreationOptionsJSON } from '../../../hardware/index.ts';
import { DEMO, startHarness, type Harness } from '../../fixtures/graph/sim-harness.ts';
import { KEY_PIN, SecurityInfoClient } from './enrollment-harness.ts';

let g: Harness;
let url: string;

beforeAll(async () => {
  g = await startHarness();
  url = g.sim.securityInfo!.url;
});
afterAll(async () => {
  await g.close();
});

describe('simulated security-info page', () => {
  it('is served at http://localhost with its script, the WebAuthn library and strict headers', async () => {
    expect(url).toMatch(/^http:\/\/localhost:\d+$/);
    for (const [path, type] of [['/', 'text/html'], ['/app.js', 'text/javascript'], ['/webauthn.js', 'text/javascript'], ['/styles.css', 'text/css']] as const) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    expect(await (await fetch(`${url}/webauthn.js`)).text()).toContain('SimpleWebAuthnBrowser');
    expect(await (await fetch(`${url}/`)).text()).toContain('SIMULATED');
  });

  it('signs in with a TAP once, records sign-ins, and refuses wrong, used and expired passes', async () => {
    const issued = await g.dir.createTemporaryAccessPass(DEMO.bg02, { lifetimeInMinutes: 60, isUsableOnce: true });
    const pass = issued.method.temporaryAccessPass;
    const before = g.sim.state.signIns.length;
    const wrong = await new SecurityInfoClient(url).signIn(DEMO.bg02Upn, `${pass}x`);
    expect(wrong).toMatchObject({ status: 401, json: { error: 'wrong_pass' } });
    const ok = new SecurityInfoClient(url);
    expect((await ok.signIn(DEMO.bg02Upn.toUpperCase(), pass)).status).toBe(200);
    expect((await g.dir.getTemporaryAccessPass(DEMO.bg02, issued.method.id)).methodUsabilityReason).toBe('OneTimeUsed');
    const again = await new SecurityInfoClient(url).signIn(DEMO.bg02Upn, pass);
    expect(again).toMatchObject({ status: 401, json: { error: 'OneTimeUsed' } });
    const records = g.sim.state.signIns.slice(before);
    expect(records.map((r) => [r.status.errorCode, r.authenticationDetails![0]!.authenticationMethod])).toEqual([
      [50126, 'Temporary Access Pass'], [0, 'Temporary Access Pass'], [50126, 'Temporary Access Pass'],
    ]);
    expect(records[1]).toMatchObject({ appDisplayName: 'My Signins', userId: DEMO.bg02 });
    // Nothing the page sent back carries the pass.
    expect([...ok.bodies].join('\n')).not.toContain(pass);

    const late = await g.dir.createTemporaryAccessPass(DEMO.bg02, { lifetimeInMinutes: 60, isUsableOnce: true });
    g.clock.advance(61 * 60_000);
    expect(await new SecurityInfoClient(url).signIn(DEMO.bg02Upn, late.method.temporaryAccessPass)).toMatchObject({ status: 401, json: { error: 'Expired' } });
  });

  it('registers a key with the same checks as Graph, within 10 minutes of the TAP sign-in only', async () => {
    const key = await VirtualSecurityKey.load('yubikey-5-nfc-5.4.3', { pin: KEY_PIN });
    const issued = await g.dir.createTemporaryAccessPass(DEMO.bg02, { lifetimeInMinutes: 60, isUsableOnce: true });
    const browser = new SecurityInfoClient(url);
    expect((await browser.call('POST', '/api/security-key/options', {})).status).toBe(401);
    await browser.signIn(DEMO.bg02Upn, issued.method.temporaryAccessPass);
    const opts = await browser.call('POST', '/api/security-key/options', {});
    expect(opts.json).toMatchObject({ rp: { id: 'localhost' }, authenticatorSelection: { requireResidentKey: true, userVerification: 'required' }, attestation: 'direct' });

    // The tenant's emergency profile enforces attestation and lists YubiKey 5 NFC: a self-attested key is refused.
    const selfAttested = await VirtualSecurityKey.load('yubikey-5-nfc-5.4.3', { pin: KEY_PIN, attestation: 'self' });
    const refused = await browser.registerKey(selfAttested, 'self attested');
    expect(refused.status).toBe(403);
    expect(String(refused.json.message)).toContain('enforces attestation');

    // A challenge issued for this page cannot be spent at the Graph POST (Entra's relying party).
    const pageOptions = await browser.call('POST', '/api/security-key/options', {});
    const onKey = await SecurityKey.open(key.open(), { descriptor: key.descriptor });
    const made = await createCredential(onKey, pageOptions.json as unknown as CreationOptionsJSON, { origin: url, pin: KEY_PIN }).finally(() => onKey.close());
    const crossed = await g.dir.createPasskey(DEMO.bg02, { displayName: 'crossed', publicKeyCredential: { id: made.id, response: made.response } }).catch((e: unknown) => e as Error);
    expect((crossed as Error).message).toMatch(/not issued for this user or was already used/);
    const reg = await browser.registerKey(key, 'BG-02 key');
    expect(reg.status).toBe(201);
    expect(reg.json).toMatchObject({ aaGuid: '2fc0579f-8113-47ea-b116-bb5a8db9202a', attestationLevel: 'attested', passkeyType: 'deviceBound', displayName: 'BG-02 key' });
    const audit = g.sim.state.directoryAudits.at(-1)!;
    expect(audit).toMatchObject({ activityDisplayName: 'User registered security info', resultReason: 'User registered Passkey (device-bound) method for user' });
    const stored = g.sim.state.methodsOf(DEMO.bg02).find((m) => m.kind === 'fido2' && m.graph.id === reg.json.id);
    expect(stored && stored.kind === 'fido2' && stored.credential?.rpId).toBe('localhost');

    g.clock.advance(10 * 60_000 + 1);
    const late = await browser.call('POST', '/api/security-key/options', {});
    expect(late.status).toBe(401);
    expect(String(late.json.message)).toContain('within 10 minutes');
  });
});
