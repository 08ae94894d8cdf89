// /api/enrollments: the four-eyes enrollment of a key, in guided or direct mode. Officers request (with a pre-check
// of the key attached to this workstation), a different officer approves with a passkey step-up, and the requester
// runs it: issuing the TAP (step-up; the pass is in that one response, Cache-Control: no-store, never stored) and
// watching for the key, or registering it over USB with the key's PIN sent for that one call (step-up). Every
// response here is no-store. The service also watches open guided enrollments in the background.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { approvalRefusal, isTerminal, OPEN_STATES, runRefusal } from '../domain/enrollment-state.ts';
import { MICROSOFT_SECURITY_INFO_URL, type EnrollmentService } from '../enrollment/enrollment-service.ts';
import { officerNames } from '../auth/officer-names.ts';
import { listRequests, requireRequest } from '../enrollment/enrollment-requests.ts';
import { requireAccount } from '../accounts/emergency-accounts.ts';
import { EnrollmentWatcher, sharedEnrollment, type EnrollmentWiring } from '../enrollment/enrollment-wiring.ts';
import type { EnrollmentRequest } from '../enrollment/enrollment-requests.ts';
import { ProblemSchema } from './problem.ts';
import { AccountRef, IdParams, Uuid, IssuedTapSchema, Mode, Pin, PrecheckSchema, Reason, RequestSchema, RequestViewSchema, Text, WatchSchema } from './enrollment-schemas.ts';

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 502: ProblemSchema, 503: ProblemSchema };

export const enrollmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { runtime } = app;
  const enrollment = (): Promise<EnrollmentWiring> => sharedEnrollment(runtime, app.log.child({ component: 'enrollment' }));
  const service = async (): Promise<EnrollmentService> => (await enrollment()).service;
  const actor = (req: { officerSession: { officer: { id: string } } | null }) => `officer:${req.officerSession!.officer.id}`;

  let watcher: EnrollmentWatcher | undefined;
  app.addHook('onReady', async () => {
    if (!runtime.directory) return;
    const s = runtime.config.enrollment;
    if (s.watchIntervalSeconds === 0 && s.reconcileIntervalMinutes === 0) return;
    watcher = new EnrollmentWatcher(runtime, await enrollment(), app.log.child({ component: 'enrollment-watcher' }));
    watcher.start();
  });
  app.addHook('onClose', async () => {
    await watcher?.stop();
  });
  // Nothing here may be cached: one response carries a TAP, the others describe a moving process.
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('cache-control', 'no-store');
    reply.header('pragma', 'no-cache');
    return payload;
  });

  async function view(req: { officerSession: { officer: { id: string; role: string }; } | null }, r: EnrollmentRequest) {
    const me = actor(req);
    const steps = (await runtime.audit.entries({ limit: 200, subject: `enrollment:${r.id}` })).reverse().map((e) => ({ seq: e.seq, at: e.at, actor: e.actor, action: e.action }));
    return {
      request: r,
      you: {
        isRequester: r.requestedBy === me,
        isApprover: r.approvedBy === me,
        canApprove: r.state === 'requested' && !approvalRefusal(r, me),
        canRun: r.state === 'approved' && !runRefusal(r, me),
        canCancel: !isTerminal(r.state) && r.state !== 'key_registered',
      },
      officers: await officerNames(runtime.database.db, [r.requestedBy, r.approvedBy, r.closedBy, ...steps.map((s) => s.actor)]),
      steps,
      securityInfoUrl: runtime.directory?.mode.securityInfoUrl ?? MICROSOFT_SECURITY_INFO_URL,
    };
  }

  app.get(
    '/',
    {
      config: { access: 'accounts.read' },
      schema: {
        tags: ['enrollment'],
        summary: 'Enrollment requests, newest first',
        querystring: Type.Object({ account: Type.Optional(AccountRef), open: Type.Optional(Type.Boolean()) }),
        response: { 200: Type.Object({ requests: Type.Array(RequestSchema), officers: Type.Record(Type.String(), Type.String()) }), ...errors },
      },
    },
    async (req) => {
      const accountId = req.query.account ? (await requireAccount(runtime.database.db, req.query.account)).id : undefined;
      const requests = await listRequests(runtime.database.db, { ...(accountId ? { accountId } : {}), ...(req.query.open ? { states: [...OPEN_STATES] } : {}) });
      return { requests, officers: await officerNames(runtime.database.db, requests.flatMap((r) => [r.requestedBy, r.approvedBy])) };
    },
  );

  app.post(
    '/precheck',
    {
      config: { access: 'enrollment.request' },
      schema: {
        tags: ['enrollment'],
        summary: 'Pre-check the key attached to this workstation for an account (nothing is spent)',
        body: Type.Object({ account: AccountRef, mode: Mode }, { additionalProperties: false }),
        response: { 200: PrecheckSchema, ...errors },
      },
    },
    async (req) => (await service()).precheck({ account: req.body.account, mode: req.body.mode }),
  );

  app.post(
    '/',
    {
      config: { access: 'enrollment.request' },
      schema: {
        tags: ['enrollment'],
        summary: 'Request an enrollment (the key is pre-checked again); a different officer must approve it',
        body: Type.Object(
          {
            account: AccountRef,
            mode: Mode,
            reason: Reason,
            displayName: Type.Optional(Text(30)),
            location: Type.Optional(Text(200)),
            sealNumber: Type.Optional(Text(200)),
            replaceKey: Type.Optional(Uuid),
            acknowledgeUnknown: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ request: RequestSchema, precheck: PrecheckSchema }), ...errors },
      },
    },
    async (req) => {
      const b = req.body;
      return (await service()).request({
        account: b.account, mode: b.mode, reason: b.reason, actor: actor(req),
        ...(b.displayName ? { displayName: b.displayName } : {}), ...(b.location ? { location: b.location } : {}), ...(b.sealNumber ? { sealNumber: b.sealNumber } : {}),
        ...(b.replaceKey ? { replaceKey: b.replaceKey } : {}), ...(b.acknowledgeUnknown ? { acknowledgeUnknown: true } : {}),
      });
    },
  );

  app.get(
    '/:id',
    {
      config: { access: 'accounts.read' },
      schema: { tags: ['enrollment'], summary: 'One request: its state, what you may do next, and its audited steps', params: IdParams, response: { 200: RequestViewSchema, ...errors } },
    },
    async (req) => view(req, await requireRequest(runtime.database.db, req.params.id)),
  );

  app.post(
    '/:id/approve',
    {
      config: { access: 'enrollment.approve', stepUp: true },
      schema: { tags: ['enrollment'], summary: 'Approve another officer\'s request (passkey step-up)', params: IdParams, response: { 200: RequestViewSchema, ...errors } },
    },
    async (req) => {
      const s = req.officerSession!;
      const r = await (await service()).approve({ id: req.params.id, actor: actor(req), evidence: { method: 'passkey-step-up', via: 'web', stepUpAt: s.stepUpAt ?? s.createdAt, passkeyId: s.passkeyId } });
      return view(req, r);
    },
  );

  app.post(
    '/:id/reject',
    {
      config: { access: 'enrollment.approve' },
      schema: { tags: ['enrollment'], summary: 'Reject another officer\'s request', params: IdParams, body: Type.Object({ reason: Reason }, { additionalProperties: false }), response: { 200: RequestViewSchema, ...errors } },
    },
    async (req) => view(req, await (await service()).reject({ id: req.params.id, actor: actor(req), reason: req.body.reason })),
  );

  app.post(
    '/:id/cancel',
    {
      config: { access: 'enrollment.request' },
      schema: {
        tags: ['enrollment'],
        summary: 'Cancel a request that has not registered a key (deletes any TAP it issued)',
        params: IdParams,
        body: Type.Object({ reason: Reason }, { additionalProperties: false }),
        response: { 200: RequestViewSchema, ...errors },
      },
    },
    async (req) => view(req, await (await service()).cancel({ id: req.params.id, actor: actor(req), reason: req.body.reason })),
  );

  app.post(
    '/:id/tap',
    {
      config: { access: 'enrollment.request', stepUp: true },
      schema: {
        tags: ['enrollment'],
        summary: 'Guided mode: issue the one-time TAP (shortest lifetime the policy allows). The pass is in this response only.',
        params: IdParams,
        response: { 200: IssuedTapSchema, ...errors },
      },
    },
    async (req) => (await service()).issueTap({ id: req.params.id, actor: actor(req) }),
  );

  app.post(
    '/:id/watch',
    {
      config: { access: 'enrollment.request' },
      schema: { tags: ['enrollment'], summary: 'Guided mode: has the key appeared in Entra? (finishes the enrollment when it has)', params: IdParams, response: { 200: WatchSchema, ...errors } },
    },
    async (req) => (await service()).watch({ id: req.params.id }),
  );

  app.post(
    '/:id/register',
    {
      config: { access: 'enrollment.request', stepUp: true },
      schema: {
        tags: ['enrollment'],
        summary: 'Direct mode: register the key over USB on behalf of the account (PIN used for this one call)',
        params: IdParams,
        body: Type.Object({ pin: Type.Optional(Pin), newPin: Type.Optional(Pin) }, { additionalProperties: false }),
        response: { 200: RequestViewSchema, ...errors },
      },
    },
    async (req) => {
      const b = req.body;
      const r = await (await service()).registerDirect({ id: req.params.id, actor: actor(req), ...(b.pin !== undefined ? { pin: b.pin } : {}), ...(b.newPin !== undefined ? { newPin: b.newPin } : {}) });
      return view(req, r);
    },
  );

  app.post(
    '/:id/resume',
    {
      config: { access: 'enrollment.request' },
      schema: { tags: ['enrollment'], summary: 'Continue an interrupted enrollment (reads Entra back)', params: IdParams, response: { 200: WatchSchema, ...errors } },
    },
    async (req) => (await service()).resume({ id: req.params.id, actor: actor(req) }),
  );
};
