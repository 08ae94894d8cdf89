// The readiness report: gathers the facts (the directory's posture of each emergency account: user, every
// authentication method and policy groups, with the tenant's method policies, in a few batched Graph calls; each
// account's roles, Conditional Access, breakglass's own drill, incident, monitoring and channel records) and lets
// server/domain/readiness.ts judge them. Optionally adds the mandatory-MFA enforcement view: who signed in to the admin
// apps Microsoft's mandatory MFA covers, over the last N days, without an MFA-capable method. A part Graph cannot
// deliver is reported as "unknown" with the reason, never silently left out.
import type { AuditLog } from '../audit/audit-log.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { caCoverage, type CaCoverage } from '../domain/ca-coverage.ts';
import { enforcementCsv, enforcementRows, MANDATORY_MFA_APPS, type EnforcementRow } from '../domain/mfa-enforcement.ts';
import { accountChecks, overallStatus, tenantChecks, type ReadinessCheck, type ReadinessStatus } from '../domain/readiness.ts';
import { lastPassedDrill, openCycle } from '../drills/drill-clock.ts';
import { InvalidInputError } from '../errors.ts';
import type { Directory, PostureSnapshot } from '../graph/directory.ts';
import { GraphError } from '../graph/graph-errors.ts';
import { ROLE_TEMPLATE, type GraphAuthenticationMethod, type GraphSignIn } from '../graph/graph-types.ts';
import { monitoringStatus } from '../monitoring/sign-in-monitor.ts';
import { enabledChannels } from '../notify/channels.ts';
import type { Db } from '../store/schema.ts';

export interface AccountReadiness {
  accountId: string;
  upn: string;
  displayName: string;
  status: ReadinessStatus;
  checks: ReadinessCheck[];
  lastPassedDrillAt: string | null;
  nextDueAt: string | null;
  caModel: CaCoverage['model'] | null;
}

export interface EnforcementView {
  days: number;
  since: string;
  apps: { appId: string; name: string }[];
  rows: EnforcementRow[];
  /** Users whose methods could not be read (capped or failed). */
  unchecked: number;
  error: string | null;
}

export interface ReadinessReport {
  generatedAt: string;
  tenant: { kind: string; label: string; tenantId: string } | null;
  status: ReadinessStatus;
  tenantChecks: ReadinessCheck[];
  accounts: AccountReadiness[];
  enforcement: EnforcementView | null;
  /** Parts that could not be read, in words. */
  problems: string[];
}

export interface ReportDeps {
  db: Db;
  directory: Directory | undefined;
  clock: Clock;
}

const MAX_ENFORCEMENT_USERS = 200;

function why(err: unknown): string {
  if (err instanceof GraphError) return err.message.split('\n')[0]!;
  return (err as Error)?.message?.split('\n')[0] ?? String(err);
}

async function attempt<T>(problems: string[], what: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    problems.push(`${what}: ${why(err)}`);
    return undefined;
  }
}

export async function buildReadinessReport(deps: ReportDeps, opts: { enforcementDays?: number } = {}): Promise<ReadinessReport> {
  const days = opts.enforcementDays ?? 0;
  if (!Number.isInteger(days) || days < 0 || days > 30) throw new InvalidInputError('the enforcement view covers 1 to 30 days (sign-in logs are kept 30 days at most)');
  const now = deps.clock.now();
  const problems: string[] = [];
  const dir = deps.directory;
  const tenantId = dir?.mode.tenantId;
  let q = deps.db.selectFrom('emergency_account').selectAll().where('status', '=', 'active').orderBy('upn');
  if (tenantId) q = q.where('tenant_id', '=', tenantId);
  const accounts = await q.execute();
  if (!dir) problems.push('no directory is connected: only what breakglass recorded is judged');

  const posture: PostureSnapshot | undefined = dir && accounts.length
    ? await attempt(problems, 'reading the accounts and policies from the directory', () => dir.readPosture(accounts.map((a) => a.user_id)))
    : undefined;
  const tapPolicy = posture?.tapPolicy ?? (dir && !accounts.length ? await attempt(problems, 'reading the TAP policy', () => dir.getTapPolicy()) : undefined);
  const fido2Policy = posture?.fido2Policy ?? (dir && !accounts.length ? await attempt(problems, 'reading the FIDO2 policy', () => dir.getFido2Policy()) : undefined);

  const out: AccountReadiness[] = [];
  for (const a of accounts) {
    const p = posture?.accounts.find((x) => x.userId.toLowerCase() === a.user_id.toLowerCase());
    // readPosture already read every method of the account (one list, batched): no second read per account.
    const methods = p?.user ? p.methods : undefined;
    const roles = dir && p?.user ? await attempt(problems, `reading the roles of ${a.upn}`, () => dir.listUserDirectoryRoles(a.user_id)) : undefined;
    const direct = posture ? posture.globalAdministratorIds.some((id) => id.toLowerCase() === a.user_id.toLowerCase()) : undefined;
    const viaRoles = roles?.some((r) => r.roleTemplateId.toLowerCase() === ROLE_TEMPLATE.globalAdministrator);
    const globalAdmin = direct ? 'direct' : viaRoles ? 'group' : direct === false && roles ? 'none' : 'unknown';
    const ca = posture && p?.user && roles
      ? caCoverage(posture.conditionalAccessPolicies, { userId: a.user_id, groupIds: p.policyGroupIds, roleTemplateIds: roles.map((r) => r.roleTemplateId) })
      : undefined;
    const cycle = await openCycle(deps.db, a.id);
    const passed = await lastPassedDrill(deps.db, a.id);
    const open = await deps.db.selectFrom('incident').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', a.id).where('status', '=', 'open').executeTakeFirst();
    const checks = accountChecks({
      upn: a.upn,
      drillIntervalDays: Number(a.drill_interval_days),
      user: p ? p.user : undefined,
      globalAdmin,
      methods,
      fido2: p?.user ? p.fido2Methods : undefined,
      ca,
      lastPassedDrillAt: passed?.at ?? undefined,
      nextDueAt: cycle?.due_at,
      openIncidents: Number(open?.n ?? 0),
    }, now);
    out.push({
      accountId: a.id, upn: a.upn, displayName: a.display_name, status: overallStatus(checks), checks,
      lastPassedDrillAt: passed?.at ?? null, nextDueAt: cycle?.due_at ?? null, caModel: ca?.model ?? null,
    });
  }

  const monitoring = tenantId ? await monitoringStatus(deps.db, tenantId) : undefined;
  const tChecks = tenantChecks({
    accountCount: accounts.length,
    tapPolicy,
    fido2Policy,
    monitoring: monitoring ? { state: monitoring.state, lastSuccessAt: monitoring.lastSuccessAt, detail: monitoring.detail } : undefined,
    channels: await enabledChannels(deps.db),
  });

  let enforcement: EnforcementView | null = null;
  if (days > 0) {
    const since = new Date(now.getTime() - days * 86_400_000).toISOString();
    enforcement = { days, since, apps: MANDATORY_MFA_APPS.map((x) => ({ appId: x.appId, name: x.name })), rows: [], unchecked: 0, error: null };
    if (!dir) enforcement.error = 'no directory is connected';
    else {
      try {
        const signIns: GraphSignIn[] = await dir.listSignIns({ userIds: [], appIds: MANDATORY_MFA_APPS.map((x) => x.appId), since, pageSize: 1000, maxRecords: 50_000 });
        const users = [...new Set(signIns.filter((s) => s.status?.errorCode === 0).map((s) => s.userId.toLowerCase()))];
        const methods = new Map<string, GraphAuthenticationMethod[]>();
        for (const u of users.slice(0, MAX_ENFORCEMENT_USERS)) {
          try {
            methods.set(u, await dir.listAuthenticationMethods(u));
          } catch {
            enforcement.unchecked += 1;
          }
        }
        enforcement.unchecked += Math.max(0, users.length - MAX_ENFORCEMENT_USERS);
        enforcement.rows = enforcementRows(signIns, methods);
      } catch (err) {
        enforcement.error = why(err);
      }
    }
  }

  const all = [...tChecks, ...out.flatMap((a) => a.checks)];
  return {
    generatedAt: now.toISOString(),
    tenant: dir ? { kind: dir.mode.kind, label: dir.mode.label, tenantId: dir.mode.tenantId } : null,
    status: overallStatus(all),
    tenantChecks: tChecks,
    accounts: out,
    enforcement,
    problems,
  };
}

export { enforcementCsv };

/** Mails the enforcement view with its CSV attached (Graph sendMail from the sender mailbox), and records that it did. */
export async function mailEnforcementReport(deps: { audit: AuditLog; directory: Directory; config: Pick<Config, 'graph'> }, input: { report: ReadinessReport; to: string[]; actor: string }): Promise<{ rows: number; to: string[] }> {
  const sender = deps.config.graph.senderMailbox;
  if (!sender) throw new InvalidInputError('no sender mailbox is configured: set BREAKGLASS_MAIL_SENDER (config graph.senderMailbox) to a mailbox the app may send as');
  const view = input.report.enforcement;
  if (!view) throw new InvalidInputError('the report has no enforcement view: ask for one with a number of days (1–30)');
  if (view.error) throw new InvalidInputError(`the enforcement view could not be built: ${view.error}`);
  const to = input.to.map((t) => t.trim()).filter(Boolean);
  if (to.length === 0 || to.some((t) => !/^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$/.test(t))) throw new InvalidInputError('give one or more mail addresses to send the report to');
  const csv = enforcementCsv(view.rows);
  const lines = [
    `Mandatory MFA enforcement view, ${input.report.tenant?.label ?? 'tenant'}, generated ${input.report.generatedAt}.`,
    '',
    `${view.rows.length} user${view.rows.length === 1 ? '' : 's'} signed in to an admin application covered by Microsoft's mandatory MFA in the last ${view.days} days without an MFA-capable method registered.`,
    `Applications: ${view.apps.map((a) => `${a.name} (${a.appId})`).join('; ')}.`,
    ...(view.unchecked ? [`${view.unchecked} user(s) could not be checked.`] : []),
    '',
    'The attached CSV lists them. Sent by breakglass.',
  ];
  await deps.directory.sendMail({
    from: sender,
    saveToSentItems: false,
    message: {
      subject: `[breakglass] Mandatory MFA enforcement: ${view.rows.length} user${view.rows.length === 1 ? '' : 's'} not MFA-capable (last ${view.days} days)`,
      body: { contentType: 'Text', content: lines.join('\n') },
      toRecipients: to.map((address) => ({ emailAddress: { address } })),
      attachments: [{ '@odata.type': '#microsoft.graph.fileAttachment', name: `mfa-enforcement-${input.report.generatedAt.slice(0, 10)}.csv`, contentType: 'text/csv', contentBytes: Buffer.from(csv, 'utf8').toString('base64') }],
    },
  });
  await deps.audit.record({ actor: input.actor, action: 'report.enforcement_mailed', subject: 'report:mfa-enforcement', data: { to, rows: view.rows.length, days: view.days, generatedAt: input.report.generatedAt } });
  return { rows: view.rows.length, to };
}
