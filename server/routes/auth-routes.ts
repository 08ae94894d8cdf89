// /api/auth: service status for the front end, first-admin bootstrap, invite acceptance, passkey sign-in, step-up,
// the current session and sign-out. Ceremony routes are rate-limited per client address and their failures audited.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { authRateLimit, clearSessionCookie, setSessionCookie } from '../auth/auth-plugin.ts';
import type { AuthService, SessionContext } from '../auth/auth-service.ts';
import * as E from '../auth/auth-errors.ts';
import { permissionsOf } from '../auth/roles.ts';
import type { Runtime } from '../runtime.ts';
import { AuthenticationResponse, AuthenticationStart, CeremonyId, DisplayName, Ok, PasskeyName, RegistrationResponse, RegistrationStart, RoleSchema, SessionSchema, Username, type SessionBody } from './auth-schemas.ts';
import { ProblemSchema } from './problem.ts';

export function sessionBody(auth: AuthService, s: SessionContext, runtime: Runtime): SessionBody {
  return {
    officer: s.officer,
    permissions: permissionsOf(s.officer.role),
    csrfToken: auth.csrfToken(s),
    createdAt: s.createdAt,
    expiresAt: s.expiresAt,
    idleExpiresAt: s.idleExpiresAt,
    stepUpValidUntil: auth.stepUpValidUntil(s.stepUpAt),
    passkeyId: s.passkeyId,
    tenant: directoryMode(runtime),
  };
}

/** The directory in use (server/graph/directory.ts DirectoryMode), or null when this process opened none. */
export function directoryMode(runtime: Runtime): { kind: 'simulated' | 'graph'; label: string; tenantId: string } | null {
  const mode = runtime.directory?.mode;
  return mode ? { kind: mode.kind, label: mode.label, tenantId: mode.tenantId } : null;
}

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 410: ProblemSchema, 415: ProblemSchema, 429: ProblemSchema };

const Status = Type.Object({
  bootstrapRequired: Type.Boolean({ description: 'No officer exists yet: the first admin sets up with the bootstrap code' }),
  signedIn: Type.Boolean(),
  origin: Type.String({ description: 'The address passkeys are bound to; open breakglass there' }),
  rpId: Type.String(),
  tenant: Type.Union([Type.Object({ kind: Type.Union([Type.Literal('simulated'), Type.Literal('graph')]) }), Type.Null()], {
    description: 'Whether a simulated or a real tenant is in use (details after sign-in)',
  }),
});

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { auth } = app;
  const limit = authRateLimit(auth.settings);

  async function startSession(reply: FastifyReply, sessionId: string): Promise<SessionBody> {
    setSessionCookie(reply, auth.settings, sessionId);
    const found = await auth.lookupSession(sessionId);
    if (!found || !('session' in found)) throw E.unauthenticated();
    return sessionBody(auth, found.session, app.runtime);
  }

  app.get(
    '/status',
    { config: { access: 'public' }, schema: { tags: ['auth'], summary: 'What the front end needs before sign-in', response: { 200: Status } } },
    async (req) => {
      const mode = directoryMode(app.runtime);
      return { bootstrapRequired: await auth.bootstrapRequired(), signedIn: req.officerSession !== null, origin: auth.rp.origin, rpId: auth.rp.rpId, tenant: mode ? { kind: mode.kind } : null };
    },
  );

  app.post(
    '/bootstrap/options',
    {
      config: { access: 'public', rateLimit: limit, failureAction: 'auth.bootstrap_failed' },
      schema: {
        tags: ['auth'],
        summary: 'First admin: check the bootstrap code and get passkey registration options',
        body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }), username: Username, displayName: DisplayName }),
        response: { 200: RegistrationStart, ...errors },
      },
    },
    async (req) => auth.bootstrapOptions(req.body),
  );

  app.post(
    '/bootstrap/verify',
    {
      config: { access: 'public', rateLimit: limit, failureAction: 'auth.bootstrap_failed' },
      schema: {
        tags: ['auth'],
        summary: 'First admin: register the passkey, create the admin and sign in',
        body: Type.Object({ ceremonyId: CeremonyId, response: RegistrationResponse, passkeyName: PasskeyName }),
        response: { 200: SessionSchema, ...errors },
      },
    },
    async (req, reply) => {
      const { sessionId } = await auth.bootstrapVerify(req.body as Parameters<AuthService['bootstrapVerify']>[0], req.ip);
      return startSession(reply, sessionId);
    },
  );

  const InviteToken = Type.String({ minLength: 20, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'The token from the invite link (after #)' });

  app.post(
    '/invite/inspect',
    {
      config: { access: 'public', rateLimit: limit, failureAction: 'auth.invite_failed' },
      schema: {
        tags: ['auth'],
        summary: 'What an invite is for (the token travels in the body, never in a URL the server sees)',
        body: Type.Object({ token: InviteToken }),
        response: { 200: Type.Object({ displayName: Type.String(), role: RoleSchema, expiresAt: Type.String(), invitedBy: Type.String() }), ...errors },
      },
    },
    async (req) => auth.inspectInvite(req.body.token),
  );

  app.post(
    '/invite/options',
    {
      config: { access: 'public', rateLimit: limit, failureAction: 'auth.invite_failed' },
      schema: {
        tags: ['auth'],
        summary: 'Invitee: choose a username and get passkey registration options',
        body: Type.Object({ token: InviteToken, username: Username, displayName: DisplayName }),
        response: { 200: RegistrationStart, ...errors },
      },
    },
    async (req) => auth.inviteOptions(req.body),
  );

  app.post(
    '/invite/verify',
    {
      config: { access: 'public', rateLimit: limit, failureAction: 'auth.invite_failed' },
      schema: {
        tags: ['auth'],
        summary: 'Invitee: register the passkey, create the officer and sign in',
        body: Type.Object({ ceremonyId: CeremonyId, response: RegistrationResponse, passkeyName: PasskeyName }),
        response: { 200: SessionSchema, ...errors },
      },
    },
    async (req, reply) => {
      const { sessionId } = await auth.inviteVerify(req.body as Parameters<AuthService['inviteVerify']>[0], req.ip);
      return startSession(reply, sessionId);
    },
  );

  app.post(
    '/sign-in/options',
    {
      config: { access: 'public', rateLimit: limit, failureAction: 'auth.sign_in_failed' },
      schema: { tags: ['auth'], summary: 'Start a passkey sign-in (discoverable credentials, user verification required)', response: { 200: AuthenticationStart, ...errors } },
    },
    async () => auth.signInOptions(),
  );

  app.post(
    '/sign-in/verify',
    {
      config: { access: 'public', rateLimit: limit, failureAction: 'auth.sign_in_failed' },
      schema: {
        tags: ['auth'],
        summary: 'Finish a passkey sign-in; sets the session cookie',
        body: Type.Object({ ceremonyId: CeremonyId, response: AuthenticationResponse }),
        response: { 200: SessionSchema, ...errors },
      },
    },
    async (req, reply) => {
      const { sessionId } = await auth.signInVerify(req.body as Parameters<AuthService['signInVerify']>[0], req.ip);
      // A new sign-in replaces whatever session this browser had (no fixation, no orphan).
      if (req.officerSession) await auth.signOut(req.officerSession);
      return startSession(reply, sessionId);
    },
  );

  app.get(
    '/session',
    { config: { access: 'session' }, schema: { tags: ['auth'], summary: 'The current session, its CSRF token and timeouts', response: { 200: SessionSchema, 401: ProblemSchema } } },
    async (req) => sessionBody(auth, req.officerSession!, app.runtime),
  );

  app.post(
    '/sign-out',
    { config: { access: 'session' }, schema: { tags: ['auth'], summary: 'End this session', response: { 200: Ok, 401: ProblemSchema, 403: ProblemSchema } } },
    async (req, reply) => {
      await auth.signOut(req.officerSession!);
      clearSessionCookie(reply, auth.settings);
      return { ok: true as const };
    },
  );

  app.post(
    '/step-up/options',
    {
      config: { access: 'session', rateLimit: limit, failureAction: 'auth.step_up_failed' },
      schema: { tags: ['auth'], summary: 'Start a step-up: a passkey assertion for sensitive actions', response: { 200: AuthenticationStart, ...errors } },
    },
    async (req) => auth.stepUpOptions(req.officerSession!),
  );

  app.post(
    '/step-up/verify',
    {
      config: { access: 'session', rateLimit: limit, failureAction: 'auth.step_up_failed' },
      schema: {
        tags: ['auth'],
        summary: 'Finish a step-up',
        body: Type.Object({ ceremonyId: CeremonyId, response: AuthenticationResponse }),
        response: { 200: Type.Object({ stepUpValidUntil: Type.String() }), ...errors },
      },
    },
    async (req) => {
      const { stepUpAt } = await auth.stepUpVerify(req.officerSession!, req.body as Parameters<AuthService['stepUpVerify']>[1]);
      return { stepUpValidUntil: auth.stepUpValidUntil(stepUpAt)! };
    },
  );
};
