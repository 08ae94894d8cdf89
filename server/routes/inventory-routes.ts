// /api/inventory: the emergency accounts' keys (model, AAGUID, serial, Entra method and credential ids, safe and
// seal), their custodians, and drift against Entra. Everyone signed in may read; officers and admins record custody,
// custodians, lost keys and adoptions; retiring an account needs a passkey step-up.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { retireEmergencyAccount } from '../accounts/account-retirement.ts';
import { addCustodian, removeCustodian } from '../accounts/custodians.ts';
import { listAccounts, requireAccount } from '../accounts/emergency-accounts.ts';
import { accountDetail, inventorySummary } from '../accounts/inventory-view.ts';
import { adoptKey, reportKeyLost, updateCustody } from '../accounts/key-inventory.ts';
import { reconcileAccounts } from '../accounts/reconcile.ts';
import { sharedEnrollment } from '../enrollment/enrollment-wiring.ts';
import { requireDirectory } from '../runtime.ts';
import { ProblemSchema } from './problem.ts';
import { AccountDetailSchema, AccountSchema, CustodianSchema, IdParams, InventorySummarySchema, KeySchema, Reason, ReconcileSchema, Text } from './enrollment-schemas.ts';

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 502: ProblemSchema, 503: ProblemSchema };

export const inventoryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { runtime } = app;
  const db = () => runtime.database.db;
  const actor = (req: { officerSession: { officer: { id: string } } | null }) => `officer:${req.officerSession!.officer.id}`;
  const enrollment = () => sharedEnrollment(runtime, app.log.child({ component: 'enrollment' }));

  app.get(
    '/',
    {
      config: { access: 'accounts.read' },
      schema: { tags: ['inventory'], summary: 'Every active emergency account with its key count, custodians, open enrollment and last reconcile', response: { 200: Type.Object({ accounts: Type.Array(InventorySummarySchema), tenant: Type.Union([Type.Object({ kind: Type.String(), label: Type.String() }), Type.Null()]) }), ...errors } },
    },
    async () => {
      const tenant = runtime.directory ? { kind: runtime.directory.mode.kind, label: runtime.directory.mode.label } : null;
      const accounts = await listAccounts(db(), { status: 'active', ...(runtime.directory ? { tenantId: runtime.directory.mode.tenantId } : {}) });
      return { tenant, accounts: await Promise.all(accounts.map((a) => inventorySummary(db(), a))) };
    },
  );

  app.get(
    '/accounts/:id',
    {
      config: { access: 'accounts.read' },
      schema: {
        tags: ['inventory'], summary: 'One account: keys with custody, custodians, open enrollment, last reconcile', params: IdParams,
        querystring: Type.Object({ allKeys: Type.Optional(Type.Boolean()) }), response: { 200: AccountDetailSchema, ...errors },
      },
    },
    async (req) => accountDetail(db(), await requireAccount(db(), req.params.id), { includeInactive: req.query.allKeys === true }),
  );

  app.post(
    '/accounts/:id/reconcile',
    {
      config: { access: 'accounts.operate' },
      schema: { tags: ['inventory'], summary: 'Compare the account\'s inventory with Entra now', params: IdParams, response: { 200: ReconcileSchema, ...errors } },
    },
    async (req) => {
      await requireAccount(db(), req.params.id);
      const { hooks } = await enrollment();
      const [r] = await reconcileAccounts({ audit: runtime.audit, directory: requireDirectory(runtime), hooks }, { account: req.params.id, actor: actor(req) });
      return r!;
    },
  );

  app.post(
    '/accounts/:id/custodians',
    {
      config: { access: 'accounts.operate' },
      schema: {
        tags: ['inventory'], summary: 'Add a custodian', params: IdParams,
        body: Type.Object({ name: Text(120, { minLength: 1 }), contact: Type.Optional(Text(200)), role: Type.Optional(Text(80)) }, { additionalProperties: false }),
        response: { 200: CustodianSchema, ...errors },
      },
    },
    async (req) => addCustodian({ audit: runtime.audit }, { account: req.params.id, name: req.body.name, actor: actor(req), ...(req.body.contact ? { contact: req.body.contact } : {}), ...(req.body.role ? { role: req.body.role } : {}) }),
  );

  app.post(
    '/custodians/:id/remove',
    {
      config: { access: 'accounts.operate' },
      schema: {
        tags: ['inventory'], summary: 'Remove a custodian (restarts the account\'s drill clock)', params: IdParams, body: Type.Object({ reason: Reason }, { additionalProperties: false }),
        response: { 200: Type.Object({ custodian: CustodianSchema, drillDueAt: Type.String() }), ...errors },
      },
    },
    async (req) => removeCustodian({ audit: runtime.audit, hooks: (await enrollment()).hooks }, { custodian: req.params.id, reason: req.body.reason, actor: actor(req) }),
  );

  app.post(
    '/accounts/:id/keys',
    {
      config: { access: 'accounts.operate' },
      schema: {
        tags: ['inventory'], summary: 'Adopt a key Entra already has for the account into the inventory', params: IdParams,
        body: Type.Object({ methodId: Type.String({ minLength: 1, maxLength: 200 }), location: Type.Optional(Text(200)), sealNumber: Type.Optional(Text(200)), serial: Type.Optional(Text(200)) }, { additionalProperties: false }),
        response: { 200: KeySchema, ...errors },
      },
    },
    async (req) => {
      const b = req.body;
      return adoptKey({ audit: runtime.audit, directory: requireDirectory(runtime) }, {
        account: req.params.id, methodId: b.methodId, actor: actor(req),
        ...(b.location ? { location: b.location } : {}), ...(b.sealNumber ? { sealNumber: b.sealNumber } : {}), ...(b.serial ? { serial: b.serial } : {}),
      });
    },
  );

  app.patch(
    '/keys/:id',
    {
      config: { access: 'accounts.operate' },
      schema: {
        tags: ['inventory'], summary: 'Record where a key is kept now (location, seal number)', params: IdParams,
        body: Type.Object({ location: Type.Optional(Text(200)), sealNumber: Type.Optional(Text(200)), reason: Reason }, { additionalProperties: false }),
        response: { 200: KeySchema, ...errors },
      },
    },
    async (req) => updateCustody({ audit: runtime.audit }, {
      key: req.params.id, reason: req.body.reason, actor: actor(req),
      ...(req.body.location !== undefined ? { location: req.body.location } : {}), ...(req.body.sealNumber !== undefined ? { sealNumber: req.body.sealNumber } : {}),
    }),
  );

  app.post(
    '/keys/:id/lost',
    {
      config: { access: 'accounts.operate' },
      schema: { tags: ['inventory'], summary: 'Report a key lost (replace it to revoke it in Entra)', params: IdParams, body: Type.Object({ reason: Reason }, { additionalProperties: false }), response: { 200: KeySchema, ...errors } },
    },
    async (req) => reportKeyLost({ audit: runtime.audit }, { key: req.params.id, reason: req.body.reason, actor: actor(req) }),
  );

  app.post(
    '/accounts/:id/retire',
    {
      config: { access: 'accounts.operate', stepUp: true },
      schema: {
        tags: ['inventory'], summary: 'Retire an emergency account (cancels its open enrollment, retires its keys; step-up)', params: IdParams,
        body: Type.Object({ reason: Reason }, { additionalProperties: false }),
        response: { 200: Type.Object({ account: AccountSchema, cancelledRequests: Type.Array(Type.String()), stillRegisteredInEntra: Type.Array(Type.Object({ keyId: Type.String(), graphMethodId: Type.String(), displayName: Type.String() })) }), ...errors },
      },
    },
    async (req) => retireEmergencyAccount({ audit: runtime.audit, enrollment: (await enrollment()).service }, { account: req.params.id, reason: req.body.reason, actor: actor(req) }),
  );
};
