// The `enrollment` configuration section: how long a request waits for approval, the longest TAP breakglass will
// ask for, how often the service watches Graph for a guided registration and reconciles the inventory, where the
// local key allow-list is, which key the service talks to (USB HID, or a virtual key for demos and tests), and the
// challenge lifetime for direct mode (beta only; v1.0 has a fixed 5-minute challenge, graph.md §2.2).
import type { SettingsSource } from '../settings-source.ts';

export interface EnrollmentSettings {
  /** A request not approved and run within this many hours expires. */
  requestTtlHours: number;
  /** Refuse a TAP policy whose shortest pass lives longer than this. */
  maxTapLifetimeMinutes: number;
  /** Seconds between background checks of open guided enrollments; 0 = only on demand. */
  watchIntervalSeconds: number;
  /** Minutes between scheduled reconciles of every account; 0 = only on demand. */
  reconcileIntervalMinutes: number;
  /** The local allow-list of key models and minimums (docs/hardware.md); undefined = minimums only. */
  allowListPath: string | undefined;
  /**
   * `hid` (keys attached to this machine) or `virtual:<profile>` (a software key; demos and tests only). Default:
   * `hid` with real Microsoft Graph; the virtual YubiKey 5 profile with the simulated tenant, so `npm start` works
   * end to end without hardware.
   */
  keySource: string;
  /** Direct mode: ask Graph (beta) for a challenge this long; undefined = v1.0's fixed 5 minutes. */
  challengeTimeoutMinutes: number | undefined;
}

export const ENROLLMENT_KEYS = {
  requestTtl: { env: 'BREAKGLASS_ENROLLMENT_TTL_HOURS', file: 'enrollment.requestTtlHours' },
  maxTap: { env: 'BREAKGLASS_TAP_MAX_MINUTES', file: 'enrollment.maxTapLifetimeMinutes' },
  watch: { env: 'BREAKGLASS_ENROLLMENT_POLL_SECONDS', file: 'enrollment.watchIntervalSeconds' },
  reconcile: { env: 'BREAKGLASS_RECONCILE_MINUTES', file: 'enrollment.reconcileIntervalMinutes' },
  allowList: { env: 'BREAKGLASS_KEY_ALLOW_LIST', file: 'enrollment.allowList' },
  keySource: { env: 'BREAKGLASS_KEY_SOURCE', file: 'enrollment.keySource' },
  challenge: { env: 'BREAKGLASS_PASSKEY_CHALLENGE_MINUTES', file: 'enrollment.challengeTimeoutMinutes' },
} as const;

/** The virtual key used with the simulated tenant unless told otherwise (also `sim signin`'s default). */
export const SIMULATED_DEFAULT_KEY_SOURCE = 'virtual:yubikey-5-nfc-5.4.3';

export function readEnrollmentSettings(src: SettingsSource, opts: { simulated?: boolean } = {}): EnrollmentSettings {
  const keySource = src.string(ENROLLMENT_KEYS.keySource, opts.simulated ? SIMULATED_DEFAULT_KEY_SOURCE : 'hid')!;
  if (keySource !== 'hid' && !/^virtual:.+/.test(keySource)) {
    src.problem(ENROLLMENT_KEYS.keySource, 'must be "hid" (keys attached to this machine) or "virtual:<profile>" (a software key, for demos and tests)');
  }
  const rawChallenge = src.raw(ENROLLMENT_KEYS.challenge);
  const challengeTimeoutMinutes = rawChallenge === undefined ? undefined : src.int(ENROLLMENT_KEYS.challenge, { min: 5, max: 43_200, fallback: 5 });
  return {
    requestTtlHours: src.int(ENROLLMENT_KEYS.requestTtl, { min: 1, max: 168, fallback: 24 }),
    maxTapLifetimeMinutes: src.int(ENROLLMENT_KEYS.maxTap, { min: 10, max: 43_200, fallback: 480 }),
    watchIntervalSeconds: src.int(ENROLLMENT_KEYS.watch, { min: 0, max: 3600, fallback: 15 }),
    reconcileIntervalMinutes: src.int(ENROLLMENT_KEYS.reconcile, { min: 0, max: 10_080, fallback: 360 }),
    allowListPath: src.path(ENROLLMENT_KEYS.allowList),
    keySource,
    challengeTimeoutMinutes,
  };
}
