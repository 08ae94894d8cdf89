// Wire types of the breakglass API as the front end uses them (server/routes/*-routes.ts define the schemas).
export type Role = 'admin' | 'officer' | 'auditor';
export type Permission = 'officers.manage' | 'accounts.read' | 'accounts.operate' | 'audit.read' | 'enrollment.request' | 'enrollment.approve' | 'drills.operate' | 'incidents.classify' | 'reports.read' | 'reports.send';

export interface Tenant {
  kind: 'simulated' | 'graph';
  label: string;
  tenantId: string;
}

export interface Status {
  bootstrapRequired: boolean;
  signedIn: boolean;
  origin: string;
  rpId: string;
  tenant: { kind: 'simulated' | 'graph' } | null;
}

export interface Officer {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  status: 'active' | 'disabled';
  createdAt: string;
}

export interface OfficerSummary extends Officer {
  passkeys: number;
  lastSignInAt: string | null;
}

export interface Session {
  officer: Officer;
  permissions: Permission[];
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
  idleExpiresAt: string;
  stepUpValidUntil: string | null;
  passkeyId: string;
  tenant: Tenant | null;
}

export interface Passkey {
  id: string;
  name: string;
  aaguid: string;
  fmt: string;
  deviceType: string;
  backedUp: boolean;
  transports: string[];
  createdAt: string;
  lastUsedAt: string | null;
}

export interface Invite {
  id: string;
  displayName: string;
  role: Role;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  status: 'pending' | 'used' | 'expired' | 'revoked';
  usedAt: string | null;
  usedBy: string | null;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  data: unknown;
  leafHash: string;
  actorName: string | null;
  subjectName: string | null;
}

export interface Verification {
  ok: boolean;
  origin: string;
  verifierKey: string;
  entries: number;
  rootHash: string;
  checkpoints: { total: number; verified: number; latest: { treeSize: number; timestamp: string | null; source: string } | null };
  problems: { kind: string; seq: number | null; message: string }[];
  firstBadSeq: number | null;
  verifiedAt: string;
  latestCheckpoint: { id: number; treeSize: number; rootHash: string; at: string; note: string } | null;
}

export interface AccountKey {
  id: string;
  displayName: string | null;
  aaguid: string | null;
  model: string | null;
  attestationLevel: string | null;
  createdAt: string | null;
}

export interface Account {
  id: string;
  upn: string;
  displayName: string;
  userId: string;
  drillIntervalDays: number;
  designatedAt: string;
  directory: {
    found: boolean;
    accountEnabled: boolean | null;
    cloudOnly: boolean | null;
    keys: AccountKey[];
    usableTemporaryAccessPasses: number;
    findings: { code: string; severity: string; message: string }[];
  } | null;
}

export interface AccountsPage {
  tenant: Tenant | null;
  accounts: Account[];
  directoryError: string | null;
}
