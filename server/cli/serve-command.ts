// `breakglass serve`: runs the service until SIGINT/SIGTERM.
import { closeOnSignals, startService } from '../main.ts';
import { stringOption, writeLine, type Command } from './command.ts';
import { cliConfig, configOption } from './cli-config.ts';

export const serveCommand: Command = {
  words: ['serve'],
  summary: 'Run the breakglass service (API and web UI)',
  usage: 'serve [--config FILE] [--host HOST] [--port PORT]',
  help: ['Settings come from environment variables and the optional JSON config file; see docs/operations.md.'],
  options: { ...configOption, host: { type: 'string' }, port: { type: 'string' } },
  async run(ctx) {
    const env = { ...ctx.io.env };
    const host = stringOption(ctx, 'host');
    const port = stringOption(ctx, 'port');
    if (host) env.BREAKGLASS_HOST = host;
    if (port) env.BREAKGLASS_PORT = port;
    const config = cliConfig({ ...ctx, io: { ...ctx.io, env } });
    const service = await startService(config);
    closeOnSignals(service);
    const { runtime } = service;
    const head = await runtime.audit.head();
    const out = ctx.io.stdout;
    writeLine(out, `breakglass is running at ${service.url}`);
    writeLine(out, `  tenant:     ${runtime.directory ? runtime.directory.mode.label : 'none'}`);
    writeLine(out, `  store:      ${runtime.database.location}`);
    writeLine(out, `  audit log:  ${runtime.identity.origin} (${head.size} entries)`);
    writeLine(out, `  verify key: ${runtime.identity.verifierKey}`);
    if (runtime.identity.keyCreated) writeLine(out, `  a new audit signing key was created at ${config.audit.signingKeyPath} (mode 0600): back it up`);
    const bootstrap = service.server.auth.bootstrapNotice;
    if (bootstrap) {
      // The one place the bootstrap code is shown (and the 0600 file): never in the log.
      writeLine(out, '');
      writeLine(out, `  FIRST START: no officer exists yet. Open ${service.url}/setup and enter this one-time bootstrap code`);
      writeLine(out, '  to register the first admin\'s passkey:');
      writeLine(out, '');
      writeLine(out, `      ${bootstrap.code}`);
      writeLine(out, '');
      writeLine(out, `  (also in ${bootstrap.file}, mode 0600; valid until ${bootstrap.expiresAt} or the next restart)`);
      writeLine(out, '');
    } else {
      writeLine(out, `  sign in:    ${service.url}/sign-in`);
    }
    writeLine(out, '  stop with Ctrl+C');
    // Keep running until a signal closes the service.
    await new Promise<void>((resolve) => service.server.server.once('close', () => resolve()));
    return 0;
  },
};
