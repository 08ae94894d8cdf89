// Pure rules that turn what monitoring sees into drill activity or incidents (Microsoft: alert on every use of an
// emergency account, then classify it as drill, emergency or misuse — anchors.md §1, §8):
//   - a sign-in (successful or failed) inside an announced drill window is drill activity;
//   - any other sign-in or failed attempt is an incident, one per sign-in attempt (records sharing a correlationId —
//     Entra writes several for one interactive sign-in — and records seen twice fold into one);
//   - an authentication method added to, removed from or changed on an emergency account (directory audit log) is an
//     incident too: it is how a takeover of a break-glass account starts.
import type { GraphDirectoryAudit, GraphSignIn } from '../graph/graph-types.ts';
import { methodKind } from './sign-in-evidence.ts';

export const CLASSIFICATIONS = ['drill', 'emergency', 'misuse', 'authorized_change'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export type IncidentKind = 'sign_in' | 'failed_sign_in' | 'method_added' | 'method_removed' | 'method_changed';

export interface AnnouncedWindow {
  drillId: string;
  start: string;
  end: string;
}

export interface IncidentDraft {
  kind: IncidentKind;
  severity: 'warning' | 'critical';
  title: string;
  /** Unique per account: the same attempt or audit event never makes two incidents. */
  dedupeKey: string;
  occurredAt: string;
  details: Record<string, unknown>;
}

export type SignInDisposition = { disposition: 'drill'; drillId: string } | { disposition: 'incident'; incident: IncidentDraft };

export function windowAt(at: string, windows: AnnouncedWindow[]): AnnouncedWindow | undefined {
  const t = Date.parse(at);
  return windows.find((w) => t >= Date.parse(w.start) && t <= Date.parse(w.end));
}

export function classifySignIn(record: GraphSignIn, account: { upn: string }, windows: AnnouncedWindow[]): SignInDisposition {
  const window = windowAt(record.createdDateTime, windows);
  if (window) return { disposition: 'drill', drillId: window.drillId };
  const failed = record.status?.errorCode !== 0;
  const methods = (record.authenticationDetails ?? []).map((d) => d.authenticationMethod ?? '').filter(Boolean);
  return {
    disposition: 'incident',
    incident: {
      kind: failed ? 'failed_sign_in' : 'sign_in',
      severity: failed ? 'warning' : 'critical',
      title: failed
        ? `Failed sign-in attempt on emergency account ${account.upn} outside any drill window`
        : `Emergency account ${account.upn} signed in outside any drill window`,
      dedupeKey: `sign-in:${record.correlationId || record.id}`,
      occurredAt: record.createdDateTime,
      details: {
        signInId: record.id,
        correlationId: record.correlationId ?? null,
        createdDateTime: record.createdDateTime,
        appDisplayName: record.appDisplayName ?? null,
        appId: record.appId ?? null,
        ipAddress: record.ipAddress ?? null,
        errorCode: record.status?.errorCode ?? null,
        failureReason: record.status?.failureReason ?? null,
        methods,
        conditionalAccessStatus: record.conditionalAccessStatus ?? null,
      },
    },
  };
}

const METHOD_ACTIVITY = /security info|authentication method|passkey|fido|temporary access pass|phone|authenticator|password/i;

/** A directory-audit record that adds, removes or changes a method of one of the given users; else undefined. */
export function classifyDirectoryAudit(audit: GraphDirectoryAudit, userIds: Set<string>): { userId: string; incident: IncidentDraft } | undefined {
  const target = (audit.targetResources ?? []).find((t) => t.id && userIds.has(t.id.toLowerCase()));
  if (!target?.id) return undefined;
  const byService = (audit.loggedByService ?? '').toLowerCase() === 'authentication methods';
  if (!byService && !METHOD_ACTIVITY.test(audit.activityDisplayName)) return undefined;
  const text = `${audit.activityDisplayName} ${audit.resultReason ?? ''}`;
  const op = (audit.operationType ?? '').toLowerCase();
  const kind: IncidentKind = op === 'add' || (!op && /regist|added|add\b|created/i.test(text))
    ? 'method_added'
    : op === 'delete' || (!op && /delet|remov/i.test(text))
      ? 'method_removed'
      : 'method_changed';
  const failed = (audit.result ?? '').toLowerCase() === 'failure';
  const verb = kind === 'method_added' ? 'added to' : kind === 'method_removed' ? 'removed from' : 'changed on';
  const who = audit.initiatedBy?.user?.userPrincipalName ?? audit.initiatedBy?.app?.displayName ?? 'unknown initiator';
  const upn = target.userPrincipalName ?? target.id;
  const methodHint = /passkey|fido/i.test(text) ? (methodKind(text) === 'other_passkey' ? 'passkey' : 'passkey / FIDO2 key') : /temporary access pass/i.test(text) ? 'Temporary Access Pass' : 'authentication method';
  return {
    userId: target.id.toLowerCase(),
    incident: {
      kind,
      severity: failed ? 'warning' : 'critical',
      title: `${failed ? 'Failed attempt: ' : ''}${methodHint} ${verb} emergency account ${upn} by ${who}`,
      dedupeKey: `audit:${audit.id}`,
      occurredAt: audit.activityDateTime,
      details: {
        directoryAuditId: audit.id,
        activityDateTime: audit.activityDateTime,
        activityDisplayName: audit.activityDisplayName,
        resultReason: audit.resultReason ?? null,
        result: audit.result,
        operationType: audit.operationType ?? null,
        initiatedBy: {
          user: audit.initiatedBy?.user?.userPrincipalName ?? null,
          app: audit.initiatedBy?.app?.displayName ?? null,
          appId: audit.initiatedBy?.app?.appId ?? null,
          ipAddress: audit.initiatedBy?.user?.ipAddress ?? null,
        },
        additionalDetails: audit.additionalDetails ?? [],
      },
    },
  };
}

/** Which classifications fit an incident kind: method changes can be an authorised change; sign-ins cannot. */
export function classificationsFor(kind: IncidentKind): Classification[] {
  return kind === 'sign_in' || kind === 'failed_sign_in' ? ['drill', 'emergency', 'misuse'] : ['authorized_change', 'emergency', 'misuse'];
}
