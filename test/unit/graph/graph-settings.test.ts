// The graph configuration section: simulated by default, real Graph with a tenant and a credential, one clear line
// per bad setting, and never a secret in the loggable description.
import { describe, expect, it } from 'vitest';
import { describeGraphSettings, readGraphSettings } from '../../../server/graph/graph-settings.ts';
import { SettingsSource } from '../../../server/settings-source.ts';

const TENANT = '8c1a7e52-3f4b-4d2e-9a61-5b0c2d7e9f10';
const CLIENT = '3f2b9c8e-1a4d-4e6f-8b7a-2c5d9e0f1a3b';

describe('readGraphSettings', () => {
  it('is simulated when no tenant is configured', () => {
    const src = new SettingsSource({});
    const s = readGraphSettings(src);
    expect(s.mode).toBe('simulated');
    expect(s.throttleAuthenticationMethods).toBe(false);
    expect(src.problems).toEqual([]);
    expect(describeGraphSettings(s)).toMatch(/SIMULATED/);
  });
  it('reads a client-secret tenant and never describes the secret', () => {
    const src = new SettingsSource({ BREAKGLASS_GRAPH_TENANT_ID: TENANT, BREAKGLASS_GRAPH_CLIENT_ID: CLIENT, BREAKGLASS_GRAPH_CLIENT_SECRET: 'p@ss-VALUE-123', BREAKGLASS_MAIL_SENDER: 'secops@contoso.example' });
    const s = readGraphSettings(src);
    expect(src.problems).toEqual([]);
    expect(s).toMatchObject({ mode: 'graph', tenantId: TENANT, clientId: CLIENT, credential: { kind: 'secret', clientSecret: 'p@ss-VALUE-123' }, graphBaseUrl: 'https://graph.microsoft.com', authorityHost: 'https://login.microsoftonline.com', senderMailbox: 'secops@contoso.example' });
    expect(describeGraphSettings(s)).not.toContain('p@ss-VALUE-123');
  });
  it('reads certificate, managed identity and workload identity credentials from the config file', () => {
    const cert = new SettingsSource({}, { graph: { tenantId: TENANT, clientId: CLIENT, credential: 'certificate', certificatePath: 'certs/app.pem', sendCertificateChain: true } }, '/etc/breakglass');
    expect(readGraphSettings(cert)).toMatchObject({ credential: { kind: 'certificate', certificatePath: '/etc/breakglass/certs/app.pem', sendCertificateChain: true } });
    const mi = new SettingsSource({ BREAKGLASS_GRAPH_TENANT_ID: TENANT, BREAKGLASS_GRAPH_CREDENTIAL: 'managed-identity' });
    expect(readGraphSettings(mi)).toMatchObject({ credential: { kind: 'managed-identity' } });
    expect(mi.problems).toEqual([]);
    const wi = new SettingsSource({ BREAKGLASS_GRAPH_TENANT_ID: TENANT, BREAKGLASS_GRAPH_CLIENT_ID: CLIENT, BREAKGLASS_GRAPH_CREDENTIAL: 'workload-identity', BREAKGLASS_GRAPH_FEDERATED_TOKEN_FILE: '/var/run/token' });
    expect(readGraphSettings(wi)).toMatchObject({ credential: { kind: 'workload-identity', federatedTokenFile: '/var/run/token' } });
  });
  it('lists every problem at once, without echoing secrets', () => {
    const src = new SettingsSource({
      BREAKGLASS_GRAPH_TENANT_ID: 'not a tenant', BREAKGLASS_GRAPH_CLIENT_ID: 'app', BREAKGLASS_GRAPH_CREDENTIAL: 'password',
      BREAKGLASS_GRAPH_BASE_URL: 'http://graph.local', BREAKGLASS_GRAPH_MAX_RETRIES: '99', BREAKGLASS_MAIL_SENDER: 'nobody',
    });
    readGraphSettings(src);
    const text = src.problems.join('\n');
    expect(text).toMatch(/BREAKGLASS_GRAPH_TENANT_ID .*tenant GUID or a verified domain/);
    expect(text).toMatch(/BREAKGLASS_GRAPH_CLIENT_ID .*must be a GUID/);
    expect(text).toMatch(/BREAKGLASS_GRAPH_CREDENTIAL .*must be one of secret, certificate, managed-identity, workload-identity/);
    expect(text).toMatch(/BREAKGLASS_GRAPH_CLIENT_SECRET .*is required/);
    expect(text).toMatch(/BREAKGLASS_GRAPH_BASE_URL .*must use https/);
    expect(text).toMatch(/BREAKGLASS_GRAPH_MAX_RETRIES .*0 to 10/);
    expect(text).toMatch(/BREAKGLASS_MAIL_SENDER .*mailbox address/);
  });
  it('flags credential settings without a tenant', () => {
    const src = new SettingsSource({ BREAKGLASS_GRAPH_CLIENT_SECRET: 'dangling-secret' });
    expect(readGraphSettings(src).mode).toBe('simulated');
    expect(src.problems.join('\n')).toMatch(/BREAKGLASS_GRAPH_CLIENT_SECRET .*is set but BREAKGLASS_GRAPH_TENANT_ID is not/);
    expect(src.problems.join('\n')).not.toContain('dangling-secret');
  });
});
