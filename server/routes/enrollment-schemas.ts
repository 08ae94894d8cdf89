// TypeBox schemas of the inventory and enrollment API: what clients send and what they get back (response schemas
// also strip anything undeclared, so a field added to a service object never leaks by accident).
import { Type } from 'typebox';
import { PRINTABLE_TEXT_PATTERN } from '../domain/clean-text.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Str = Type.String();
const NStr = Nullable(Type.String());

export const Uuid = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
export const IdParams = Type.Object({ id: Uuid });
export const AccountRef = Type.String({ minLength: 1, maxLength: 256, description: 'breakglass account id, UPN or Entra object id' });
/** Free text a person types (server/domain/clean-text.ts): at most `max` characters, no control or invisible formatting characters. */
export const Text = (max: number, options: { minLength?: number } = {}) => Type.String({ ...options, maxLength: max, pattern: PRINTABLE_TEXT_PATTERN });
export const Reason = Text(500, { minLength: 1 });
export const Mode = Type.Union([Type.Literal('guided'), Type.Literal('direct')]);

export const Finding = Type.Object({ check: Str, outcome: Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('unknown'), Type.Literal('info')]), message: Str });

export const PrecheckSchema = Type.Object({
  verdict: Type.Union([Type.Literal('allowed'), Type.Literal('blocked'), Type.Literal('unknown')]),
  mode: Mode,
  account: Type.Object({ id: Str, upn: Str }),
  key: Type.Object({
    aaguid: Str, model: Str, vendor: NStr, serial: NStr, virtual: Type.Boolean(), versions: Type.Array(Str), firmware: Str,
    pinSet: Nullable(Type.Boolean()), pinRetries: Nullable(Type.Integer()),
  }),
  findings: Type.Array(Finding),
  reasons: Type.Array(Str),
  policy: Type.Object({ source: Str, profiles: Type.Array(Str), tapLifetimeMinutes: Nullable(Type.Integer()) }),
  note: Str,
  checkedAt: Str,
});

export const RequestSchema = Type.Object({
  id: Str,
  accountId: Str,
  upn: Str,
  userId: Str,
  mode: Mode,
  purpose: Type.Union([Type.Literal('enroll'), Type.Literal('replace')]),
  replacesKeyId: NStr,
  reason: Str,
  state: Str,
  key: Type.Object({ aaguid: Str, model: Str, serial: NStr }),
  precheck: Type.Object({ verdict: Str, findings: Type.Array(Finding), checkedAt: Str, virtual: Type.Boolean() }),
  displayName: Str,
  location: Str,
  sealNumber: Str,
  requestedBy: Str,
  requestedAt: Str,
  expiresAt: Str,
  approvedBy: NStr,
  approvedAt: NStr,
  closedBy: NStr,
  closedAt: NStr,
  closeReason: Str,
  error: Nullable(Type.Object({ code: Str, message: Str })),
  replacedKeyRevokedAt: NStr,
  tap: Type.Object({ state: Str, methodId: NStr, lifetimeMinutes: Nullable(Type.Integer()), issuedAt: NStr, expiresAt: NStr }),
  credentialId: NStr,
  attestedAaguid: NStr,
  fido2MethodId: NStr,
  keyRegisteredAt: NStr,
  keyId: NStr,
  drillDueAt: NStr,
  updatedAt: Str,
});

/** Who is looking, relative to the request: what this officer may do with it next. */
export const RequestViewSchema = Type.Object({
  request: RequestSchema,
  you: Type.Object({ isRequester: Type.Boolean(), isApprover: Type.Boolean(), canApprove: Type.Boolean(), canRun: Type.Boolean(), canCancel: Type.Boolean() }),
  officers: Type.Record(Type.String(), Type.String(), { description: 'actor → display name, for the actors this request mentions' }),
  steps: Type.Array(Type.Object({ seq: Type.Integer(), at: Str, actor: Str, action: Str })),
  securityInfoUrl: Str,
});

export const KeySchema = Type.Object({
  id: Str,
  accountId: Str,
  status: Str,
  aaguid: Str,
  model: Str,
  serial: NStr,
  graphMethodId: NStr,
  credentialId: NStr,
  displayName: Str,
  registeredAt: NStr,
  attestationLevel: NStr,
  passkeyType: NStr,
  enrolledVia: Str,
  enrollmentId: NStr,
  location: Str,
  sealNumber: Str,
  addedAt: Str,
  addedBy: Str,
  statusChangedAt: NStr,
  statusChangedBy: NStr,
  statusReason: Str,
});

export const CustodianSchema = Type.Object({
  id: Str, accountId: Str, name: Str, contact: Str, role: Str, addedAt: Str, addedBy: Str, removedAt: NStr, removedBy: NStr, removedReason: Str,
});

export const AccountSchema = Type.Object({
  id: Str, tenantId: Str, userId: Str, upn: Str, displayName: Str, status: Str, drillIntervalDays: Type.Integer(), designatedBy: Str, designatedAt: Str, retiredAt: NStr, notes: Str,
});

export const DriftFindingSchema = Type.Object({
  code: Str, severity: Str, message: Str, methodId: Type.Optional(Str), keyId: Type.Optional(Str), kind: Type.Optional(Str),
});

export const OpenRequestSchema = Nullable(Type.Object({ id: Str, state: Str, mode: Str }));

export const InventorySummarySchema = Type.Object({
  account: AccountSchema,
  keys: Type.Object({ active: Type.Integer(), lost: Type.Integer(), total: Type.Integer() }),
  custodians: Type.Integer(),
  openRequest: OpenRequestSchema,
  lastReconcile: Nullable(Type.Object({ at: Str, problems: Type.Integer(), warnings: Type.Integer() })),
});

export const AccountDetailSchema = Type.Object({
  account: AccountSchema,
  keys: Type.Array(KeySchema),
  custodians: Type.Array(CustodianSchema),
  openRequest: OpenRequestSchema,
  lastReconcile: Nullable(Type.Object({ at: Str, problems: Type.Integer(), warnings: Type.Integer(), findings: Type.Array(DriftFindingSchema) })),
});

export const ReconcileSchema = Type.Object({
  accountId: Str, upn: Str, at: Str, findings: Type.Array(DriftFindingSchema), problems: Type.Integer(), warnings: Type.Integer(),
  error: Type.Optional(Type.Object({ code: Str, message: Str })),
});

export const IssuedTapSchema = Type.Object({
  request: RequestSchema,
  temporaryAccessPass: Type.String({ description: 'The pass. Shown once; never stored by breakglass. Cache-Control: no-store.' }),
  expiresAt: Str,
  lifetimeMinutes: Type.Integer(),
  upn: Str,
  securityInfoUrl: Str,
});

export const WatchSchema = Type.Object({
  outcome: Str,
  request: RequestSchema,
  tap: Type.Optional(Type.Object({ usable: Type.Boolean(), reason: Str })),
});

/** A key PIN: sent for one call, never stored, logged or echoed (CTAP: 4–63 bytes of UTF-8). */
export const Pin = Type.String({ minLength: 4, maxLength: 63 });
