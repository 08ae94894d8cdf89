// The simulated tenant as the FIDO2 relying party for a sign-in, over real HTTP(S): a virtual key registered through
// Graph (creationOptions + POST) answers a CTAP2 getAssertion with the PIN; the simulator verifies it against the
// stored credential and counter and writes a beta sign-in record that the real Graph client then reads back.
// Replayed, misdirected and disabled-account sign-ins are refused and logged as failures, as Entra logs them. The same
// page is served on the browser-facing http://localhost site under its strict CSP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredential, getAssertion, SecurityKey, VirtualSecurityKey, type RequestOptionsJSON } from '../../../hardware/index.ts';
import { ENTRA_ORIGIN } from '../../../server/simulator/passkey-service.ts';
import { simulatorRequest } from '../../../server/simulator/simulator-access.ts';
import { DEMO, startHarness, type Harness } from '../../fixtures/graph/sim-harness.ts';

const PIN = '246810';
let h: Harness;
let vk: VirtualSecurityKey;
let key: SecurityKey;

beforeAll(async () => {
  h = await startHarness();
  vk = await VirtualSecurityKey.load('yubikey-5-nfc-5.4.3', { pin: PIN });
  key = await SecurityKey.open(vk.open(), { descriptor: vk.descriptor });
  const options = await h.dir.getPasskeyCreationOptions(DEMO.bg02);
  const reg = await createCredential(key, { ...options.publicKey, rp: { id: options.publicKey.rp.id, name: 'Microsoft' }, user: { ...options.publicKey.user, displayName: options.publicKey.user.displayName ?? '' } } as never, { origin: ENTRA_ORIGIN, pin: PIN });
  await h.dir.createPasskey(DEMO.bg02, { displayName: 'Drill key', publicKeyCredential: { id: reg.id, response: { clientDataJSON: reg.response.clientDataJSON, attestationObject: reg.response.attestationObject } } });
});
afterAll(async () => {
  await key?.close();
  await h?.close();
});

const sim = () => ({ origin: h.sim.origin, ca: h.sim.ca });

async function assertion(user: string) {
  const start = await simulatorRequest(sim(), 'POST', '/_simulator/sign-in/options', { user });
  expect(start.status).toBe(200);
  return getAssertion(key, (start.body as { publicKey: RequestOptionsJSON }).publicKey, { origin: ENTRA_ORIGIN, pin: PIN });
}

describe('simulated passkey sign-in', () => {
  it('verifies a CTAP assertion and writes a beta sign-in record the Graph client reads back', async () => {
    const response = await assertion(DEMO.bg02Upn);
    const res = await simulatorRequest(sim(), 'POST', '/_simulator/sign-in/verify', { user: DEMO.bg02Upn, response });
    expect(res.status).toBe(200);
    const out = res.body as { ok: boolean; signIn: { id: string; status: { errorCode: number } } };
    expect(out.ok).toBe(true);
    const read = await h.dir.listSignIns({ userIds: [DEMO.bg02], since: new Date(h.clock.now().getTime() - 60_000).toISOString() });
    const record = read.find((r) => r.id === out.signIn.id)!;
    expect(record.status.errorCode).toBe(0);
    expect(record.authenticationDetails).toEqual([expect.objectContaining({ authenticationMethod: 'Passkey (device-bound)', authenticationMethodDetail: 'Drill key', succeeded: true, authenticationStepRequirement: 'Primary authentication' })]);
    expect(record.appDisplayName).toBe('Azure Portal');
    // The signature counter moved on in the tenant.
    const stored = h.sim.state.methodsOf(DEMO.bg02).find((m) => m.kind === 'fido2' && m.credential);
    expect((stored as { credential: { counter: number } }).credential.counter).toBeGreaterThan(0);
  });

  it('refuses a replayed assertion and logs the failed attempt', async () => {
    const response = await assertion(DEMO.bg02Upn);
    expect(((await simulatorRequest(sim(), 'POST', '/_simulator/sign-in/verify', { user: DEMO.bg02Upn, response })).body as { ok: boolean }).ok).toBe(true);
    const again = (await simulatorRequest(sim(), 'POST', '/_simulator/sign-in/verify', { user: DEMO.bg02Upn, response })).body as { ok: boolean; reason: string; signIn: { status: { errorCode: number } } };
    expect([again.ok, again.signIn.status.errorCode, again.reason]).toEqual([false, 50012, 'The sign-in request was not issued for this user or was already used.']);
  });

  it('refuses an assertion made for another account, and a disabled account', async () => {
    const response = await assertion(DEMO.bg02Upn);
    const other = (await simulatorRequest(sim(), 'POST', '/_simulator/sign-in/verify', { user: DEMO.bg01Upn, response })).body as { ok: boolean; signIn: { userId: string } };
    expect(other.ok).toBe(false);
    expect(other.signIn.userId).toBe(DEMO.bg01);
    const user = h.sim.state.findUser(DEMO.bg02)!;
    user.accountEnabled = false;
    try {
      const r2 = await assertion(DEMO.bg02Upn);
      const disabled = (await simulatorRequest(sim(), 'POST', '/_simulator/sign-in/verify', { user: DEMO.bg02Upn, response: r2 })).body as { ok: boolean; signIn: { status: { errorCode: number } } };
      expect([disabled.ok, disabled.signIn.status.errorCode]).toEqual([false, 50057]);
    } finally {
      user.accountEnabled = true;
    }
  });

  it('says plainly when the account has no key the simulator can verify', async () => {
    const res = await simulatorRequest(sim(), 'POST', '/_simulator/sign-in/options', { user: DEMO.bg01Upn });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/has no passkey this simulated tenant can verify; register one first \(breakglass sim register-key/);
  });

  it('serves the sign-in page on the browser-facing site under its strict CSP, with that site as relying party', async () => {
    const site = h.sim.securityInfo!;
    for (const [path, type] of [['/_simulator/sign-in', 'text/html'], ['/_simulator/sign-in.js', 'text/javascript'], ['/_simulator/sign-in.css', 'text/css']] as const) {
      const res = await fetch(`${site.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      if (type === 'text/html') expect(await res.text()).not.toMatch(/<script>|<style>|style=/);
    }
    const options = await fetch(`${site.url}/_simulator/sign-in/options`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: DEMO.bg02Upn, page: true }) });
    expect(((await options.json()) as { publicKey: { rpId: string; userVerification: string } }).publicKey).toMatchObject({ rpId: 'localhost', userVerification: 'required' });
    // The raw credential registration is an admin route of the Graph endpoint only.
    expect((await fetch(`${site.url}/_simulator/passkeys`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(404);
  });
});
