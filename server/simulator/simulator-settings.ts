// The `simulator` configuration section: which fixture to load (`--tenant-fixture FILE` or BREAKGLASS_TENANT_FIXTURE;
// default the bundled demo tenant), where to listen (127.0.0.1 and an ephemeral port by default), TLS on/off (on by
// default, with a fresh self-signed certificate unless cert and key files are given), Graph's reports throttle, and
// fault rules (a JSON array, see fault-injector.ts).
import type { SettingsSource } from '../settings-source.ts';
import { parseFaultRules, type FaultRule } from './fault-injector.ts';
import { DEMO_TENANT_FIXTURE } from './tenant-fixture.ts';

export interface SimulatorSettings {
  tenantFixture: string;
  host: string;
  port: number;
  tls: boolean;
  tlsCertPath: string | undefined;
  tlsKeyPath: string | undefined;
  reportsThrottle: boolean;
  /** Also count /users/{id}/authentication/* under the reports limit (the doc lists authenticationMethod; unverified). */
  throttleAuthenticationMethods: boolean;
  faults: FaultRule[];
}

export const SIMULATOR_KEYS = {
  tenantFixture: { env: 'BREAKGLASS_TENANT_FIXTURE', file: 'simulator.tenantFixture' },
  host: { env: 'BREAKGLASS_SIM_HOST', file: 'simulator.host' },
  port: { env: 'BREAKGLASS_SIM_PORT', file: 'simulator.port' },
  tls: { env: 'BREAKGLASS_SIM_TLS', file: 'simulator.tls' },
  tlsCertPath: { env: 'BREAKGLASS_SIM_TLS_CERT', file: 'simulator.tlsCert' },
  tlsKeyPath: { env: 'BREAKGLASS_SIM_TLS_KEY', file: 'simulator.tlsKey' },
  reportsThrottle: { env: 'BREAKGLASS_SIM_REPORTS_THROTTLE', file: 'simulator.reportsThrottle' },
  throttleAuthenticationMethods: { env: 'BREAKGLASS_SIM_THROTTLE_AUTH_METHODS', file: 'simulator.throttleAuthenticationMethods' },
  faults: { env: 'BREAKGLASS_SIM_FAULTS', file: 'simulator.faults' },
} as const;

export function readSimulatorSettings(src: SettingsSource, overrides: { tenantFixture?: string; port?: number; host?: string } = {}): SimulatorSettings {
  const tenantFixture = overrides.tenantFixture ?? src.path(SIMULATOR_KEYS.tenantFixture, DEMO_TENANT_FIXTURE) ?? DEMO_TENANT_FIXTURE;
  const host = overrides.host ?? src.string(SIMULATOR_KEYS.host, '127.0.0.1') ?? '127.0.0.1';
  if (!/^[\w.:-]+$/.test(host)) src.problem(SIMULATOR_KEYS.host, `must be a host name or IP address, got ${JSON.stringify(host)}`);
  const port = overrides.port ?? src.int(SIMULATOR_KEYS.port, { min: 0, max: 65_535, fallback: 0 });
  const tls = src.bool(SIMULATOR_KEYS.tls, true);
  const tlsCertPath = src.path(SIMULATOR_KEYS.tlsCertPath);
  const tlsKeyPath = src.path(SIMULATOR_KEYS.tlsKeyPath);
  if ((tlsCertPath === undefined) !== (tlsKeyPath === undefined)) {
    src.problem(tlsCertPath === undefined ? SIMULATOR_KEYS.tlsCertPath : SIMULATOR_KEYS.tlsKeyPath, 'set both the TLS certificate and key files, or neither (a self-signed certificate is then generated)');
  }
  const rawFaults = src.raw(SIMULATOR_KEYS.faults);
  let faults: FaultRule[] = [];
  if (rawFaults !== undefined) {
    const parsed = parseFaultRules(rawFaults);
    for (const p of parsed.problems) src.problem(SIMULATOR_KEYS.faults, p);
    faults = parsed.rules;
  }
  return { tenantFixture, host, port, tls, tlsCertPath, tlsKeyPath, reportsThrottle: src.bool(SIMULATOR_KEYS.reportsThrottle, true), throttleAuthenticationMethods: src.bool(SIMULATOR_KEYS.throttleAuthenticationMethods, false), faults };
}
