// Routes of the simulated sign-in (outside Graph's URL space, like the other /_simulator routes): the sign-in page
// and its script, the passkey sign-in ceremony (options → assertion → verify, which writes the sign-in record), and
// a way to register a browser-held credential for an account as if the user had added it at the security-info page
// (the simulator has no such page; tests and demos with a browser authenticator use this).
import { createPublicKey } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ODATA_TYPE, type GraphFido2Method } from '../../graph/graph-types.ts';
import { encodeCbor } from '../../../hardware/cbor.ts';
import { CoseAlg, coseKeyFromKeyObject, encodeCoseEc2Key } from '../../../hardware/cose-key.ts';
import { recordDirectoryAudit } from '../directory-audit-writer.ts';
import { badRequest, GraphHttpError, notFound } from '../graph-http-error.ts';
import { completeSignIn, signInOptions, type SignInAttempt } from '../sign-in-service.ts';
import { SIGN_IN_PAGE_CSS, SIGN_IN_PAGE_HTML, SIGN_IN_PAGE_JS } from '../sign-in-page.ts';
import type { TenantState } from '../tenant-state.ts';

const OptionsBody = Type.Object({ user: Type.String({ minLength: 1, maxLength: 256 }), page: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
const VerifyBody = Type.Object({
  user: Type.String({ minLength: 1, maxLength: 256 }),
  response: Type.Object({}, { additionalProperties: true }),
  page: Type.Optional(Type.Boolean()),
  appId: Type.Optional(Type.String()),
  appDisplayName: Type.Optional(Type.String()),
  ipAddress: Type.Optional(Type.String()),
}, { additionalProperties: false });
const PasskeyBody = Type.Object({
  user: Type.String({ minLength: 1 }),
  credentialId: Type.String({ minLength: 16, maxLength: 1024, pattern: '^[A-Za-z0-9_-]+$' }),
  publicKeyPem: Type.String({ minLength: 40, maxLength: 2000 }),
  displayName: Type.Optional(Type.String({ maxLength: 200 })),
  aaguid: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F-]{36}$' })),
  /** The relying party the browser holds the credential for (default localhost, the browser-facing site's host). */
  rpId: Type.Optional(Type.String({ minLength: 1, maxLength: 253, pattern: '^[a-z0-9.-]+$' })),
}, { additionalProperties: false });

/** The page's own origin as the browser sees it (scheme from the socket, host from the Host header). */
function pageOrigin(request: FastifyRequest): string {
  const encrypted = Boolean((request.raw.socket as { encrypted?: boolean }).encrypted);
  return `${encrypted ? 'https' : 'http'}://${request.headers.host ?? 'localhost'}`;
}

export interface SignInRouteOptions {
  /** Also serve POST /_simulator/passkeys (the Graph endpoint's admin surface only; never on the browser-facing site). */
  credentialRegistration?: boolean;
  /** Called after a request changed the tenant state, on sites that persist explicitly. */
  onMutation?: () => void;
}

/**
 * Registers the sign-in page and ceremony on a simulator site: the Graph endpoint (CTAP clients such as `sim signin`)
 * and the security-info site on http://localhost, where browsers can run WebAuthn (no certificate errors, a host name
 * as RP ID).
 */
export function registerSignInRoutes(app: FastifyInstance, ctx: { state: TenantState }, options: SignInRouteOptions = {}): void {
  const { state } = ctx;
  const changed = () => options.onMutation?.();
  app.get('/_simulator/sign-in', async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(SIGN_IN_PAGE_HTML));
  app.get('/_simulator/sign-in.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(SIGN_IN_PAGE_JS));
  app.get('/_simulator/sign-in.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(SIGN_IN_PAGE_CSS));

  app.post('/_simulator/sign-in/options', { schema: { body: OptionsBody } }, async (request) => {
    const body = request.body as { user: string; page?: boolean };
    return signInOptions(state, body.user, body.page ? { origin: pageOrigin(request) } : undefined);
  });

  app.post('/_simulator/sign-in/verify', { schema: { body: VerifyBody } }, async (request) => {
    const body = request.body as SignInAttempt & { page?: boolean };
    const outcome = await completeSignIn(state, body);
    changed();
    return { ok: outcome.ok, ...(outcome.reason ? { reason: outcome.reason } : {}), signIn: outcome.signIn };
  });

  if (!options.credentialRegistration) return;
  app.post('/_simulator/passkeys', { schema: { body: PasskeyBody } }, async (request, reply) => {
    const body = request.body as { user: string; credentialId: string; publicKeyPem: string; displayName?: string; aaguid?: string; rpId?: string };
    const user = state.findUser(body.user);
    if (!user) throw notFound(body.user);
    let cose: Uint8Array;
    try {
      cose = encodeCbor(encodeCoseEc2Key(coseKeyFromKeyObject(createPublicKey(body.publicKeyPem), CoseAlg.ES256)));
    } catch {
      throw badRequest('publicKeyPem must be a P-256 public key in SPKI PEM form.');
    }
    const methods = state.methodsOf(user.id);
    if (methods.some((m) => m.kind === 'fido2' && m.credential?.id === body.credentialId)) throw new GraphHttpError(409, 'conflict', 'This credential is already registered for the user.');
    const aaguid = (body.aaguid ?? '00000000-0000-0000-0000-000000000000').toLowerCase();
    const method: GraphFido2Method = {
      '@odata.type': ODATA_TYPE.fido2,
      id: Buffer.from(body.credentialId, 'base64url').toString('base64url').slice(0, 43),
      displayName: body.displayName ?? 'Security key',
      createdDateTime: state.clock.now().toISOString(),
      aaGuid: aaguid,
      model: state.modelFor(aaguid) ?? null,
      attestationCertificates: [],
      attestationLevel: 'notAttested',
      passkeyType: 'deviceBound',
    };
    let handle = state.userHandles.get(user.id.toLowerCase());
    if (!handle) {
      handle = Buffer.from(user.id).toString('base64url');
      state.userHandles.set(user.id.toLowerCase(), handle);
    }
    methods.push({ kind: 'fido2', graph: method, credential: { id: body.credentialId, publicKey: cose, counter: 0, transports: ['usb'], userHandle: handle, rpId: body.rpId ?? 'localhost' } });
    recordDirectoryAudit(state, {
      activityDisplayName: 'User registered security info', resultReason: 'User registered Passkey (device-bound) method', operationType: 'Add', user, target: user,
      additionalDetails: [{ key: 'AAGUID', value: aaguid }],
    });
    changed();
    return reply.code(201).send(method);
  });
}
