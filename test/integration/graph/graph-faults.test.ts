// Every Graph failure mode, through the real graph-client against the simulator over HTTP(S): 429 with Retry-After,
// 5xx, latency, dropped connections, malformed JSON, credential and permission failures. None crashes; each reaches
// the caller as a typed error with a clear message; TAP and passkey creation are never sent twice. Waits run on the
// harness's ManualClock, so Retry-After values cost no wall time; the assertions read what the adapter asked to wait.
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulatedDirectory } from '../../../server/graph/create-directory.ts';
import {
  GraphAuthorizationError,
  GraphCredentialError,
  GraphError,
  GraphLicenseError,
  GraphMalformedResponseError,
  GraphNetworkError,
  GraphThrottledError,
  GraphUnavailableError,
  GraphUnknownOutcomeError,
} from '../../../server/graph/graph-errors.ts';
import { DEMO, startHarness, type Harness } from '../../fixtures/graph/sim-harness.ts';
import { makeCredential } from '../../fixtures/graph/software-authenticator.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function harness(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  h = await startHarness(options);
  return h;
}

describe('429 Too Many Requests', () => {
  it('retries a read after exactly the Retry-After the simulator sent, then succeeds', async () => {
    const t = await harness();
    t.sim.faults.add({ kind: 'throttle', path: '/users/', method: 'GET', times: 2, retryAfterSeconds: 7 });
    const user = await t.dir.getUser(DEMO.bg01);
    expect(user.id).toBe(DEMO.bg01);
    expect(t.sleeps).toEqual([7000, 7000]);
    expect(t.wire('GET', `/users/${DEMO.bg01}`).map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('gives up after the configured retries with GraphThrottledError carrying Retry-After', async () => {
    const t = await harness({ maxRetries: 2 });
    t.sim.faults.add({ kind: 'throttle', path: '/identity/conditionalAccess', retryAfterSeconds: 3 });
    const err = await t.dir.listConditionalAccessPolicies().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphThrottledError);
    expect((err as GraphThrottledError).retryAfterMs).toBe(3000);
    expect((err as Error).message).toMatch(/throttling this app; try again in 3 s/);
    expect((err as GraphThrottledError).requestId).toBeTruthy();
    expect(t.wire('GET', '/identity/conditionalAccess')).toHaveLength(3);
  });

  it('does not wait for a Retry-After above the cap; the caller is told when to come back', async () => {
    const t = await harness();
    t.sim.faults.add({ kind: 'throttle', path: '/policies/', retryAfterSeconds: 600 });
    const err = await t.dir.getTapPolicy().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphThrottledError);
    expect((err as GraphThrottledError).retryAfterMs).toBe(600_000);
    expect(t.sleeps).toEqual([]);
  });

  it('never resends a TAP creation that was throttled', async () => {
    const t = await harness();
    t.sim.faults.add({ kind: 'throttle', method: 'POST', path: '/temporaryAccessPassMethods', retryAfterSeconds: 1 });
    const err = await t.dir.createTemporaryAccessPass(DEMO.bg02, { lifetimeInMinutes: 60 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphThrottledError);
    expect(t.wire('POST', '/temporaryAccessPassMethods')).toHaveLength(1);
    expect(t.sim.state.methodsOf(DEMO.bg02).filter((m) => m.kind === 'tap')).toHaveLength(0);
  });

  it('paces reports calls to 5 per 10 s instead of provoking 429s', async () => {
    const t = await harness();
    for (let i = 0; i < 7; i++) await t.dir.listSignIns({ userIds: [DEMO.bg01], since: '2026-01-01T00:00:00Z' });
    const signIns = t.wire('GET', '/auditLogs/signIns');
    expect(signIns).toHaveLength(7);
    expect(signIns.every((r) => r.status === 200)).toBe(true);
    expect(t.sleeps.length).toBeGreaterThan(0);
    expect(t.sleeps.every((ms) => ms > 0 && ms <= 10_251)).toBe(true);
  });

  it('retries a throttled item inside a $batch on its own', async () => {
    const t = await harness();
    t.sim.faults.add({ kind: 'throttle', path: '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Fido2', times: 1, retryAfterSeconds: 2 });
    const res = await t.dir.batch([
      { id: 'a', method: 'GET', url: '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Fido2' },
      { id: 'b', method: 'GET', url: `/users/${DEMO.bg01}?$select=id` },
    ]);
    expect(res.map((r) => [r.id, r.status])).toEqual([['a', 200], ['b', 200]]);
    expect(t.sleeps).toEqual([2000]);
    expect(t.wire('POST', '/$batch')).toHaveLength(2);
  });
});

describe('5xx', () => {
  it('retries 503 and 504 for reads, with backoff when there is no Retry-After', async () => {
    const t = await harness();
    t.sim.faults.add({ kind: 'status', status: 503, path: '/fido2Methods', times: 1, retryAfterSeconds: 2 });
    t.sim.faults.add({ kind: 'status', status: 504, path: '/fido2Methods', times: 1 });
    const keys = await t.dir.listFido2Methods(DEMO.bg01);
    expect(keys).toHaveLength(1);
    expect(t.sleeps[0]).toBe(2000);
    expect(t.sleeps[1]).toBeGreaterThanOrEqual(2000);
    expect(t.wire('GET', '/fido2Methods').map((r) => r.status)).toEqual([503, 504, 200]);
  });

  it('reports a 500 as GraphUnavailableError without retrying it', async () => {
    const t = await harness();
    t.sim.faults.add({ kind: 'status', status: 500, path: '/auditLogs/directoryAudits' });
    const err = await t.dir.listDirectoryAudits({ since: '2026-01-01T00:00:00Z' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphUnavailableError);
    expect((err as Error).message).toMatch(/Graph failed or is unavailable.*try again later.*Graph 500 UnknownError, request-id/);
    expect(t.wire('GET', '/auditLogs/directoryAudits')).toHaveLength(1);
  });
});

describe('latency and dropped connections', () => {
  it('tolerates a slow answer', async () => {
    const t = await harness();
    t.sim.faults.add({ kind: 'latency', latencyMs: 50, path: '/users/', times: 1 });
    expect((await t.dir.getUser(DEMO.bg02)).id).toBe(DEMO.bg02);
    expect(t.sim.faults.fired).toBe(1);
  });

  it('retries a read whose connection was dropped', async () => {
    const t = await harness();
    t.sim.faults.add({ kind: 'drop', path: '/memberOf/', times: 1 });
    const roles = await t.dir.listUserDirectoryRoles(DEMO.bg01);
    expect(roles.map((r) => r.displayName)).toContain('Global Administrator');
    expect(t.sim.faults.fired).toBe(1);
  });

  it('reports a connection that keeps dropping as GraphNetworkError', async () => {
    const t = await harness({ maxRetries: 1 });
    t.sim.faults.add({ kind: 'drop', path: '/transitiveMemberOf' });
    const err = await t.dir.listUserTransitiveGroups(DEMO.bg01).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphNetworkError);
    expect((err as Error).message).toMatch(/No response from Microsoft Graph .* after 2 attempts; check network, proxy and firewall/);
    expect(t.sim.faults.fired).toBe(2);
  });

  it('reports a refused connection as GraphNetworkError', async () => {
    const t = await harness({ maxRetries: 0 });
    await t.dir.getTapPolicy(); // the token is now cached; only Graph itself is unreachable below
    await t.sim.close();
    const err = await t.dir.getTapPolicy().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphNetworkError);
    expect((err as GraphError).httpStatus).toBe(0);
    expect((err as Error).message).toMatch(/No response from Microsoft Graph for GET \/policies.*\((socket hang up|.*ECONNREFUSED.*)\); check network, proxy and firewall/);
  });
});

describe('malformed JSON', () => {
  it('turns a truncated body into GraphMalformedResponseError', async () => {
    const t = await harness();
    t.sim.faults.add({ kind: 'malformed', path: '/identity/conditionalAccess/policies' });
    const err = await t.dir.listConditionalAccessPolicies().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphMalformedResponseError);
    expect((err as Error).message).toMatch(/not the expected JSON \(HTTP 200, application\/json/);
  });

  it('turns a malformed $batch answer into GraphMalformedResponseError', async () => {
    const t = await harness();
    t.sim.faults.add({ kind: 'malformed', path: '/$batch' });
    const err = await t.dir.readPosture([DEMO.bg01]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphMalformedResponseError);
  });
});

describe('TAP creation is sent once; an unknown outcome is resolved by reading back', () => {
  it('connection dropped after the pass was created: reports "created" with the method id to revoke', async () => {
    const t = await harness();
    t.sim.faults.add({ kind: 'drop', method: 'POST', path: '/temporaryAccessPassMethods', when: 'after', times: 1 });
    const err = await t.dir.createTemporaryAccessPass(DEMO.bg02, { lifetimeInMinutes: 60 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphUnknownOutcomeError);
    const e = err as GraphUnknownOutcomeError;
    expect(e.resolution).toBe('created');
    const stored = t.sim.state.methodsOf(DEMO.bg02).filter((m) => m.kind === 'tap');
    expect(stored).toHaveLength(1);
    expect(e.methodId).toBe(stored[0]!.kind === 'tap' ? stored[0]!.id : '');
    expect(e.message).toMatch(/was created .* value was lost in transit .* revoke that method and issue a new pass/);
    expect(t.wire('POST', '/temporaryAccessPassMethods')).toHaveLength(1);
  });

  it('connection dropped before the pass was created: reports "not_created", safe to try again', async () => {
    const t = await harness();
    t.sim.faults.add({ kind: 'drop', method: 'POST', path: '/temporaryAccessPassMethods', times: 1 });
    const err = await t.dir.createTemporaryAccessPass(DEMO.bg02, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphUnknownOutcomeError);
    expect((err as GraphUnknownOutcomeError).resolution).toBe('not_created');
    expect((err as Error).message).toMatch(/safe to try again/);
    expect(t.sim.state.methodsOf(DEMO.bg02).filter((m) => m.kind === 'tap')).toHaveLength(0);
  });

  it('504 after processing: resolved as created; 500 before processing: resolved as not created', async () => {
    const t = await harness();
    t.sim.faults.add({ kind: 'status', status: 504, method: 'POST', path: '/temporaryAccessPassMethods', when: 'after', times: 1 });
    const a = await t.dir.createTemporaryAccessPass(DEMO.bg02, {}).catch((e: unknown) => e);
    expect((a as GraphUnknownOutcomeError).resolution).toBe('created');
    t.sim.faults.add({ kind: 'status', status: 500, method: 'POST', path: '/temporaryAccessPassMethods', times: 1 });
    const b = await t.dir.createTemporaryAccessPass(DEMO.bg01, {}).catch((e: unknown) => e);
    expect((b as GraphUnknownOutcomeError).resolution).toBe('not_created');
    expect(t.wire('POST', '/temporaryAccessPassMethods')).toHaveLength(2);
  });

  it('a malformed 201 loses the pass text: reported as created, never re-sent', async () => {
    const t = await harness();
    t.sim.faults.add({ kind: 'malformed', method: 'POST', path: '/temporaryAccessPassMethods', when: 'after', times: 1 });
    const err = await t.dir.createTemporaryAccessPass(DEMO.bg02, {}).catch((e: unknown) => e);
    expect((err as GraphUnknownOutcomeError).resolution).toBe('created');
    expect(t.wire('POST', '/temporaryAccessPassMethods')).toHaveLength(1);
  });

  it('read-back failing too: resolution "unknown", still one POST', async () => {
    const t = await harness({ maxRetries: 0 });
    t.sim.faults.add({ kind: 'drop', method: 'POST', path: '/temporaryAccessPassMethods', when: 'after', times: 1 });
    // The pre-read succeeds; the read-back (the second GET) fails: wrap the injector to fail exactly that one.
    let gets = 0;
    const original = t.sim.faults.take.bind(t.sim.faults);
    t.sim.faults.take = (method, path, when, kinds) => {
      if (method === 'GET' && path.includes('temporaryAccessPassMethods') && when === 'before' && ++gets === 2) {
        return { kind: 'status', status: 503 };
      }
      return original(method, path, when, kinds);
    };
    const err = await t.dir.createTemporaryAccessPass(DEMO.bg02, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphUnknownOutcomeError);
    expect((err as GraphUnknownOutcomeError).resolution).toBe('unknown');
    expect(t.wire('POST', '/temporaryAccessPassMethods')).toHaveLength(1);
  });
});

describe('passkey creation is sent once; a lost response is resolved by reading back', () => {
  it('returns the registered key when the connection dropped after registration', async () => {
    const t = await harness();
    const options = await t.dir.getPasskeyCreationOptions(DEMO.bg02);
    const credential = makeCredential(options);
    t.sim.faults.add({ kind: 'drop', method: 'POST', path: '/fido2Methods', when: 'after', times: 1 });
    const method = await t.dir.createPasskey(DEMO.bg02, { displayName: 'BG-02 YubiKey', publicKeyCredential: credential });
    expect(method.displayName).toBe('BG-02 YubiKey');
    expect(t.wire('POST', '/fido2Methods')).toHaveLength(1);
    expect(t.logs.some((l) => l.includes('resolved by reading back'))).toBe(true);
  });

  it('reports not_created when the POST never took effect', async () => {
    const t = await harness();
    const options = await t.dir.getPasskeyCreationOptions(DEMO.bg02);
    t.sim.faults.add({ kind: 'status', status: 502, method: 'POST', path: '/fido2Methods', times: 1 });
    const err = await t.dir.createPasskey(DEMO.bg02, { displayName: 'BG-02', publicKeyCredential: makeCredential(options) }).catch((e: unknown) => e);
    expect((err as GraphUnknownOutcomeError).resolution).toBe('not_created');
    expect((err as Error).message).toMatch(/fresh creation options/);
  });
});

describe('credentials, permissions and licences', () => {
  it('a wrong client secret is a GraphCredentialError with the AADSTS text', async () => {
    const t = await harness();
    const dir = createSimulatedDirectory({ ...t.sim.connection, clientSecret: 'wrong-secret-value' }, { retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } });
    const err = await dir.getTapPolicy().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphCredentialError);
    expect((err as Error).message).toMatch(/Could not get a Microsoft Graph token: .*AADSTS7000215/);
    expect((err as Error).message).not.toContain('wrong-secret-value');
  });

  it('a missing application permission is a GraphAuthorizationError naming the permission', async () => {
    const t = await harness({ edit: (f) => { f.applications[0]!.permissions = f.applications[0]!.permissions.filter((p) => p !== 'Policy.Read.All'); } });
    const err = await t.dir.listConditionalAccessPolicies().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphAuthorizationError);
    expect((err as Error).message).toMatch(/Insufficient privileges.*needs Policy\.Read\.All.*Authorization_RequestDenied/);
  });

  it('sign-in logs in a tenant without P1 say that a licence is missing', async () => {
    const t = await harness({ edit: (f) => { f.tenant.license = 'Free'; } });
    const err = await t.dir.listSignIns({ userIds: [DEMO.bg01], since: '2026-01-01T00:00:00Z' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphLicenseError);
    expect((err as GraphLicenseError).graphCode).toBe('Authentication_RequestFromNonPremiumTenantOrB2CTenant');
    expect((err as Error).message).toMatch(/no Microsoft Entra ID P1 or P2 licence/);
    const err2 = await t.dir.getUser(DEMO.bg01, { withSignInActivity: true }).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(GraphLicenseError);
  });
});
