// The simulated tenant's identity platform for the client-credentials flow (graph.md §8.3): an OpenID configuration
// document and a v2.0 token endpoint that accept the fixture's app registrations, issue opaque bearer tokens carrying
// the app's granted permissions, and answer bad credentials with an AADSTS-style error body.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Application, TenantState } from './tenant-state.ts';

export interface IssuedToken {
  app: Application;
  expiresAt: number;
}

export class TokenService {
  readonly #state: TenantState;
  readonly #tokens = new Map<string, IssuedToken>();
  readonly lifetimeSeconds: number;

  constructor(state: TenantState, lifetimeSeconds = 3600) {
    this.#state = state;
    this.lifetimeSeconds = lifetimeSeconds;
  }

  /** Checks client id + secret; undefined when they do not match an app registration. */
  authenticate(clientId: string, clientSecret: string): Application | undefined {
    const app = this.#state.applications.find((a) => a.appId.toLowerCase() === clientId.toLowerCase());
    if (!app) return undefined;
    const a = Buffer.from(app.clientSecret);
    const b = Buffer.from(clientSecret);
    return a.length === b.length && timingSafeEqual(a, b) ? app : undefined;
  }

  issue(app: Application): { token: string; expiresIn: number } {
    const now = Date.now();
    for (const [t, issued] of this.#tokens) if (issued.expiresAt <= now) this.#tokens.delete(t);
    const token = `sim.${randomBytes(24).toString('base64url')}`;
    // Token lifetimes use wall-clock time, not the tenant clock: MSAL caches tokens by wall time, and tests move the
    // tenant clock by hours to expire passes without wanting every token to die with them.
    this.#tokens.set(token, { app, expiresAt: Date.now() + this.lifetimeSeconds * 1000 });
    return { token, expiresIn: this.lifetimeSeconds };
  }

  /** The app behind a bearer token, or why not. */
  verify(authorization: string | undefined): { ok: true; app: Application } | { ok: false; message: string } {
    if (!authorization) return { ok: false, message: 'Access token is empty.' };
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!m) return { ok: false, message: 'Access token validation failure. Invalid audience.' };
    const issued = this.#tokens.get(m[1]!);
    if (!issued) return { ok: false, message: 'Access token validation failure.' };
    if (Date.now() >= issued.expiresAt) return { ok: false, message: 'Lifetime validation failed, the token is expired.' };
    return { ok: true, app: issued.app };
  }

  /** Lets tests expire every token at once. */
  revokeAll(): void {
    this.#tokens.clear();
  }
}
