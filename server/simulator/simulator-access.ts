// How a CLI command reaches the simulated tenant's own (non-Graph) routes, such as the sign-in ceremony: the running
// service's embedded tenant when `<dataDir>/simulator.json` announces a live one, else a tenant started here from the
// persisted state `<dataDir>/simulated-tenant.json` (and saved again on close), exactly as connectDirectory() does for
// Graph calls. Requests go over the simulator's HTTPS with its certificate pinned for that request only.
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { BreakglassError } from '../errors.ts';
import { SIMULATOR_CONNECTION_FILE, SIMULATOR_STATE_FILE } from './open-directory.ts';
import { startSimulatorFromSettings } from './start-simulator.ts';

export interface SimulatedTenantAccess {
  origin: string;
  ca: string | undefined;
  tenantDisplayName: string;
  /** true when the running service's tenant is used. */
  shared: boolean;
  close(): Promise<void>;
}

export class SimulatorOnlyError extends BreakglassError {
  constructor(what: string) {
    super('simulator_only', `${what} works only with the simulated tenant; this configuration points at real Microsoft Graph (BREAKGLASS_GRAPH_TENANT_ID is set)`, { status: 400 });
  }
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

export async function accessSimulatedTenant(config: Config, what: string, opts: { clock?: Clock } = {}): Promise<SimulatedTenantAccess> {
  if (config.graph.mode !== 'simulated') throw new SimulatorOnlyError(what);
  const file = join(config.storage.dataDir, SIMULATOR_CONNECTION_FILE);
  if (existsSync(file)) {
    try {
      const info = JSON.parse(readFileSync(file, 'utf8')) as { origin: string; ca?: string; pid: number; tenantDisplayName: string };
      let alive = false;
      try {
        alive = process.kill(info.pid, 0) && (await reachable(info.origin));
      } catch {
        alive = false;
      }
      if (alive) return { origin: info.origin, ca: info.ca, tenantDisplayName: info.tenantDisplayName, shared: true, close: async () => undefined };
    } catch {
      /* an unreadable announcement: start our own below */
    }
  }
  const sim = await startSimulatorFromSettings(config.simulator, { stateFile: join(config.storage.dataDir, SIMULATOR_STATE_FILE), ...(opts.clock ? { clock: opts.clock } : {}) });
  return { origin: sim.origin, ca: sim.ca, tenantDisplayName: sim.connection.tenantDisplayName, shared: false, close: () => sim.close() };
}

/** A JSON request to the simulator. Resolves with the status and parsed body (Graph-style errors included). */
export function simulatorRequest(access: Pick<SimulatedTenantAccess, 'origin' | 'ca'>, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const url = new URL(path, access.origin);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, {
      method,
      headers: { accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}) },
      ...(url.protocol === 'https:' && access.ca ? { ca: access.ca } : {}),
      timeout: 30_000,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          /* keep the text */
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('timeout', () => req.destroy(new Error('the simulated tenant did not answer within 30 s')));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/** Graph-style `{error:{message}}` or our `{message}` as one line. */
export function simulatorErrorMessage(body: unknown): string {
  const b = body as { error?: { message?: string } | string; message?: string } | undefined;
  if (b && typeof b.error === 'object' && b.error?.message) return b.error.message;
  if (b && typeof b.message === 'string') return b.message;
  return typeof body === 'string' && body ? body.slice(0, 200) : 'no details';
}
