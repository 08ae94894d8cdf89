// Fidelity: every property the simulated tenant emits exists in Graph's published metadata for that API version, and
// every request the adapter sends (bodies, $select, $filter) uses documented properties only. The metadata is a
// committed slice of microsoftgraph/msgraph-metadata type-mappings (test/fixtures/graph/msgraph-metadata-slice.json,
// source commits recorded inside). Annotations (`@odata.*`, `x@odata.context`) are not properties and are skipped.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/clock.ts';
import { filterProperties, parseFilter } from '../../../server/simulator/odata-filter.ts';
import { startSimulator, type SimulatorHandle } from '../../../server/simulator/start-simulator.ts';
import { DEMO, startHarness, type Harness } from '../../fixtures/graph/sim-harness.ts';
import { makeCredential } from '../../fixtures/graph/software-authenticator.ts';

type Version = 'v1.0' | 'beta';
interface TypeEntry { properties: string[]; navigationProperties?: string[] }
interface Slice {
  source: { repository: string; files: Record<string, string> };
  baseTypes: Record<string, string>;
  'v1.0': { entityTypes: Record<string, TypeEntry>; complexTypes: Record<string, TypeEntry> };
  beta: { entityTypes: Record<string, TypeEntry>; complexTypes: Record<string, TypeEntry> };
}
const slice = JSON.parse(readFileSync(new URL('../../fixtures/graph/msgraph-metadata-slice.json', import.meta.url), 'utf8')) as Slice;

/** Properties of a type in a version, including inherited ones. Beta falls back to v1.0 for types the slice does not hold for beta. */
function allowed(type: string, version: Version): Set<string> {
  const out = new Set<string>();
  for (let t: string | undefined = type; t; t = slice.baseTypes[t]) {
    const entry = slice[version].entityTypes[t] ?? slice[version].complexTypes[t]
      ?? (version === 'beta' ? slice['v1.0'].entityTypes[t] ?? slice['v1.0'].complexTypes[t] : undefined);
    if (!entry) throw new Error(`type ${t} is not in the metadata slice for ${version}`);
    entry.properties.forEach((p) => out.add(p));
    entry.navigationProperties?.forEach((p) => out.add(p));
  }
  return out;
}

/** Nested property → its type, for the types we emit (from the Graph resource pages; arrays use the element type). */
const NESTED: Record<string, Record<string, string>> = {
  user: { signInActivity: 'signInActivity' },
  authenticationMethodsPolicy: { authenticationMethodConfigurations: 'authenticationMethodConfiguration' },
  fido2AuthenticationMethodConfiguration: { keyRestrictions: 'fido2KeyRestrictions', includeTargets: 'passkeyAuthenticationMethodTarget', excludeTargets: 'excludeTarget', passkeyProfiles: 'passkeyProfile' },
  temporaryAccessPassAuthenticationMethodConfiguration: { includeTargets: 'authenticationMethodTarget', excludeTargets: 'excludeTarget' },
  microsoftAuthenticatorAuthenticationMethodConfiguration: { includeTargets: 'microsoftAuthenticatorAuthenticationMethodTarget', excludeTargets: 'excludeTarget', featureSettings: 'microsoftAuthenticatorFeatureSettings' },
  passkeyProfile: { keyRestrictions: 'fido2KeyRestrictions' },
  webauthnCredentialCreationOptions: { publicKey: 'webauthnPublicKeyCredentialCreationOptions' },
  webauthnPublicKeyCredentialCreationOptions: {
    rp: 'webauthnPublicKeyCredentialRpEntity', user: 'webauthnPublicKeyCredentialUserEntity', pubKeyCredParams: 'webauthnPublicKeyCredentialParameters',
    excludeCredentials: 'webauthnPublicKeyCredentialDescriptor', authenticatorSelection: 'webauthnAuthenticatorSelectionCriteria', extensions: 'webauthnAuthenticationExtensionsClientInputs',
  },
  signIn: { status: 'signInStatus', authenticationDetails: 'authenticationDetail', location: 'signInLocation' },
  directoryAudit: { initiatedBy: 'auditActivityInitiator', targetResources: 'targetResource', additionalDetails: 'keyValue' },
  auditActivityInitiator: { user: 'userIdentity', app: 'appIdentity' },
  targetResource: { modifiedProperties: 'modifiedProperty' },
  conditionalAccessPolicy: { conditions: 'conditionalAccessConditionSet', grantControls: 'conditionalAccessGrantControls', sessionControls: 'conditionalAccessSessionControls' },
  conditionalAccessConditionSet: { users: 'conditionalAccessUsers', applications: 'conditionalAccessApplications' },
  conditionalAccessGrantControls: { authenticationStrength: 'authenticationStrengthPolicy' },
  fido2AuthenticationMethod: { publicKeyCredential: 'webauthnPublicKeyCredential' },
  webauthnPublicKeyCredential: { response: 'webauthnAuthenticatorAttestationResponse', clientExtensionResults: 'webauthnAuthenticationExtensionsClientOutputs' },
  message: { body: 'itemBody', toRecipients: 'recipient', ccRecipients: 'recipient', bccRecipients: 'recipient', internetMessageHeaders: 'internetMessageHeader' },
  recipient: { emailAddress: 'emailAddress' },
};

const BY_ODATA_TYPE = (t: unknown): string | undefined => (typeof t === 'string' && t.startsWith('#microsoft.graph.') ? t.slice('#microsoft.graph.'.length) : undefined);

/** Every property path of `value` (typed `type`) that the metadata does not list. */
function violations(value: unknown, type: string, version: Version, path = type): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => violations(v, type, version, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  const actual = BY_ODATA_TYPE((value as Record<string, unknown>)['@odata.type']) ?? type;
  const ok = allowed(actual, version);
  const out: string[] = [];
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (key.startsWith('@odata.') || key.includes('@odata.')) continue;
    if (!ok.has(key)) {
      out.push(`${path}.${key} is not a ${version} ${actual} property`);
      continue;
    }
    const nested = NESTED[actual]?.[key] ?? (actual !== type ? NESTED[type]?.[key] : undefined);
    if (nested) out.push(...violations(v, nested, version, `${path}.${key}`));
  }
  return out;
}

describe('the metadata slice', () => {
  it('records its source repository and commits', () => {
    expect(slice.source.repository).toBe('microsoftgraph/msgraph-metadata');
    for (const commit of Object.values(slice.source.files)) expect(commit).toMatch(/^[0-9a-f]{40}$/);
  });
  it('knows v1.0 signIn has no authenticationDetails and beta has', () => {
    expect(allowed('signIn', 'v1.0').has('authenticationDetails')).toBe(false);
    expect(allowed('signIn', 'beta').has('authenticationDetails')).toBe(true);
  });
  it('catches an undocumented property (the checker can fail)', () => {
    expect(violations({ id: 'x', aaGuid: 'y', keyColour: 'red' }, 'fido2AuthenticationMethod', 'v1.0')).toEqual(['fido2AuthenticationMethod.keyColour is not a v1.0 fido2AuthenticationMethod property']);
  });
});

describe('what the simulated tenant emits', () => {
  let sim: SimulatorHandle;
  let token: string;
  const clock = new ManualClock('2026-11-20T09:00:00Z');
  const get = async (path: string): Promise<any> => {
    const res = await fetch(`${sim.origin}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status, path).toBe(200);
    return res.json();
  };
  beforeAll(async () => {
    sim = await startSimulator({ tls: false, clock, reportsThrottle: false });
    const res = await fetch(`${sim.origin}/${DEMO.tenantId}/oauth2/v2.0/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sim.connection.clientId, client_secret: sim.connection.clientSecret, scope: 'https://graph.microsoft.com/.default' }),
    });
    token = ((await res.json()) as { access_token: string }).access_token;
    // Exercise the write paths so their records (TAP, passkey, audits, sign-ins) are emitted too.
    const tapRes = await fetch(`${sim.origin}/v1.0/users/${DEMO.bg02}/authentication/temporaryAccessPassMethods`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    expect(tapRes.status).toBe(201);
    const options = await get(`/v1.0/users/${DEMO.bg02}/authentication/fido2Methods/creationOptions`);
    const keyRes = await fetch(`${sim.origin}/v1.0/users/${DEMO.bg02}/authentication/fido2Methods`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: 'BG-02 key', publicKeyCredential: makeCredential(options) }),
    });
    expect(keyRes.status).toBe(201);
    await fetch(`${sim.origin}/_simulator/sign-ins`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: DEMO.bg02, steps: [{ method: 'Temporary Access Pass', succeeded: true }, { method: 'Passkey (device-bound)', succeeded: true }] }) });
  });
  afterAll(() => sim.close());

  const cases: [string, string, string, Version][] = [];
  for (const v of ['v1.0', 'beta'] as const) {
    cases.push(
      [`users (${v})`, `/${v}/users?$select=id,displayName,userPrincipalName,accountEnabled,onPremisesSyncEnabled,userType,mail,createdDateTime,signInActivity`, 'user', v],
      [`user (${v})`, `/${v}/users/${DEMO.bg01}`, 'user', v],
      [`directory roles (${v})`, `/${v}/users/${DEMO.bg01}/memberOf/microsoft.graph.directoryRole`, 'directoryRole', v],
      [`transitive groups (${v})`, `/${v}/users/${DEMO.bg01}/transitiveMemberOf/microsoft.graph.group`, 'group', v],
      [`group members (${v})`, `/${v}/groups/${DEMO.emergencyGroup}/transitiveMembers/microsoft.graph.user`, 'user', v],
      [`role assignments (${v})`, `/${v}/roleManagement/directory/roleAssignments`, 'unifiedRoleAssignment', v],
      [`authentication methods (${v})`, `/${v}/users/${DEMO.alice}/authentication/methods`, 'authenticationMethod', v],
      [`TAP methods (${v})`, `/${v}/users/${DEMO.bg02}/authentication/temporaryAccessPassMethods`, 'temporaryAccessPassAuthenticationMethod', v],
      [`FIDO2 methods (${v})`, `/${v}/users/${DEMO.bg02}/authentication/fido2Methods`, 'fido2AuthenticationMethod', v],
      [`TAP policy (${v})`, `/${v}/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass`, 'temporaryAccessPassAuthenticationMethodConfiguration', v],
      [`FIDO2 policy (${v})`, `/${v}/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Fido2`, 'fido2AuthenticationMethodConfiguration', v],
      [`methods policy (${v})`, `/${v}/policies/authenticationMethodsPolicy`, 'authenticationMethodsPolicy', v],
      [`sign-ins (${v})`, `/${v}/auditLogs/signIns`, 'signIn', v],
      [`directory audits (${v})`, `/${v}/auditLogs/directoryAudits`, 'directoryAudit', v],
      [`CA policies (${v})`, `/${v}/identity/conditionalAccess/policies`, 'conditionalAccessPolicy', v],
    );
  }
  it.each(cases)('%s uses documented properties only', async (_name, path, type, version) => {
    const body = await get(path);
    const items = Array.isArray(body.value) ? body.value : [body];
    expect(items.length).toBeGreaterThan(0);
    expect(violations(items, type, version)).toEqual([]);
  });

  it('creation options (v1.0 and beta) use documented properties only', async () => {
    const v1 = await get(`/v1.0/users/${DEMO.bg01}/authentication/fido2Methods/creationOptions`);
    const beta = await get(`/beta/users/${DEMO.bg01}/authentication/fido2Methods/creationOptions(challengeTimeoutInMinutes=30)`);
    expect(violations(v1, 'webauthnCredentialCreationOptions', 'v1.0')).toEqual([]);
    // The slice holds the webauthn types for v1.0 only; beta is checked against them (same shape per the beta doc page).
    expect(violations(beta, 'webauthnCredentialCreationOptions', 'v1.0')).toEqual([]);
  });

  it('v1.0 sign-ins would fail the check if they carried beta-only authenticationDetails', async () => {
    const beta = await get('/beta/auditLogs/signIns');
    expect(violations(beta.value, 'signIn', 'v1.0').some((v: string) => v.includes('authenticationDetails'))).toBe(true);
  });
});

describe('what the adapter sends', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ tls: false });
    await h.dir.getUser(DEMO.bg01, { withSignInActivity: true });
    await h.dir.readPosture([DEMO.bg01, DEMO.bg02]);
    await h.dir.listSignIns({ userIds: [DEMO.bg01, DEMO.bg02], since: '2026-01-01T00:00:00Z', until: '2026-12-31T00:00:00Z' });
    await h.dir.listDirectoryAudits({ since: '2026-01-01T00:00:00Z', targetUserId: DEMO.bg01, loggedByService: 'Authentication Methods' });
    await h.dir.listUserTransitiveGroups(DEMO.bg01);
    await h.dir.listRoleAssignments('62e90394-69f5-4237-9190-012177145e10');
    await h.dir.createTemporaryAccessPass(DEMO.bg02, { lifetimeInMinutes: 60, isUsableOnce: true, startDateTime: '2026-11-20T09:00:00Z' });
    const options = await h.dir.getPasskeyCreationOptions(DEMO.bg02);
    await h.dir.createPasskey(DEMO.bg02, { displayName: 'BG-02 key', publicKeyCredential: makeCredential(options) });
    await h.dir.sendMail({ from: DEMO.sender, message: { subject: 's', body: { contentType: 'Text', content: 'c' }, toRecipients: [{ emailAddress: { address: 'a@example.com', name: 'A' } }] } });
  });
  afterAll(() => h.close());

  /** Which type a collection or entity URL addresses, for $select/$filter checks. */
  function typeOf(path: string): string | undefined {
    if (/\/auditLogs\/signIns$/.test(path)) return 'signIn';
    if (/\/auditLogs\/directoryAudits$/.test(path)) return 'directoryAudit';
    if (/\/roleManagement\/directory\/roleAssignments$/.test(path)) return 'unifiedRoleAssignment';
    if (/microsoft\.graph\.group$/.test(path)) return 'group';
    if (/\/users(\/[^/]+)?$/.test(path) || /microsoft\.graph\.user$/.test(path)) return 'user';
    return undefined;
  }

  function queryChecks(url: URL, version: Version): string[] {
    const type = typeOf(url.pathname.replace(/^\/(v1\.0|beta)/, ''));
    const out: string[] = [];
    const select = url.searchParams.get('$select');
    const filter = url.searchParams.get('$filter');
    if (!type) {
      if (select || filter) out.push(`${url.pathname}: no type mapping for a query`);
      return out;
    }
    const ok = allowed(type, version);
    for (const p of select?.split(',') ?? []) if (!ok.has(p)) out.push(`${url.pathname} $select ${p} is not a ${version} ${type} property`);
    if (filter) for (const p of filterProperties(parseFilter(filter))) if (!ok.has(p.split('/')[0]!)) out.push(`${url.pathname} $filter ${p} is not a ${version} ${type} property`);
    return out;
  }

  it('sends only documented properties in bodies, $select and $filter (including inside $batch)', () => {
    expect(h.sent.length).toBeGreaterThan(10);
    const problems: string[] = [];
    for (const r of h.sent) {
      const url = new URL(r.url);
      const version = url.pathname.startsWith('/beta/') ? 'beta' : 'v1.0';
      const path = url.pathname.replace(/^\/(v1\.0|beta)/, '');
      problems.push(...queryChecks(url, version));
      if (!r.body) continue;
      const body = JSON.parse(r.body);
      if (path === '/$batch') {
        for (const item of body.requests as { url: string }[]) problems.push(...queryChecks(new URL(`https://graph.microsoft.com/${version}${item.url}`), version));
      } else if (path.endsWith('/temporaryAccessPassMethods')) problems.push(...violations(body, 'temporaryAccessPassAuthenticationMethod', version));
      else if (path.endsWith('/fido2Methods')) problems.push(...violations(body, 'fido2AuthenticationMethod', version));
      else if (path.endsWith('/sendMail')) {
        // sendMail is an action: its parameters (message, saveToSentItems) are not a type; the message is.
        expect(Object.keys(body).sort()).toEqual(['message', 'saveToSentItems']);
        problems.push(...violations(body.message, 'message', version));
      } else problems.push(`unexpected request body for ${r.method} ${path}`);
    }
    expect(problems).toEqual([]);
  });
});
