// The real Directory adapter: every call goes through @microsoft/microsoft-graph-client (our middleware chain from
// create-graph-client.ts) as a RAW request, so this class sees status, headers and body text itself and can turn each
// failure (HTTP error, dropped connection, credential failure, malformed JSON) into a typed GraphError. It pages
// @odata.nextLink, batches 20 requests per $batch, and sends TAP/passkey creation exactly once, resolving an unknown
// outcome by reading the user's methods back (graph.md §0.9, §1, §2, §6).
import { randomUUID } from 'node:crypto';
import { ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import type { Clock } from '../clock.ts';
import { InvalidInputError } from '../errors.ts';
import type {
  BatchRequest,
  BatchResponse,
  CreatePasskeyInput,
  CreateTapInput,
  CreationOptionsInput,
  Directory,
  DirectoryAuditQuery,
  DirectoryMode,
  GetUserOptions,
  LogRead,
  PostureAccount,
  PostureSnapshot,
  SendMailInput,
  SignInQuery,
} from './directory.ts';
import { mapGraphFailure, retryAfterMs } from './graph-error-mapper.ts';
import {
  GraphCredentialError,
  GraphError,
  type GraphErrorInfo,
  GraphMalformedResponseError,
  GraphNetworkError,
  GraphNotFoundError,
  GraphUnknownOutcomeError,
  isDefinitelyNotApplied,
} from './graph-errors.ts';
import {
  ODATA_TYPE,
  ROLE_TEMPLATE,
  type GraphAuthenticationMethod,
  type GraphConditionalAccessPolicy,
  type GraphDirectoryAudit,
  type GraphDirectoryRole,
  type GraphFido2Method,
  type GraphFido2Policy,
  type GraphGroup,
  type GraphRoleAssignment,
  type GraphSignIn,
  type GraphTapPolicy,
  type GraphTemporaryAccessPassMethod,
  type GraphUser,
  type GraphWebauthnCreationOptions,
  type IssuedTemporaryAccessPass,
} from './graph-types.ts';
import { odataString } from './odata-literal.ts';
import { RequestPolicy } from './request-policy.ts';
import type { Sleep } from './sliding-window-limiter.ts';

/** pino-compatible subset. Log objects never contain bodies. */
export interface GraphLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface GraphDirectoryOptions {
  client: Client;
  mode: DirectoryMode;
  clock: Clock;
  /** Sleep used between $batch item retries (the middleware has its own for whole requests). */
  sleep: Sleep;
  retry: { maxRetries: number; baseDelayMs: number; maxDelayMs: number };
  /** Count authenticationMethod calls against the reports throttle bucket (graph.md §4.1). */
  throttleAuthenticationMethods: boolean;
  /** Requests per window of that bucket (5): a $batch carries at most this many bucketed items, since Graph counts each. */
  reportsLimit?: number;
  /** Graph origin as graph-client sees it; nextLinks must stay on it. */
  graphOrigin: string;
  logger?: GraphLogger | undefined;
}

type Version = 'v1.0' | 'beta';

interface CallSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path below the version root (`/users/…`) or an absolute nextLink. */
  path: string;
  version?: Version;
  /** OData/query parameters; values are encoded here. */
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  retry: boolean;
  throttleUnits?: number;
  /** Human-readable operation for messages, e.g. `GET /users/{id}/authentication/fido2Methods`. */
  operation: string;
  permission: string;
}

interface RawResult {
  status: number;
  headers: Headers;
  text: string;
  clientRequestId: string;
}

const USER_SELECT = 'id,displayName,userPrincipalName,accountEnabled,onPremisesSyncEnabled,userType,mail,createdDateTime';
const BATCH_LIMIT = 20;
/** Values per `in (…)` clause; Graph documents 15 as the limit for directory objects. */
const IN_CLAUSE_LIMIT = 15;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The most records one log query may be asked to read. */
export const MAX_QUERY_RECORDS = 100_000;

/** One capped query of a log: what it read, and (when it stopped early) the instant after which it read everything. */
interface QueryRead<T> {
  items: T[];
  complete: boolean;
  coveredAfter?: string;
}

const P = {
  userRead: 'User.Read.All',
  signInActivity: 'User.Read.All and AuditLog.Read.All',
  roles: 'RoleManagement.Read.Directory',
  groups: 'GroupMember.Read.All',
  methodsRead: 'UserAuthenticationMethod.Read.All',
  tapWrite: 'UserAuthenticationMethod.ReadWrite.All (or UserAuthMethod-TAP.ReadWrite.All)',
  tapRead: 'UserAuthMethod-TAP.Read.All (or UserAuthenticationMethod.Read.All)',
  passkeyRead: 'UserAuthMethod-Passkey.Read.All (or UserAuthenticationMethod.Read.All)',
  passkeyWrite: 'UserAuthMethod-Passkey.ReadWrite.All (or UserAuthenticationMethod.ReadWrite.All)',
  policyRead: 'Policy.Read.AuthenticationMethod',
  auditRead: 'AuditLog.Read.All',
  caRead: 'Policy.Read.All',
  mail: 'Mail.Send (scoped to the sender mailbox)',
} as const;

export class GraphDirectory implements Directory {
  readonly mode: DirectoryMode;
  readonly #client: Client;
  readonly #o: GraphDirectoryOptions;
  /** Requests handed to graph-client (a $batch counts once); for logs and benchmarks. */
  readonly stats = { calls: 0 };

  constructor(options: GraphDirectoryOptions) {
    this.mode = options.mode;
    this.#client = options.client;
    this.#o = options;
  }

  // ---------------------------------------------------------------- users, roles, groups

  async getUser(idOrUpn: string, options: GetUserOptions = {}): Promise<GraphUser> {
    requireId(idOrUpn, 'user id or userPrincipalName');
    return this.#json<GraphUser>({
      method: 'GET',
      path: `/users/${seg(idOrUpn)}`,
      query: { $select: options.withSignInActivity ? `${USER_SELECT},signInActivity` : USER_SELECT },
      retry: true,
      throttleUnits: options.withSignInActivity ? 1 : 0,
      operation: `GET /users/${idOrUpn}`,
      permission: options.withSignInActivity ? P.signInActivity : P.userRead,
    });
  }

  listUserDirectoryRoles(userId: string): Promise<GraphDirectoryRole[]> {
    requireId(userId, 'user id');
    return this.#listAll<GraphDirectoryRole>({
      method: 'GET', path: `/users/${seg(userId)}/memberOf/microsoft.graph.directoryRole`, retry: true,
      operation: `GET /users/${userId}/memberOf/microsoft.graph.directoryRole`, permission: P.roles,
    });
  }

  listUserTransitiveGroups(userId: string): Promise<GraphGroup[]> {
    requireId(userId, 'user id');
    return this.#listAll<GraphGroup>({
      method: 'GET', path: `/users/${seg(userId)}/transitiveMemberOf/microsoft.graph.group`, retry: true,
      query: { $select: 'id,displayName,securityEnabled,isAssignableToRole' },
      operation: `GET /users/${userId}/transitiveMemberOf/microsoft.graph.group`, permission: P.groups,
    });
  }

  listRoleAssignments(roleDefinitionId: string): Promise<GraphRoleAssignment[]> {
    requireGuid(roleDefinitionId, 'role definition id');
    return this.#listAll<GraphRoleAssignment>({
      method: 'GET', path: '/roleManagement/directory/roleAssignments', retry: true,
      query: { $filter: `roleDefinitionId eq ${odataString(roleDefinitionId)}` },
      operation: 'GET /roleManagement/directory/roleAssignments', permission: P.roles,
    });
  }

  // ---------------------------------------------------------------- authentication methods

  listAuthenticationMethods(userId: string): Promise<GraphAuthenticationMethod[]> {
    requireId(userId, 'user id');
    return this.#listAll<GraphAuthenticationMethod>({
      method: 'GET', path: `/users/${seg(userId)}/authentication/methods`, retry: true, throttleUnits: this.#methodUnits(),
      operation: `GET /users/${userId}/authentication/methods`, permission: P.methodsRead,
    });
  }

  async createTemporaryAccessPass(userId: string, input: CreateTapInput): Promise<IssuedTemporaryAccessPass> {
    requireId(userId, 'user id');
    const body: Record<string, unknown> = {};
    if (input.lifetimeInMinutes !== undefined) {
      if (!Number.isInteger(input.lifetimeInMinutes) || input.lifetimeInMinutes < 10 || input.lifetimeInMinutes > 43_200) {
        throw new InvalidInputError('lifetimeInMinutes must be a whole number from 10 to 43200 (Graph limit; the tenant TAP policy narrows it)');
      }
      body.lifetimeInMinutes = input.lifetimeInMinutes;
    }
    if (input.isUsableOnce !== undefined) body.isUsableOnce = input.isUsableOnce;
    if (input.startDateTime !== undefined) body.startDateTime = requireInstant(input.startDateTime, 'startDateTime');
    const operation = `POST /users/${userId}/authentication/temporaryAccessPassMethods`;
    // One TAP per user: remembering the ids present before lets the read-back tell ours apart exactly.
    const before = new Set((await this.listTemporaryAccessPasses(userId)).map((m) => m.id));
    let raw: RawResult;
    try {
      raw = await this.#send({
        method: 'POST', path: `/users/${seg(userId)}/authentication/temporaryAccessPassMethods`, body, retry: false,
        throttleUnits: this.#methodUnits(), operation, permission: P.tapWrite,
      });
    } catch (err) {
      if (isDefinitelyNotApplied(err)) throw err;
      return this.#unknownTap(userId, before, operation, err);
    }
    if (raw.status === 201 || raw.status === 200) {
      const parsed = tryParse(raw.text);
      const method = parsed.ok ? (parsed.value as GraphTemporaryAccessPassMethod | null) : null;
      if (method && typeof method.id === 'string' && typeof method.temporaryAccessPass === 'string' && method.temporaryAccessPass.length > 0) {
        this.#o.logger?.info({ op: operation, methodId: method.id, requestId: raw.headers.get('request-id') ?? undefined }, 'temporary access pass created');
        return { method: { ...method, temporaryAccessPass: method.temporaryAccessPass } };
      }
      // Created, but the body is unusable: the pass text is lost. Report it as an unknown outcome resolved by reading back.
      return this.#unknownTap(userId, before, operation, this.#malformed(raw, operation, P.tapWrite));
    }
    const failure = mapGraphFailure({ status: raw.status, bodyText: raw.text, headers: raw.headers, operation, permission: P.tapWrite, clientRequestId: raw.clientRequestId });
    if (raw.status >= 500) return this.#unknownTap(userId, before, operation, failure);
    throw failure;
  }

  async #unknownTap(userId: string, before: Set<string>, operation: string, cause: unknown): Promise<never> {
    const info = infoOf(cause, operation);
    let after: GraphTemporaryAccessPassMethod[];
    try {
      after = await this.listTemporaryAccessPasses(userId);
    } catch (readErr) {
      this.#o.logger?.warn({ op: operation, code: (readErr as GraphError).code }, 'TAP creation outcome unknown; read-back failed');
      throw new GraphUnknownOutcomeError(
        `It is not known whether the Temporary Access Pass was created: the request failed (${reason(cause)}) and reading the user's passes back failed too. `
        + `Check the user's authentication methods before issuing another`,
        info, 'unknown', undefined, cause,
      );
    }
    const created = after.find((m) => !before.has(m.id));
    if (created) {
      this.#o.logger?.warn({ op: operation, methodId: created.id }, 'TAP was created but its value was lost in transit');
      throw new GraphUnknownOutcomeError(
        `The Temporary Access Pass was created (method ${created.id}) but its value was lost in transit (${reason(cause)}) and cannot be shown again; `
        + 'revoke that method and issue a new pass',
        info, 'created', created.id, cause,
      );
    }
    throw new GraphUnknownOutcomeError(
      `The Temporary Access Pass was not created (${reason(cause)}); reading back confirmed no new pass, so it is safe to try again`,
      info, 'not_created', undefined, cause,
    );
  }

  listTemporaryAccessPasses(userId: string): Promise<GraphTemporaryAccessPassMethod[]> {
    requireId(userId, 'user id');
    return this.#listAll<GraphTemporaryAccessPassMethod>({
      method: 'GET', path: `/users/${seg(userId)}/authentication/temporaryAccessPassMethods`, retry: true, throttleUnits: this.#methodUnits(),
      operation: `GET /users/${userId}/authentication/temporaryAccessPassMethods`, permission: P.tapRead,
    });
  }

  getTemporaryAccessPass(userId: string, methodId: string): Promise<GraphTemporaryAccessPassMethod> {
    requireId(userId, 'user id');
    requireId(methodId, 'method id');
    return this.#json<GraphTemporaryAccessPassMethod>({
      method: 'GET', path: `/users/${seg(userId)}/authentication/temporaryAccessPassMethods/${seg(methodId)}`, retry: true,
      throttleUnits: this.#methodUnits(), operation: `GET /users/${userId}/authentication/temporaryAccessPassMethods/${methodId}`, permission: P.tapRead,
    });
  }

  async deleteTemporaryAccessPass(userId: string, methodId: string): Promise<void> {
    requireId(userId, 'user id');
    requireId(methodId, 'method id');
    await this.#delete({
      method: 'DELETE', path: `/users/${seg(userId)}/authentication/temporaryAccessPassMethods/${seg(methodId)}`, retry: true,
      throttleUnits: this.#methodUnits(), operation: `DELETE /users/${userId}/authentication/temporaryAccessPassMethods/${methodId}`, permission: P.tapWrite,
    });
  }

  getTapPolicy(): Promise<GraphTapPolicy> {
    return this.#json<GraphTapPolicy>({
      method: 'GET', path: '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass', retry: true,
      operation: 'GET /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass', permission: P.policyRead,
    });
  }

  listFido2Methods(userId: string): Promise<GraphFido2Method[]> {
    requireId(userId, 'user id');
    return this.#listAll<GraphFido2Method>({
      method: 'GET', path: `/users/${seg(userId)}/authentication/fido2Methods`, retry: true, throttleUnits: this.#methodUnits(),
      operation: `GET /users/${userId}/authentication/fido2Methods`, permission: P.passkeyRead,
    });
  }

  getFido2Method(userId: string, methodId: string): Promise<GraphFido2Method> {
    requireId(userId, 'user id');
    requireId(methodId, 'method id');
    return this.#json<GraphFido2Method>({
      method: 'GET', path: `/users/${seg(userId)}/authentication/fido2Methods/${seg(methodId)}`, retry: true, throttleUnits: this.#methodUnits(),
      operation: `GET /users/${userId}/authentication/fido2Methods/${methodId}`, permission: P.passkeyRead,
    });
  }

  async deleteFido2Method(userId: string, methodId: string): Promise<void> {
    requireId(userId, 'user id');
    requireId(methodId, 'method id');
    await this.#delete({
      method: 'DELETE', path: `/users/${seg(userId)}/authentication/fido2Methods/${seg(methodId)}`, retry: true, throttleUnits: this.#methodUnits(),
      operation: `DELETE /users/${userId}/authentication/fido2Methods/${methodId}`, permission: P.passkeyWrite,
    });
  }

  async getPasskeyCreationOptions(userId: string, input: CreationOptionsInput = {}): Promise<GraphWebauthnCreationOptions> {
    requireId(userId, 'user id');
    const t = input.challengeTimeoutInMinutes;
    if (t !== undefined && (!Number.isInteger(t) || t < 5 || t > 43_200)) {
      throw new InvalidInputError('challengeTimeoutInMinutes must be a whole number from 5 to 43200');
    }
    // v1.0 has a fixed 5-minute challenge; the timeout parameter exists on beta only (graph.md §2.2).
    const fn = t === undefined ? 'creationOptions' : `creationOptions(challengeTimeoutInMinutes=${t})`;
    const spec: CallSpec = {
      method: 'GET', path: `/users/${seg(userId)}/authentication/fido2Methods/${fn}`, version: t === undefined ? 'v1.0' : 'beta',
      retry: true, throttleUnits: this.#methodUnits(), operation: `GET /users/${userId}/authentication/fido2Methods/creationOptions`, permission: P.passkeyWrite,
    };
    const raw = await this.#send(spec);
    if (raw.status !== 200) throw this.#failure(raw, spec);
    const parsed = tryParse(raw.text);
    // The beta doc example wraps the options in `value`; live responses do not. Accept both.
    const body = parsed.ok && parsed.value && typeof parsed.value === 'object' ? parsed.value as Record<string, unknown> : undefined;
    const options = (body && typeof body.value === 'object' && body.value !== null ? body.value : body) as GraphWebauthnCreationOptions | undefined;
    if (!options?.publicKey || typeof options.publicKey.challenge !== 'string' || typeof options.publicKey.rp?.id !== 'string' || typeof options.publicKey.user?.id !== 'string') {
      throw this.#malformed(raw, spec.operation, spec.permission);
    }
    return options;
  }

  async createPasskey(userId: string, input: CreatePasskeyInput): Promise<GraphFido2Method> {
    requireId(userId, 'user id');
    if (!input.displayName?.trim()) throw new InvalidInputError('displayName is required for a passkey (e.g. "BG-01 YubiKey 5C NFC #12345678")');
    if (input.displayName.length > 200) throw new InvalidInputError('displayName must be at most 200 characters');
    const cred = input.publicKeyCredential;
    if (!cred?.id || !cred.response?.clientDataJSON || !cred.response?.attestationObject) {
      throw new InvalidInputError('publicKeyCredential needs id, response.clientDataJSON and response.attestationObject (base64url)');
    }
    const operation = `POST /users/${userId}/authentication/fido2Methods`;
    const before = new Set((await this.listFido2Methods(userId)).map((m) => m.id));
    const body = {
      displayName: input.displayName,
      publicKeyCredential: { id: cred.id, response: { clientDataJSON: cred.response.clientDataJSON, attestationObject: cred.response.attestationObject }, clientExtensionResults: cred.clientExtensionResults ?? {} },
    };
    let raw: RawResult;
    try {
      raw = await this.#send({
        method: 'POST', path: `/users/${seg(userId)}/authentication/fido2Methods`, body, retry: false, throttleUnits: this.#methodUnits(),
        operation, permission: P.passkeyWrite,
      });
    } catch (err) {
      if (isDefinitelyNotApplied(err)) throw err;
      return this.#unknownPasskey(userId, before, operation, err);
    }
    if (raw.status === 201 || raw.status === 200) {
      const parsed = tryParse(raw.text);
      const method = parsed.ok ? (parsed.value as GraphFido2Method | null) : null;
      if (method && typeof method.id === 'string') return method;
      return this.#unknownPasskey(userId, before, operation, this.#malformed(raw, operation, P.passkeyWrite));
    }
    const failure = mapGraphFailure({ status: raw.status, bodyText: raw.text, headers: raw.headers, operation, permission: P.passkeyWrite, clientRequestId: raw.clientRequestId });
    if (raw.status >= 500) return this.#unknownPasskey(userId, before, operation, failure);
    throw failure;
  }

  async #unknownPasskey(userId: string, before: Set<string>, operation: string, cause: unknown): Promise<GraphFido2Method> {
    const info = infoOf(cause, operation);
    let after: GraphFido2Method[];
    try {
      after = await this.listFido2Methods(userId);
    } catch {
      throw new GraphUnknownOutcomeError(
        `It is not known whether the passkey was registered: the request failed (${reason(cause)}) and reading the user's keys back failed too. `
        + 'List the user\'s FIDO2 methods before trying again',
        info, 'unknown', undefined, cause,
      );
    }
    const created = after.filter((m) => !before.has(m.id));
    if (created.length === 1) {
      // Nothing secret is lost for a passkey: the read-back is the answer.
      this.#o.logger?.warn({ op: operation, methodId: created[0]!.id }, 'passkey creation response was lost; resolved by reading back');
      return created[0]!;
    }
    if (created.length > 1) {
      throw new GraphUnknownOutcomeError(
        `The passkey request failed (${reason(cause)}) and ${created.length} new keys appeared meanwhile; check the user's FIDO2 methods by hand`,
        info, 'unknown', undefined, cause,
      );
    }
    throw new GraphUnknownOutcomeError(
      `The passkey was not registered (${reason(cause)}); reading back confirmed no new key. Get fresh creation options (the challenge is single-use) and try again`,
      info, 'not_created', undefined, cause,
    );
  }

  getFido2Policy(): Promise<GraphFido2Policy> {
    return this.#json<GraphFido2Policy>({
      method: 'GET', path: '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Fido2', retry: true,
      operation: 'GET /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Fido2', permission: P.policyRead,
    });
  }

  // ---------------------------------------------------------------- logs and policies

  async listSignIns(query: SignInQuery): Promise<GraphSignIn[]> {
    const max = boundedInt(query.maxRecords ?? 1000, 1, MAX_QUERY_RECORDS, 'maxRecords');
    // Every batch is read (up to `max` each), so a busy first batch cannot hide the others; the newest `max` are returned.
    return (await this.readSignIns({ ...query, maxRecords: max })).records.slice(0, max);
  }

  async readSignIns(query: SignInQuery): Promise<LogRead<GraphSignIn>> {
    const byApp = Array.isArray(query.appIds) && query.appIds.length > 0;
    if (byApp && query.userIds?.length) throw new InvalidInputError('listSignIns takes user ids or app ids, not both');
    if (!byApp && (!Array.isArray(query.userIds) || query.userIds.length === 0)) throw new InvalidInputError('listSignIns needs at least one user id');
    const field = byApp ? 'appId' : 'userId';
    const keys = byApp ? query.appIds! : query.userIds;
    for (const id of keys) requireGuid(id, byApp ? 'app id' : 'user id (object id)');
    const since = requireInstant(query.since, 'since');
    const until = query.until === undefined ? undefined : requireInstant(query.until, 'until');
    const pageSize = boundedInt(query.pageSize ?? 100, 1, 1000, 'pageSize');
    const max = boundedInt(query.maxRecords ?? 1000, 1, MAX_QUERY_RECORDS, 'maxRecords');
    const parts: QueryRead<GraphSignIn>[] = [];
    for (const ids of chunk([...new Set(keys.map((id) => id.toLowerCase()))], IN_CLAUSE_LIMIT)) {
      const who = ids.length === 1 ? `${field} eq ${odataString(ids[0]!)}` : `(${ids.map((id) => `${field} eq ${odataString(id)}`).join(' or ')})`;
      // DateTimeOffset literals are unquoted in OData (graph.md §4.1).
      const filter = `${who} and createdDateTime ge ${since}${until ? ` and createdDateTime le ${until}` : ''}`;
      // Graph lists sign-ins newest first (signIn-list: "descending order based on createdDateTime").
      parts.push(await this.#readQuery<GraphSignIn>({
        method: 'GET', path: '/auditLogs/signIns', version: 'beta', query: { $filter: filter, $top: pageSize }, retry: true, throttleUnits: 1,
        operation: 'GET /beta/auditLogs/signIns', permission: P.auditRead,
      }, max, (r) => r.createdDateTime));
    }
    return combineReads(parts, (r) => r.createdDateTime);
  }

  async listDirectoryAudits(query: DirectoryAuditQuery): Promise<GraphDirectoryAudit[]> {
    const max = boundedInt(query.maxRecords ?? 1000, 1, MAX_QUERY_RECORDS, 'maxRecords');
    return (await this.readDirectoryAudits({ ...query, maxRecords: max })).records.slice(0, max);
  }

  async readDirectoryAudits(query: DirectoryAuditQuery): Promise<LogRead<GraphDirectoryAudit>> {
    const since = requireInstant(query.since, 'since');
    const clauses = [`activityDateTime ge ${since}`];
    if (query.until !== undefined) clauses.push(`activityDateTime le ${requireInstant(query.until, 'until')}`);
    if (query.loggedByService !== undefined) clauses.push(`loggedByService eq ${odataString(query.loggedByService)}`);
    if (query.targetUserId !== undefined && query.targetUserIds !== undefined) throw new InvalidInputError('give targetUserId or targetUserIds, not both');
    if (query.targetUserIds !== undefined && query.targetUserIds.length === 0) throw new InvalidInputError('targetUserIds needs at least one user id');
    const targets = query.targetUserIds ?? (query.targetUserId === undefined ? [undefined] : [query.targetUserId]);
    for (const t of targets) if (t !== undefined) requireGuid(t, 'target user id');
    const pageSize = boundedInt(query.pageSize ?? 100, 1, 1000, 'pageSize');
    const max = boundedInt(query.maxRecords ?? 1000, 1, MAX_QUERY_RECORDS, 'maxRecords');
    const parts: QueryRead<GraphDirectoryAudit>[] = [];
    for (const target of [...new Set(targets.map((t) => t?.toLowerCase()))]) {
      // Graph documents `eq` on targetResources' id (directoryAudit resource); one user per query, as it documents no
      // way to ask for several. Newest first by contract: activityDateTime supports $orderby.
      const filter = [...clauses, ...target === undefined ? [] : [`targetResources/any(t: t/id eq ${odataString(target)})`]].join(' and ');
      parts.push(await this.#readQuery<GraphDirectoryAudit>({
        method: 'GET', path: '/auditLogs/directoryAudits', query: { $filter: filter, $orderby: 'activityDateTime desc', $top: pageSize },
        retry: true, throttleUnits: 1, operation: 'GET /auditLogs/directoryAudits', permission: P.auditRead,
      }, max, (r) => r.activityDateTime));
    }
    return combineReads(parts, (r) => r.activityDateTime);
  }

  /**
   * One query of a newest-first log, paged until its end or until `max` records. When it stops with pages left, every
   * record newer than the last one read has been read (the log is ordered), so that instant, rounded up to the
   * millisecond the filters work in, is what the read covered.
   */
  async #readQuery<T>(spec: CallSpec, max: number, timeOf: (r: T) => string): Promise<QueryRead<T>> {
    const { items, complete } = await this.#listPages<T>(spec, max);
    if (complete) return { items, complete };
    let previous = Number.POSITIVE_INFINITY;
    for (const item of items) {
      const at = instantOf(timeOf(item));
      if (Number.isNaN(at) || at > previous) {
        throw new GraphMalformedResponseError(
          `Graph answered ${spec.operation} with records that are not newest first, so it cannot be told which records a partial read left out`,
          { httpStatus: 200, graphCode: '', operation: spec.operation },
        );
      }
      previous = at;
    }
    return { items, complete, coveredAfter: new Date(ceilMs(timeOf(items[items.length - 1]!))).toISOString() };
  }

  listConditionalAccessPolicies(): Promise<GraphConditionalAccessPolicy[]> {
    return this.#listAll<GraphConditionalAccessPolicy>({
      method: 'GET', path: '/identity/conditionalAccess/policies', retry: true,
      operation: 'GET /identity/conditionalAccess/policies', permission: P.caRead,
    });
  }

  async sendMail(input: SendMailInput): Promise<void> {
    requireId(input.from, 'sender mailbox');
    const m = input.message;
    if (!m?.subject || !m.body?.content || !Array.isArray(m.toRecipients) || m.toRecipients.length === 0) {
      throw new InvalidInputError('a mail message needs a subject, a body and at least one recipient');
    }
    const spec: CallSpec = {
      method: 'POST', path: `/users/${seg(input.from)}/sendMail`, body: { message: m, saveToSentItems: input.saveToSentItems ?? false },
      retry: false, operation: `POST /users/${input.from}/sendMail`, permission: P.mail,
    };
    let raw: RawResult;
    try {
      raw = await this.#send(spec);
    } catch (err) {
      if (isDefinitelyNotApplied(err)) throw err;
      throw new GraphUnknownOutcomeError(`It is not known whether the mail was accepted (${reason(err)}); it was not sent again`, infoOf(err, spec.operation), 'unknown', undefined, err);
    }
    if (raw.status !== 202 && raw.status !== 200) throw this.#failure(raw, spec);
  }

  // ---------------------------------------------------------------- batching and posture

  async batch(requests: BatchRequest[], options: { version?: Version } = {}): Promise<BatchResponse[]> {
    const ids = new Set<string>();
    for (const r of requests) {
      if (!r.id || ids.has(r.id)) throw new InvalidInputError(`batch request ids must be unique and non-empty (got ${JSON.stringify(r.id)})`);
      ids.add(r.id);
      if (!r.url.startsWith('/')) throw new InvalidInputError(`batch request urls are relative to the version root and start with "/" (got ${JSON.stringify(r.url)})`);
    }
    const version = options.version ?? 'v1.0';
    const results = new Map<string, BatchResponse>();
    for (const group of this.#batchChunks(requests)) {
      let pending = group;
      for (let attempt = 0; pending.length > 0; attempt++) {
        const responses = await this.#sendBatch(pending, version);
        const again: BatchRequest[] = [];
        let wait = 0;
        for (const req of pending) {
          const res = responses.get(req.id);
          if (!res) {
            throw new GraphMalformedResponseError(`The $batch response has no answer for request ${req.id}`, { httpStatus: 200, graphCode: '', operation: `POST /${version}/$batch` });
          }
          const retryable = req.method === 'GET' && (res.status === 429 || res.status === 503 || res.status === 504);
          if (retryable && attempt < this.#o.retry.maxRetries) {
            const advised = retryAfterMs(new Headers(res.headers));
            const delay = advised ?? this.#o.retry.baseDelayMs * 2 ** attempt;
            if (delay <= this.#o.retry.maxDelayMs) {
              again.push(req);
              wait = Math.max(wait, delay);
              continue;
            }
          }
          results.set(req.id, res);
        }
        if (again.length) await this.#o.sleep(wait);
        pending = again;
      }
    }
    return requests.map((r) => results.get(r.id)!);
  }

  /**
   * Up to 20 requests per $batch (graph.md §6.2), and no more throttled-bucket items than the bucket allows per
   * window: Graph throttles batch items one by one, so 20 sign-in reads in one batch would mostly come back 429.
   */
  #batchChunks(requests: BatchRequest[]): BatchRequest[][] {
    const cap = this.#o.reportsLimit ?? 5;
    const out: BatchRequest[][] = [];
    let current: BatchRequest[] = [];
    let units = 0;
    for (const r of requests) {
      const u = this.#unitsForUrl(r.url);
      if (current.length === BATCH_LIMIT || (u > 0 && units + u > cap)) {
        out.push(current);
        current = [];
        units = 0;
      }
      current.push(r);
      units += u;
    }
    if (current.length) out.push(current);
    return out;
  }

  /** How many of `extra` still fit in the batches `requests` are sent in, without adding a batch (or a paced wait). */
  #roomInLastChunk(requests: BatchRequest[], extra: BatchRequest[]): number {
    const batches = this.#batchChunks(requests).length;
    let k = 0;
    while (k < Math.min(extra.length, BATCH_LIMIT) && this.#batchChunks([...requests, ...extra.slice(0, k + 1)]).length === batches) k += 1;
    return k;
  }

  async #sendBatch(requests: BatchRequest[], version: Version): Promise<Map<string, BatchResponse>> {
    const units = requests.reduce((n, r) => n + this.#unitsForUrl(r.url), 0);
    const spec: CallSpec = {
      method: 'POST', path: '/$batch', version,
      body: {
        requests: requests.map((r) => ({
          id: r.id, method: r.method, url: r.url,
          ...(r.body === undefined ? {} : { body: r.body, headers: { 'Content-Type': 'application/json', ...(r.headers ?? {}) } }),
          ...(r.body === undefined && r.headers ? { headers: r.headers } : {}),
          ...(r.dependsOn ? { dependsOn: r.dependsOn } : {}),
        })),
      },
      // A batch of reads may be resent as a whole; one with writes may not.
      retry: requests.every((r) => r.method === 'GET'), throttleUnits: units,
      operation: `POST /${version}/$batch`, permission: 'per request',
    };
    const body = await this.#jsonRaw<{ responses?: unknown }>(spec);
    if (!Array.isArray(body.responses)) throw new GraphMalformedResponseError('The $batch response has no "responses" array', { httpStatus: 200, graphCode: '', operation: spec.operation });
    const out = new Map<string, BatchResponse>();
    for (const r of body.responses as Record<string, unknown>[]) {
      if (!r || typeof r.id !== 'string' || typeof r.status !== 'number') {
        throw new GraphMalformedResponseError('The $batch response contains an item without id or status', { httpStatus: 200, graphCode: '', operation: spec.operation });
      }
      out.set(r.id, { id: r.id, status: r.status, headers: (r.headers as Record<string, string>) ?? {}, body: r.body ?? null });
    }
    return out;
  }

  async readPosture(userIds: string[]): Promise<PostureSnapshot> {
    for (const id of userIds) requireGuid(id, 'user id (object id)');
    const unique = [...new Set(userIds.map((id) => id.toLowerCase()))];
    // Phase 1: tenant-wide policies, role holders and users (15 per `in` clause), with as many of the per-account
    // methods lists as fill the rest of that first $batch. Phase 2 needs the policies (they name the groups whose
    // members count), so it carries the group reads together with the remaining methods lists: the group reads ride in
    // batches that are sent anyway, and the whole read costs ceil((requests) / 20) batches plus pages.
    const head: BatchRequest[] = [
      { id: 'tapPolicy', method: 'GET', url: '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass' },
      { id: 'fido2Policy', method: 'GET', url: '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Fido2' },
      { id: 'caPolicies', method: 'GET', url: '/identity/conditionalAccess/policies' },
      { id: 'globalAdmins', method: 'GET', url: `/roleManagement/directory/roleAssignments?$filter=${enc(`roleDefinitionId eq ${odataString(ROLE_TEMPLATE.globalAdministrator)}`)}` },
    ];
    chunk(unique, IN_CLAUSE_LIMIT).forEach((ids, i) => {
      head.push({ id: `users${i}`, method: 'GET', url: `/users?$filter=${enc(`id in (${ids.map(odataString).join(',')})`)}&$select=${USER_SELECT}` });
    });
    const methodReqs: BatchRequest[] = unique.map((id, i) => ({ id: `methods${i}`, method: 'GET', url: `/users/${seg(id)}/authentication/methods` }));
    const room = this.#roomInLastChunk(head, methodReqs);
    const res = new Map((await this.batch([...head, ...methodReqs.slice(0, room)])).map((r) => [r.id, r]));

    const tapPolicy = this.#itemBody<GraphTapPolicy>(res.get('tapPolicy')!, 'tapPolicy');
    const fido2Policy = this.#itemBody<GraphFido2Policy>(res.get('fido2Policy')!, 'fido2Policy');
    const conditionalAccessPolicies = await this.#itemCollection<GraphConditionalAccessPolicy>(res.get('caPolicies')!, 'GET /identity/conditionalAccess/policies', P.caRead);
    const globalAdmins = await this.#itemCollection<GraphRoleAssignment>(res.get('globalAdmins')!, 'GET /roleManagement/directory/roleAssignments', P.roles);
    const users = new Map<string, GraphUser>();
    for (let i = 0; res.has(`users${i}`); i++) {
      for (const u of await this.#itemCollection<GraphUser>(res.get(`users${i}`)!, 'GET /users', P.userRead)) users.set(u.id.toLowerCase(), u);
    }

    // Phase 2: members of every group the policies name (group-centric, so the cost does not grow with N), and the
    // methods lists that did not fit in phase 1.
    const groupIds = new Set<string>();
    for (const t of [...tapPolicy.includeTargets ?? [], ...tapPolicy.excludeTargets ?? [], ...fido2Policy.includeTargets ?? [], ...fido2Policy.excludeTargets ?? []]) {
      if (t.targetType === 'group' && GUID.test(t.id)) groupIds.add(t.id.toLowerCase());
    }
    for (const p of conditionalAccessPolicies) {
      for (const g of [...p.conditions?.users?.includeGroups ?? [], ...p.conditions?.users?.excludeGroups ?? []]) if (GUID.test(g)) groupIds.add(g.toLowerCase());
    }
    const groupList = [...groupIds];
    const phase2: BatchRequest[] = [
      ...groupList.map((g, i) => ({ id: `group${i}`, method: 'GET' as const, url: `/groups/${g}/transitiveMembers/microsoft.graph.user?$select=id&$top=999` })),
      ...methodReqs.slice(room),
    ];
    if (phase2.length) for (const r of await this.batch(phase2)) res.set(r.id, r);
    const members = new Map<string, Set<string>>();
    for (let i = 0; i < groupList.length; i++) {
      const item = res.get(`group${i}`)!;
      // A deleted group named by a policy is a posture finding, not a failure of the read.
      const list = item.status === 404 ? [] : await this.#itemCollection<{ id: string }>(item, `GET /groups/${groupList[i]}/transitiveMembers`, P.groups);
      members.set(groupList[i]!, new Set(list.map((m) => m.id.toLowerCase())));
    }

    const accounts: PostureAccount[] = [];
    for (let i = 0; i < unique.length; i++) {
      const id = unique[i]!;
      const user = users.get(id) ?? null;
      const item = res.get(`methods${i}`)!;
      const methods = item.status === 404 && !user ? [] : await this.#itemCollection<GraphAuthenticationMethod>(item, `GET /users/${id}/authentication/methods`, P.methodsRead);
      accounts.push({
        userId: id,
        user,
        methods,
        fido2Methods: methods.filter((m) => m['@odata.type'] === ODATA_TYPE.fido2) as unknown as GraphFido2Method[],
        temporaryAccessPasses: methods.filter((m) => m['@odata.type'] === ODATA_TYPE.tap) as unknown as GraphTemporaryAccessPassMethod[],
        policyGroupIds: groupList.filter((g) => members.get(g)?.has(id)),
      });
    }
    return {
      tapPolicy,
      fido2Policy,
      conditionalAccessPolicies,
      globalAdministratorIds: [...new Set(globalAdmins.filter((a) => a.directoryScopeId === '/' || !a.directoryScopeId).map((a) => a.principalId))],
      accounts,
    };
  }

  #itemBody<T>(item: BatchResponse, what: string): T {
    if (item.status >= 200 && item.status < 300 && item.body && typeof item.body === 'object') return item.body as T;
    throw mapGraphFailure({
      status: item.status, bodyText: JSON.stringify(item.body ?? ''), headers: new Headers(item.headers), operation: `$batch item ${what}`, permission: P.policyRead,
    });
  }

  /** A collection answered inside a batch; further pages are fetched directly. */
  async #itemCollection<T>(item: BatchResponse, operation: string, permission: string): Promise<T[]> {
    if (item.status < 200 || item.status >= 300) {
      throw mapGraphFailure({ status: item.status, bodyText: JSON.stringify(item.body ?? ''), headers: new Headers(item.headers), operation, permission });
    }
    const body = item.body as { value?: unknown; '@odata.nextLink'?: unknown } | null;
    if (!body || !Array.isArray(body.value)) throw new GraphMalformedResponseError(`The $batch answer for ${operation} has no "value" array`, { httpStatus: item.status, graphCode: '', operation });
    const out = [...body.value as T[]];
    if (typeof body['@odata.nextLink'] === 'string') {
      out.push(...await this.#listAll<T>({ method: 'GET', path: body['@odata.nextLink'], retry: true, operation, permission }));
    }
    return out;
  }

  // ---------------------------------------------------------------- plumbing

  #methodUnits(): number {
    return this.#o.throttleAuthenticationMethods ? 1 : 0;
  }

  #unitsForUrl(url: string): number {
    if (/^\/auditLogs\//i.test(url) || /signInActivity/.test(url)) return 1;
    return /\/authentication\//i.test(url) ? this.#methodUnits() : 0;
  }

  /** Follows @odata.nextLink until done; links must stay on the Graph origin. */
  async #listAll<T>(spec: CallSpec): Promise<T[]> {
    return (await this.#listPages<T>(spec, Number.POSITIVE_INFINITY)).items;
  }

  /**
   * Follows @odata.nextLink until the last page, or until `max` items are in (the whole page that reaches it is kept);
   * `complete` says whether the last page was reached.
   */
  async #listPages<T>(spec: CallSpec, max: number): Promise<{ items: T[]; complete: boolean }> {
    const out: T[] = [];
    let next: CallSpec | undefined = spec;
    while (next && out.length < max) {
      const body: { value?: unknown; '@odata.nextLink'?: unknown } = await this.#jsonRaw(next);
      if (!Array.isArray(body.value)) {
        throw new GraphMalformedResponseError(`Graph answered ${spec.operation} without a "value" array`, { httpStatus: 200, graphCode: '', operation: spec.operation });
      }
      out.push(...body.value as T[]);
      const link = body['@odata.nextLink'];
      if (typeof link === 'string') {
        if (!link.startsWith(`${this.#o.graphOrigin}/`)) {
          throw new GraphMalformedResponseError(`Graph returned a next-page link outside ${this.#o.graphOrigin}; refusing to follow it`, { httpStatus: 200, graphCode: '', operation: spec.operation });
        }
        next = { ...spec, path: link, query: undefined, version: undefined };
      } else next = undefined;
    }
    return { items: out, complete: next === undefined };
  }

  async #json<T>(spec: CallSpec): Promise<T> {
    return this.#jsonRaw<T>(spec);
  }

  async #jsonRaw<T>(spec: CallSpec): Promise<T> {
    const raw = await this.#send(spec);
    if (raw.status < 200 || raw.status >= 300) throw this.#failure(raw, spec);
    const parsed = tryParse(raw.text);
    if (!parsed.ok || parsed.value === null || typeof parsed.value !== 'object') throw this.#malformed(raw, spec.operation, spec.permission);
    return parsed.value as T;
  }

  async #delete(spec: CallSpec): Promise<void> {
    const raw = await this.#send(spec);
    if (raw.status === 204 || raw.status === 200) return;
    const err = this.#failure(raw, spec);
    // Already gone is the state we wanted: deleting twice (e.g. after a lost response) is not an error.
    if (err instanceof GraphNotFoundError) return;
    throw err;
  }

  #failure(raw: RawResult, spec: CallSpec): GraphError {
    const err = mapGraphFailure({ status: raw.status, bodyText: raw.text, headers: raw.headers, operation: spec.operation, permission: spec.permission, clientRequestId: raw.clientRequestId });
    this.#o.logger?.warn({ op: spec.operation, status: raw.status, code: err.code, graphCode: err.graphCode, requestId: err.requestId }, 'graph call failed');
    return err;
  }

  #malformed(raw: RawResult, operation: string, _permission: string): GraphMalformedResponseError {
    const info: GraphErrorInfo = { httpStatus: raw.status, graphCode: '', requestId: raw.headers.get('request-id') ?? undefined, clientRequestId: raw.clientRequestId, operation };
    const ct = raw.headers.get('content-type') ?? 'no content type';
    this.#o.logger?.warn({ op: operation, status: raw.status, contentType: ct, bytes: raw.text.length }, 'graph response was not valid JSON');
    return new GraphMalformedResponseError(
      `Microsoft Graph answered ${operation} with a body that is not the expected JSON (HTTP ${raw.status}, ${ct}, ${raw.text.length} bytes); `
      + 'this is usually a proxy or gateway in between, or a transient Graph fault: try again',
      info,
    );
  }

  /** Sends one request through graph-client and returns status, headers and body text. Never throws for HTTP status. */
  async #send(spec: CallSpec): Promise<RawResult> {
    const clientRequestId = randomUUID();
    const policy = new RequestPolicy({ retry: spec.retry, throttleUnits: spec.throttleUnits ?? 0 });
    const absolute = /^https:\/\//.test(spec.path);
    const query = spec.query ? Object.entries(spec.query).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${enc(String(v))}`) : [];
    const url = query.length ? `${spec.path}${spec.path.includes('?') ? '&' : '?'}${query.join('&')}` : spec.path;
    let request = this.#client.api(url);
    if (!absolute) request = request.version(spec.version ?? 'v1.0');
    request = request.header('client-request-id', clientRequestId).middlewareOptions([policy]).responseType(ResponseType.RAW);
    this.stats.calls++;
    let response: Response;
    try {
      switch (spec.method) {
        case 'GET': response = await request.get(); break;
        case 'POST': response = await request.post(spec.body ?? {}); break;
        case 'PATCH': response = await request.patch(spec.body ?? {}); break;
        case 'DELETE': response = await request.delete(); break;
      }
    } catch (err) {
      throw this.#thrown(err, spec, clientRequestId, policy.attempts);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      throw this.#thrown(err, spec, clientRequestId, policy.attempts);
    }
    if (policy.attempts > 1) this.#o.logger?.info({ op: spec.operation, attempts: policy.attempts, status: response.status }, 'graph call retried');
    return { status: response.status, headers: response.headers, text, clientRequestId };
  }

  /** Something was thrown below graph-client: a credential failure or no HTTP response at all. */
  #thrown(err: unknown, spec: CallSpec, clientRequestId: string, attempts: number): GraphError {
    const info: GraphErrorInfo = { httpStatus: 0, graphCode: '', clientRequestId, operation: spec.operation };
    const e = err as { code?: unknown; body?: unknown; message?: unknown; name?: unknown };
    if (e?.code === 'CredentialFailure' || e?.name === 'CredentialFailure') {
      const detail = String(e.body ?? e.message ?? '').replace(/^CredentialFailure:\s*/, '');
      const wrapped = new GraphCredentialError(
        `Could not get a Microsoft Graph token: ${detail || 'the credential failed'}. Check the tenant id, client id and the credential (secret, certificate or managed identity)`,
        info, err,
      );
      this.#o.logger?.warn({ op: spec.operation, code: wrapped.code }, 'graph credential failed');
      return wrapped;
    }
    const detail = describeTransport(err);
    this.#o.logger?.warn({ op: spec.operation, code: 'graph_network', detail }, 'graph call got no response');
    return new GraphNetworkError(
      `No response from Microsoft Graph for ${spec.operation} (${detail})${attempts > 1 ? ` after ${attempts} attempts` : ''}`
      + `${spec.retry ? '' : '; not retried because it is not safe to send twice'}; check network, proxy and firewall`,
      info, err,
    );
  }
}

function describeTransport(err: unknown): string {
  const e = err as { body?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  const cause = e?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const msg = typeof e?.message === 'string' && e.message ? e.message : typeof e?.body === 'string' ? e.body : String(err);
  const line = msg.split('\n')[0] ?? msg;
  return code ? `${line}: ${code}` : line;
}

function reason(err: unknown): string {
  if (err instanceof GraphError) return err.httpStatus ? `HTTP ${err.httpStatus}${err.graphCode ? ` ${err.graphCode}` : ''}` : err.code;
  return 'no response';
}

function infoOf(err: unknown, operation: string): GraphErrorInfo {
  if (err instanceof GraphError) return { httpStatus: err.httpStatus, graphCode: err.graphCode, requestId: err.requestId, clientRequestId: err.clientRequestId, operation };
  return { httpStatus: 0, graphCode: '', operation };
}

/** Milliseconds of an ISO instant (Graph writes up to 7 fractional digits; Date.parse keeps 3, dropping the rest). */
function instantOf(iso: string): number {
  return typeof iso === 'string' ? Date.parse(iso) : Number.NaN;
}

/** The instant rounded up to the millisecond, so that `le` it includes the instant itself. */
function ceilMs(iso: string): number {
  const ms = instantOf(iso);
  const digits = /\.(\d+)/.exec(iso)?.[1] ?? '';
  return /[1-9]/.test(digits.slice(3)) ? ms + 1 : ms;
}

/** The queries of one read together: complete only if each was; covered after the latest point any of them stopped at. */
function combineReads<T>(parts: QueryRead<T>[], timeOf: (r: T) => string): LogRead<T> {
  const records = parts.flatMap((p) => p.items).sort((a, b) => instantOf(timeOf(b)) - instantOf(timeOf(a)));
  const truncated = parts.filter((p) => !p.complete);
  const coveredAfter = truncated.length ? truncated.map((p) => p.coveredAfter!).reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a)) : undefined;
  return { records, complete: truncated.length === 0, ...coveredAfter ? { coveredAfter } : {}, queries: parts.length, truncatedQueries: truncated.length };
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A path segment: ids and UPNs are encoded so they cannot change the path. */
function seg(value: string): string {
  return encodeURIComponent(value);
}

function enc(value: string): string {
  return encodeURIComponent(value);
}

function requireId(value: string, what: string): void {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 256 || /[\s/?#]/.test(value)) {
    throw new InvalidInputError(`${what} must be a non-empty id without spaces or slashes`);
  }
}

function requireGuid(value: string, what: string): void {
  if (typeof value !== 'string' || !GUID.test(value)) throw new InvalidInputError(`${what} must be a GUID`);
}

function requireInstant(value: string, what: string): string {
  const ms = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new InvalidInputError(`${what} must be an ISO 8601 instant such as 2026-01-31T08:00:00Z`);
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

function boundedInt(value: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new InvalidInputError(`${what} must be a whole number from ${min} to ${max}`);
  return value;
}

