// Typed configuration for the service and the CLI, read once at start from environment variables and an optional
// JSON config file (BREAKGLASS_CONFIG or --config). Every bad setting is reported on its own line before anything
// starts, so an operator fixes them all in one go.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from './errors.ts';
import { SettingsSource } from './settings-source.ts';
import { readGraphSettings, type GraphSettings } from './graph/graph-settings.ts';
import { readSimulatorSettings, type SimulatorSettings } from './simulator/simulator-settings.ts';
import { readAuthSettings, type AuthSettings } from './auth/auth-settings.ts';
import { readEnrollmentSettings, type EnrollmentSettings } from './enrollment/enrollment-settings.ts';
import { readDrillSettings, type DrillSettings } from './drills/drill-settings.ts';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface ServerSettings {
  host: string;
  port: number;
  /** The URL people use to reach the service (origin for WebAuthn, links in mail). */
  publicUrl: string;
  tls: { certPath: string; keyPath: string } | undefined;
}

export interface StorageSettings {
  /** Folder for the SQLite file, the audit signing key and other local state. Created on first start. */
  dataDir: string;
  /** postgres://… to use PostgreSQL; undefined = the embedded SQLite file in dataDir. */
  databaseUrl: string | undefined;
  sqlitePath: string;
}

export interface AuditSettings {
  /** Checkpoint origin (and signing key name). Undefined = derived once from the deployment id and stored. */
  origin: string | undefined;
  /** Ed25519 signing key (PKCS#8 PEM). Undefined = `<dataDir>/audit-signing-key.pem`, generated on first start. */
  signingKeyPath: string;
  /** Seconds between scheduled checkpoints (also when idle). */
  checkpointIntervalSeconds: number;
  /** Append-only text file that receives a copy of every checkpoint (outside the database). */
  checkpointCopyPath: string;
}

export interface Config {
  server: ServerSettings;
  storage: StorageSettings;
  audit: AuditSettings;
  /** Microsoft Graph: a real tenant, or (no tenant configured) the embedded simulated tenant. */
  graph: GraphSettings;
  simulator: SimulatorSettings;
  auth: AuthSettings;
  /** Drill cadence, sign-in monitoring and alert channels (server/drills/drill-settings.ts). */
  drills: DrillSettings;
  /** Key enrollment: request lifetime, TAP cap, watch and reconcile intervals, allow-list, key source. */
  enrollment: EnrollmentSettings;
  logLevel: LogLevel;
  /** The config file that was read, if any. */
  configFile: string | undefined;
}

export const SETTING = {
  configFile: { env: 'BREAKGLASS_CONFIG', file: '-' },
  host: { env: 'BREAKGLASS_HOST', file: 'server.host' },
  port: { env: 'BREAKGLASS_PORT', file: 'server.port' },
  publicUrl: { env: 'BREAKGLASS_PUBLIC_URL', file: 'server.publicUrl' },
  tlsCert: { env: 'BREAKGLASS_TLS_CERT', file: 'server.tls.cert' },
  tlsKey: { env: 'BREAKGLASS_TLS_KEY', file: 'server.tls.key' },
  dataDir: { env: 'BREAKGLASS_DATA_DIR', file: 'storage.dataDir' },
  databaseUrl: { env: 'DATABASE_URL', file: 'storage.databaseUrl' },
  auditOrigin: { env: 'BREAKGLASS_AUDIT_ORIGIN', file: 'audit.origin' },
  auditKey: { env: 'BREAKGLASS_AUDIT_SIGNING_KEY', file: 'audit.signingKey' },
  checkpointInterval: { env: 'BREAKGLASS_CHECKPOINT_INTERVAL', file: 'audit.checkpointIntervalSeconds' },
  checkpointCopy: { env: 'BREAKGLASS_CHECKPOINT_COPY', file: 'audit.checkpointCopy' },
  logLevel: { env: 'LOG_LEVEL', file: 'logLevel' },
} as const;

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Explicit config file (e.g. from --config); otherwise BREAKGLASS_CONFIG. */
  configFile?: string;
  cwd?: string;
}

/** Reads the optional JSON config file. Throws ConfigError with one line when it cannot be used. */
function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`config file ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError([`config file ${path}: is not a JSON object (${(err as Error).message})`]);
  }
}

/** Returns the settings source (env + file) so other sections (graph, simulator, …) read from the same place. */
export function openSettings(opts: LoadConfigOptions = {}): { src: SettingsSource; configFile: string | undefined } {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const fileArg = opts.configFile ?? (env.BREAKGLASS_CONFIG || undefined);
  const configFile = fileArg ? resolve(cwd, fileArg) : undefined;
  const file = configFile ? readConfigFile(configFile) : {};
  return { src: new SettingsSource(env, file, configFile ? dirname(configFile) : cwd), configFile };
}

export function readCoreSettings(src: SettingsSource, configFile: string | undefined): Config {
  const host = src.string(SETTING.host, '127.0.0.1')!;
  const port = src.int(SETTING.port, { min: 0, max: 65535, fallback: 3000 });
  const certPath = src.path(SETTING.tlsCert);
  const keyPath = src.path(SETTING.tlsKey);
  if ((certPath === undefined) !== (keyPath === undefined)) {
    src.problem(certPath ? SETTING.tlsKey : SETTING.tlsCert, 'TLS needs both a certificate and a key');
  }
  const tls = certPath && keyPath ? { certPath, keyPath } : undefined;
  const shownHost = host === '0.0.0.0' || host === '::' || host === '127.0.0.1' ? 'localhost' : host;
  const publicUrl = src.url(SETTING.publicUrl, `${tls ? 'https' : 'http'}://${shownHost}:${port}`)!;

  const dataDir = src.path(SETTING.dataDir, 'data')!;
  const databaseUrl = src.string(SETTING.databaseUrl);
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    src.problem(SETTING.databaseUrl, 'must start with postgres:// (leave it unset to use the embedded SQLite file)');
  }

  const origin = src.string(SETTING.auditOrigin);
  if (origin !== undefined && (origin.length === 0 || /[\s+]/.test(origin))) {
    src.problem(SETTING.auditOrigin, 'must be non-empty and contain no spaces or "+" (it is also the signing key name)');
  }
  const signingKeyPath = src.path(SETTING.auditKey, join(dataDir, 'audit-signing-key.pem'))!;
  const checkpointIntervalSeconds = src.int(SETTING.checkpointInterval, { min: 10, max: 86_400, fallback: 900 });
  const checkpointCopyPath = src.path(SETTING.checkpointCopy, join(dataDir, 'checkpoints.jsonl'))!;
  const logLevel = src.oneOf<LogLevel>(SETTING.logLevel, ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info');

  const server: ServerSettings = { host, port, publicUrl, tls };
  const graph = readGraphSettings(src);
  return {
    server,
    storage: { dataDir, databaseUrl: databaseUrl && /^postgres(ql)?:\/\//.test(databaseUrl) ? databaseUrl : undefined, sqlitePath: join(dataDir, 'breakglass.db') },
    audit: { origin, signingKeyPath, checkpointIntervalSeconds, checkpointCopyPath },
    graph,
    simulator: readSimulatorSettings(src),
    auth: readAuthSettings(src, server),
    enrollment: readEnrollmentSettings(src, { simulated: graph.mode === 'simulated' }),
    drills: readDrillSettings(src),
    logLevel,
    configFile,
  };
}

/** Loads and validates the whole configuration; throws ConfigError listing every bad setting. */
export function loadConfig(opts: LoadConfigOptions = {}): Config {
  const { src, configFile } = openSettings(opts);
  const config = readCoreSettings(src, configFile);
  if (src.problems.length > 0) throw new ConfigError(src.problems);
  return config;
}
