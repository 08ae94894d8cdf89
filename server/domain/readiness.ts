// Pure readiness findings for the emergency accounts and the tenant (Microsoft's emergency-access checklist,
// anchors.md §1; graph.md §5): per account — cloud-only on *.onmicrosoft.com, enabled, an active Global Administrator
// assignment, a phishing-resistant method that satisfies mandatory MFA, no method tied to a person's device, a drill
// passed within the interval, the Conditional Access model and anything that would block the account; tenant-wide —
// at least two accounts, one-time TAPs, a FIDO2 AAGUID restriction, monitoring that works, an alert channel that does
// not depend on Entra. Facts are gathered by server/reports; this file only judges them.
import type { GraphAuthenticationMethod, GraphFido2Method, GraphFido2Policy, GraphTapPolicy } from '../graph/graph-types.ts';
import { accountFindings, type DirectoryUserFacts } from './account-findings.ts';
import type { CaCoverage } from './ca-coverage.ts';
import { DAY_MS } from './drill-schedule.ts';
import { weakMethod } from './weak-methods.ts';

export type CheckStatus = 'ok' | 'warning' | 'problem' | 'unknown';

export interface ReadinessCheck {
  code: string;
  status: CheckStatus;
  title: string;
  detail: string;
}

export interface AccountFacts {
  upn: string;
  drillIntervalDays: number;
  /** null: the user does not exist in the directory; undefined: the directory could not be read. */
  user: DirectoryUserFacts | null | undefined;
  globalAdmin: 'direct' | 'group' | 'none' | 'unknown';
  /** All registered methods; undefined when they could not be read. */
  methods: GraphAuthenticationMethod[] | undefined;
  fido2: GraphFido2Method[] | undefined;
  ca: CaCoverage | undefined;
  lastPassedDrillAt: string | undefined;
  nextDueAt: string | undefined;
  openIncidents: number;
}

export interface TenantFacts {
  accountCount: number;
  tapPolicy: GraphTapPolicy | undefined;
  fido2Policy: GraphFido2Policy | undefined;
  monitoring: { state: string; lastSuccessAt: string | null; detail: string | null } | undefined;
  channels: { name: string; kind: string }[];
}

const CERTIFICATE_TYPE = '#microsoft.graph.x509CertificateAuthenticationMethod';

function check(code: string, status: CheckStatus, title: string, detail: string): ReadinessCheck {
  return { code, status, title, detail };
}

export function accountChecks(f: AccountFacts, now: Date): ReadinessCheck[] {
  const out: ReadinessCheck[] = [];
  const user = f.user;
  if (user === undefined) {
    out.push(check('cloud_only', 'unknown', 'Cloud-only', 'the directory could not be read'));
  } else if (user === null) {
    out.push(check('exists', 'problem', 'Exists in the directory', 'the user no longer exists in Entra ID: it cannot be used'));
  } else {
    const findings = accountFindings(user);
    const f1 = findings.find((x) => x.code === 'not_cloud_only');
    out.push(check('cloud_only', f1 ? 'problem' : 'ok', 'Cloud-only', f1?.message ?? 'not synchronised from on-premises AD'));
    const f2 = findings.find((x) => x.code === 'not_onmicrosoft_domain');
    out.push(check('onmicrosoft_domain', f2 ? 'warning' : 'ok', 'On the *.onmicrosoft.com domain', f2?.message ?? user.userPrincipalName));
    const f3 = findings.find((x) => x.code === 'disabled' || x.code === 'not_member');
    out.push(check('enabled_member', f3 ? 'problem' : 'ok', 'Enabled member account', f3?.message ?? 'enabled, member'));
  }

  out.push(
    f.globalAdmin === 'unknown'
      ? check('global_admin', 'unknown', 'Active Global Administrator', 'role assignments could not be read')
      : f.globalAdmin === 'none'
        ? check('global_admin', 'problem', 'Active Global Administrator', 'no active Global Administrator assignment; an eligible (PIM) assignment does not count — activating it needs the very approvers and MFA an emergency may have taken away')
        : check('global_admin', 'ok', 'Active Global Administrator', `active assignment ${f.globalAdmin === 'direct' ? 'to the account itself' : 'through a role-assignable group'} (listed by roleAssignments; an end date set in PIM is not checked here)`),
  );

  if (f.methods === undefined || f.fido2 === undefined) {
    out.push(check('phishing_resistant_method', 'unknown', 'Phishing-resistant method', 'authentication methods could not be read'));
    out.push(check('no_personal_device', 'unknown', 'No method tied to a person', 'authentication methods could not be read'));
  } else {
    const deviceBound = f.fido2.filter((k) => (k.passkeyType ?? 'deviceBound') === 'deviceBound');
    const synced = f.fido2.filter((k) => k.passkeyType === 'synced');
    const certs = f.methods.filter((m) => m['@odata.type'] === CERTIFICATE_TYPE);
    if (deviceBound.length || certs.length) {
      const parts = [...deviceBound.map((k) => `${k.displayName ?? 'key'} (${k.model ?? k.aaGuid ?? 'unknown model'})`), ...certs.map(() => 'certificate (CBA)')];
      out.push(check('phishing_resistant_method', 'ok', 'Phishing-resistant method', `satisfies mandatory MFA: ${parts.join(', ')}`));
    } else {
      out.push(check('phishing_resistant_method', 'problem', 'Phishing-resistant method', synced.length
        ? 'only synced passkeys: they live in a person\'s cloud account, not in a safe'
        : 'no FIDO2 security key or certificate: the account cannot satisfy mandatory MFA for the admin portals'));
    }
    const personal = f.methods.flatMap((m) => {
      const weak = weakMethod(m['@odata.type']);
      return weak ? [`${weak.label}${typeof m.displayName === 'string' ? ` "${m.displayName}"` : ''}`] : [];
    });
    for (const k of synced) personal.push(`synced passkey "${k.displayName ?? k.id}"`);
    out.push(personal.length
      ? check('no_personal_device', 'problem', 'No method tied to a person', `remove ${personal.join(', ')}: an emergency account must not depend on someone's phone, PC or mailbox`)
      : check('no_personal_device', 'ok', 'No method tied to a person', 'no phone, Authenticator, Windows Hello or synced passkey registered'));
  }

  const windowDays = Math.min(90, f.drillIntervalDays);
  if (!f.lastPassedDrillAt) {
    out.push(check('drill_recent', 'problem', `Drill passed within ${windowDays} days`, `no drill has passed yet${f.nextDueAt ? `; due ${f.nextDueAt.slice(0, 10)}` : ''}`));
  } else {
    const age = Math.floor((now.getTime() - Date.parse(f.lastPassedDrillAt)) / DAY_MS);
    out.push(check('drill_recent', age <= windowDays ? 'ok' : 'problem', `Drill passed within ${windowDays} days`,
      `last passed ${f.lastPassedDrillAt.slice(0, 10)} (${age} day${age === 1 ? '' : 's'} ago)${f.nextDueAt ? `; next due ${f.nextDueAt.slice(0, 10)}` : ''}`));
  }

  if (!f.ca) {
    out.push(check('ca_model', 'unknown', 'Conditional Access model', 'Conditional Access policies could not be read'));
  } else {
    const ca = f.ca;
    if (ca.model === 'excluded') out.push(check('ca_model', 'ok', 'Conditional Access model', 'excluded from every enabled policy'));
    else if (ca.model === 'phishing_resistant') out.push(check('ca_model', 'ok', 'Conditional Access model', `included only in phishing-resistant policies: ${ca.applying.map((p) => p.displayName).join(', ')}`));
    else out.push(check('ca_model', 'warning', 'Conditional Access model', `in scope of policies that do not demand phishing-resistant strength: ${ca.applying.filter((p) => p.effect !== 'phishing_resistant').map((p) => `${p.displayName} (${p.demand})`).join('; ')}; exclude the account or cover it only with a phishing-resistant policy`));
    if (ca.blocking.length) out.push(check('ca_blocking', 'problem', 'No policy blocks the account', `would be stopped by ${ca.blocking.map((p) => `${p.displayName} (${p.demand})`).join('; ')}`));
    else if (ca.wouldBlock.length) out.push(check('ca_blocking', 'warning', 'No policy blocks the account', `report-only ${ca.wouldBlock.map((p) => `${p.displayName} (${p.demand})`).join('; ')} would stop it if switched on`));
    else out.push(check('ca_blocking', 'ok', 'No policy blocks the account', 'no enabled or report-only policy blocks it'));
  }

  if (f.openIncidents > 0) out.push(check('incidents', 'warning', 'Uses classified', `${f.openIncidents} incident${f.openIncidents === 1 ? '' : 's'} waiting for classification`));
  else out.push(check('incidents', 'ok', 'Uses classified', 'every use has been classified'));
  return out;
}

export function tenantChecks(t: TenantFacts): ReadinessCheck[] {
  const out: ReadinessCheck[] = [];
  out.push(t.accountCount >= 2
    ? check('two_accounts', 'ok', 'At least two emergency accounts', `${t.accountCount} designated`)
    : check('two_accounts', 'problem', 'At least two emergency accounts', `${t.accountCount} designated: Microsoft asks for two or more, so one lost key or locked account is survivable`));

  const tap = t.tapPolicy;
  if (!tap) out.push(check('tap_one_time', 'unknown', 'Temporary Access Passes are one-time', 'the TAP policy could not be read'));
  else if (tap.state !== 'enabled') out.push(check('tap_one_time', 'ok', 'Temporary Access Passes are one-time', 'TAP is disabled in the tenant'));
  else out.push(tap.isUsableOnce
    ? check('tap_one_time', 'ok', 'Temporary Access Passes are one-time', `one-time, ${tap.minimumLifetimeInMinutes}–${tap.maximumLifetimeInMinutes} min`)
    : check('tap_one_time', 'warning', 'Temporary Access Passes are one-time', 'the TAP policy allows multi-use passes: set "One-time use" so a pass cannot be replayed'));

  const fido = t.fido2Policy;
  if (!fido) {
    out.push(check('fido2_restricted', 'unknown', 'FIDO2 key models restricted', 'the FIDO2 policy could not be read'));
  } else if (fido.state !== 'enabled') {
    out.push(check('fido2_restricted', 'problem', 'FIDO2 key models restricted', 'the passkey (FIDO2) method is disabled: the emergency accounts\' keys cannot sign in'));
  } else {
    const enforcedAllow = (r: { isEnforced: boolean; enforcementType: string; aaGuids: string[] } | undefined) => Boolean(r?.isEnforced && r.enforcementType === 'allow' && r.aaGuids.length > 0);
    const profiles = fido.passkeyProfiles ?? [];
    const restricted = profiles.length ? profiles.filter((p) => enforcedAllow(p.keyRestrictions)) : [];
    if (profiles.length ? restricted.length === profiles.length : enforcedAllow(fido.keyRestrictions)) {
      out.push(check('fido2_restricted', 'ok', 'FIDO2 key models restricted', profiles.length
        ? `every passkey profile enforces an AAGUID allow-list (${profiles.map((p) => `${p.name}: ${p.keyRestrictions.aaGuids.length}`).join(', ')})${fido.isAttestationEnforced || profiles.some((p) => p.attestationEnforcement === 'registrationOnly') ? '; attestation enforced' : '; attestation NOT enforced, so AAGUIDs are self-declared'}`
        : `AAGUID allow-list enforced (${fido.keyRestrictions.aaGuids.length} models)${fido.isAttestationEnforced ? '; attestation enforced' : '; attestation NOT enforced, so AAGUIDs are self-declared'}`));
    } else {
      out.push(check('fido2_restricted', 'warning', 'FIDO2 key models restricted', profiles.length
        ? `passkey profiles without an enforced allow-list: ${profiles.filter((p) => !restricted.includes(p)).map((p) => p.name).join(', ')}`
        : 'no AAGUID allow-list is enforced: any key model can be registered'));
    }
  }

  const m = t.monitoring;
  if (!m) out.push(check('monitoring', 'unknown', 'Sign-in monitoring works', 'monitoring has not polled yet'));
  else if (m.state === 'ok') out.push(check('monitoring', 'ok', 'Sign-in monitoring works', `last successful poll ${m.lastSuccessAt ?? 'unknown'}`));
  else if (m.state === 'license_required') out.push(check('monitoring', 'problem', 'Sign-in monitoring works', 'the tenant has no Entra ID P1/P2 licence: sign-in logs cannot be read, so uses of the accounts are not detected and drills cannot be verified from the logs'));
  else if (m.state === 'behind') out.push(check('monitoring', 'problem', 'Sign-in monitoring works', `monitoring is behind: more log records than one poll reads${m.detail ? ` (${m.detail})` : ''}; it reads on every minute until it has caught up`));
  else out.push(check('monitoring', 'problem', 'Sign-in monitoring works', `polling is failing${m.detail ? `: ${m.detail}` : ''}${m.lastSuccessAt ? `; last success ${m.lastSuccessAt}` : ''}`));

  const webhooks = t.channels.filter((c) => c.kind === 'webhook');
  if (webhooks.length) out.push(check('alert_channels', 'ok', 'An alert channel independent of Entra', `${t.channels.map((c) => c.name).join(', ')}`));
  else if (t.channels.length) out.push(check('alert_channels', 'warning', 'An alert channel independent of Entra', 'alerts go only by mail through Microsoft Graph: when Entra is down, so are the alerts; add a signed webhook'));
  else out.push(check('alert_channels', 'problem', 'An alert channel independent of Entra', 'no alert channel is configured: uses of the accounts alert nobody'));
  return out;
}

export type ReadinessStatus = 'ready' | 'attention' | 'not_ready';

export function overallStatus(checks: ReadinessCheck[]): ReadinessStatus {
  if (checks.some((c) => c.status === 'problem')) return 'not_ready';
  if (checks.some((c) => c.status === 'warning' || c.status === 'unknown')) return 'attention';
  return 'ready';
}
