// /api/incidents and /api/alerts: uses of emergency accounts outside drill windows (and method changes on them), the
// post-mortem classification officers give each, and the alerts raised with the state of every channel's delivery.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { classifyIncident, getIncident, listIncidents } from '../monitoring/incidents.ts';
import { listAlerts } from '../notify/alert-list.ts';
import { AlertSchema, ClassifyBody, IdParam, IncidentSchema } from './drill-schemas.ts';
import { ProblemSchema } from './problem.ts';

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema };

export const incidentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { runtime } = app;
  const db = () => runtime.database.db;

  app.get(
    '/',
    {
      config: { access: 'accounts.read' },
      schema: {
        tags: ['incidents'], summary: 'Incidents, newest first',
        querystring: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('classified')])) }, { additionalProperties: false }),
        response: { 200: Type.Object({ incidents: Type.Array(IncidentSchema) }), ...errors },
      },
    },
    async (req) => ({ incidents: await listIncidents(db(), req.query.status ? { status: req.query.status } : {}) }),
  );

  app.get(
    '/:id',
    { config: { access: 'accounts.read' }, schema: { tags: ['incidents'], summary: 'One incident', params: IdParam, response: { 200: IncidentSchema, ...errors } } },
    async (req) => getIncident(db(), req.params.id),
  );

  app.post(
    '/:id/classify',
    {
      config: { access: 'incidents.classify' },
      schema: { tags: ['incidents'], summary: 'Classify an incident as drill, emergency or misuse (authorized_change for a method change), with notes', params: IdParam, body: ClassifyBody, response: { 200: IncidentSchema, ...errors } },
    },
    async (req) => classifyIncident({ audit: runtime.audit }, { id: req.params.id, classification: req.body.classification, notes: req.body.notes, actor: `officer:${req.officerSession!.officer.id}` }),
  );
};

export const alertRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { runtime } = app;
  app.get(
    '/',
    {
      config: { access: 'accounts.read' },
      schema: {
        tags: ['incidents'], summary: 'Recent alerts and their delivery on each channel',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ alerts: Type.Array(AlertSchema) }), ...errors },
      },
    },
    async (req) => ({ alerts: await listAlerts(runtime.database.db, { limit: req.query.limit ?? 50 }) }),
  );
};
