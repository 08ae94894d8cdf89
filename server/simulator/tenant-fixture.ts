// The simulated tenant's fixture format: Graph objects verbatim, as Graph returns them (so a real tenant's export can
// be loaded), grouped by collection, plus the few things Graph has no object for (licence tier, the app registration
// the token endpoint accepts, group membership, AAGUID model names). docs/simulator.md documents it. The loader checks
// the shape with TypeBox and the references by hand, and reports every problem at once with its JSON path.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { BreakglassError } from '../errors.ts';

/** Graph objects are open: extra properties are kept and served verbatim. */
const OPEN = { additionalProperties: true } as const;

export const TenantFixtureSchema = Type.Object({
  $schema: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  tenant: Type.Object({
    id: Type.String({ minLength: 1 }),
    displayName: Type.String({ minLength: 1 }),
    defaultDomain: Type.String({ minLength: 3 }),
    /** Entra ID licence tier: sign-in logs and signInActivity need P1 or P2. */
    license: Type.Union([Type.Literal('Free'), Type.Literal('P1'), Type.Literal('P2')]),
  }, { additionalProperties: false }),
  /** App registrations the token endpoint accepts (client credentials), with their granted application permissions. */
  applications: Type.Array(Type.Object({
    appId: Type.String({ minLength: 1 }),
    displayName: Type.String(),
    clientSecret: Type.String({ minLength: 8 }),
    permissions: Type.Array(Type.String()),
  }, { additionalProperties: false }), { minItems: 1 }),
  users: Type.Array(Type.Object({ id: Type.String({ minLength: 1 }), userPrincipalName: Type.String({ minLength: 3 }) }, OPEN)),
  groups: Type.Optional(Type.Array(Type.Object({ id: Type.String({ minLength: 1 }), displayName: Type.String() }, OPEN))),
  /** groupId → direct member ids (users or groups); nesting is followed for transitive queries. */
  groupMembers: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))),
  roleDefinitions: Type.Optional(Type.Array(Type.Object({ id: Type.String({ minLength: 1 }), displayName: Type.String(), templateId: Type.String() }, OPEN))),
  roleAssignments: Type.Optional(Type.Array(Type.Object({ id: Type.String({ minLength: 1 }), principalId: Type.String(), roleDefinitionId: Type.String() }, OPEN))),
  /** userId → that user's methods as `/users/{id}/authentication/methods` returns them (`@odata.type` required). */
  authenticationMethods: Type.Optional(Type.Record(Type.String(), Type.Array(Type.Object({ id: Type.String({ minLength: 1 }), '@odata.type': Type.String() }, OPEN)))),
  /** `authenticationMethodConfigurations` entries (TemporaryAccessPass and Fido2 are used). */
  authenticationMethodConfigurations: Type.Optional(Type.Array(Type.Object({ id: Type.String({ minLength: 1 }) }, OPEN))),
  conditionalAccessPolicies: Type.Optional(Type.Array(Type.Object({ id: Type.String({ minLength: 1 }), displayName: Type.String() }, OPEN))),
  /** Sign-in records in the beta shape (with authenticationDetails); v1.0 reads drop the beta-only fields. */
  signIns: Type.Optional(Type.Array(Type.Object({ id: Type.String({ minLength: 1 }), createdDateTime: Type.String(), userId: Type.String() }, OPEN))),
  directoryAudits: Type.Optional(Type.Array(Type.Object({ id: Type.String({ minLength: 1 }) }, OPEN))),
  /** AAGUID → model name reported in `fido2AuthenticationMethod.model` for keys registered in the simulator. */
  authenticatorModels: Type.Optional(Type.Record(Type.String(), Type.String())),
}, { additionalProperties: false });

export type TenantFixture = Static<typeof TenantFixtureSchema>;

/** The fixture could not be used; `problems` holds one line per issue with its JSON path. */
export class TenantFixtureError extends BreakglassError {
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super('tenant_fixture_invalid', `tenant fixture ${source} is not usable:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { status: 500 });
    this.problems = problems;
  }
}

export const DEMO_TENANT_FIXTURE = fileURLToPath(new URL('./fixtures/demo-tenant.json', import.meta.url));

/** Validates an already-parsed fixture; throws TenantFixtureError with every problem. */
export function parseTenantFixture(data: unknown, source = 'fixture'): TenantFixture {
  if (!Value.Check(TenantFixtureSchema, data)) {
    const problems = [...Value.Errors(TenantFixtureSchema, data)].slice(0, 25).map((e) => `${e.instancePath || '/'}: ${e.message}`);
    throw new TenantFixtureError(source, problems);
  }
  const f = data as TenantFixture;
  const problems: string[] = [];
  const ids = new Set<string>();
  const dup = (kind: string, id: string, path: string) => {
    const key = id.toLowerCase();
    if (ids.has(key)) problems.push(`${path}: duplicate id ${id} (${kind})`);
    ids.add(key);
  };
  const upns = new Set<string>();
  f.users.forEach((u, i) => {
    dup('user', u.id, `/users/${i}`);
    const upn = u.userPrincipalName.toLowerCase();
    if (upns.has(upn)) problems.push(`/users/${i}: duplicate userPrincipalName ${u.userPrincipalName}`);
    upns.add(upn);
  });
  (f.groups ?? []).forEach((g, i) => dup('group', g.id, `/groups/${i}`));
  const userIds = new Set(f.users.map((u) => u.id.toLowerCase()));
  const groupIds = new Set((f.groups ?? []).map((g) => g.id.toLowerCase()));
  for (const [gid, members] of Object.entries(f.groupMembers ?? {})) {
    if (!groupIds.has(gid.toLowerCase())) problems.push(`/groupMembers/${gid}: no such group`);
    members.forEach((m, i) => {
      if (!userIds.has(m.toLowerCase()) && !groupIds.has(m.toLowerCase())) problems.push(`/groupMembers/${gid}/${i}: member ${m} is neither a user nor a group`);
    });
  }
  const roleDefs = new Set((f.roleDefinitions ?? []).flatMap((r) => [r.id.toLowerCase(), r.templateId.toLowerCase()]));
  (f.roleAssignments ?? []).forEach((a, i) => {
    if (!userIds.has(a.principalId.toLowerCase()) && !groupIds.has(a.principalId.toLowerCase())) problems.push(`/roleAssignments/${i}: principal ${a.principalId} not found`);
    if (f.roleDefinitions && !roleDefs.has(a.roleDefinitionId.toLowerCase())) problems.push(`/roleAssignments/${i}: role definition ${a.roleDefinitionId} not in roleDefinitions`);
  });
  for (const [uid, methods] of Object.entries(f.authenticationMethods ?? {})) {
    if (!userIds.has(uid.toLowerCase())) problems.push(`/authenticationMethods/${uid}: no such user`);
    methods.forEach((m, i) => {
      if (!String(m['@odata.type']).startsWith('#microsoft.graph.')) problems.push(`/authenticationMethods/${uid}/${i}: @odata.type must be a #microsoft.graph.* type`);
      if (typeof (m as Record<string, unknown>).temporaryAccessPass === 'string') problems.push(`/authenticationMethods/${uid}/${i}: must not carry a temporaryAccessPass value (Graph never returns it after creation)`);
    });
  }
  (f.signIns ?? []).forEach((s, i) => {
    if (Number.isNaN(Date.parse(s.createdDateTime))) problems.push(`/signIns/${i}/createdDateTime: not an ISO instant`);
  });
  if (problems.length) throw new TenantFixtureError(source, problems);
  return f;
}

/** Reads and validates a fixture file. */
export async function loadTenantFixture(path: string = DEMO_TENANT_FIXTURE): Promise<TenantFixture> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new TenantFixtureError(path, [`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new TenantFixtureError(path, [`not valid JSON: ${(err as Error).message}`]);
  }
  return parseTenantFixture(data, path);
}
