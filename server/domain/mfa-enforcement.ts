// Pure rules of the mandatory-MFA enforcement view: which applications Microsoft's mandatory MFA covers (entra-docs
// concept-mandatory-multifactor-authentication.md, "Application IDs and URLs"; the Microsoft 365 admin portal's app id
// as AzureAD/MSIdentityTools Export-MsIdAzureMfaReport uses it — anchors.md §7), whether a user is MFA-capable from
// their registered methods, and the people who signed in to those apps without being MFA-capable, as rows and as an
// RFC 4180 CSV.
import { csvField } from './csv-field.ts';
import type { GraphAuthenticationMethod, GraphSignIn } from '../graph/graph-types.ts';

export interface MandatoryMfaApp {
  appId: string;
  name: string;
  phase: 1 | 2;
}

export const MANDATORY_MFA_APPS: readonly MandatoryMfaApp[] = [
  { appId: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c', name: 'Azure portal / Microsoft Entra admin center / Intune admin center', phase: 1 },
  { appId: '618dd325-23f6-4b6f-8380-4df78026e39b', name: 'Microsoft 365 admin center', phase: 1 },
  { appId: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', name: 'Azure CLI', phase: 2 },
  { appId: '1950a258-227b-4e31-a9cf-717495945fc2', name: 'Azure PowerShell', phase: 2 },
  { appId: '0c1307d4-29d6-4389-a11c-5cbe7f65d7fa', name: 'Azure mobile app', phase: 2 },
];

/** Method types that can serve as a second factor (not password, email or a Temporary Access Pass). */
const MFA_METHOD_TYPES = new Set([
  '#microsoft.graph.fido2AuthenticationMethod',
  '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod',
  '#microsoft.graph.phoneAuthenticationMethod',
  '#microsoft.graph.softwareOathAuthenticationMethod',
  '#microsoft.graph.windowsHelloForBusinessAuthenticationMethod',
  '#microsoft.graph.platformCredentialAuthenticationMethod',
  '#microsoft.graph.x509CertificateAuthenticationMethod',
  '#microsoft.graph.hardwareOathAuthenticationMethod',
]);

export function methodLabel(type: string): string {
  return type.replace('#microsoft.graph.', '').replace(/AuthenticationMethod$/, '');
}

export function isMfaCapable(methods: GraphAuthenticationMethod[]): boolean {
  return methods.some((m) => MFA_METHOD_TYPES.has(m['@odata.type']));
}

export interface EnforcementRow {
  userId: string;
  userPrincipalName: string;
  displayName: string;
  apps: string[];
  signIns: number;
  lastSignIn: string;
  registeredMethods: string[];
}

/** Users with a successful sign-in to a mandatory-MFA app who have no MFA-capable method. */
export function enforcementRows(signIns: GraphSignIn[], methodsByUser: Map<string, GraphAuthenticationMethod[]>): EnforcementRow[] {
  const apps = new Map(MANDATORY_MFA_APPS.map((a) => [a.appId, a.name]));
  const byUser = new Map<string, { upn: string; name: string; apps: Set<string>; count: number; last: string }>();
  for (const s of signIns) {
    const app = s.appId ? apps.get(s.appId.toLowerCase()) : undefined;
    if (!app || s.status?.errorCode !== 0) continue;
    const key = s.userId.toLowerCase();
    const e = byUser.get(key) ?? { upn: s.userPrincipalName, name: s.userDisplayName ?? s.userPrincipalName, apps: new Set<string>(), count: 0, last: '' };
    e.apps.add(app);
    e.count += 1;
    if (s.createdDateTime > e.last) e.last = s.createdDateTime;
    byUser.set(key, e);
  }
  const rows: EnforcementRow[] = [];
  for (const [userId, e] of byUser) {
    const methods = methodsByUser.get(userId);
    if (!methods || isMfaCapable(methods)) continue;
    rows.push({ userId, userPrincipalName: e.upn, displayName: e.name, apps: [...e.apps].sort(), signIns: e.count, lastSignIn: e.last, registeredMethods: methods.map((m) => methodLabel(m['@odata.type'])) });
  }
  return rows.sort((a, b) => a.userPrincipalName.localeCompare(b.userPrincipalName));
}

/** RFC 4180: quote every field, double inner quotes, CRLF line ends; a leading =,+,-,@ is prefixed with ' so a spreadsheet does not run it. */
export function enforcementCsv(rows: EnforcementRow[]): string {
  const header = ['userPrincipalName', 'displayName', 'userId', 'apps', 'signIns', 'lastSignIn', 'registeredMethods'];
  const lines = [header.map((v) => csvField(v, { alwaysQuote: true })).join(',')];
  for (const r of rows) lines.push([r.userPrincipalName, r.displayName, r.userId, r.apps.join('; '), r.signIns, r.lastSignIn, r.registeredMethods.join('; ') || 'none'].map((v) => csvField(v, { alwaysQuote: true })).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
