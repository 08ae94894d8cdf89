// Shared CLI plumbing: the --config option every command accepts, and loading the configuration from it.
import { loadConfig, type Config } from '../config.ts';
import { stringOption, type CommandContext, type OptionSpec } from './command.ts';

export const configOption: OptionSpec = { config: { type: 'string' } };
export const jsonOption: OptionSpec = { json: { type: 'boolean' } };

export function cliConfig(ctx: CommandContext): Config {
  const file = stringOption(ctx, 'config');
  return loadConfig({ env: ctx.io.env, cwd: ctx.io.cwd, ...(file ? { configFile: file } : {}) });
}
