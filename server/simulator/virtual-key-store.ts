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

/** The credentials kept for a virtual key ([] when it has none yet). */
export function readSavedCredentials(dataDir: string, profile: string): VirtualCredentialRecord[] {
  const file = virtualKeyFile(dataDir, profile);
  if (!existsSync(file)) return [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BreakglassError('virtual_key_unreadable', `the virtual key file ${file} cannot be read${code ? ` (${code})` : ''}; check its permissions or move it away to start with an empty key`, { status: 400 });
  }
  let saved: SavedKey;
  try {
    saved = JSON.parse(text) as SavedKey;
  } catch {
    // Not the parser's message: it can quote part of the file, and the file holds private keys.
    throw new BreakglassError('virtual_key_unreadable', `the virtual key file ${file} is not valid JSON; move it away to start with an empty key`, { status: 400 });
  }
  if (saved.format !== FORMAT || !Array.isArray(saved.credentials)) {
    throw new BreakglassError('virtual_key_unreadable', `${file} is not a breakglass virtual key file`, { status: 400 });
  }
  return saved.credentials;
}

/** Union by credential id; where both hold one, the higher signature counter wins (the key that was used last). */
export function mergeCredentials(a: VirtualCredentialRecord[], b: VirtualCredentialRecord[]): VirtualCredentialRecord[] {
  const byId = new Map<string, VirtualCredentialRecord>();
  for (const c of [...a, ...b]) {
    const had = byId.get(c.id);
    if (!had || c.signCount > had.signCount) byId.set(c.id, c);
  }
  return [...byId.values()];
}

/**
 * Saves a virtual key's credentials, merged with what the file holds now: the service and a CLI command may both
 * hold the same virtual key, and neither may erase the other's new credentials.
 */
export function saveCredentials(dataDir: string, profile: string, credentials: VirtualCredentialRecord[]): void {
  const file = virtualKeyFile(dataDir, profile);
  mkdirSync(join(dataDir, 'virtual-keys'), { recursive: true, mode: 0o700 });
  const data: SavedKey = {
    format: FORMAT,
    profile,
    note: 'VIRTUAL security key for the simulated tenant (tests, demos, training drills). Holds test private keys; never the PIN.',
    credentials: mergeCredentials(readSavedCredentials(dataDir, profile), credentials),
  };
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  chmodSync(file, 0o600);
}

export async function loadVirtualKey(dataDir: string, profile: string, pin: string): Promise<LoadedVirtualKey> {
  const file = virtualKeyFile(dataDir, profile);
  const key = await VirtualSecurityKey.load(profile, { pin });
  const saved = readSavedCredentials(dataDir, profile);
  if (saved.length) key.authenticator.importCredentials(saved);
  return {
    key,
    file,
    credentials: saved.length,
    save() {
      saveCredentials(dataDir, profile, key.authenticator.exportCredentials());
    },
  };
}
