// The emergency accounts page: the accounts designated in breakglass (server/accounts), each with what the Directory
// (the simulated tenant by default, or real Microsoft Graph) says about it right now — enabled, cloud-only, its FIDO2
// keys and any Temporary Access Pass — read in one batched posture call. Every role may look; officers and admins
// designate accounts explicitly (by UPN or object id: never guessed from names).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { designateAccount, listAccounts } from '../accounts/emergency-accounts.ts';
import { accountFindings } from '../domain/account-findings.ts';
import { BreakglassError } from '../errors.ts';
import type { PostureSnapshot } from '../graph/directory.ts';
import { requireDirectory } from '../runtime.ts';
import { Text } from './enrollment-schemas.ts';
import { ProblemSchema } from './problem.ts';

const Tenant = Type.Object({ kind: Type.Union([Type.Literal('simulated'), Type.Literal('graph')]), label: Type.String(), tenantId: Type.String() });

const Key = Type.Object({
  id: Type.String(),
  displayName: Type.Union([Type.String(), Type.Null()]),
  aaguid: Type.Union([Type.String(), Type.Null()]),
  model: Type.Union([Type.String(), Type.Null()]),
  attestationLevel: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.Union([Type.String(), Type.Null()]),
});

const Account = Type.Object({
  id: Type.String(),
  upn: Type.String(),
  displayName: Type.String(),
  userId: Type.String(),
  drillIntervalDays: Type.Integer(),
  designatedAt: Type.String(),
  directory: Type.Union([
    Type.Object({
      found: Type.Boolean(),
      accountEnabled: Type.Union([Type.Boolean(), Type.Null()]),
      cloudOnly: Type.Union([Type.Boolean(), Type.Null()]),
      keys: Type.Array(Key),
      usableTemporaryAccessPasses: Type.Integer(),
      findings: Type.Array(Type.Object({ code: Type.String(), severity: Type.String(), message: Type.String() })),
    }),
    Type.Null(),
  ]),
});

const AccountsPage = Type.Object({
  tenant: Type.Union([Tenant, Type.Null()], { description: 'The directory in use; null when none is connected' }),
  accounts: Type.Array(Account),
  directoryError: Type.Union([Type.String(), Type.Null()], { description: 'Why live directory data is missing, if it is' }),
});


export const accountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { runtime } = app;

  app.get(
    '/',
    {
      config: { access: 'accounts.read' },
      schema: { tags: ['accounts'], summary: 'Designated emergency accounts with their live directory state', response: { 200: AccountsPage, 401: ProblemSchema, 403: ProblemSchema } },
    },
    async (req) => {
      const directory = runtime.directory;
      const tenant = directory ? { kind: directory.mode.kind, label: directory.mode.label, tenantId: directory.mode.tenantId } : null;
      const accounts = await listAccounts(runtime.database.db, { status: 'active', ...(tenant ? { tenantId: tenant.tenantId } : {}) });
      let posture: PostureSnapshot | undefined;
      let directoryError: string | null = directory ? null : 'No directory is connected to this service, so live state cannot be shown.';
      if (directory && accounts.length > 0) {
        try {
          posture = await directory.readPosture(accounts.map((a) => a.userId));
        } catch (err) {
          req.log.warn({ err }, 'reading the emergency accounts from the directory failed');
          directoryError = err instanceof BreakglassError && err.status < 500 ? err.message : `The directory did not answer (${(err as Error).name}); the list shows what breakglass has recorded.`;
        }
      }
      return {
        tenant,
        directoryError,
        accounts: accounts.map((a) => {
          const p = posture?.accounts.find((x) => x.userId === a.userId);
          return {
            id: a.id,
            upn: a.upn,
            displayName: a.displayName,
            userId: a.userId,
            drillIntervalDays: a.drillIntervalDays,
            designatedAt: a.designatedAt,
            directory: p
              ? {
                  found: p.user !== null,
                  accountEnabled: p.user?.accountEnabled ?? null,
                  cloudOnly: p.user ? p.user.onPremisesSyncEnabled !== true : null,
                  keys: p.fido2Methods.map((k) => ({ id: k.id, displayName: k.displayName ?? null, aaguid: k.aaGuid ?? null, model: k.model ?? null, attestationLevel: k.attestationLevel ?? null, createdAt: k.createdDateTime ?? null })),
                  usableTemporaryAccessPasses: p.temporaryAccessPasses.filter((t) => t.isUsable).length,
                  findings: p.user ? accountFindings(p.user) : [{ code: 'not_found', severity: 'problem', message: 'the user no longer exists in the directory' }],
                }
              : null,
          };
        }),
      };
    },
  );

  app.post(
    '/',
    {
      config: { access: 'accounts.operate' },
      schema: {
        tags: ['accounts'],
        summary: 'Designate a directory user as an emergency account (explicitly, by UPN or object id)',
        body: Type.Object({
          user: Type.String({ minLength: 3, maxLength: 256, description: 'UPN or Entra object id' }),
          drillIntervalDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 90 })),
          notes: Type.Optional(Text(500)),
        }),
        response: {
          200: Type.Object({ id: Type.String(), upn: Type.String(), displayName: Type.String(), findings: Type.Array(Type.Object({ code: Type.String(), severity: Type.String(), message: Type.String() })) }),
          400: ProblemSchema,
          401: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
          502: ProblemSchema,
          503: ProblemSchema,
        },
      },
    },
    async (req) => {
      const directory = requireDirectory(runtime);
      const { account, findings } = await designateAccount(
        { audit: runtime.audit, directory },
        { user: req.body.user.trim(), actor: `officer:${req.officerSession!.officer.id}`, ...(req.body.drillIntervalDays ? { drillIntervalDays: req.body.drillIntervalDays } : {}), ...(req.body.notes ? { notes: req.body.notes } : {}) },
      );
      return { id: account.id, upn: account.upn, displayName: account.displayName, findings };
    },
  );
};
