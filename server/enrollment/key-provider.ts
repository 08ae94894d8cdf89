// Where the service (or the CLI) finds the security key the officer holds: a key attached to this machine over USB
// HID (node-hid), or a virtual key (hardware/virtual) for demos, training and tests. Access is serialised — a key
// does one CTAP exchange at a time — and each use opens and closes its own CTAPHID channel.
import {
  SecurityKey,
  VirtualSecurityKey,
  nodeHidBackend,
  type HidBackend,
} from '../../hardware/index.ts';
import { mergeCredentials, readSavedCredentials, saveCredentials, virtualKeyFile } from '../simulator/virtual-key-store.ts';

export interface KeyUse {
  key: SecurityKey;
  /** true for a software key: shown everywhere the key is described, and recorded with the enrollment. */
  virtual: boolean;
  /** The USB serial number when the key exposes one (many keys do not). */
  serial: string | null;
}

export interface KeyProvider {
  /** e.g. `USB security key` or `VIRTUAL key "YubiKey 5 NFC (firmware 5.4.3)"`. */
  readonly description: string;
  readonly virtual: boolean;
  /** Opens the key, runs `fn`, closes the key; one caller at a time. */
  withKey<T>(fn: (use: KeyUse) => Promise<T>, options?: { device?: string }): Promise<T>;
}

class Mutex {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(fn, fn);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}

/** Keys attached to this machine; `device` picks one path when several are attached. */
export function hidKeyProvider(backend: () => HidBackend = () => nodeHidBackend()): KeyProvider {
  const lock = new Mutex();
  return {
    description: 'USB security key',
    virtual: false,
    withKey(fn, options = {}) {
      return lock.run(async () => {
        const key = options.device ? await SecurityKey.openPath(options.device, { backend: backend() }) : await SecurityKey.openOnly({ backend: backend() });
        try {
          return await fn({ key, virtual: false, serial: key.descriptor?.serialNumber ?? null });
        } finally {
          await key.close().catch(() => undefined);
        }
      });
    },
  };
}

/** One virtual key for the life of the provider (its credentials and PIN persist between uses, as a real key's do). */
export function virtualKeyProvider(virtualKey: VirtualSecurityKey): KeyProvider {
  const lock = new Mutex();
  return {
    description: `VIRTUAL key "${virtualKey.profile.name}" (software, not hardware)`,
    virtual: true,
    withKey(fn) {
      return lock.run(async () => {
        const key = await SecurityKey.open(virtualKey.open(), { descriptor: virtualKey.descriptor });
        try {
          return await fn({ key, virtual: true, serial: virtualKey.descriptor.serialNumber ?? null });
        } finally {
          await key.close().catch(() => undefined);
        }
      });
    },
  };
}

/**
 * A virtual key whose credentials live in `<dataDir>/virtual-keys/<profile>.json`, shared with `breakglass sim
 * register-key|signin` in other processes: a key enrolled on behalf of an account here can sign in for a drill there.
 * Credentials are merged in from the file before each use and saved after it; the PIN stays in memory only.
 */
export function persistentVirtualKeyProvider(dataDir: string, profile: string): KeyProvider {
  const lock = new Mutex();
  let loaded: VirtualSecurityKey | undefined;
  return {
    description: `VIRTUAL key (${profile}; software, not hardware; kept in ${virtualKeyFile(dataDir, profile)})`,
    virtual: true,
    withKey(fn) {
      return lock.run(async () => {
        loaded ??= await VirtualSecurityKey.load(profile);
        const vk = loaded;
        vk.authenticator.importCredentials(mergeCredentials(vk.authenticator.exportCredentials(), readSavedCredentials(dataDir, profile)));
        const key = await SecurityKey.open(vk.open(), { descriptor: vk.descriptor });
        try {
          return await fn({ key, virtual: true, serial: vk.descriptor.serialNumber ?? null });
        } finally {
          await key.close().catch(() => undefined);
          saveCredentials(dataDir, profile, vk.authenticator.exportCredentials());
        }
      });
    },
  };
}

/**
 * A provider for the configured `keySource` (`hid` or `virtual:<profile name or file>`). With a data folder, a
 * virtual key keeps its credentials there (see persistentVirtualKeyProvider).
 */
export function keyProviderFor(keySource: string, dataDir?: string): KeyProvider {
  if (keySource === 'hid') return hidKeyProvider();
  const profile = keySource.replace(/^virtual:/, '');
  if (dataDir) return persistentVirtualKeyProvider(dataDir, profile);
  let loaded: Promise<VirtualSecurityKey> | undefined;
  let provider: KeyProvider | undefined;
  const lazy = async () => {
    loaded ??= VirtualSecurityKey.load(profile);
    provider ??= virtualKeyProvider(await loaded);
    return provider;
  };
  return {
    description: `VIRTUAL key (${profile}; software, not hardware)`,
    virtual: true,
    async withKey(fn, options) {
      return (await lazy()).withKey(fn, options);
    },
  };
}
