// Pure rules for reading Entra sign-in records (beta `signIn`, graph.md §4.1) as drill evidence: which authentication
// method names mean "a FIDO2 security key / device-bound passkey" (matched tolerantly: Microsoft renamed "FIDO2
// security key" to "Passkey (device-bound)", and the registration report calls it `passKeyDeviceBound`), whether a
// record proves a drill (successful overall, a key step that succeeded, inside the announced window), and which of
// several records is the evidence. A record that is not there yet is "not seen", never "failed".
import type { GraphSignIn } from '../graph/graph-types.ts';

export type MethodKind = 'security_key' | 'other_passkey' | 'windows_hello' | 'certificate' | 'other';

/** Splits camelCase and punctuation so `passKeyDeviceBound`, `Passkey (device-bound)` and `FIDO2_security_key` read alike. */
function normalize(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * What kind of method an `authenticationMethod` string names. A passkey in Microsoft Authenticator or a synced passkey
 * is phishing-resistant but lives on a person's phone or cloud account, so it is not the key from the safe.
 */
export function methodKind(name: string | null | undefined): MethodKind {
  if (!name) return 'other';
  const n = normalize(name);
  if (/\bwindows hello\b|\bwhfb\b|hello for business/.test(n)) return 'windows_hello';
  if (/\bpass ?key\b|\bfido\d*\b|\bsecurity key\b|\bwebauthn\b/.test(n)) {
    if (/\bauthenticator\b|\bsynced\b|\bsync\b|\bcloud\b|\bicloud\b|\bgoogle\b|\bplatform\b/.test(n)) return 'other_passkey';
    return 'security_key';
  }
  if (/\bcertificate\b|\bx509\b|\bx 509\b|\bcba\b|\bsmart ?card\b/.test(n)) return 'certificate';
  return 'other';
}

export function isSecurityKeyMethod(name: string | null | undefined): boolean {
  return methodKind(name) === 'security_key';
}

export interface DrillWindow {
  start: string;
  end: string;
}

export interface RecordCheck {
  signInId: string;
  createdDateTime: string;
  ok: boolean;
  reasons: string[];
  /** Every method name in authenticationDetails, as Graph wrote it. */
  methods: string[];
}

function inside(at: string, w: DrillWindow): boolean {
  const t = Date.parse(at);
  return t >= Date.parse(w.start) && t <= Date.parse(w.end);
}

/** Does this record prove the drill? Reasons explain every check that failed (or, when ok, what was proven). */
export function checkDrillSignIn(record: GraphSignIn, window: DrillWindow): RecordCheck {
  const reasons: string[] = [];
  const details = Array.isArray(record.authenticationDetails) ? record.authenticationDetails : undefined;
  const methods = (details ?? []).map((d) => d.authenticationMethod ?? '').filter(Boolean);
  const code = record.status?.errorCode;
  if (code !== 0) {
    reasons.push(`the sign-in failed (error ${code ?? 'unknown'}${record.status?.failureReason ? `: ${record.status.failureReason}` : ''})`);
  }
  if (!inside(record.createdDateTime, window)) {
    reasons.push(`it happened at ${record.createdDateTime}, outside the drill window ${window.start} – ${window.end}`);
  }
  if (!details) {
    reasons.push('the record has no authenticationDetails (only the beta sign-in API reports the method used)');
  } else {
    const keySteps = details.filter((d) => isSecurityKeyMethod(d.authenticationMethod));
    if (keySteps.length === 0) {
      const other = methods.filter((m) => methodKind(m) === 'other_passkey');
      reasons.push(other.length
        ? `it used ${other.join(', ')}, a passkey on a phone or cloud account, not the security key from the safe`
        : `no FIDO2 security key / device-bound passkey step (methods: ${methods.join(', ') || 'none'})`);
    } else if (!keySteps.some((d) => d.succeeded === true)) {
      reasons.push(`the security key step did not succeed (${keySteps.map((d) => d.authenticationStepResultDetail ?? 'no result').join(', ')})`);
    }
  }
  const ok = reasons.length === 0;
  if (ok) {
    const key = details!.find((d) => isSecurityKeyMethod(d.authenticationMethod) && d.succeeded === true)!;
    reasons.push(`successful sign-in at ${record.createdDateTime} with "${key.authenticationMethod}" inside the drill window`);
  }
  return { signInId: record.id, createdDateTime: record.createdDateTime, ok, reasons, methods };
}

export type EvidenceVerdict = 'verified' | 'rejected' | 'not_seen';

export interface EvidenceDecision {
  verdict: EvidenceVerdict;
  /** The record that proves the drill (earliest passing one), when verified. */
  match: GraphSignIn | undefined;
  reasons: string[];
  checks: RecordCheck[];
}

/**
 * Picks the drill evidence among the account's records. Records outside the window are ignored (not reasons against
 * the drill). verified: one record passes; rejected: records in the window, none passing (the drill may still pass if
 * a later record does); not_seen: nothing in the window yet (sign-in logs arrive minutes late).
 */
export function decideEvidence(records: GraphSignIn[], window: DrillWindow): EvidenceDecision {
  const unique = new Map<string, GraphSignIn>();
  for (const r of records) if (!unique.has(r.id)) unique.set(r.id, r);
  const inWindow = [...unique.values()].filter((r) => inside(r.createdDateTime, window)).sort((a, b) => a.createdDateTime.localeCompare(b.createdDateTime));
  const checks = inWindow.map((r) => checkDrillSignIn(r, window));
  const passing = checks.find((c) => c.ok);
  if (passing) {
    return { verdict: 'verified', match: inWindow.find((r) => r.id === passing.signInId), reasons: passing.reasons, checks };
  }
  if (checks.length) {
    return { verdict: 'rejected', match: undefined, reasons: checks.map((c) => `${c.signInId}: ${c.reasons.join('; ')}`), checks };
  }
  return { verdict: 'not_seen', match: undefined, reasons: [`no sign-in of the account between ${window.start} and ${window.end} in the sign-in logs yet (records arrive minutes late)`], checks };
}

export interface SignInSummary {
  id: string;
  createdDateTime: string;
  userPrincipalName: string;
  appDisplayName: string | null;
  ipAddress: string | null;
  errorCode: number | null;
  failureReason: string | null;
  methods: string[];
  conditionalAccessStatus: string | null;
  correlationId: string | null;
}

/** The fields shown in lists and kept as the summary of a record. */
export function signInSummary(r: GraphSignIn): SignInSummary {
  return {
    id: r.id,
    createdDateTime: r.createdDateTime,
    userPrincipalName: r.userPrincipalName,
    appDisplayName: r.appDisplayName ?? null,
    ipAddress: r.ipAddress ?? null,
    errorCode: r.status?.errorCode ?? null,
    failureReason: r.status?.failureReason ?? null,
    methods: (r.authenticationDetails ?? []).map((d) => `${d.authenticationMethod ?? '?'}${d.succeeded === false ? ' (failed)' : ''}`),
    conditionalAccessStatus: r.conditionalAccessStatus ?? null,
    correlationId: r.correlationId ?? null,
  };
}
