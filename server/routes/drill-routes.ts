// /api/drills: the drill calendar and the drill console. Everyone signed in may read; officers and admins announce a
// window, verify its sign-in from the logs, cancel it, and close it — closing needs a fresh passkey step-up, because a
// pass restarts the account's 90-day clock and a fail is a finding.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { officerNames } from '../auth/officer-names.ts';
import { requireAccount } from '../accounts/emergency-accounts.ts';
import { drillCalendar } from '../drills/drill-calendar.ts';
import { cancelDrill, closeDrill, getDrill, listDrills, openDrill, verdictOf, type DrillStatus } from '../drills/drill-service.ts';
import { readScheduleRules } from '../drills/schedule-rules.ts';
import { monitoringStatus, SignInMonitor } from '../monitoring/sign-in-monitor.ts';
import { listAlerts } from '../notify/alert-list.ts';
import { enabledChannels } from '../notify/channels.ts';
import { requireDirectory } from '../runtime.ts';
import { AlertSchema, CalendarSchema, CloseDrillBody, DrillSchema, IdParam, OpenDrillBody, VerifyResultSchema } from './drill-schemas.ts';
import { ProblemSchema } from './problem.ts';

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 502: ProblemSchema, 503: ProblemSchema };

export const drillRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { runtime } = app;
  const db = () => runtime.database.db;
  const now = () => runtime.clock.now();
  const actor = (req: { officerSession: { officer: { id: string } } | null }) => `officer:${req.officerSession!.officer.id}`;

  app.get(
    '/calendar',
    {
      config: { access: 'accounts.read' },
      schema: { tags: ['drills'], summary: 'Per emergency account: next due date, drill state, last pass, open window; monitoring health and alert channels', response: { 200: CalendarSchema, ...errors } },
    },
    async () => {
      const dir = runtime.directory;
      return {
        at: now().toISOString(),
        tenant: dir ? { kind: dir.mode.kind, label: dir.mode.label } : null,
        accounts: await drillCalendar(db(), now(), dir ? { tenantId: dir.mode.tenantId } : {}),
        monitoring: dir ? (await monitoringStatus(db(), dir.mode.tenantId)) ?? null : null,
        channels: await enabledChannels(db()),
        schedule: await readScheduleRules(db()),
      };
    },
  );

  app.get(
    '/',
    {
      config: { access: 'accounts.read' },
      schema: {
        tags: ['drills'], summary: 'Drills, newest first',
        querystring: Type.Object({ account: Type.Optional(Type.String({ maxLength: 256 })), status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('passed'), Type.Literal('failed'), Type.Literal('cancelled')])) }, { additionalProperties: false }),
        response: { 200: Type.Object({ drills: Type.Array(DrillSchema) }), ...errors },
      },
    },
    async (req) => {
      const account = req.query.account ? await requireAccount(db(), req.query.account) : undefined;
      return { drills: await listDrills(db(), now(), { ...(account ? { accountId: account.id } : {}), ...(req.query.status ? { status: req.query.status as DrillStatus } : {}) }) };
    },
  );

  app.get(
    '/:id',
    {
      config: { access: 'accounts.read' },
      schema: { tags: ['drills'], summary: 'One drill: window, people, sign-in evidence, checklist, result; and the alerts about its account', params: IdParam, response: { 200: Type.Object({ drill: DrillSchema, alerts: Type.Array(AlertSchema), officers: Type.Record(Type.String(), Type.String(), { description: 'Display names of the officers named in the drill, by actor' }) }), ...errors } },
    },
    async (req) => {
      const drill = await getDrill(db(), req.params.id, now());
      return {
        drill,
        alerts: await listAlerts(db(), { subject: `account:${drill.accountId}`, limit: 20 }),
        officers: await officerNames(db(), [drill.openedBy, drill.result?.closedBy ?? null]),
      };
    },
  );

  app.post(
    '/',
    {
      config: { access: 'drills.operate' },
      schema: { tags: ['drills'], summary: 'Announce a drill window (planned activity on the alert channels)', body: OpenDrillBody, response: { 200: DrillSchema, ...errors } },
    },
    async (req) => openDrill({ audit: runtime.audit }, {
      account: req.body.account, performer: req.body.performer, witness: req.body.witness, actor: actor(req),
      ...(req.body.start ? { start: req.body.start } : {}), ...(req.body.minutes ? { minutes: req.body.minutes } : {}),
      ...(req.body.expectedKey ? { expectedKey: req.body.expectedKey } : {}), ...(req.body.notes ? { notes: req.body.notes } : {}),
    }),
  );

  app.post(
    '/:id/verify',
    {
      config: { access: 'drills.operate' },
      schema: { tags: ['drills'], summary: 'Look for the drill sign-in in the beta sign-in logs now and capture it as evidence', params: IdParam, response: { 200: VerifyResultSchema, ...errors } },
    },
    async (req) => {
      const drill = await getDrill(db(), req.params.id, now());
      const account = await requireAccount(db(), drill.accountId);
      const monitor = new SignInMonitor({ audit: runtime.audit, clock: runtime.clock, directory: requireDirectory(runtime), settings: runtime.config.drills });
      const decision = await monitor.verifyWindow({ id: account.id, userId: account.userId }, { start: drill.window.start, end: drill.window.end, drillId: drill.id });
      return { ...verdictOf(decision), drill: await getDrill(db(), drill.id, now()) };
    },
  );

  app.post(
    '/:id/cancel',
    {
      config: { access: 'drills.operate' },
      schema: { tags: ['drills'], summary: 'Withdraw an announced window before it starts', params: IdParam, body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false }), response: { 200: DrillSchema, ...errors } },
    },
    async (req) => cancelDrill({ audit: runtime.audit }, { id: req.params.id, reason: req.body.reason, actor: actor(req) }),
  );

  app.post(
    '/:id/close',
    {
      config: { access: 'drills.operate', stepUp: true },
      schema: { tags: ['drills'], summary: 'Record the custody checklist and close the drill as passed or failed', params: IdParam, body: CloseDrillBody, response: { 200: DrillSchema, ...errors } },
    },
    async (req) => closeDrill({ audit: runtime.audit }, { id: req.params.id, result: req.body.result, checklist: req.body.checklist, actor: actor(req), ...(req.body.notes ? { notes: req.body.notes } : {}) }),
  );
};
