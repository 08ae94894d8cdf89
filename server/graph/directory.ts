// The Directory port: everything breakglass asks of Microsoft Entra ID, in Graph's own shapes. Services depend on this
// interface only; GraphDirectory (real Graph through @microsoft/microsoft-graph-client) implements it, and the
// simulator is reached through that same implementation so tests exercise the real client end to end.
// Each method lists its Graph call and the least application permission it needs (docs/graph.md has the table).
import type {
  GraphAuthenticationMethod,
  GraphConditionalAccessPolicy,
  GraphDirectoryAudit,
  GraphDirectoryRole,
  GraphFido2Method,
  GraphFido2Policy,
  GraphGroup,
  GraphMailMessage,
  GraphRoleAssignment,
  GraphSignIn,
  GraphTapPolicy,
  GraphTemporaryAccessPassMethod,
  GraphUser,
  GraphWebauthnCreationOptions,
  GraphWebauthnPublicKeyCredential,
  IssuedTemporaryAccessPass,
} from './graph-types.ts';

export interface GetUserOptions {
  /** Also read `signInActivity` (needs AuditLog.Read.All and Entra ID P1; a Free tenant answers 403). */
  withSignInActivity?: boolean;
}

export interface CreateTapInput {
  /** 10..43 200, and within the tenant policy's min/max; omitted = policy default. */
  lifetimeInMinutes?: number;
  isUsableOnce?: boolean;
  /** ISO instant; omitted = usable at once. */
  startDateTime?: string;
}

export interface CreationOptionsInput {
  /**
   * Beta only: 5..43 200 minutes. When set the call goes to /beta (v1.0 has a fixed 5-minute challenge).
   */
  challengeTimeoutInMinutes?: number;
}

export interface CreatePasskeyInput {
  displayName: string;
  publicKeyCredential: GraphWebauthnPublicKeyCredential;
}

export interface SignInQuery {
  /** Entra object ids of the accounts to read; at least one, unless appIds is given instead. */
  userIds: string[];
  /**
   * Instead of users: everyone's sign-ins to these applications (app ids), e.g. the mandatory-MFA admin apps.
   * Give either userIds or appIds, not both.
   */
  appIds?: string[];
  /** Inclusive lower bound (ISO instant). */
  since: string;
  /** Optional inclusive upper bound (ISO instant). */
  until?: string;
  /** Page size asked of Graph (1..1000, default 100). */
  pageSize?: number;
  /**
   * listSignIns: return at most this many records, the newest (default 1000). readSignIns: each query (batch of 15
   * ids) stops after the page that reaches this many, and says so.
   */
  maxRecords?: number;
}

export interface DirectoryAuditQuery {
  since: string;
  until?: string;
  /** Only events whose target resources include this user id. */
  targetUserId?: string;
  /**
   * Only events whose target resources include one of these user ids: one query per id, each
   * `targetResources/any(t: t/id eq '…')` (Graph documents `eq` on targetResources' id; it documents no way to ask for
   * several ids in one filter). Not together with targetUserId.
   */
  targetUserIds?: string[];
  /** e.g. 'Authentication Methods'. */
  loggedByService?: string;
  pageSize?: number;
  maxRecords?: number;
}

/**
 * What a capped read of a log returned, and whether that was everything. Logs are read newest first, so a query that
 * stops at its cap with pages left has read every record of its window down to some instant and none below it.
 */
export interface LogRead<T> {
  /** Every record read (newest first; one record can appear twice when two queries match it). */
  records: T[];
  /** True when every query of the read reached its last page; false when at least one stopped at its cap with pages left. */
  complete: boolean;
  /**
   * When not complete: an instant (millisecond precision) after which every record of the window was read, by every
   * query. Records at or before it may be missing: read them with `until` set to it.
   */
  coveredAfter?: string;
  /** Queries made (one per batch of user ids, or per target user), each paged to its end or its cap. */
  queries: number;
  /** Queries that stopped at their cap with pages left. */
  truncatedQueries: number;
}

export interface SendMailInput {
  /** Sender mailbox (UPN or id); Mail.Send should be scoped to it. */
  from: string;
  message: GraphMailMessage;
  saveToSentItems?: boolean;
}

/** One request of a JSON batch (graph.md §6.2). `url` is relative to the version root, e.g. `/users/{id}`. */
export interface BatchRequest {
  id: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  dependsOn?: string[];
}

export interface BatchResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** A read of everything the posture checks need for a set of emergency accounts, made with as few calls as Graph allows. */
export interface PostureSnapshot {
  tapPolicy: GraphTapPolicy;
  fido2Policy: GraphFido2Policy;
  conditionalAccessPolicies: GraphConditionalAccessPolicy[];
  /** Principal ids holding Global Administrator (active assignments). */
  globalAdministratorIds: string[];
  accounts: PostureAccount[];
}

export interface PostureAccount {
  userId: string;
  /** null when the user does not exist (deleted or wrong id). */
  user: GraphUser | null;
  /** Every registered method (`/authentication/methods`); empty when the user does not exist. */
  methods: GraphAuthenticationMethod[];
  /** The FIDO2 entries of `methods`. */
  fido2Methods: GraphFido2Method[];
  temporaryAccessPasses: GraphTemporaryAccessPassMethod[];
  /** Ids of the groups named by the policies above that contain this user (transitively). */
  policyGroupIds: string[];
}

/** How the port reaches the directory; surfaced in the UI, CLI and logs. */
export interface DirectoryMode {
  kind: 'graph' | 'simulated';
  /** A human label, e.g. `simulated tenant "Contoso (demo)" at https://127.0.0.1:4010`. */
  label: string;
  tenantId: string;
  /** Where the account registers its own security info: Microsoft's page, or the simulated tenant's (guided mode). */
  securityInfoUrl?: string;
}

export interface Directory {
  readonly mode: DirectoryMode;

  /** GET /users/{id | userPrincipalName} — User.Read.All (+AuditLog.Read.All for signInActivity). */
  getUser(idOrUpn: string, options?: GetUserOptions): Promise<GraphUser>;
  /** GET /users/{id}/memberOf/microsoft.graph.directoryRole — RoleManagement.Read.Directory or Directory.Read.All. */
  listUserDirectoryRoles(userId: string): Promise<GraphDirectoryRole[]>;
  /** GET /users/{id}/transitiveMemberOf/microsoft.graph.group — GroupMember.Read.All. */
  listUserTransitiveGroups(userId: string): Promise<GraphGroup[]>;
  /** GET /roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq … — RoleManagement.Read.Directory. */
  listRoleAssignments(roleDefinitionId: string): Promise<GraphRoleAssignment[]>;

  /** GET /users/{id}/authentication/methods — UserAuthenticationMethod.Read.All. */
  listAuthenticationMethods(userId: string): Promise<GraphAuthenticationMethod[]>;

  /**
   * POST /users/{id}/authentication/temporaryAccessPassMethods — UserAuthenticationMethod.ReadWrite.All.
   * Sent exactly once (never retried). An unknown outcome is resolved by reading back: see GraphUnknownOutcomeError.
   * The returned value is the only place the pass text ever appears.
   */
  createTemporaryAccessPass(userId: string, input: CreateTapInput): Promise<IssuedTemporaryAccessPass>;
  /** GET /users/{id}/authentication/temporaryAccessPassMethods — the pass text is always null here. */
  listTemporaryAccessPasses(userId: string): Promise<GraphTemporaryAccessPassMethod[]>;
  /** GET …/temporaryAccessPassMethods/{methodId}. */
  getTemporaryAccessPass(userId: string, methodId: string): Promise<GraphTemporaryAccessPassMethod>;
  /** DELETE …/temporaryAccessPassMethods/{methodId}. Deleting a method that is already gone is not an error. */
  deleteTemporaryAccessPass(userId: string, methodId: string): Promise<void>;
  /** GET /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass. */
  getTapPolicy(): Promise<GraphTapPolicy>;

  /** GET /users/{id}/authentication/fido2Methods — UserAuthMethod-Passkey.Read.All. */
  listFido2Methods(userId: string): Promise<GraphFido2Method[]>;
  getFido2Method(userId: string, methodId: string): Promise<GraphFido2Method>;
  /** DELETE …/fido2Methods/{methodId}. Deleting a method that is already gone is not an error. */
  deleteFido2Method(userId: string, methodId: string): Promise<void>;
  /** GET …/fido2Methods/creationOptions (v1.0), or beta `creationOptions(challengeTimeoutInMinutes=N)`. */
  getPasskeyCreationOptions(userId: string, input?: CreationOptionsInput): Promise<GraphWebauthnCreationOptions>;
  /**
   * POST /users/{id}/authentication/fido2Methods — UserAuthMethod-Passkey.ReadWrite.All. Sent exactly once; an
   * unknown outcome is resolved by reading the user's fido2 methods back.
   */
  createPasskey(userId: string, input: CreatePasskeyInput): Promise<GraphFido2Method>;
  /** GET …/authenticationMethodConfigurations/Fido2 (legacy keyRestrictions and passkey profiles). */
  getFido2Policy(): Promise<GraphFido2Policy>;

  /** GET /beta/auditLogs/signIns filtered by user ids and time, all pages. AuditLog.Read.All + Entra ID P1. */
  listSignIns(query: SignInQuery): Promise<GraphSignIn[]>;
  /** GET /auditLogs/directoryAudits, all pages. AuditLog.Read.All. */
  listDirectoryAudits(query: DirectoryAuditQuery): Promise<GraphDirectoryAudit[]>;
  /**
   * Like listSignIns, but `maxRecords` caps each query (each batch of 15 user ids) rather than the whole read, every
   * batch is read, and the result says whether anything was left unread (never a silent cap).
   */
  readSignIns(query: SignInQuery): Promise<LogRead<GraphSignIn>>;
  /** Like listDirectoryAudits, with `maxRecords` per query (per target user) and the same report of what was left. */
  readDirectoryAudits(query: DirectoryAuditQuery): Promise<LogRead<GraphDirectoryAudit>>;
  /** GET /identity/conditionalAccess/policies, all pages. Policy.Read.All. */
  listConditionalAccessPolicies(): Promise<GraphConditionalAccessPolicy[]>;

  /** POST /users/{from}/sendMail (202: accepted, not delivered). Mail.Send scoped to the sender. Never retried. */
  sendMail(input: SendMailInput): Promise<void>;

  /**
   * POST /$batch in chunks of 20. Only idempotent requests (GET) are retried, item by item, on 429/503/504.
   * Responses come back in request order.
   */
  batch(requests: BatchRequest[], options?: { version?: 'v1.0' | 'beta' }): Promise<BatchResponse[]>;

  /** Reads policies, accounts, their methods and policy-group memberships in few batched calls. */
  readPosture(userIds: string[]): Promise<PostureSnapshot>;
}
