// The pre-check at the workstation, before anything is spent: read the key over HID (getInfo and PIN retries, no PIN
// and no touch needed), read the policies that apply to *this* account from Graph (its groups, the passkey policy —
// profiles or legacy restrictions —, and for guided mode the TAP policy), and combine the tenant's verdict with the
// local allow-list and minimums (PIN, CTAP version, firmware, discoverable-credential slots) and the inventory (a key
// already serving another account). The verdict comes with one finding per rule; a getInfo AAGUID is self-declared,
// so the tenant's attestation check at registration (and breakglass's own check in direct mode) is what proves it.
import { AAGUID_SELF_DECLARED_NOTE, checkKey, describeAaguid, formatFirmwareVersion, lookupAaguid, type LocalAllowList } from '../../hardware/index.ts';
import { accountFindings } from '../domain/account-findings.ts';
import type { EnrollmentMode } from '../domain/enrollment-state.ts';
import { effectiveKeyPolicy, tenantKeyFindings, type FindingOutcome, type PolicySubject } from '../domain/key-policy.ts';
import { planTap } from '../domain/tap-plan.ts';
import type { EmergencyAccount } from '../accounts/emergency-accounts.ts';
import type { Directory } from '../graph/directory.ts';
import type { Db } from '../store/schema.ts';
import { withKeyErrors } from './key-errors.ts';
import type { KeyProvider } from './key-provider.ts';

export type PrecheckVerdict = 'allowed' | 'blocked' | 'unknown';

export interface PrecheckFinding {
  /** Stable rule id: `tenant.*`, `tap.*`, `local.*` / `pin.*` / `ctap.*` …, `inventory.*`, `account.*`. */
  check: string;
  outcome: FindingOutcome;
  message: string;
}

export interface PrecheckKey {
  aaguid: string;
  model: string;
  vendor: string | null;
  serial: string | null;
  virtual: boolean;
  versions: string[];
  firmware: string;
  pinSet: boolean | null;
  pinRetries: number | null;
}

export interface PrecheckResult {
  verdict: PrecheckVerdict;
  mode: EnrollmentMode;
  account: { id: string; upn: string };
  key: PrecheckKey;
  findings: PrecheckFinding[];
  /** The findings that decided a blocked or unknown verdict. */
  reasons: string[];
  policy: { source: 'passkey-profiles' | 'legacy'; profiles: string[]; tapLifetimeMinutes: number | null };
  note: string;
  checkedAt: string;
}

/** The local minimums used when no allow-list file is configured: no model list, the hardware layer's defaults. */
export const MINIMUMS_ONLY: LocalAllowList = { keys: [], minCtapVersion: 'FIDO_2_0', requirePin: true, requireResidentKeys: true, minPinRetries: 3 };

export interface PrecheckDeps {
  db: Db;
  directory: Directory;
  keys: KeyProvider;
  /** undefined = no local model list, minimums only. */
  allowList: LocalAllowList | undefined;
  maxTapLifetimeMinutes: number;
  now: () => Date;
}

export async function policySubject(directory: Directory, account: EmergencyAccount): Promise<PolicySubject> {
  const groups = await directory.listUserTransitiveGroups(account.userId);
  return { userId: account.userId, groupIds: groups.map((g) => g.id) };
}

export async function runPrecheck(deps: PrecheckDeps, input: { account: EmergencyAccount; mode: EnrollmentMode; device?: string }): Promise<PrecheckResult> {
  const { account, mode } = input;
  // The key first: if none is attached there is nothing to ask Graph about.
  const report = await withKeyErrors(() =>
    deps.keys.withKey(async ({ key, serial, virtual }) => ({ report: await key.report(), serial, virtual }), input.device ? { device: input.device } : {}),
  );
  const info = report.report.info;
  const aaguid = info.aaguid.toLowerCase();
  const findings: PrecheckFinding[] = [];

  // The account as Entra has it now.
  const user = await deps.directory.getUser(account.userId);
  for (const f of accountFindings(user)) findings.push({ check: `account.${f.code}`, outcome: f.severity === 'problem' ? 'fail' : 'info', message: f.message });

  // Tenant policy for this account.
  const subject = await policySubject(deps.directory, account);
  const fido2 = await deps.directory.getFido2Policy();
  const eff = effectiveKeyPolicy(fido2, subject);
  findings.push(...tenantKeyFindings(eff, { aaguid, passkeyType: 'deviceBound' }));
  let tapLifetimeMinutes: number | null = null;
  if (mode === 'guided') {
    const plan = planTap(await deps.directory.getTapPolicy(), subject, { maxLifetimeMinutes: deps.maxTapLifetimeMinutes });
    findings.push(...plan.findings);
    if (plan.ok) tapLifetimeMinutes = plan.lifetimeInMinutes;
  }

  // Local allow-list and minimums (the hardware layer's rules; the tenant part is ours, above).
  const local = checkKey({ info, allowList: deps.allowList ?? MINIMUMS_ONLY, ...(report.report.pin.retries === undefined ? {} : { pinRetries: report.report.pin.retries }) });
  for (const f of local.findings) {
    if (f.check.startsWith('tenant.')) continue;
    if (f.check === 'local.allow-list' && !deps.allowList) continue;
    if (f.check === 'pin.set' && info.options?.clientPin === false) {
      // A new key: direct mode sets the PIN as part of registering; the security-info page asks for one.
      findings.push({
        check: 'pin.set',
        outcome: 'info',
        message: mode === 'direct' ? 'no PIN set yet: you will choose one when the key is registered' : 'no PIN set yet: the browser will ask you to create one when you register the key',
      });
      continue;
    }
    findings.push({ check: f.check, outcome: f.outcome, message: f.message });
  }
  if (!deps.allowList) findings.push({ check: 'local.allow-list', outcome: 'info', message: 'no local allow-list is configured (BREAKGLASS_KEY_ALLOW_LIST): only the tenant policy and the minimums apply' });

  // Inventory: one physical key serves one account.
  if (report.serial) {
    const other = await deps.db
      .selectFrom('account_key')
      .innerJoin('emergency_account', 'emergency_account.id', 'account_key.account_id')
      .select(['account_key.id', 'emergency_account.upn'])
      .where('account_key.serial', '=', report.serial)
      .where('account_key.aaguid', '=', aaguid)
      .where('account_key.status', '=', 'active')
      .executeTakeFirst();
    if (other) findings.push({ check: 'inventory.serial', outcome: 'fail', message: `this key (serial ${report.serial}) is already in the inventory for ${other.upn}` });
  }

  const failed = findings.filter((f) => f.outcome === 'fail');
  const unknown = findings.filter((f) => f.outcome === 'unknown');
  const verdict: PrecheckVerdict = failed.length ? 'blocked' : unknown.length ? 'unknown' : 'allowed';
  return {
    verdict,
    mode,
    account: { id: account.id, upn: account.upn },
    key: {
      aaguid,
      model: lookupAaguid(aaguid)?.model ?? describeAaguid(aaguid),
      vendor: lookupAaguid(aaguid)?.vendor ?? null,
      serial: report.serial,
      virtual: report.virtual,
      versions: info.versions,
      firmware: formatFirmwareVersion(info.firmwareVersion),
      pinSet: info.options?.clientPin === undefined ? null : info.options.clientPin === true,
      pinRetries: report.report.pin.retries ?? null,
    },
    findings,
    reasons: (failed.length ? failed : unknown).map((f) => f.message),
    policy: { source: eff.source, profiles: eff.profiles.map((p) => p.name), tapLifetimeMinutes },
    note: AAGUID_SELF_DECLARED_NOTE,
    checkedAt: deps.now().toISOString(),
  };
}
