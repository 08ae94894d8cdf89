// The authentication method types an emergency account must not have: weak (phishable one-time codes, SMS/voice) or
// tied to one person's phone, PC or mailbox. One table for every check that looks for them — the readiness report
// (server/domain/readiness.ts) and the inventory drift of reconcile (server/domain/key-drift.ts) — so the two cannot
// disagree. Synced passkeys and stray Temporary Access Passes are judged separately (they are fido2/TAP methods).
// Microsoft's guidance: security-emergency-access.md; anchors.md §1.

export interface WeakMethod {
  /** Short kind, e.g. `phone` (DriftFinding.kind). */
  kind: string;
  /** How the readiness report names it, e.g. `phone (SMS/voice)`. */
  label: string;
  /** Why it does not belong on an emergency account. */
  why: string;
}

/** Keyed by Graph `@odata.type`. */
export const WEAK_METHODS: Readonly<Record<string, WeakMethod>> = Object.freeze({
  '#microsoft.graph.phoneAuthenticationMethod': { kind: 'phone', label: 'phone (SMS/voice)', why: 'a phone number (SMS or voice): phishable, and tied to one person\'s phone' },
  '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod': { kind: 'authenticator app', label: 'Microsoft Authenticator', why: 'Microsoft Authenticator on one person\'s phone' },
  '#microsoft.graph.softwareOathAuthenticationMethod': { kind: 'software OATH', label: 'software OATH token', why: 'a software one-time-code app on one person\'s device' },
  '#microsoft.graph.emailAuthenticationMethod': { kind: 'email', label: 'email (SSPR)', why: 'an e-mail address for self-service password reset, pointing at one person' },
  '#microsoft.graph.windowsHelloForBusinessAuthenticationMethod': { kind: 'Windows Hello', label: 'Windows Hello for Business', why: 'Windows Hello, bound to one computer' },
  '#microsoft.graph.platformCredentialAuthenticationMethod': { kind: 'platform credential', label: 'platform credential (macOS)', why: 'a platform credential, bound to one computer' },
  '#microsoft.graph.hardwareOathAuthenticationMethod': { kind: 'hardware OATH', label: 'hardware OATH token', why: 'a hardware OATH token: one-time codes are phishable' },
});

/** The table entry for a method type, or undefined when the type is not weak (own-property lookup only). */
export function weakMethod(odataType: string): WeakMethod | undefined {
  return Object.hasOwn(WEAK_METHODS, odataType) ? WEAK_METHODS[odataType] : undefined;
}
