// TypeBox schemas of the drill, incident, alert and readiness routes. Response schemas also strip any field they do
// not declare, so what leaves the API is exactly what is listed here.
import { Type } from 'typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Iso = Type.String({ description: 'ISO-8601 UTC instant' });

export const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' }) });

export const SignInSummarySchema = Type.Object({
  id: Type.String(),
  createdDateTime: Type.String(),
  userPrincipalName: Type.String(),
  appDisplayName: Nullable(Type.String()),
  ipAddress: Nullable(Type.String()),
  errorCode: Nullable(Type.Integer()),
  failureReason: Nullable(Type.String()),
  methods: Type.Array(Type.String()),
  conditionalAccessStatus: Nullable(Type.String()),
  correlationId: Nullable(Type.String()),
});

export const ChecklistSchema = Type.Object({
  sealIntactBefore: Type.Boolean(),
  sealNumberBefore: Type.String(),
  sealNumberAfter: Type.String(),
  witnessConfirmed: Type.Boolean(),
  adminTaskProven: Type.Boolean(),
});

export const DrillSchema = Type.Object({
  id: Type.String(),
  accountId: Type.String(),
  upn: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('passed'), Type.Literal('failed'), Type.Literal('cancelled')]),
  window: Type.Object({ start: Iso, end: Iso }),
  phase: Type.Union([Type.Literal('scheduled'), Type.Literal('in_progress'), Type.Literal('ended')]),
  performer: Type.String(),
  witness: Type.String(),
  expectedKey: Type.String(),
  notes: Type.String(),
  openedBy: Type.String(),
  openedAt: Iso,
  verification: Type.Object({
    state: Type.Union([Type.Literal('waiting'), Type.Literal('verified'), Type.Literal('rejected'), Type.Literal('not_seen')]),
    reasons: Type.Array(Type.String()),
    signIn: Nullable(SignInSummarySchema),
    capturedAt: Nullable(Iso),
  }),
  checklist: Nullable(ChecklistSchema),
  result: Nullable(Type.Object({ reasons: Type.Array(Type.String()), closedBy: Type.String(), closedAt: Iso, nextDueAt: Nullable(Iso) })),
});

export const CalendarEntrySchema = Type.Object({
  accountId: Type.String(),
  upn: Type.String(),
  displayName: Type.String(),
  intervalDays: Type.Integer(),
  cycle: Nullable(Type.Object({ no: Type.Integer(), reason: Type.String(), startedAt: Iso, dueAt: Iso })),
  state: Type.Union([Type.Literal('ok'), Type.Literal('due_soon'), Type.Literal('due'), Type.Literal('overdue'), Type.Literal('never')]),
  lastPassed: Nullable(Type.Object({ drillId: Type.String(), at: Iso })),
  openDrill: Nullable(Type.Object({ id: Type.String(), windowStart: Iso, windowEnd: Iso, verification: Type.String() })),
  nextNotice: Nullable(Type.Object({ kind: Type.String(), dueAt: Iso })),
});

export const MonitoringSchema = Nullable(Type.Object({
  state: Type.String(),
  lastSuccessAt: Nullable(Iso),
  detail: Nullable(Type.String()),
  streams: Type.Array(Type.Object({ stream: Type.String(), state: Type.String(), lastSuccessAt: Nullable(Iso), lastError: Nullable(Type.String()), failingSince: Nullable(Iso) })),
}));

export const ChannelSchema = Type.Object({ name: Type.String(), kind: Type.String(), target: Type.String() });

export const CalendarSchema = Type.Object({
  at: Iso,
  tenant: Nullable(Type.Object({ kind: Type.String(), label: Type.String() })),
  accounts: Type.Array(CalendarEntrySchema),
  monitoring: MonitoringSchema,
  channels: Type.Array(ChannelSchema),
  schedule: Type.Object({ reminderDays: Type.Array(Type.Integer()), overdueDays: Type.Array(Type.Integer()), overdueRepeatDays: Type.Integer(), changeDueDays: Type.Integer() }),
});

export const OpenDrillBody = Type.Object({
  account: Type.String({ minLength: 1, maxLength: 256, description: 'Account id, UPN or Entra object id' }),
  start: Type.Optional(Type.String({ maxLength: 40, description: 'Planned start (ISO-8601 instant); default now' })),
  minutes: Type.Optional(Type.Integer({ minimum: 10, maximum: 1440 })),
  performer: Type.String({ minLength: 1, maxLength: 120 }),
  witness: Type.String({ minLength: 1, maxLength: 120 }),
  expectedKey: Type.Optional(Type.String({ maxLength: 200 })),
  notes: Type.Optional(Type.String({ maxLength: 2000 })),
}, { additionalProperties: false });

export const CloseDrillBody = Type.Object({
  result: Type.Union([Type.Literal('passed'), Type.Literal('failed')]),
  checklist: Type.Object({
    sealIntactBefore: Type.Optional(Type.Boolean()),
    sealNumberBefore: Type.Optional(Type.String({ maxLength: 80 })),
    sealNumberAfter: Type.Optional(Type.String({ maxLength: 80 })),
    witnessConfirmed: Type.Optional(Type.Boolean()),
    adminTaskProven: Type.Optional(Type.Boolean()),
  }, { additionalProperties: false }),
  notes: Type.Optional(Type.String({ maxLength: 4000 })),
}, { additionalProperties: false });

export const VerifyResultSchema = Type.Object({
  verdict: Type.Union([Type.Literal('verified'), Type.Literal('rejected'), Type.Literal('not_seen')]),
  signInId: Nullable(Type.String()),
  signIn: Nullable(SignInSummarySchema),
  reasons: Type.Array(Type.String()),
  drill: DrillSchema,
});

export const IncidentSchema = Type.Object({
  id: Type.String(),
  accountId: Type.String(),
  upn: Type.String(),
  kind: Type.String(),
  severity: Type.String(),
  title: Type.String(),
  occurredAt: Iso,
  detectedAt: Iso,
  details: Type.Record(Type.String(), Type.Unknown()),
  recordIds: Type.Array(Type.String()),
  status: Type.Union([Type.Literal('open'), Type.Literal('classified')]),
  classification: Nullable(Type.String()),
  classificationNotes: Nullable(Type.String()),
  classifiedBy: Nullable(Type.String()),
  classifiedAt: Nullable(Iso),
  allowedClassifications: Type.Array(Type.String()),
});

export const ClassifyBody = Type.Object({
  classification: Type.Union([Type.Literal('drill'), Type.Literal('emergency'), Type.Literal('misuse'), Type.Literal('authorized_change')]),
  notes: Type.String({ minLength: 3, maxLength: 4000 }),
}, { additionalProperties: false });

export const AlertSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  severity: Type.String(),
  subject: Type.String(),
  title: Type.String(),
  createdAt: Iso,
  deliveries: Type.Array(Type.Object({ channel: Type.String(), state: Type.String(), attempts: Type.Integer(), lastStatus: Nullable(Type.String()), lastError: Nullable(Type.String()), deliveredAt: Nullable(Iso), nextAttemptAt: Nullable(Iso) })),
});

const CheckSchema = Type.Object({ code: Type.String(), status: Type.Union([Type.Literal('ok'), Type.Literal('warning'), Type.Literal('problem'), Type.Literal('unknown')]), title: Type.String(), detail: Type.String() });
const Status = Type.Union([Type.Literal('ready'), Type.Literal('attention'), Type.Literal('not_ready')]);

export const ReadinessSchema = Type.Object({
  generatedAt: Iso,
  tenant: Nullable(Type.Object({ kind: Type.String(), label: Type.String(), tenantId: Type.String() })),
  status: Status,
  tenantChecks: Type.Array(CheckSchema),
  accounts: Type.Array(Type.Object({
    accountId: Type.String(), upn: Type.String(), displayName: Type.String(), status: Status, checks: Type.Array(CheckSchema),
    lastPassedDrillAt: Nullable(Iso), nextDueAt: Nullable(Iso), caModel: Nullable(Type.String()),
  })),
  enforcement: Nullable(Type.Object({
    days: Type.Integer(), since: Iso, apps: Type.Array(Type.Object({ appId: Type.String(), name: Type.String() })),
    rows: Type.Array(Type.Object({ userId: Type.String(), userPrincipalName: Type.String(), displayName: Type.String(), apps: Type.Array(Type.String()), signIns: Type.Integer(), lastSignIn: Iso, registeredMethods: Type.Array(Type.String()) })),
    unchecked: Type.Integer(), error: Nullable(Type.String()),
  })),
  problems: Type.Array(Type.String()),
});

export const EnforcementQuery = Type.Object({ enforcementDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 })) }, { additionalProperties: false });
export const MailReportBody = Type.Object({
  days: Type.Integer({ minimum: 1, maximum: 30 }),
  to: Type.Array(Type.String({ minLength: 3, maxLength: 254, pattern: '^[^@\\s,;]+@[^@\\s,;]+\\.[^@\\s,;]+$' }), { minItems: 1, maxItems: 20 }),
}, { additionalProperties: false });
