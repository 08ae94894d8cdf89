// The one entry point the service needs: given the `graph` and `simulator` settings sections, return a Directory.
// No tenant configured → start the simulated tenant in-process (the embedded default) and point the real adapter at
// it; a tenant id and credential → real Microsoft Graph. `mode.label` says plainly which one is in use, for the UI,
// the CLI and the logs.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../clock.ts';
import { createGraphDirectory, createSimulatedDirectory } from '../graph/create-directory.ts';
import type { Directory } from '../graph/directory.ts';
import type { GraphLogger } from '../graph/graph-directory.ts';
import type { GraphSettings } from '../graph/graph-settings.ts';
import type { SimulatorSettings } from './simulator-settings.ts';
import { startSimulatorFromSettings, type SimulatorHandle } from './start-simulator.ts';
import type { SimulatedTenantConnection } from '../graph/simulated-tenant-connection.ts';

export interface OpenDirectoryOptions {
  graph: GraphSettings;
  simulator: SimulatorSettings;
  clock?: Clock;
  /** Adapter log lines (pino-compatible). */
  logger?: GraphLogger;
  /** The embedded simulator's own Fastify logger (a pino child is fine); silent when omitted. */
  simulatorLogger?: FastifyBaseLogger;
  /**
   * The service's data folder. With it the embedded tenant keeps its state in `simulated-tenant.json` there and
   * announces itself in `simulator.json` (mode 0600) while it runs, so CLI commands reach the same tenant.
   */
  dataDir?: string;
}

/** What a running embedded simulator writes so other processes (the CLI) can reach it. */
interface ConnectionFile extends SimulatedTenantConnection {
  pid: number;
}

export const SIMULATOR_STATE_FILE = 'simulated-tenant.json';
export const SIMULATOR_CONNECTION_FILE = 'simulator.json';

export interface OpenedDirectory {
  directory: Directory;
  /** Present when the embedded simulated tenant is in use. */
  simulator: SimulatorHandle | undefined;
  /** Stops the embedded simulator, if any. */
  close(): Promise<void>;
}

export async function openDirectory(options: OpenDirectoryOptions): Promise<OpenedDirectory> {
  const deps = { ...(options.clock ? { clock: options.clock } : {}), ...(options.logger ? { logger: options.logger } : {}) };
  if (options.graph.mode === 'graph') {
    return { directory: createGraphDirectory(options.graph, deps), simulator: undefined, close: async () => undefined };
  }
  const simulator = await startSimulatorFromSettings(options.simulator, {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.simulatorLogger ? { logger: options.simulatorLogger } : {}),
    ...(options.dataDir ? { stateFile: join(options.dataDir, SIMULATOR_STATE_FILE) } : {}),
  });
  const directory = createSimulatedDirectory(simulator.connection, {
    retry: options.graph.retry,
    throttleAuthenticationMethods: options.graph.throttleAuthenticationMethods,
  }, deps);
  const connectionFile = options.dataDir ? join(options.dataDir, SIMULATOR_CONNECTION_FILE) : undefined;
  if (connectionFile) {
    const info: ConnectionFile = { ...simulator.connection, pid: process.pid };
    writeFileSync(connectionFile, JSON.stringify(info), { mode: 0o600 });
  }
  options.logger?.warn({ tenant: simulator.connection.tenantId, origin: simulator.origin }, `Microsoft Graph is SIMULATED: ${directory.mode.label}`);
  return {
    directory,
    simulator,
    close: async () => {
      await simulator.close();
      if (connectionFile) rmSync(connectionFile, { force: true });
    },
  };
}

function reachable(origin: string): Promise<boolean> {
  const u = new URL(origin);
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname, port: Number(u.port), timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * For CLI commands: reach the tenant the service uses. Real Graph when configured; else the embedded simulated
 * tenant of a running service (announced in `<dataDir>/simulator.json`); else a simulated tenant started here from
 * the same state file, closed again by `close()`.
 */
export async function connectDirectory(options: OpenDirectoryOptions & { dataDir: string }): Promise<OpenedDirectory & { shared: boolean }> {
  if (options.graph.mode === 'simulated') {
    const file = join(options.dataDir, SIMULATOR_CONNECTION_FILE);
    if (existsSync(file)) {
      let info: ConnectionFile | undefined;
      try {
        info = JSON.parse(readFileSync(file, 'utf8')) as ConnectionFile;
      } catch {
        info = undefined;
      }
      let alive = false;
      try {
        if (info) alive = process.kill(info.pid, 0) && (await reachable(info.origin));
      } catch {
        alive = false;
      }
      if (info && alive) {
        const { pid: _pid, ...connection } = info;
        const directory = createSimulatedDirectory(connection, { retry: options.graph.retry, throttleAuthenticationMethods: options.graph.throttleAuthenticationMethods }, {
          ...(options.clock ? { clock: options.clock } : {}),
          ...(options.logger ? { logger: options.logger } : {}),
        });
        return { directory, simulator: undefined, close: async () => undefined, shared: true };
      }
    }
  }
  const opened = await openDirectory(options);
  return { ...opened, shared: false };
}
