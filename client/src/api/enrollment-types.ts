// Wire types of the inventory and enrollment API (server/routes/enrollment-schemas.ts defines the schemas).
export type Mode = 'guided' | 'direct';
export type Outcome = 'pass' | 'fail' | 'unknown' | 'info';

export interface Finding {
  check: string;
  outcome: Outcome;
  message: string;
}

export interface Precheck {
  verdict: 'allowed' | 'blocked' | 'unknown';
  mode: Mode;
  account: { id: string; upn: string };
  key: { aaguid: string; model: string; vendor: string | null; serial: string | null; virtual: boolean; versions: string[]; firmware: string; pinSet: boolean | null; pinRetries: number | null };
  findings: Finding[];
  reasons: string[];
  policy: { source: string; profiles: string[]; tapLifetimeMinutes: number | null };
  note: string;
  checkedAt: string;
}

export type RequestState =
  | 'requested' | 'approved' | 'tap_issuing' | 'awaiting_registration' | 'registering' | 'key_registered'
  | 'completed' | 'rejected' | 'cancelled' | 'expired' | 'failed';

export interface EnrollmentRequest {
  id: string;
  accountId: string;
  upn: string;
  userId: string;
  mode: Mode;
  purpose: 'enroll' | 'replace';
  replacesKeyId: string | null;
  reason: string;
  state: RequestState;
  key: { aaguid: string; model: string; serial: string | null };
  precheck: { verdict: string; findings: Finding[]; checkedAt: string; virtual: boolean };
  displayName: string;
  location: string;
  sealNumber: string;
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
  closedBy: string | null;
  closedAt: string | null;
  closeReason: string;
  error: { code: string; message: string } | null;
  replacedKeyRevokedAt: string | null;
  tap: { state: string; methodId: string | null; lifetimeMinutes: number | null; issuedAt: string | null; expiresAt: string | null };
  credentialId: string | null;
  attestedAaguid: string | null;
  fido2MethodId: string | null;
  keyRegisteredAt: string | null;
  keyId: string | null;
  drillDueAt: string | null;
  updatedAt: string;
}

export interface RequestView {
  request: EnrollmentRequest;
  you: { isRequester: boolean; isApprover: boolean; canApprove: boolean; canRun: boolean; canCancel: boolean };
  officers: Record<string, string>;
  steps: { seq: number; at: string; actor: string; action: string }[];
  securityInfoUrl: string;
}

export interface IssuedTap {
  request: EnrollmentRequest;
  temporaryAccessPass: string;
  expiresAt: string;
  lifetimeMinutes: number;
  upn: string;
  securityInfoUrl: string;
}

export interface WatchResult {
  outcome: 'waiting' | 'completed' | 'expired' | 'failed' | 'not_watching';
  request: EnrollmentRequest;
  tap?: { usable: boolean; reason: string };
}

export interface Account {
  id: string;
  tenantId: string;
  userId: string;
  upn: string;
  displayName: string;
  status: string;
  drillIntervalDays: number;
  designatedBy: string;
  designatedAt: string;
  retiredAt: string | null;
  notes: string;
}

export interface Key {
  id: string;
  accountId: string;
  status: 'active' | 'lost' | 'replaced' | 'revoked' | 'retired';
  aaguid: string;
  model: string;
  serial: string | null;
  graphMethodId: string | null;
  credentialId: string | null;
  displayName: string;
  registeredAt: string | null;
  attestationLevel: string | null;
  passkeyType: string | null;
  enrolledVia: 'guided' | 'direct' | 'adopted';
  enrollmentId: string | null;
  location: string;
  sealNumber: string;
  addedAt: string;
  addedBy: string;
  statusChangedAt: string | null;
  statusChangedBy: string | null;
  statusReason: string;
}

export interface Custodian {
  id: string;
  name: string;
  contact: string;
  role: string;
  addedAt: string;
  addedBy: string;
}

export interface DriftFinding {
  code: string;
  severity: 'problem' | 'warning' | 'ok';
  message: string;
  methodId?: string;
  keyId?: string;
  kind?: string;
}

export interface InventorySummary {
  account: Account;
  keys: { active: number; lost: number; total: number };
  custodians: number;
  openRequest: { id: string; state: RequestState; mode: Mode } | null;
  lastReconcile: { at: string; problems: number; warnings: number } | null;
}

export interface AccountDetail {
  account: Account;
  keys: Key[];
  custodians: Custodian[];
  openRequest: { id: string; state: RequestState; mode: Mode } | null;
  lastReconcile: { at: string; problems: number; warnings: number; findings: DriftFinding[] } | null;
}

export interface ReconcileResult {
  accountId: string;
  upn: string;
  at: string;
  findings: DriftFinding[];
  problems: number;
  warnings: number;
  error?: { code: string; message: string };
}
