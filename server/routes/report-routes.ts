// /api/reports: the readiness report (everyone signed in, auditors included), the mandatory-MFA enforcement view as
// CSV, and mailing that view with the CSV attached (officers and admins).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { buildReadinessReport, enforcementCsv, mailEnforcementReport } from '../reports/readiness-report.ts';
import { requireDirectory } from '../runtime.ts';
import { BreakglassError } from '../errors.ts';
import { EnforcementQuery, MailReportBody, ReadinessSchema } from './drill-schemas.ts';
import { ProblemSchema } from './problem.ts';

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 502: ProblemSchema, 503: ProblemSchema };

export const reportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { runtime } = app;
  const build = (days: number) => buildReadinessReport({ db: runtime.database.db, directory: runtime.directory, clock: runtime.clock }, { enforcementDays: days });

  app.get(
    '/readiness',
    {
      config: { access: 'reports.read' },
      schema: { tags: ['reports'], summary: 'Readiness of the emergency accounts; with enforcementDays, the mandatory-MFA enforcement view', querystring: EnforcementQuery, response: { 200: ReadinessSchema, ...errors } },
    },
    async (req) => build(req.query.enforcementDays ?? 0),
  );

  app.get(
    '/readiness/enforcement.csv',
    {
      config: { access: 'reports.read' },
      schema: { tags: ['reports'], summary: 'The mandatory-MFA enforcement view as CSV (RFC 4180)', querystring: Type.Object({ days: Type.Integer({ minimum: 1, maximum: 30 }) }, { additionalProperties: false }), response: { 200: Type.String(), ...errors } },
    },
    async (req, reply) => {
      const report = await build(req.query.days);
      if (report.enforcement?.error) throw new BreakglassError('enforcement_unavailable', `the enforcement view could not be built: ${report.enforcement.error}`, { status: 503 });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="mfa-enforcement-${report.generatedAt.slice(0, 10)}.csv"`)
        .send(enforcementCsv(report.enforcement?.rows ?? []));
    },
  );

  app.post(
    '/readiness/mail',
    {
      config: { access: 'reports.send' },
      schema: { tags: ['reports'], summary: 'Mail the enforcement view with its CSV attached (Graph sendMail from the sender mailbox)', body: MailReportBody, response: { 200: Type.Object({ rows: Type.Integer(), to: Type.Array(Type.String()) }), ...errors } },
    },
    async (req) => {
      const directory = requireDirectory(runtime);
      const report = await build(req.body.days);
      return mailEnforcementReport({ audit: runtime.audit, directory, config: runtime.config }, { report, to: req.body.to, actor: `officer:${req.officerSession!.officer.id}` });
    },
  );
};
