// Drift between breakglass's key inventory and what Entra has registered for an emergency account (pure): a key in
// Entra the inventory does not know, an inventory key Entra no longer has, a lost or retired key still registered,
// and weak or personal methods on the account (phone/SMS, authenticator app, software OATH, e-mail, a device-bound
// Windows Hello or platform credential, a synced passkey, a usable Temporary Access Pass nobody is enrolling with).
// Microsoft's guidance: emergency accounts use phishing-resistant methods kept in a safe, and no MFA data may point
// to one person's device (security-emergency-access.md; anchors.md §1).
import { ODATA_TYPE, type GraphAuthenticationMethod, type GraphFido2Method } from '../graph/graph-types.ts';
import type { FindingSeverity } from './account-findings.ts';
import { normalizeGuid } from './key-policy.ts';
import { weakMethod } from './weak-methods.ts';

export interface InventoryKeyFacts {
  id: string;
  status: 'active' | 'lost' | 'replaced' | 'revoked' | 'retired';
  graphMethodId: string | null;
  aaguid: string;
  displayName: string;
}

export type DriftCode =
  | 'unknown_key'
  | 'missing_key'
  | 'aaguid_changed'
  | 'inactive_key_registered'
  | 'weak_method'
  | 'synced_passkey'
  | 'unattested_key'
  | 'stray_tap'
  | 'account_missing';

export interface DriftFinding {
  code: DriftCode;
  severity: FindingSeverity;
  message: string;
  /** Graph method id involved, when there is one. */
  methodId?: string;
  /** Inventory key id involved, when there is one. */
  keyId?: string;
  /** Method kind for weak methods, e.g. `phone`. */
  kind?: string;
}

export interface DriftInput {
  inventory: InventoryKeyFacts[];
  fido2Methods: GraphFido2Method[];
  /** Every method from `/authentication/methods` (may be empty when only fido2 methods were read). */
  methods: GraphAuthenticationMethod[];
  /** TAP method ids that belong to an open enrollment request (expected, not drift). */
  expectedTapIds: string[];
}

export function keyDrift(input: DriftInput): DriftFinding[] {
  const out: DriftFinding[] = [];
  const byMethod = new Map(input.inventory.filter((k) => k.graphMethodId).map((k) => [k.graphMethodId!, k]));
  const inEntra = new Map(input.fido2Methods.map((m) => [m.id, m]));

  for (const m of input.fido2Methods) {
    const k = byMethod.get(m.id);
    const label = `"${m.displayName ?? m.id}" (${m.model ?? 'unknown model'}, AAGUID ${m.aaGuid ?? 'unknown'})`;
    if (!k) {
      out.push({ code: 'unknown_key', severity: 'problem', methodId: m.id, message: `Entra has a key the inventory does not know: ${label}. Adopt it (with its safe and seal) or revoke it` });
    } else if (k.status !== 'active') {
      out.push({ code: 'inactive_key_registered', severity: 'problem', methodId: m.id, keyId: k.id, message: `the inventory marks ${label} as ${k.status}, but Entra still accepts it: revoke the method` });
    } else if (m.aaGuid && normalizeGuid(m.aaGuid) !== normalizeGuid(k.aaguid)) {
      out.push({ code: 'aaguid_changed', severity: 'problem', methodId: m.id, keyId: k.id, message: `Entra reports AAGUID ${m.aaGuid} for ${k.displayName}, the inventory recorded ${k.aaguid}` });
    }
    if (m.passkeyType === 'synced') out.push({ code: 'synced_passkey', severity: 'problem', methodId: m.id, message: `${label} is a synced passkey: an emergency account needs device-bound keys kept in a safe` });
    if (m.attestationLevel === 'notAttested') out.push({ code: 'unattested_key', severity: 'warning', methodId: m.id, message: `${label} was registered without attestation, so its model is only self-declared` });
  }
  for (const k of input.inventory) {
    if (k.status === 'active' && (!k.graphMethodId || !inEntra.has(k.graphMethodId))) {
      out.push({ code: 'missing_key', severity: 'problem', keyId: k.id, message: `the inventory key "${k.displayName}" (AAGUID ${k.aaguid}) is no longer registered in Entra: it cannot sign in` });
    }
  }
  const expected = new Set(input.expectedTapIds.map(normalizeGuid));
  for (const m of input.methods) {
    const weak = weakMethod(m['@odata.type']);
    if (weak) {
      out.push({ code: 'weak_method', severity: 'problem', methodId: m.id, kind: weak.kind, message: `weak or personal method on an emergency account: ${weak.why}. Remove it` });
    }
    if (m['@odata.type'] === ODATA_TYPE.tap && m.isUsable === true && !expected.has(normalizeGuid(m.id))) {
      out.push({ code: 'stray_tap', severity: 'problem', methodId: m.id, kind: 'temporary access pass', message: 'a usable Temporary Access Pass exists that no enrollment issued: anyone holding it can register a key. Delete it' });
    }
  }
  return out;
}
