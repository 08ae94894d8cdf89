// A TokenCredential for a simulated tenant served over plain HTTP, where MSAL (and so @azure/identity) refuses to
// talk to a non-https authority (graph.md §8.3). It runs the same client-credentials exchange against the
// simulator's token endpoint. Over HTTPS the real ClientSecretCredential is used instead (create-directory.ts).
import type { AccessToken, TokenCredential } from '@azure/identity';
import type { SimulatedTenantConnection } from './simulated-tenant-connection.ts';

export class SimulatorClientCredential implements TokenCredential {
  readonly #c: SimulatedTenantConnection;
  #cached: AccessToken | undefined;

  constructor(connection: SimulatedTenantConnection) {
    if (!connection.origin.startsWith('http://')) throw new Error('SimulatorClientCredential is for http:// simulators; use ClientSecretCredential for https');
    this.#c = connection;
  }

  async getToken(scopes: string | string[]): Promise<AccessToken> {
    if (this.#cached && this.#cached.expiresOnTimestamp - 60_000 > Date.now()) return this.#cached;
    const scope = Array.isArray(scopes) ? scopes.join(' ') : scopes;
    const res = await fetch(`${this.#c.origin}/${encodeURIComponent(this.#c.tenantId)}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: this.#c.clientId, client_secret: this.#c.clientSecret, scope }).toString(),
    });
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
    if (!res.ok || !body.access_token) throw new Error(`simulated tenant refused the token request: ${body.error_description ?? body.error ?? `HTTP ${res.status}`}`);
    this.#cached = { token: body.access_token, expiresOnTimestamp: Date.now() + (body.expires_in ?? 3600) * 1000 };
    return this.#cached;
  }
}
