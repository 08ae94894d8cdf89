// Keeps a virtual security key between CLI runs: `breakglass sim register-key` puts a credential on it and `breakglass
// sim signin` uses it later, in another process. The file `<dataDir>/virtual-keys/<profile>.json` (mode 0600, folder
// 0700) holds the profile the key was made from and its credentials — test keys, private keys included, which is
// why only virtual keys are ever kept like this. The PIN is not kept: each run sets the PIN it is given at power-up.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { VirtualSecurityKey, type VirtualCredentialRecord } from '../../hardware/index.ts';
import { BreakglassError } from '../errors.ts';

const FORMAT = 'breakglass-virtual-key/1';

interface SavedKey {
  format: typeof FORMAT;
  profile: string;
  note: string;
  credentials: VirtualCredentialRecord[];
}

/** File-name part for a profile: a built-in name as is, a profile file by its base name. */
export function virtualKeySlug(profile: string): string {
  const base = basename(profile).replace(/\.json$/i, '');
  return base.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80) || 'virtual-key';
}

export function virtualKeyFile(dataDir: string, profile: string): string {
  return join(dataDir, 'virtual-keys', `${virtualKeySlug(profile)}.json`);
}

export interface LoadedVirtualKey {
  key: VirtualSecurityKey;
  file: string;
  /** Credentials the key held when loaded. */
  credentials: number;
  save(): void;
}

export async function loadVirtualKey(dataDir: string, profile: string, pin: string): Promise<LoadedVirtualKey> {
  const file = virtualKeyFile(dataDir, profile);
  const key = await VirtualSecurityKey.load(profile, { pin });
  let credentials = 0;
  if (existsSync(file)) {
    let saved: SavedKey;
    try {
      saved = JSON.parse(readFileSync(file, 'utf8')) as SavedKey;
    } catch (err) {
      throw new BreakglassError('virtual_key_unreadable', `the virtual key file ${file} is not readable JSON (${(err as Error).message}); move it away to start with an empty key`, { status: 400 });
    }
    if (saved.format !== FORMAT || !Array.isArray(saved.credentials)) {
      throw new BreakglassError('virtual_key_unreadable', `${file} is not a breakglass virtual key file`, { status: 400 });
    }
    key.authenticator.importCredentials(saved.credentials);
    credentials = saved.credentials.length;
  }
  return {
    key,
    file,
    credentials,
    save() {
      mkdirSync(join(dataDir, 'virtual-keys'), { recursive: true, mode: 0o700 });
      const data: SavedKey = {
        format: FORMAT,
        profile,
        note: 'VIRTUAL security key for the simulated tenant (tests, demos, training drills). Holds test private keys; never the PIN.',
        credentials: key.authenticator.exportCredentials(),
      };
      const tmp = `${file}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
      renameSync(tmp, file);
      chmodSync(file, 0o600);
    },
  };
}
