// The `auth` configuration section: who the WebAuthn relying party is (RP ID and origin, from the public URL unless
// set), how long sessions, step-ups, challenges, invites and the bootstrap code live, the rate limit on the sign-in
// routes, and an optional allow-list of authenticator models (AAGUIDs) for officer passkeys.
import type { ServerSettings } from '../config.ts';
import type { SettingsSource } from '../settings-source.ts';

export interface AuthSettings {
  /** WebAuthn RP ID (WebAuthn L3 §5.1.4): a registrable domain suffix of the origin's host; never an IP. */
  rpId: string;
  rpName: string;
  /**
   * The origin browsers reach the service at (WebAuthn L3 §7.1 step 9 compares clientData.origin to it). When the
   * public URL names port 0 the real port is filled in once the server listens.
   */
  origin: string;
  /** Cookies get `Secure` (and the `__Host-` name prefix) when the service is reached over https. */
  secureCookies: boolean;
  /** Session ends after this long without a request. */
  idleTimeoutMinutes: number;
  /** Session ends this long after sign-in, whatever the activity. */
  absoluteTimeoutHours: number;
  /** A passkey assertion this recent satisfies a step-up. */
  stepUpMinutes: number;
  /** How long a WebAuthn challenge (and the browser's ceremony timeout) lives. */
  challengeSeconds: number;
  /** Default lifetime of an officer invite. */
  inviteHours: number;
  /** Lifetime of the first-start bootstrap code. */
  bootstrapHours: number;
  /** Requests per minute and client address to each sign-in/registration route. */
  rateLimitPerMinute: number;
  /** Authenticator models (AAGUIDs, lower case) allowed for officer passkeys; empty = any. */
  allowedAaguids: string[];
}

export const AUTH_KEYS = {
  rpId: { env: 'BREAKGLASS_RP_ID', file: 'auth.rpId' },
  rpName: { env: 'BREAKGLASS_RP_NAME', file: 'auth.rpName' },
  idleTimeout: { env: 'BREAKGLASS_SESSION_IDLE_MINUTES', file: 'auth.sessionIdleMinutes' },
  absoluteTimeout: { env: 'BREAKGLASS_SESSION_MAX_HOURS', file: 'auth.sessionMaxHours' },
  stepUp: { env: 'BREAKGLASS_STEP_UP_MINUTES', file: 'auth.stepUpMinutes' },
  challenge: { env: 'BREAKGLASS_CHALLENGE_SECONDS', file: 'auth.challengeSeconds' },
  invite: { env: 'BREAKGLASS_INVITE_HOURS', file: 'auth.inviteHours' },
  bootstrap: { env: 'BREAKGLASS_BOOTSTRAP_HOURS', file: 'auth.bootstrapHours' },
  rateLimit: { env: 'BREAKGLASS_AUTH_RATE_LIMIT', file: 'auth.rateLimitPerMinute' },
  aaguids: { env: 'BREAKGLASS_PASSKEY_AAGUIDS', file: 'auth.allowedAaguids' },
} as const;

const AAGUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function readAuthSettings(src: SettingsSource, server: ServerSettings): AuthSettings {
  const url = new URL(server.publicUrl);
  const host = url.hostname;
  let rpId = (src.string(AUTH_KEYS.rpId) ?? host).toLowerCase();
  if (IPV4.test(rpId) || rpId.includes(':') || rpId.startsWith('[')) {
    // WebAuthn RP IDs are domains: browsers refuse IP addresses (SecurityError), so say so before anyone tries.
    src.problem(AUTH_KEYS.rpId, `passkeys need a host name, not the IP address ${JSON.stringify(rpId)}; set BREAKGLASS_PUBLIC_URL to a name (e.g. http://localhost:${url.port || 3000})`);
    rpId = 'localhost';
  } else if (host !== rpId && !host.endsWith(`.${rpId}`)) {
    src.problem(AUTH_KEYS.rpId, `must be the public URL's host (${host}) or a parent domain of it, got ${JSON.stringify(rpId)}`);
  }
  const rawAaguids = src.raw(AUTH_KEYS.aaguids);
  let allowedAaguids: string[] = [];
  if (rawAaguids !== undefined) {
    const list = Array.isArray(rawAaguids) ? rawAaguids : typeof rawAaguids === 'string' ? rawAaguids.split(',') : null;
    if (!list || list.some((a) => typeof a !== 'string' || !AAGUID.test(a.trim().toLowerCase()))) {
      src.problem(AUTH_KEYS.aaguids, 'must be a comma-separated list (or JSON array) of AAGUIDs like 2fc0579f-8113-47ea-b116-bb5a8db9202a');
    } else {
      allowedAaguids = list.map((a) => (a as string).trim().toLowerCase());
    }
  }
  return {
    rpId,
    rpName: src.string(AUTH_KEYS.rpName, 'breakglass')!,
    origin: url.origin,
    secureCookies: url.protocol === 'https:' || server.tls !== undefined,
    idleTimeoutMinutes: src.int(AUTH_KEYS.idleTimeout, { min: 1, max: 240, fallback: 15 }),
    absoluteTimeoutHours: src.int(AUTH_KEYS.absoluteTimeout, { min: 1, max: 24, fallback: 8 }),
    stepUpMinutes: src.int(AUTH_KEYS.stepUp, { min: 1, max: 15, fallback: 5 }),
    challengeSeconds: src.int(AUTH_KEYS.challenge, { min: 30, max: 600, fallback: 120 }),
    inviteHours: src.int(AUTH_KEYS.invite, { min: 1, max: 336, fallback: 72 }),
    bootstrapHours: src.int(AUTH_KEYS.bootstrap, { min: 1, max: 168, fallback: 24 }),
    rateLimitPerMinute: src.int(AUTH_KEYS.rateLimit, { min: 1, max: 10_000, fallback: 30 }),
    allowedAaguids,
  };
}
