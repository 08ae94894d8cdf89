// The embedded default: with no tenant configured, openDirectory() starts the simulated tenant in-process over HTTPS
// and labels the directory as simulated; with a tenant it builds the real-Graph adapter without any network call.
// Also runs `breakglass sim serve` through the CLI entry for a quick smoke of the command wiring.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../../server/cli/main.ts';
import { readGraphSettings } from '../../../server/graph/graph-settings.ts';
import { SettingsSource } from '../../../server/settings-source.ts';
import { openDirectory } from '../../../server/simulator/open-directory.ts';
import { readSimulatorSettings } from '../../../server/simulator/simulator-settings.ts';
import { DEMO } from '../../fixtures/graph/sim-harness.ts';

describe('openDirectory', () => {
  it('starts the embedded simulated tenant when no tenant is configured, and says so', async () => {
    const src = new SettingsSource({});
    const warnings: string[] = [];
    const opened = await openDirectory({
      graph: readGraphSettings(src), simulator: readSimulatorSettings(src),
      logger: { info: () => undefined, warn: (_o, m) => warnings.push(m) },
    });
    try {
      expect(opened.directory.mode.kind).toBe('simulated');
      expect(opened.directory.mode.label).toMatch(/^SIMULATED tenant "Contoso Demo" at https:\/\/127\.0\.0\.1:\d+ \(not Microsoft Entra ID\)$/);
      expect(opened.simulator?.origin).toMatch(/^https:/);
      expect(warnings.join('\n')).toMatch(/Microsoft Graph is SIMULATED/);
      const user = await opened.directory.getUser(DEMO.bg01Upn);
      expect(user.id).toBe(DEMO.bg01);
    } finally {
      await opened.close();
    }
  });

  it('builds the real-Graph adapter from settings without touching the network', async () => {
    const src = new SettingsSource({
      BREAKGLASS_GRAPH_TENANT_ID: '11111111-2222-4333-8444-555555555555', BREAKGLASS_GRAPH_CLIENT_ID: '66666666-7777-4888-8999-000000000000',
      BREAKGLASS_GRAPH_CLIENT_SECRET: 'unused-secret',
    });
    const opened = await openDirectory({ graph: readGraphSettings(src), simulator: readSimulatorSettings(src) });
    expect(opened.simulator).toBeUndefined();
    expect(opened.directory.mode).toEqual({ kind: 'graph', tenantId: '11111111-2222-4333-8444-555555555555', label: 'Microsoft Graph tenant 11111111-2222-4333-8444-555555555555', securityInfoUrl: 'https://mysignins.microsoft.com/security-info' });
    await opened.close();
  });
});

describe('breakglass sim serve', () => {
  it('prints its usage with --help and refuses a bad port', async () => {
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = '';
    let stderr = '';
    out.on('data', (d) => { stdout += String(d); });
    err.on('data', (d) => { stderr += String(d); });
    const io = { stdout: out, stderr: err, stdin: new PassThrough(), env: {}, cwd: process.cwd() };
    expect(await main(['sim', 'serve', '--help'], io)).toBe(0);
    expect(stdout).toMatch(/usage: breakglass sim serve/);
    expect(await main(['sim', 'serve', '--port', 'abc'], io)).toBe(2);
    expect(stderr).toMatch(/--port must be a number/);
  });
});
