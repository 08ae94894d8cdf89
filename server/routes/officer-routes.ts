// /api/me: an officer's own passkeys (several, named; never removing the last). /api/officers: admins list officers,
// change roles and status, and invite new officers with single-use, expiring links. Changes of role, status, invites
// and passkeys need a fresh passkey step-up where they could hand access to someone else.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { authRateLimit } from '../auth/auth-plugin.ts';
import type { AuthService } from '../auth/auth-service.ts';
import { CeremonyId, InviteSchema, OfficerSchema, OfficerSummarySchema, PasskeyName, PasskeySchema, DisplayName, RegistrationResponse, RegistrationStart, RoleSchema } from './auth-schemas.ts';
import { ProblemSchema } from './problem.ts';

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 429: ProblemSchema };
const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) });

export const meRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { auth } = app;

  app.get(
    '/passkeys',
    { config: { access: 'session' }, schema: { tags: ['me'], summary: 'My passkeys', response: { 200: Type.Object({ passkeys: Type.Array(PasskeySchema) }), 401: ProblemSchema } } },
    async (req) => ({ passkeys: await auth.listPasskeys(req.officerSession!.officer.id) }),
  );

  app.post(
    '/passkeys/options',
    {
      config: { access: 'session', stepUp: true, rateLimit: authRateLimit(auth.settings), failureAction: 'officer.passkey_add_failed' },
      schema: { tags: ['me'], summary: 'Start registering another passkey (step-up)', response: { 200: RegistrationStart, ...errors } },
    },
    async (req) => auth.addPasskeyOptions(req.officerSession!),
  );

  app.post(
    '/passkeys/verify',
    {
      config: { access: 'session', rateLimit: authRateLimit(auth.settings), failureAction: 'officer.passkey_add_failed' },
      schema: {
        tags: ['me'],
        summary: 'Finish registering another passkey',
        body: Type.Object({ ceremonyId: CeremonyId, response: RegistrationResponse, name: PasskeyName }),
        response: { 200: PasskeySchema, ...errors },
      },
    },
    async (req) => auth.addPasskeyVerify(req.officerSession!, req.body as Parameters<AuthService['addPasskeyVerify']>[1]),
  );

  app.patch(
    '/passkeys/:id',
    {
      config: { access: 'session' },
      schema: { tags: ['me'], summary: 'Rename one of my passkeys', params: IdParam, body: Type.Object({ name: PasskeyName }), response: { 200: PasskeySchema, ...errors } },
    },
    async (req) => auth.renamePasskey(req.officerSession!, req.params.id, req.body.name),
  );

  app.delete(
    '/passkeys/:id',
    {
      config: { access: 'session', stepUp: true },
      schema: {
        tags: ['me'],
        summary: 'Remove one of my passkeys (never the last; step-up); ends other sessions it signed in',
        params: IdParam,
        response: { 200: Type.Object({ sessionsEnded: Type.Integer() }), ...errors },
      },
    },
    async (req) => auth.removePasskey(req.officerSession!, req.params.id),
  );
};

export const officerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { auth } = app;

  app.get(
    '/',
    {
      config: { access: 'officers.manage' },
      schema: { tags: ['officers'], summary: 'All officers with their role, status and passkey count', response: { 200: Type.Object({ officers: Type.Array(OfficerSummarySchema) }), ...errors } },
    },
    async () => ({ officers: await auth.listOfficers() }),
  );

  app.patch(
    '/:id',
    {
      config: { access: 'officers.manage', stepUp: true },
      schema: {
        tags: ['officers'],
        summary: "Change an officer's role or status (step-up; never the last admin, never yourself)",
        params: IdParam,
        body: Type.Object({ role: Type.Optional(RoleSchema), status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])) }),
        response: { 200: OfficerSchema, ...errors },
      },
    },
    async (req) => auth.updateOfficer(req.officerSession!.officer, req.params.id, req.body),
  );

  app.get(
    '/invites',
    { config: { access: 'officers.manage' }, schema: { tags: ['officers'], summary: 'Invites, newest first', response: { 200: Type.Object({ invites: Type.Array(InviteSchema) }), ...errors } } },
    async () => ({ invites: await auth.listInvites() }),
  );

  app.post(
    '/invites',
    {
      config: { access: 'officers.manage', stepUp: true },
      schema: {
        tags: ['officers'],
        summary: 'Invite an officer (step-up). The link is shown once; only its hash is kept.',
        body: Type.Object({ displayName: DisplayName, role: RoleSchema, hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 336 })) }),
        response: {
          200: Type.Object({ invite: InviteSchema, link: Type.String({ description: 'Single-use link; the token is in the fragment so it never reaches a server log' }) }),
          ...errors,
        },
      },
    },
    async (req) => {
      const { invite, token } = await auth.createInvite(req.officerSession!.officer, req.body);
      return { invite, link: `${auth.rp.origin}/invite#${token}` };
    },
  );

  app.delete(
    '/invites/:id',
    {
      config: { access: 'officers.manage' },
      schema: { tags: ['officers'], summary: 'Revoke a pending invite', params: IdParam, response: { 200: InviteSchema, ...errors } },
    },
    async (req) => auth.revokeInvite(req.officerSession!.officer, req.params.id),
  );
};
