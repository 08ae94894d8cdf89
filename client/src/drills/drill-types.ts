// Wire types of the drill, incident, alert and readiness routes (server/routes/drill-schemas.ts defines them).

export interface SignInSummary {
  id: string;
  createdDateTime: string;
  userPrincipalName: string;
  appDisplayName: string | null;
  ipAddress: string | null;
  errorCode: number | null;
  failureReason: string | null;
  methods: string[];
  conditionalAccessStatus: string | null;
  correlationId: string | null;
}

export interface Checklist {
  sealIntactBefore: boolean;
  sealNumberBefore: string;
  sealNumberAfter: string;
  witnessConfirmed: boolean;
  adminTaskProven: boolean;
}

export type VerificationState = 'waiting' | 'verified' | 'rejected' | 'not_seen';

export interface Drill {
  id: string;
  accountId: string;
  upn: string;
  status: 'open' | 'passed' | 'failed' | 'cancelled';
  window: { start: string; end: string };
  phase: 'scheduled' | 'in_progress' | 'ended';
  performer: string;
  witness: string;
  expectedKey: string;
  notes: string;
  openedBy: string;
  openedAt: string;
  verification: { state: VerificationState; reasons: string[]; signIn: SignInSummary | null; capturedAt: string | null };
  checklist: Checklist | null;
  result: { reasons: string[]; closedBy: string; closedAt: string; nextDueAt: string | null } | null;
}

export type DrillState = 'ok' | 'due_soon' | 'due' | 'overdue' | 'never';

export interface CalendarEntry {
  accountId: string;
  upn: string;
  displayName: string;
  intervalDays: number;
  cycle: { no: number; reason: string; startedAt: string; dueAt: string } | null;
  state: DrillState;
  lastPassed: { drillId: string; at: string } | null;
  openDrill: { id: string; windowStart: string; windowEnd: string; verification: string } | null;
  nextNotice: { kind: string; dueAt: string } | null;
}

export interface Monitoring {
  state: string;
  lastSuccessAt: string | null;
  detail: string | null;
  streams: { stream: string; state: string; lastSuccessAt: string | null; lastError: string | null; failingSince: string | null }[];
}

export interface Calendar {
  at: string;
  tenant: { kind: string; label: string } | null;
  accounts: CalendarEntry[];
  monitoring: Monitoring | null;
  channels: { name: string; kind: string; target: string }[];
  schedule: { reminderDays: number[]; overdueDays: number[]; overdueRepeatDays: number; changeDueDays: number };
}

export interface AlertView {
  id: string;
  kind: string;
  severity: string;
  subject: string;
  title: string;
  createdAt: string;
  deliveries: { channel: string; state: string; attempts: number; lastStatus: string | null; lastError: string | null; deliveredAt: string | null; nextAttemptAt: string | null }[];
}

export interface VerifyResult {
  verdict: 'verified' | 'rejected' | 'not_seen';
  signInId: string | null;
  signIn: SignInSummary | null;
  reasons: string[];
  drill: Drill;
}

export interface Incident {
  id: string;
  accountId: string;
  upn: string;
  kind: string;
  severity: string;
  title: string;
  occurredAt: string;
  detectedAt: string;
  details: Record<string, unknown>;
  recordIds: string[];
  status: 'open' | 'classified';
  classification: string | null;
  classificationNotes: string | null;
  classifiedBy: string | null;
  classifiedAt: string | null;
  allowedClassifications: string[];
}

export interface ReadinessCheck {
  code: string;
  status: 'ok' | 'warning' | 'problem' | 'unknown';
  title: string;
  detail: string;
}

export type ReadinessStatus = 'ready' | 'attention' | 'not_ready';

export interface Readiness {
  generatedAt: string;
  tenant: { kind: string; label: string; tenantId: string } | null;
  status: ReadinessStatus;
  tenantChecks: ReadinessCheck[];
  accounts: { accountId: string; upn: string; displayName: string; status: ReadinessStatus; checks: ReadinessCheck[]; lastPassedDrillAt: string | null; nextDueAt: string | null; caModel: string | null }[];
  enforcement: {
    days: number;
    since: string;
    apps: { appId: string; name: string }[];
    rows: { userId: string; userPrincipalName: string; displayName: string; apps: string[]; signIns: number; lastSignIn: string; registeredMethods: string[] }[];
    unchecked: number;
    error: string | null;
  } | null;
  problems: string[];
}
