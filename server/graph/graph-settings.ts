// The `graph` configuration section. With no tenant id configured the mode is `simulated` (the embedded demo
// tenant); a tenant id plus a credential switches to real Microsoft Graph with no code change. Secrets (client secret,
// certificate password) live only in this object: describeGraphSettings() gives the loggable view.
import type { SettingsSource } from '../settings-source.ts';

export type CredentialKind = 'secret' | 'certificate' | 'managed-identity' | 'workload-identity';
export const CREDENTIAL_KINDS: readonly CredentialKind[] = ['secret', 'certificate', 'managed-identity', 'workload-identity'];

export type GraphCredentialSettings =
  | { kind: 'secret'; clientSecret: string }
  | { kind: 'certificate'; certificatePath: string; certificatePassword?: string | undefined; sendCertificateChain: boolean }
  | { kind: 'managed-identity'; managedIdentityClientId?: string | undefined }
  | { kind: 'workload-identity'; federatedTokenFile?: string | undefined };

export interface GraphRetrySettings {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

interface CommonGraphSettings {
  /** Mailbox (UPN) that sends notification mail through Graph sendMail; undefined = mail disabled. */
  senderMailbox: string | undefined;
  retry: GraphRetrySettings;
  /**
   * Also pace /users/{id}/authentication/* calls under the 5-per-10-s reports limit. The throttling-limits page lists
   * `authenticationMethod` among that limit's resources; whether it applies to per-user method reads is unverified,
   * so this is off by default (429 + Retry-After still handled) and can be switched on (graph.md §4.1).
   */
  throttleAuthenticationMethods: boolean;
}

export interface SimulatedGraphSettings extends CommonGraphSettings {
  mode: 'simulated';
}

export interface RealGraphSettings extends CommonGraphSettings {
  mode: 'graph';
  tenantId: string;
  clientId: string;
  credential: GraphCredentialSettings;
  /** https://graph.microsoft.com, or a national cloud's Graph origin. */
  graphBaseUrl: string;
  /** https://login.microsoftonline.com, or a national cloud's authority. */
  authorityHost: string;
}

export type GraphSettings = SimulatedGraphSettings | RealGraphSettings;

export const GRAPH_KEYS = {
  tenantId: { env: 'BREAKGLASS_GRAPH_TENANT_ID', file: 'graph.tenantId' },
  clientId: { env: 'BREAKGLASS_GRAPH_CLIENT_ID', file: 'graph.clientId' },
  credential: { env: 'BREAKGLASS_GRAPH_CREDENTIAL', file: 'graph.credential' },
  clientSecret: { env: 'BREAKGLASS_GRAPH_CLIENT_SECRET', file: 'graph.clientSecret' },
  certificatePath: { env: 'BREAKGLASS_GRAPH_CERTIFICATE_PATH', file: 'graph.certificatePath' },
  certificatePassword: { env: 'BREAKGLASS_GRAPH_CERTIFICATE_PASSWORD', file: 'graph.certificatePassword' },
  sendCertificateChain: { env: 'BREAKGLASS_GRAPH_SEND_CERTIFICATE_CHAIN', file: 'graph.sendCertificateChain' },
  managedIdentityClientId: { env: 'BREAKGLASS_GRAPH_MANAGED_IDENTITY_CLIENT_ID', file: 'graph.managedIdentityClientId' },
  federatedTokenFile: { env: 'BREAKGLASS_GRAPH_FEDERATED_TOKEN_FILE', file: 'graph.federatedTokenFile' },
  graphBaseUrl: { env: 'BREAKGLASS_GRAPH_BASE_URL', file: 'graph.baseUrl' },
  authorityHost: { env: 'BREAKGLASS_GRAPH_AUTHORITY_HOST', file: 'graph.authorityHost' },
  senderMailbox: { env: 'BREAKGLASS_MAIL_SENDER', file: 'graph.senderMailbox' },
  maxRetries: { env: 'BREAKGLASS_GRAPH_MAX_RETRIES', file: 'graph.maxRetries' },
  maxRetryDelaySeconds: { env: 'BREAKGLASS_GRAPH_MAX_RETRY_DELAY_SECONDS', file: 'graph.maxRetryDelaySeconds' },
  throttleAuthenticationMethods: { env: 'BREAKGLASS_GRAPH_THROTTLE_AUTH_METHODS', file: 'graph.throttleAuthenticationMethods' },
} as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function readGraphSettings(src: SettingsSource): GraphSettings {
  const common: CommonGraphSettings = {
    senderMailbox: src.string(GRAPH_KEYS.senderMailbox),
    retry: {
      maxRetries: src.int(GRAPH_KEYS.maxRetries, { min: 0, max: 10, fallback: 3 }),
      baseDelayMs: 1000,
      maxDelayMs: src.int(GRAPH_KEYS.maxRetryDelaySeconds, { min: 1, max: 180, fallback: 60 }) * 1000,
    },
    throttleAuthenticationMethods: src.bool(GRAPH_KEYS.throttleAuthenticationMethods, false),
  };
  if (common.senderMailbox !== undefined && !/^[^@\s]+@[^@\s]+$/.test(common.senderMailbox)) {
    src.problem(GRAPH_KEYS.senderMailbox, `must be a mailbox address (user@domain), got ${JSON.stringify(common.senderMailbox)}`);
  }
  const tenantId = src.string(GRAPH_KEYS.tenantId);
  if (tenantId === undefined) {
    // No tenant: embedded simulated tenant. Credential settings without a tenant are almost certainly a mistake.
    for (const key of [GRAPH_KEYS.clientId, GRAPH_KEYS.clientSecret, GRAPH_KEYS.certificatePath]) {
      if (src.raw(key) !== undefined) src.problem(key, `is set but ${GRAPH_KEYS.tenantId.env} is not; set the tenant id too, or remove it to use the simulated tenant`);
    }
    return { mode: 'simulated', ...common };
  }
  if (!GUID.test(tenantId) && !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(tenantId)) {
    src.problem(GRAPH_KEYS.tenantId, `must be a tenant GUID or a verified domain, got ${JSON.stringify(tenantId)}`);
  }
  const kind = src.oneOf(GRAPH_KEYS.credential, CREDENTIAL_KINDS, 'secret');
  const clientId = src.string(GRAPH_KEYS.clientId);
  const needsClientId = kind === 'secret' || kind === 'certificate' || kind === 'workload-identity';
  if (needsClientId && clientId === undefined) src.problem(GRAPH_KEYS.clientId, `is required with the ${kind} credential (the app registration's application id)`);
  else if (clientId !== undefined && !GUID.test(clientId)) src.problem(GRAPH_KEYS.clientId, `must be a GUID (application id), got ${JSON.stringify(clientId)}`);

  let credential: GraphCredentialSettings;
  switch (kind) {
    case 'secret': {
      const clientSecret = src.string(GRAPH_KEYS.clientSecret);
      // Never echo the value: it is a secret.
      if (clientSecret === undefined) src.problem(GRAPH_KEYS.clientSecret, 'is required with the secret credential');
      credential = { kind, clientSecret: clientSecret ?? '' };
      break;
    }
    case 'certificate': {
      const certificatePath = src.path(GRAPH_KEYS.certificatePath);
      if (certificatePath === undefined) src.problem(GRAPH_KEYS.certificatePath, 'is required with the certificate credential (PEM file with the private key and certificate)');
      credential = {
        kind,
        certificatePath: certificatePath ?? '',
        certificatePassword: src.string(GRAPH_KEYS.certificatePassword),
        sendCertificateChain: src.bool(GRAPH_KEYS.sendCertificateChain, false),
      };
      break;
    }
    case 'managed-identity':
      credential = { kind, managedIdentityClientId: src.string(GRAPH_KEYS.managedIdentityClientId) };
      break;
    case 'workload-identity':
      credential = { kind, federatedTokenFile: src.path(GRAPH_KEYS.federatedTokenFile) };
      break;
  }
  const graphBaseUrl = src.url(GRAPH_KEYS.graphBaseUrl, 'https://graph.microsoft.com') ?? 'https://graph.microsoft.com';
  const authorityHost = src.url(GRAPH_KEYS.authorityHost, 'https://login.microsoftonline.com') ?? 'https://login.microsoftonline.com';
  if (!graphBaseUrl.startsWith('https://')) src.problem(GRAPH_KEYS.graphBaseUrl, 'must use https (graph-client attaches the token to https Graph hosts only)');
  if (!authorityHost.startsWith('https://')) src.problem(GRAPH_KEYS.authorityHost, 'must use https (MSAL refuses other authorities)');
  return { mode: 'graph', tenantId, clientId: clientId ?? '', credential, graphBaseUrl, authorityHost, ...common };
}

/** A loggable description without secrets. */
export function describeGraphSettings(s: GraphSettings): string {
  if (s.mode === 'simulated') return 'Microsoft Graph: SIMULATED tenant (no BREAKGLASS_GRAPH_TENANT_ID configured)';
  return `Microsoft Graph: tenant ${s.tenantId}, app ${s.clientId || '(managed identity default)'}, credential ${s.credential.kind}, ${s.graphBaseUrl}`;
}
