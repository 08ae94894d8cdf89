// graph-client AuthenticationProvider over an @azure/identity TokenCredential. We write these few lines instead of
// importing graph-client's TokenCredentialAuthenticationProvider (whose ESM directory import fails, graph.md §7.1) so
// that a credential failure is recorded on the request's RequestPolicy and reaches the caller as
// GraphCredentialError rather than an anonymous client error.
import type { TokenCredential } from '@azure/identity';
import type { AuthenticationProvider } from '@microsoft/microsoft-graph-client';

/** Thrown when the credential cannot produce a token; the message is the credential's own (never a secret). */
export class CredentialFailure extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'CredentialFailure';
  }
}

export class CredentialAuthProvider implements AuthenticationProvider {
  readonly #credential: TokenCredential;
  readonly #scopes: string[];

  constructor(credential: TokenCredential, scopes: string[]) {
    this.#credential = credential;
    this.#scopes = scopes;
  }

  async getAccessToken(): Promise<string> {
    let token: Awaited<ReturnType<TokenCredential['getToken']>>;
    try {
      token = await this.#credential.getToken(this.#scopes);
    } catch (err) {
      throw new CredentialFailure(firstLine((err as Error)?.message ?? String(err)), { cause: err });
    }
    if (!token?.token) throw new CredentialFailure('the credential returned no access token');
    return token.token;
  }
}

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? s;
  return line.length > 400 ? `${line.slice(0, 397)}...` : line;
}
