// `breakglass sim serve`: runs the simulated tenant on its own port until interrupted, for demos, manual exploration
// with curl, and other tools (the hardware team's end-to-end runs). Prints where it listens, the tenant and app ids
// and the demo app's client secret (a simulator-only credential), and can write its TLS certificate for clients.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError, EXIT_OK, flag, stringOption, writeJson, writeLine, type Command } from '../cli/command.ts';
import { ConfigError } from '../errors.ts';
import { SettingsSource } from '../settings-source.ts';
import { readSimulatorSettings } from './simulator-settings.ts';
import { startSimulatorFromSettings } from './start-simulator.ts';

export const simServeCommand: Command = {
  words: ['sim', 'serve'],
  summary: 'run the simulated Microsoft Graph tenant on its own port',
  usage: 'sim serve [--tenant-fixture FILE] [--port N] [--host HOST] [--http] [--ca-out FILE] [--json]',
  help: [
    '--tenant-fixture FILE  Graph-shaped tenant fixture (default: the demo tenant; env BREAKGLASS_TENANT_FIXTURE)',
    '--port N               port to listen on (default 4010; 0 = any free port)',
    '--host HOST            address to listen on (default 127.0.0.1; admin routes are unauthenticated)',
    '--http                 plain HTTP instead of HTTPS with a fresh self-signed certificate',
    '--ca-out FILE          write the simulator\'s certificate (PEM) for clients to trust',
    'Faults: BREAKGLASS_SIM_FAULTS=\'[{"kind":"throttle","path":"/auditLogs/","times":2}]\' (see docs/simulator.md)',
    'Stops on Ctrl-C.',
  ],
  options: {
    'tenant-fixture': { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    http: { type: 'boolean' },
    'ca-out': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(ctx) {
    const src = new SettingsSource(ctx.io.env, {}, ctx.io.cwd);
    const portText = stringOption(ctx, 'port');
    if (portText !== undefined && !/^\d{1,5}$/.test(portText)) throw new CliError(`--port must be a number from 0 to 65535, got ${JSON.stringify(portText)}`);
    const fixture = stringOption(ctx, 'tenant-fixture');
    const settings = readSimulatorSettings(src, {
      ...(fixture ? { tenantFixture: resolve(ctx.io.cwd, fixture) } : {}),
      port: portText === undefined ? (ctx.io.env.BREAKGLASS_SIM_PORT ? src.int({ env: 'BREAKGLASS_SIM_PORT', file: 'simulator.port' }, { min: 0, max: 65_535, fallback: 4010 }) : 4010) : Number(portText),
      ...(stringOption(ctx, 'host') ? { host: stringOption(ctx, 'host')! } : {}),
    });
    if (flag(ctx, 'http')) settings.tls = false;
    if (src.problems.length) throw new ConfigError(src.problems);
    const sim = await startSimulatorFromSettings(settings);
    const caOut = stringOption(ctx, 'ca-out');
    if (caOut && sim.ca) await writeFile(resolve(ctx.io.cwd, caOut), sim.ca, { mode: 0o644 });
    const info = {
      simulated: true,
      origin: sim.origin,
      graphBaseUrl: `${sim.origin}/v1.0`,
      tokenEndpoint: `${sim.origin}/${sim.connection.tenantId}/oauth2/v2.0/token`,
      tenantId: sim.connection.tenantId,
      tenant: sim.connection.tenantDisplayName,
      clientId: sim.connection.clientId,
      clientSecret: sim.connection.clientSecret,
      fixture: settings.tenantFixture,
      securityInfoUrl: sim.securityInfo?.url ?? null,
      ...(caOut && sim.ca ? { caFile: resolve(ctx.io.cwd, caOut) } : {}),
    };
    if (flag(ctx, 'json')) writeJson(ctx.io, info);
    else {
      writeLine(ctx.io.stdout, `breakglass: ${sim.label}`);
      writeLine(ctx.io.stdout, `  Graph:    ${info.graphBaseUrl}  (and ${sim.origin}/beta)`);
      writeLine(ctx.io.stdout, `  token:    ${info.tokenEndpoint}  (client_credentials)`);
      writeLine(ctx.io.stdout, `  tenant:   ${info.tenantId}`);
      writeLine(ctx.io.stdout, `  app:      ${info.clientId}  secret ${info.clientSecret}  (simulator-only credential)`);
      writeLine(ctx.io.stdout, `  fixture:  ${info.fixture}`);
      if (info.securityInfoUrl) writeLine(ctx.io.stdout, `  security info page: ${info.securityInfoUrl}  (TAP sign-in and key registration, guided enrollment)`);
      if (info.caFile) writeLine(ctx.io.stdout, `  CA:       ${info.caFile}`);
      writeLine(ctx.io.stdout, '  Ctrl-C to stop.');
    }
    await new Promise<void>((done) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        done();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await sim.close();
    return EXIT_OK;
  },
};
