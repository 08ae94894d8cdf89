// `breakglass report readiness`: per emergency account and for the tenant, what Microsoft's emergency-access guidance
// asks and whether it holds; optionally the mandatory-MFA enforcement view (--enforcement-days N), written as CSV
// (--csv FILE) and/or mailed with the CSV attached (--mail-to ADDRESSES).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { ReadinessCheck } from '../domain/readiness.ts';
import { buildReadinessReport, enforcementCsv, mailEnforcementReport, type ReadinessReport } from '../reports/readiness-report.ts';
import { requireDirectory } from '../runtime.ts';
import { configOption, jsonOption } from './cli-config.ts';
import { CliError, EXIT_FAILURE, EXIT_OK, flag, stringOption, writeJson, writeLine, type Command } from './command.ts';
import { cliActor, withDrillRuntime, type DrillCliDeps } from './drill-cli.ts';

const MARK: Record<ReadinessCheck['status'], string> = { ok: 'ok     ', warning: 'WARNING', problem: 'PROBLEM', unknown: 'unknown' };
const STATUS: Record<ReadinessReport['status'], string> = { ready: 'READY', attention: 'NEEDS ATTENTION', not_ready: 'NOT READY' };

function printReport(out: Writable, r: ReadinessReport): void {
  writeLine(out, `Readiness of the emergency accounts — ${r.tenant?.label ?? 'no directory connected'}`);
  writeLine(out, `generated ${r.generatedAt}: ${STATUS[r.status]}`);
  for (const p of r.problems) writeLine(out, `  could not read: ${p}`);
  writeLine(out, '');
  writeLine(out, 'Tenant');
  for (const c of r.tenantChecks) writeLine(out, `  ${MARK[c.status]}  ${c.title}: ${c.detail}`);
  for (const a of r.accounts) {
    writeLine(out, '');
    writeLine(out, `${a.upn} (${a.displayName}): ${STATUS[a.status]}`);
    for (const c of a.checks) writeLine(out, `  ${MARK[c.status]}  ${c.title}: ${c.detail}`);
  }
  const e = r.enforcement;
  if (e) {
    writeLine(out, '');
    writeLine(out, `Mandatory MFA enforcement, last ${e.days} days (since ${e.since})`);
    if (e.error) writeLine(out, `  could not be built: ${e.error}`);
    else if (e.rows.length === 0) writeLine(out, '  nobody signed in to the covered admin applications without an MFA-capable method');
    else {
      writeLine(out, `  ${e.rows.length} user${e.rows.length === 1 ? '' : 's'} signed in to covered admin applications without an MFA-capable method:`);
      for (const row of e.rows) writeLine(out, `  - ${row.userPrincipalName} (${row.displayName}): ${row.apps.join(', ')}; ${row.signIns} sign-in${row.signIns === 1 ? '' : 's'}, last ${row.lastSignIn}; methods: ${row.registeredMethods.join(', ') || 'none'}`);
    }
    if (e.unchecked) writeLine(out, `  ${e.unchecked} user(s) could not be checked`);
  }
}

export function createReportReadinessCommand(deps: DrillCliDeps = {}): Command {
  return {
    words: ['report', 'readiness'],
    summary: 'Readiness of the emergency accounts (Microsoft\'s guidance) and the mandatory-MFA enforcement view',
    usage: 'report readiness [--enforcement-days N] [--csv FILE] [--mail-to ADDRESS[,ADDRESS…]] [--json]',
    help: [
      '--enforcement-days N  add who signed in to the mandatory-MFA admin apps without an MFA-capable method (1–30 days)',
      '--csv FILE            write that view as CSV (RFC 4180)',
      '--mail-to ADDRESSES   mail that view with the CSV attached (Graph sendMail from BREAKGLASS_MAIL_SENDER)',
      'Exit status: 0 no problem found, 1 at least one problem, 2 usage or the directory could not be reached.',
    ],
    options: { ...configOption, ...jsonOption, 'enforcement-days': { type: 'string' }, csv: { type: 'string' }, 'mail-to': { type: 'string' } },
    async run(ctx) {
      const daysText = stringOption(ctx, 'enforcement-days');
      if (daysText !== undefined && !/^\d+$/.test(daysText)) throw new CliError('--enforcement-days must be a whole number from 1 to 30');
      const days = daysText === undefined ? 0 : Number(daysText);
      if (daysText !== undefined && (days < 1 || days > 30)) throw new CliError('--enforcement-days must be from 1 to 30 (sign-in logs are kept 30 days at most)');
      const csvPath = stringOption(ctx, 'csv');
      const mailTo = stringOption(ctx, 'mail-to');
      if ((csvPath || mailTo) && days === 0) throw new CliError('--csv and --mail-to carry the enforcement view: add --enforcement-days N');
      const { report, mailed } = await withDrillRuntime(ctx, deps, { directory: true }, async (runtime) => {
        const report = await buildReadinessReport({ db: runtime.database.db, directory: runtime.directory, clock: runtime.clock }, { enforcementDays: days });
        let mailed: { rows: number; to: string[] } | undefined;
        if (mailTo) mailed = await mailEnforcementReport({ audit: runtime.audit, directory: requireDirectory(runtime), config: runtime.config }, { report, to: mailTo.split(','), actor: cliActor() });
        return { report, mailed };
      });
      if (csvPath && report.enforcement && !report.enforcement.error) writeFileSync(resolve(ctx.io.cwd, csvPath), enforcementCsv(report.enforcement.rows), { mode: 0o600 });
      if (flag(ctx, 'json')) writeJson(ctx.io, { ...report, ...(mailed ? { mailed } : {}) });
      else {
        printReport(ctx.io.stdout, report);
        if (csvPath) writeLine(ctx.io.stdout, `CSV written to ${resolve(ctx.io.cwd, csvPath)}`);
        if (mailed) writeLine(ctx.io.stdout, `mailed to ${mailed.to.join(', ')} (${mailed.rows} row${mailed.rows === 1 ? '' : 's'} attached as CSV)`);
      }
      const anyProblem = [...report.tenantChecks, ...report.accounts.flatMap((a) => a.checks)].some((c) => c.status === 'problem');
      return anyProblem ? EXIT_FAILURE : EXIT_OK;
    },
  };
}

export const reportReadinessCommand = createReportReadinessCommand();
