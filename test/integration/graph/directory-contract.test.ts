// Runs the Directory contract against the simulated tenant (real graph-client + real ClientSecretCredential over
// HTTPS to 127.0.0.1:0, and once over plain HTTP) and against a real tenant when BREAKGLASS_CONTRACT_* is configured.
// Without that configuration the real-tenant suite is skipped and says why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsSource } from '../../../server/settings-source.ts';
import { createGraphDirectory } from '../../../server/graph/create-directory.ts';
import type { Directory } from '../../../server/graph/directory.ts';
import { readGraphSettings } from '../../../server/graph/graph-settings.ts';
import { DEMO, startHarness, type Harness } from '../../fixtures/graph/sim-harness.ts';
import { directoryContract } from './directory-contract.ts';

let https: Harness;
let http: Harness;
beforeAll(async () => {
  https = await startHarness();
  http = await startHarness({ tls: false });
});
afterAll(async () => {
  await https?.close();
  await http?.close();
});

directoryContract({
  name: 'simulated tenant over HTTPS (ClientSecretCredential → simulator token endpoint)',
  directory: () => https.dir,
  accountId: DEMO.bg01,
  accountUpn: DEMO.bg01Upn,
  signInsSince: '2026-01-01T00:00:00Z',
  allowWrites: true,
  mail: { from: DEMO.sender, to: 'security-team@contoso.example' },
  simulator: () => https.sim.state,
});

directoryContract({
  name: 'simulated tenant over plain HTTP',
  directory: () => http.dir,
  accountId: DEMO.bg01,
  accountUpn: DEMO.bg01Upn,
  signInsSince: '2026-01-01T00:00:00Z',
  allowWrites: true,
  mail: { from: DEMO.sender, to: 'security-team@contoso.example' },
  simulator: () => http.sim.state,
});

describe('the simulated directory labels itself', () => {
  it('says plainly that it is simulated', () => {
    expect(https.dir.mode.kind).toBe('simulated');
    expect(https.dir.mode.label).toMatch(/SIMULATED tenant "Contoso Demo"/);
    expect(https.sim.origin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(http.sim.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
  it('used the real token endpoint: every Graph request carried a token the simulator issued', () => {
    expect(https.wire().length).toBeGreaterThan(0);
    expect(https.wire().every((r) => r.status !== 401)).toBe(true);
  });
});

// ---- Real tenant, by configuration only.
// BREAKGLASS_CONTRACT_TENANT_ID, _CLIENT_ID, and a credential (BREAKGLASS_GRAPH_* credential variables, read through
// the normal graph settings), plus BREAKGLASS_CONTRACT_ACCOUNT_ID / _ACCOUNT_UPN of an emergency account. Writes (TAP
// issue/revoke on that account) only with BREAKGLASS_CONTRACT_ALLOW_WRITES=1.
const env = process.env;
const realConfigured = Boolean(env.BREAKGLASS_CONTRACT_TENANT_ID && env.BREAKGLASS_CONTRACT_ACCOUNT_ID && env.BREAKGLASS_CONTRACT_ACCOUNT_UPN);
const skipReason = 'no real tenant configured: set BREAKGLASS_CONTRACT_TENANT_ID, BREAKGLASS_CONTRACT_ACCOUNT_ID, BREAKGLASS_CONTRACT_ACCOUNT_UPN and a BREAKGLASS_GRAPH_* credential to run the contract against Microsoft Graph';
if (!realConfigured) {
  console.warn(`[directory contract] real tenant SKIPPED: ${skipReason}`);
  describe.skip(`Directory contract: real Microsoft Graph tenant — SKIPPED (${skipReason})`, () => {
    it('is skipped because no real tenant is configured', () => undefined);
  });
} else {
  let real: Directory;
  beforeAll(() => {
    const src = new SettingsSource({ ...env, BREAKGLASS_GRAPH_TENANT_ID: env.BREAKGLASS_CONTRACT_TENANT_ID, BREAKGLASS_GRAPH_CLIENT_ID: env.BREAKGLASS_CONTRACT_CLIENT_ID ?? env.BREAKGLASS_GRAPH_CLIENT_ID });
    const settings = readGraphSettings(src);
    if (src.problems.length || settings.mode !== 'graph') throw new Error(`real-tenant contract configuration is invalid:\n${src.problems.join('\n')}`);
    real = createGraphDirectory(settings);
  });
  directoryContract({
    name: `real tenant ${env.BREAKGLASS_CONTRACT_TENANT_ID}`,
    directory: () => real,
    accountId: env.BREAKGLASS_CONTRACT_ACCOUNT_ID!,
    accountUpn: env.BREAKGLASS_CONTRACT_ACCOUNT_UPN!,
    signInsSince: new Date(Date.now() - 29 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    allowWrites: env.BREAKGLASS_CONTRACT_ALLOW_WRITES === '1',
    ...(env.BREAKGLASS_CONTRACT_MAIL_FROM && env.BREAKGLASS_CONTRACT_MAIL_TO ? { mail: { from: env.BREAKGLASS_CONTRACT_MAIL_FROM, to: env.BREAKGLASS_CONTRACT_MAIL_TO } } : {}),
    skipReasons: {
      writes: 'writes to a real tenant are opt-in: set BREAKGLASS_CONTRACT_ALLOW_WRITES=1 to issue and revoke a TAP on the contract account',
      mail: 'no mailbox configured: set BREAKGLASS_CONTRACT_MAIL_FROM and BREAKGLASS_CONTRACT_MAIL_TO to send a test mail',
    },
  });
}
