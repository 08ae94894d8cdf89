// Shared plumbing of `breakglass sim register-key` and `sim signin`: the options, the virtual key's PIN (from
// --pin-stdin or BREAKGLASS_KEY_PIN, never an argument: arguments show up in `ps` and shell history), and opening the
// virtual key kept in the data folder.
import { SecurityKey } from '../../hardware/index.ts';
import { loadVirtualKey, type LoadedVirtualKey } from '../simulator/virtual-key-store.ts';
import { CliError, flag, stringOption, type CommandContext, type OptionSpec } from './command.ts';
import { configOption, jsonOption } from './cli-config.ts';
import { profileArgument, translateHardwareErrors } from './key-support.ts';
import { readSecret } from './secret-input.ts';

export const DEFAULT_SIM_PROFILE = 'yubikey-5-nfc-5.4.3';

export const simKeyOptions: OptionSpec = {
  ...configOption,
  ...jsonOption,
  account: { type: 'string' },
  virtual: { type: 'string' },
  'pin-stdin': { type: 'boolean' },
};

export const simKeyHelp = [
  '--account UPN        the emergency account (user principal name or object id) in the simulated tenant',
  `--virtual PROFILE    the virtual key: a built-in profile name or a profile file (default ${DEFAULT_SIM_PROFILE});`,
  '                     its credentials are kept in <data folder>/virtual-keys/<profile>.json (mode 0600)',
  '--pin-stdin          read the key PIN from the first line of standard input (else BREAKGLASS_KEY_PIN);',
  '                     the virtual key takes the PIN it is given; the PIN is never stored or printed',
];

export function profileOption(ctx: CommandContext): string {
  return profileArgument(ctx, stringOption(ctx, 'virtual') ?? DEFAULT_SIM_PROFILE);
}

export function requireAccountOption(ctx: CommandContext): string {
  const a = stringOption(ctx, 'account')?.trim();
  if (!a) throw new CliError('--account UPN is required (the emergency account in the simulated tenant)');
  return a;
}

export async function readKeyPin(ctx: CommandContext): Promise<string> {
  // readSecret: hidden on a terminal, the first line of a pipe otherwise.
  const pin = flag(ctx, 'pin-stdin') ? (await readSecret(ctx.io, 'PIN of the virtual key: ')).replace(/\r$/, '') : ctx.io.env.BREAKGLASS_KEY_PIN;
  if (!pin) throw new CliError('the key PIN is needed: pass --pin-stdin and type it, or set BREAKGLASS_KEY_PIN (never on the command line)');
  if ([...pin.normalize('NFC')].length < 4) throw new CliError('a key PIN has at least 4 characters');
  return pin;
}

export interface OpenedVirtualKey {
  stored: LoadedVirtualKey;
  key: SecurityKey;
}

export async function withVirtualKey<T>(dataDir: string, profile: string, pin: string, fn: (k: OpenedVirtualKey) => Promise<T>): Promise<T> {
  return translateHardwareErrors(async () => {
    const stored = await loadVirtualKey(dataDir, profile, pin);
    const key = await SecurityKey.open(stored.key.open(), { descriptor: stored.key.descriptor });
    try {
      return await fn({ stored, key });
    } finally {
      await key.close().catch(() => undefined);
    }
  });
}
