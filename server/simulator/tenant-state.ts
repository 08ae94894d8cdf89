// The simulated tenant's in-memory state, built from a fixture: users, groups and their (nested) members, role
// definitions and assignments, authentication methods per user, method policies, CA policies, sign-in and directory
// audit records, sent mail, issued tokens and open passkey challenges. Rules that change state live in the service
// files beside this one (tap-service, passkey-service, sign-in-writer, directory-audit-writer), which later pages
// (simulated security-info and sign-in pages) reuse. A TAP's value is never stored: only an HMAC of it.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import {
  ODATA_TYPE,
  ROLE_TEMPLATE,
  type GraphConditionalAccessPolicy,
  type GraphDirectoryAudit,
  type GraphFido2Method,
  type GraphFido2Policy,
  type GraphGroup,
  type GraphRoleAssignment,
  type GraphSignIn,
  type GraphTapPolicy,
  type GraphUser,
} from '../graph/graph-types.ts';
import type { TenantFixture } from './tenant-fixture.ts';

export interface StoredTap {
  kind: 'tap';
  id: string;
  createdDateTime: string;
  startDateTime: string;
  lifetimeInMinutes: number;
  isUsableOnce: boolean;
  /** HMAC-SHA256(tenant key, pass); undefined for passes loaded from a fixture (their value was never known). */
  secretHash: Buffer | undefined;
  usedDateTime: string | undefined;
}

export interface StoredPasskey {
  kind: 'fido2';
  graph: GraphFido2Method;
  /** Credential material for simulated sign-ins; never served by Graph routes. Absent for fixture keys. */
  credential?: { id: string; publicKey: Uint8Array; counter: number; transports: string[]; userHandle: string; rpId?: string };
}

export interface StoredOtherMethod {
  kind: 'other';
  graph: Record<string, unknown> & { id: string; '@odata.type': string };
}

export type StoredMethod = StoredTap | StoredPasskey | StoredOtherMethod;

export interface PasskeyChallenge {
  userId: string;
  expiresAt: number;
  version: 'v1.0' | 'beta';
  /** The relying party the challenge was issued for (default Entra's, login.microsoft.com). */
  rpId?: string;
}

export interface SentMail {
  from: string;
  message: Record<string, unknown>;
  saveToSentItems: boolean;
  at: string;
}

export interface RoleDefinition {
  id: string;
  displayName: string;
  templateId: string;
  description?: string;
}

export interface Application {
  appId: string;
  displayName: string;
  clientSecret: string;
  permissions: string[];
}

/** Built-in role definitions used when a fixture has none (ids are the well-known template ids). */
const BUILT_IN_ROLES: RoleDefinition[] = [
  { id: ROLE_TEMPLATE.globalAdministrator, templateId: ROLE_TEMPLATE.globalAdministrator, displayName: 'Global Administrator', description: 'Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.' },
  { id: ROLE_TEMPLATE.privilegedAuthenticationAdministrator, templateId: ROLE_TEMPLATE.privilegedAuthenticationAdministrator, displayName: 'Privileged Authentication Administrator', description: 'Can access to view, set and reset authentication method information for any user (admin or non-admin).' },
  { id: ROLE_TEMPLATE.authenticationAdministrator, templateId: ROLE_TEMPLATE.authenticationAdministrator, displayName: 'Authentication Administrator', description: 'Can access to view, set and reset authentication method information for any non-admin user.' },
  { id: ROLE_TEMPLATE.globalReader, templateId: ROLE_TEMPLATE.globalReader, displayName: 'Global Reader', description: 'Can read everything that a Global Administrator can, but not update anything.' },
  { id: ROLE_TEMPLATE.securityAdministrator, templateId: ROLE_TEMPLATE.securityAdministrator, displayName: 'Security Administrator', description: 'Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365.' },
];

/** Portal defaults for a tenant whose fixture has no TAP policy (entra-docs; graph.md §1.7). */
function defaultTapPolicy(): GraphTapPolicy {
  return {
    '@odata.type': ODATA_TYPE.tapConfiguration, id: 'TemporaryAccessPass', state: 'disabled', defaultLifetimeInMinutes: 60,
    minimumLifetimeInMinutes: 60, maximumLifetimeInMinutes: 480, isUsableOnce: false, defaultLength: 8,
    includeTargets: [{ id: 'all_users', targetType: 'group', isRegistrationRequired: false }], excludeTargets: [],
  };
}

function defaultFido2Policy(): GraphFido2Policy {
  return {
    '@odata.type': ODATA_TYPE.fido2Configuration, id: 'Fido2', state: 'disabled', isSelfServiceRegistrationAllowed: true,
    isAttestationEnforced: false, keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [] },
    includeTargets: [{ id: 'all_users', targetType: 'group', isRegistrationRequired: false }], excludeTargets: [],
  };
}

const clone = <T>(v: T): T => structuredClone(v);

export class TenantState {
  readonly clock: Clock;
  readonly tenant: TenantFixture['tenant'];
  readonly applications: Application[];
  readonly users = new Map<string, GraphUser>();
  readonly groups = new Map<string, GraphGroup>();
  /** groupId → direct member ids (lower-case). */
  readonly groupMembers = new Map<string, Set<string>>();
  readonly roleDefinitions: RoleDefinition[];
  readonly roleAssignments: GraphRoleAssignment[];
  /** userId (lower-case) → methods. */
  readonly methods = new Map<string, StoredMethod[]>();
  tapPolicy: GraphTapPolicy;
  fido2Policy: GraphFido2Policy;
  readonly otherMethodConfigurations: Record<string, unknown>[];
  readonly conditionalAccessPolicies: GraphConditionalAccessPolicy[];
  /** Beta-shaped sign-in records, any order (routes sort newest first). */
  readonly signIns: GraphSignIn[];
  readonly directoryAudits: GraphDirectoryAudit[];
  readonly authenticatorModels: Record<string, string>;
  readonly sentMail: SentMail[] = [];
  /** challenge (base64url) → who may use it and until when. */
  readonly passkeyChallenges = new Map<string, PasskeyChallenge>();
  /** Key for the TAP HMACs: random per simulator run, never leaves the process. */
  readonly tapKey: Buffer = randomBytes(32);
  /** Stable WebAuthn user handles (base64url) per user. */
  readonly userHandles = new Map<string, string>();
  /** Graph calls received over the wire (a $batch counts once), by `METHOD /version/path`. */
  readonly requestLog: { method: string; path: string; status: number }[] = [];

  constructor(fixture: TenantFixture, clock: Clock) {
    const f = clone(fixture);
    this.clock = clock;
    this.tenant = f.tenant;
    this.applications = f.applications;
    for (const u of f.users) this.users.set(u.id.toLowerCase(), u as GraphUser);
    for (const g of f.groups ?? []) this.groups.set(g.id.toLowerCase(), { '@odata.type': ODATA_TYPE.group, ...g } as GraphGroup);
    for (const [gid, members] of Object.entries(f.groupMembers ?? {})) this.groupMembers.set(gid.toLowerCase(), new Set(members.map((m) => m.toLowerCase())));
    this.roleDefinitions = (f.roleDefinitions as RoleDefinition[] | undefined) ?? BUILT_IN_ROLES;
    this.roleAssignments = (f.roleAssignments ?? []).map((a) => ({ directoryScopeId: '/', ...a }) as GraphRoleAssignment);
    for (const [uid, list] of Object.entries(f.authenticationMethods ?? {})) {
      this.methods.set(uid.toLowerCase(), list.map((m) => fromFixtureMethod(m as Record<string, unknown> & { id: string; '@odata.type': string })));
    }
    const configs = f.authenticationMethodConfigurations ?? [];
    const tap = configs.find((c) => c.id.toLowerCase() === 'temporaryaccesspass');
    const fido2 = configs.find((c) => c.id.toLowerCase() === 'fido2');
    this.tapPolicy = tap ? { '@odata.type': ODATA_TYPE.tapConfiguration, ...(tap as unknown as GraphTapPolicy) } : defaultTapPolicy();
    this.fido2Policy = fido2 ? { '@odata.type': ODATA_TYPE.fido2Configuration, ...(fido2 as unknown as GraphFido2Policy) } : defaultFido2Policy();
    this.otherMethodConfigurations = configs.filter((c) => c !== tap && c !== fido2);
    this.conditionalAccessPolicies = (f.conditionalAccessPolicies ?? []) as unknown as GraphConditionalAccessPolicy[];
    this.signIns = (f.signIns ?? []) as unknown as GraphSignIn[];
    this.directoryAudits = (f.directoryAudits ?? []) as unknown as GraphDirectoryAudit[];
    this.authenticatorModels = Object.fromEntries(Object.entries(f.authenticatorModels ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  }

  get hasPremiumLicense(): boolean {
    return this.tenant.license === 'P1' || this.tenant.license === 'P2';
  }

  /** A user by object id or userPrincipalName (case-insensitive), as Graph resolves `/users/{id | userPrincipalName}`. */
  findUser(idOrUpn: string): GraphUser | undefined {
    const key = idOrUpn.toLowerCase();
    const byId = this.users.get(key);
    if (byId) return byId;
    for (const u of this.users.values()) if (u.userPrincipalName.toLowerCase() === key) return u;
    return undefined;
  }

  methodsOf(userId: string): StoredMethod[] {
    const key = userId.toLowerCase();
    let list = this.methods.get(key);
    if (!list) {
      list = [];
      this.methods.set(key, list);
    }
    return list;
  }

  /** Every group containing `memberId`, following nested groups (cycle-safe). */
  transitiveGroupsOf(memberId: string): GraphGroup[] {
    const found = new Set<string>();
    const queue = [memberId.toLowerCase()];
    while (queue.length) {
      const current = queue.shift()!;
      for (const [gid, members] of this.groupMembers) {
        if (members.has(current) && !found.has(gid)) {
          found.add(gid);
          queue.push(gid);
        }
      }
    }
    return [...found].map((g) => this.groups.get(g)).filter((g): g is GraphGroup => Boolean(g));
  }

  /** Users inside a group, following nesting. */
  transitiveUserMembers(groupId: string): GraphUser[] {
    const out = new Map<string, GraphUser>();
    const seen = new Set<string>();
    const queue = [groupId.toLowerCase()];
    while (queue.length) {
      const gid = queue.shift()!;
      if (seen.has(gid)) continue;
      seen.add(gid);
      for (const m of this.groupMembers.get(gid) ?? []) {
        const user = this.users.get(m);
        if (user) out.set(m, user);
        else if (this.groups.has(m)) queue.push(m);
      }
    }
    return [...out.values()];
  }

  /** Is the user covered by a policy target list (`all_users`, the user itself, or a group containing them)? */
  isTargeted(userId: string, targets: { id: string }[]): boolean {
    const uid = userId.toLowerCase();
    const groups = new Set(this.transitiveGroupsOf(uid).map((g) => g.id.toLowerCase()));
    return targets.some((t) => {
      const id = t.id.toLowerCase();
      return id === 'all_users' || id === uid || groups.has(id);
    });
  }

  /** Directory roles (activated role objects) the user holds directly or through a role-assignable group. */
  directoryRolesOf(userId: string): { id: string; displayName: string; description: string; roleTemplateId: string }[] {
    const principals = new Set([userId.toLowerCase(), ...this.transitiveGroupsOf(userId).map((g) => g.id.toLowerCase())]);
    const out = new Map<string, { id: string; displayName: string; description: string; roleTemplateId: string }>();
    for (const a of this.roleAssignments) {
      if (!principals.has(a.principalId.toLowerCase())) continue;
      const def = this.roleDefinitions.find((d) => d.id.toLowerCase() === a.roleDefinitionId.toLowerCase() || d.templateId.toLowerCase() === a.roleDefinitionId.toLowerCase());
      if (!def) continue;
      out.set(def.templateId, { id: directoryRoleId(def.templateId), displayName: def.displayName, description: def.description ?? '', roleTemplateId: def.templateId });
    }
    return [...out.values()];
  }

  modelFor(aaguid: string): string | undefined {
    return this.authenticatorModels[aaguid.toLowerCase()];
  }
}

/** Activated directoryRole objects have their own ids; derive a stable one from the template id. */
export function directoryRoleId(templateId: string): string {
  const hex = templateId.replace(/-/g, '').split('').reverse().join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function fromFixtureMethod(m: Record<string, unknown> & { id: string; '@odata.type': string }): StoredMethod {
  if (m['@odata.type'] === ODATA_TYPE.tap) {
    return {
      kind: 'tap', id: m.id,
      createdDateTime: String(m.createdDateTime ?? new Date(0).toISOString()),
      startDateTime: String(m.startDateTime ?? m.createdDateTime ?? new Date(0).toISOString()),
      lifetimeInMinutes: Number(m.lifetimeInMinutes ?? 60), isUsableOnce: Boolean(m.isUsableOnce),
      secretHash: undefined,
      usedDateTime: m.methodUsabilityReason === 'OneTimeUsed' ? String(m.createdDateTime ?? new Date(0).toISOString()) : undefined,
    };
  }
  if (m['@odata.type'] === ODATA_TYPE.fido2) return { kind: 'fido2', graph: m as unknown as GraphFido2Method };
  return { kind: 'other', graph: m };
}
