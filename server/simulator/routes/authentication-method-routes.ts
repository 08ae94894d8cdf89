// A user's authentication methods: the polymorphic list, Temporary Access Pass methods (create, list, get, delete)
// and FIDO2/passkey methods (list, get, delete, creationOptions v1.0 and beta, and the creation POST). The rules are
// in tap-service.ts and passkey-service.ts; this file only speaks HTTP.
import type { FastifyInstance } from 'fastify';
import { ODATA_TYPE } from '../../graph/graph-types.ts';
import { badRequest, notFound } from '../graph-http-error.ts';
import { page } from '../odata-collection.ts';
import { assertPasskeyBody, creationOptions, deletePasskey, listPasskeys, registerPasskey } from '../passkey-service.ts';
import type { SimContext } from '../simulator-app.ts';
import { assertTapBody, createTap, deleteTap, getTap, listTaps, tapView } from '../tap-service.ts';
import { actorOf, PERMISSIONS, query, rawPath, requirePermission, VERSIONS, type Version } from './route-helpers.ts';

type UserParams = { Params: { id: string } };
type MethodParams = { Params: { id: string; methodId: string } };

export function registerAuthenticationMethodRoutes(app: FastifyInstance, ctx: SimContext): void {
  const { state } = ctx;
  for (const v of VERSIONS) {
    const version: Version = v;
    const base = `/${v}/users/:id/authentication`;

    app.get<UserParams>(`${base}/methods`, async (request) => {
      requirePermission(request, PERMISSIONS.methodsRead);
      const user = state.findUser(request.params.id);
      if (!user) throw notFound(request.params.id);
      const items = state.methodsOf(user.id).map((m) => {
        if (m.kind === 'tap') return tapView(state, user.id, m) as unknown as Record<string, unknown>;
        if (m.kind === 'fido2') return { '@odata.type': ODATA_TYPE.fido2, ...m.graph } as Record<string, unknown>;
        return m.graph;
      });
      return page(items, { version, path: rawPath(request), query: query(request), defaultTop: 100, maxTop: 100 }, `users('${user.id}')/authentication/methods`);
    });

    // ---- Temporary Access Pass
    app.post<UserParams>(`${base}/temporaryAccessPassMethods`, async (request, reply) => {
      requirePermission(request, PERMISSIONS.tapWrite);
      const created = createTap(state, request.params.id, assertTapBody(request.body), actorOf(request));
      // The only response that ever carries the pass text; nothing here logs bodies.
      return reply.code(201).send({ '@odata.context': `https://graph.microsoft.com/${version}/$metadata#users('${request.params.id}')/authentication/temporaryAccessPassMethods/$entity`, ...created });
    });
    app.get<UserParams>(`${base}/temporaryAccessPassMethods`, async (request) => {
      requirePermission(request, PERMISSIONS.tapRead);
      return page(listTaps(state, request.params.id), { version, path: rawPath(request), query: query(request), defaultTop: 100, maxTop: 100 }, 'temporaryAccessPassMethods');
    });
    app.get<MethodParams>(`${base}/temporaryAccessPassMethods/:methodId`, async (request) => {
      requirePermission(request, PERMISSIONS.tapRead);
      return getTap(state, request.params.id, request.params.methodId);
    });
    app.delete<MethodParams>(`${base}/temporaryAccessPassMethods/:methodId`, async (request, reply) => {
      requirePermission(request, PERMISSIONS.tapWrite);
      deleteTap(state, request.params.id, request.params.methodId, actorOf(request));
      return reply.code(204).send();
    });

    // ---- FIDO2 / passkeys
    app.get<UserParams>(`${base}/fido2Methods`, async (request) => {
      requirePermission(request, PERMISSIONS.passkeyRead);
      return page(listPasskeys(state, request.params.id), { version, path: rawPath(request), query: query(request), defaultTop: 100, maxTop: 100 }, 'fido2Methods');
    });
    app.get<MethodParams>(`${base}/fido2Methods/:methodId`, async (request) => {
      const { methodId } = request.params;
      // `creationOptions` is a bound function; beta takes `creationOptions(challengeTimeoutInMinutes=N)` (graph.md §2.2),
      // and some clients pass it as a query parameter instead.
      const fn = /^creationOptions(?:\((.*)\))?$/i.exec(methodId);
      if (fn) {
        requirePermission(request, PERMISSIONS.passkeyWrite);
        let minutes: number | undefined;
        const arg = fn[1] ?? (version === 'beta' ? query(request).challengeTimeoutInMinutes : undefined);
        if (arg !== undefined && arg !== '') {
          const m = /^(?:challengeTimeoutInMinutes=)?(\d+)$/i.exec(arg);
          if (!m) throw badRequest(`Invalid function parameter '${arg}'.`);
          minutes = Number(m[1]);
        }
        return creationOptions(state, request.params.id, version, minutes);
      }
      requirePermission(request, PERMISSIONS.passkeyRead);
      const found = listPasskeys(state, request.params.id).find((m) => m.id === methodId);
      if (!found) throw notFound(methodId);
      return found;
    });
    app.delete<MethodParams>(`${base}/fido2Methods/:methodId`, async (request, reply) => {
      requirePermission(request, PERMISSIONS.passkeyWrite);
      deletePasskey(state, request.params.id, request.params.methodId, actorOf(request));
      return reply.code(204).send();
    });
    app.post<UserParams>(`${base}/fido2Methods`, async (request, reply) => {
      requirePermission(request, PERMISSIONS.passkeyWrite);
      const method = await registerPasskey(state, request.params.id, assertPasskeyBody(request.body), actorOf(request));
      return reply.code(201).send(method);
    });
  }
}
