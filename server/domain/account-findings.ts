// Pure checks of a directory user against Microsoft's guidance for emergency-access accounts (entra-docs
// security-emergency-access.md; anchors.md §1): cloud-only, on the tenant's *.onmicrosoft.com domain, enabled, a
// member (not a guest). Used when an account is designated (as warnings) and by the readiness report.

export type FindingSeverity = 'ok' | 'warning' | 'problem';

export interface Finding {
  code: string;
  severity: FindingSeverity;
  message: string;
}

export interface DirectoryUserFacts {
  userPrincipalName: string;
  accountEnabled?: boolean | null;
  userType?: string | null;
  onPremisesSyncEnabled?: boolean | null;
}

export function accountFindings(user: DirectoryUserFacts): Finding[] {
  const out: Finding[] = [];
  if (user.onPremisesSyncEnabled === true) {
    out.push({ code: 'not_cloud_only', severity: 'problem', message: 'synchronised from on-premises AD: an emergency account must be cloud-only so it works when sync or federation fails' });
  }
  if (!/\.onmicrosoft\.com$/i.test(user.userPrincipalName)) {
    out.push({ code: 'not_onmicrosoft_domain', severity: 'warning', message: 'not on the tenant\'s *.onmicrosoft.com domain: a custom domain can depend on federation or DNS that may be down' });
  }
  if (user.accountEnabled === false) out.push({ code: 'disabled', severity: 'problem', message: 'the account is disabled: it cannot be used in an emergency' });
  if (user.userType && user.userType !== 'Member') out.push({ code: 'not_member', severity: 'problem', message: `the account is a ${user.userType}, not a member of the tenant` });
  return out;
}
