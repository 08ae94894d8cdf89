// The simulator configuration section and fault rules parsing.
import { describe, expect, it } from 'vitest';
import { FaultInjector, parseFaultRules } from '../../../../server/simulator/fault-injector.ts';
import { readSimulatorSettings } from '../../../../server/simulator/simulator-settings.ts';
import { DEMO_TENANT_FIXTURE } from '../../../../server/simulator/tenant-fixture.ts';
import { SettingsSource } from '../../../../server/settings-source.ts';

describe('readSimulatorSettings', () => {
  it('defaults to the demo tenant on 127.0.0.1, an ephemeral port, TLS and the reports throttle', () => {
    const src = new SettingsSource({});
    expect(readSimulatorSettings(src)).toEqual({
      tenantFixture: DEMO_TENANT_FIXTURE, host: '127.0.0.1', port: 0, tls: true, tlsCertPath: undefined, tlsKeyPath: undefined,
      reportsThrottle: true, throttleAuthenticationMethods: false, faults: [],
    });
    expect(src.problems).toEqual([]);
  });
  it('reads the fixture from BREAKGLASS_TENANT_FIXTURE and lets --tenant-fixture override it', () => {
    const src = new SettingsSource({ BREAKGLASS_TENANT_FIXTURE: '/srv/tenant.json' });
    expect(readSimulatorSettings(src).tenantFixture).toBe('/srv/tenant.json');
    expect(readSimulatorSettings(src, { tenantFixture: '/cli/other.json', port: 4010 })).toMatchObject({ tenantFixture: '/cli/other.json', port: 4010 });
  });
  it('parses faults and reports bad ones and a half-configured TLS pair', () => {
    const src = new SettingsSource({ BREAKGLASS_SIM_FAULTS: '[{"kind":"throttle","path":"/auditLogs/","times":2},{"kind":"explode"}]', BREAKGLASS_SIM_TLS_CERT: '/x/cert.pem' });
    const s = readSimulatorSettings(src);
    expect(s.faults).toEqual([{ kind: 'throttle', path: '/auditLogs/', times: 2 }]);
    expect(src.problems.join('\n')).toMatch(/BREAKGLASS_SIM_FAULTS .*rule 1: fault kind must be one of/);
    expect(src.problems.join('\n')).toMatch(/BREAKGLASS_SIM_TLS_KEY .*set both/);
  });
});

describe('FaultInjector', () => {
  it('fires a rule the given number of times, by method, path and phase', () => {
    const f = new FaultInjector();
    f.add({ kind: 'status', status: 503, method: 'GET', path: '/users/', times: 2 });
    f.add({ kind: 'drop', when: 'after', path: '/temporaryAccessPassMethods' });
    expect(f.take('POST', '/v1.0/users/x', 'before')).toBeUndefined();
    expect(f.take('GET', '/v1.0/USERS/x', 'before')?.status).toBe(503);
    expect(f.take('GET', '/v1.0/users/x', 'before')?.status).toBe(503);
    expect(f.take('GET', '/v1.0/users/x', 'before')).toBeUndefined();
    expect(f.take('POST', '/v1.0/users/x/authentication/temporaryAccessPassMethods', 'before')).toBeUndefined();
    expect(f.take('POST', '/v1.0/users/x/authentication/temporaryAccessPassMethods', 'after')?.kind).toBe('drop');
    expect(f.fired).toBe(3);
  });
  it('refuses invalid rules', () => {
    expect(parseFaultRules('not json').problems[0]).toMatch(/not valid JSON/);
    expect(parseFaultRules('{}').problems[0]).toMatch(/JSON array/);
    expect(() => new FaultInjector().add({ kind: 'latency', when: 'after' })).toThrow(/latency faults run 'before'/);
    expect(() => new FaultInjector().add({ kind: 'status', status: 200 })).toThrow(/400..599/);
  });
});
