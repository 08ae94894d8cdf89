// Reads typed settings from environment variables and an optional JSON config file, collecting one clear line per
// bad setting instead of stopping at the first. Environment variables win over the file. Each configuration section
// (server, storage, audit, graph, simulator, …) reads its own keys through this and returns a typed object.
import { isAbsolute, resolve } from 'node:path';

export interface SettingKey {
  /** Environment variable name, e.g. BREAKGLASS_PORT. */
  env: string;
  /** Dotted path in the config file, e.g. `server.port`. */
  file: string;
}

export class SettingsSource {
  readonly problems: string[] = [];
  readonly #env: NodeJS.ProcessEnv;
  readonly #file: Record<string, unknown>;
  readonly #baseDir: string;

  constructor(env: NodeJS.ProcessEnv, file: Record<string, unknown> = {}, baseDir: string = process.cwd()) {
    this.#env = env;
    this.#file = file;
    this.#baseDir = baseDir;
  }

  #label(key: SettingKey): string {
    return `${key.env} (config file: ${key.file})`;
  }

  /** The raw value: env first, then file; undefined when unset or empty. */
  raw(key: SettingKey): unknown {
    const fromEnv = this.#env[key.env];
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
    let node: unknown = this.#file;
    for (const part of key.file.split('.')) {
      if (node === null || typeof node !== 'object') return undefined;
      node = (node as Record<string, unknown>)[part];
    }
    return node === null || node === '' ? undefined : node;
  }

  problem(key: SettingKey, message: string): void {
    this.problems.push(`${this.#label(key)}: ${message}`);
  }

  string(key: SettingKey, fallback?: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'string') {
      this.problem(key, `must be a string, got ${JSON.stringify(v)}`);
      return fallback;
    }
    return v;
  }

  int(key: SettingKey, opts: { min: number; max: number; fallback: number }): number {
    const v = this.raw(key);
    if (v === undefined) return opts.fallback;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : Number.NaN;
    if (!Number.isInteger(n) || n < opts.min || n > opts.max) {
      this.problem(key, `must be a whole number from ${opts.min} to ${opts.max}, got ${JSON.stringify(v)}`);
      return opts.fallback;
    }
    return n;
  }

  bool(key: SettingKey, fallback: boolean): boolean {
    const v = this.raw(key);
    if (v === undefined) return fallback;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string') {
      const s = v.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
    }
    this.problem(key, `must be true or false, got ${JSON.stringify(v)}`);
    return fallback;
  }

  oneOf<T extends string>(key: SettingKey, allowed: readonly T[], fallback: T): T {
    const v = this.raw(key);
    if (v === undefined) return fallback;
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    this.problem(key, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
    return fallback;
  }

  /** A filesystem path, resolved against the working directory (env) or the config file's folder (file). */
  path(key: SettingKey, fallback?: string): string | undefined {
    const fromEnv = this.#env[key.env];
    const v = this.string(key);
    if (v === undefined) return fallback === undefined ? undefined : resolve(fallback);
    if (isAbsolute(v)) return v;
    return fromEnv !== undefined && fromEnv !== '' ? resolve(v) : resolve(this.#baseDir, v);
  }

  /** An absolute http(s) URL (trailing slash removed). */
  url(key: SettingKey, fallback?: string): string | undefined {
    const v = this.string(key);
    if (v === undefined) return fallback;
    try {
      const u = new URL(v);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
      return v.replace(/\/+$/, '');
    } catch {
      this.problem(key, `must be an absolute http(s) URL, got ${JSON.stringify(v)}`);
      return fallback;
    }
  }
}
