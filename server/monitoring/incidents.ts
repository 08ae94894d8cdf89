// Incidents: uses of an emergency account outside any drill window, and method changes on one, waiting for an officer
// to classify them (drill, emergency, misuse — or, for a method change, an authorised change) with notes. Opening an
// incident raises its alert at once, in the same transaction; the same attempt seen again (a duplicate record, a
// second record of the same sign-in, a re-poll) joins the existing incident and alerts nobody twice.
import { cleanText } from '../domain/clean-text.ts';
import { randomUUID } from 'node:crypto';
import type { AuditLog, AuditRecorder } from '../audit/audit-log.ts';
import { classificationsFor, CLASSIFICATIONS, type Classification, type IncidentDraft, type IncidentKind } from '../domain/incident-rules.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.ts';
import { raiseAlert } from '../notify/alerts.ts';
import type { Db, IncidentTable } from '../store/schema.ts';

export interface Incident {
  id: string;
  accountId: string;
  upn: string;
  kind: IncidentKind;
  severity: string;
  title: string;
  occurredAt: string;
  detectedAt: string;
  details: Record<string, unknown>;
  recordIds: string[];
  status: 'open' | 'classified';
  classification: Classification | null;
  classificationNotes: string | null;
  classifiedBy: string | null;
  classifiedAt: string | null;
  /** Classifications that fit this incident's kind. */
  allowedClassifications: Classification[];
}

export function toIncident(r: IncidentTable & { upn: string }): Incident {
  return {
    id: r.id,
    accountId: r.account_id,
    upn: r.upn,
    kind: r.kind as IncidentKind,
    severity: r.severity,
    title: r.title,
    occurredAt: r.occurred_at,
    detectedAt: r.detected_at,
    details: JSON.parse(r.details) as Record<string, unknown>,
    recordIds: JSON.parse(r.record_ids) as string[],
    status: r.status as Incident['status'],
    classification: r.classification as Classification | null,
    classificationNotes: r.classification_notes,
    classifiedBy: r.classified_by,
    classifiedAt: r.classified_at,
    allowedClassifications: classificationsFor(r.kind as IncidentKind),
  };
}

/**
 * Opens the incident for `draft` (or adds the record to the one already open for the same attempt). Returns its id and
 * whether it is new. A new incident raises its alert in the same transaction.
 */
export async function openIncident(tx: Db, audit: AuditRecorder, input: { tenantId: string; account: { id: string; upn: string }; draft: IncidentDraft; recordId: string; now: string }): Promise<{ id: string; created: boolean }> {
  const { draft, account } = input;
  const existing = await tx.selectFrom('incident').select(['id', 'record_ids']).where('account_id', '=', account.id).where('dedupe_key', '=', draft.dedupeKey).executeTakeFirst();
  if (existing) {
    const ids = JSON.parse(existing.record_ids) as string[];
    if (!ids.includes(input.recordId)) {
      ids.push(input.recordId);
      await tx.updateTable('incident').set({ record_ids: JSON.stringify(ids) }).where('id', '=', existing.id).execute();
      audit.record({ actor: 'system', action: 'incident.record_added', subject: `incident:${existing.id}`, data: { recordId: input.recordId, accountId: account.id } });
    }
    return { id: existing.id, created: false };
  }
  const id = randomUUID();
  const alertKey = `incident:${account.id}:${draft.dedupeKey}`;
  await tx.insertInto('incident').values({
    id, tenant_id: input.tenantId, account_id: account.id, kind: draft.kind, severity: draft.severity, dedupe_key: draft.dedupeKey, title: draft.title,
    occurred_at: draft.occurredAt, detected_at: input.now, details: JSON.stringify(draft.details), record_ids: JSON.stringify([input.recordId]),
    status: 'open', classification: null, classification_notes: null, classified_by: null, classified_at: null, alert_dedupe_key: alertKey,
  }).execute();
  audit.record({
    actor: 'system',
    action: 'incident.opened',
    subject: `incident:${id}`,
    data: { accountId: account.id, upn: account.upn, kind: draft.kind, severity: draft.severity, occurredAt: draft.occurredAt, recordId: input.recordId, details: draft.details },
  });
  await raiseAlert(tx, audit, {
    kind: `incident.${draft.kind}`,
    severity: draft.severity,
    subject: `account:${account.id}`,
    title: draft.title,
    dedupeKey: alertKey,
    details: { incidentId: id, accountId: account.id, upn: account.upn, occurredAt: draft.occurredAt, detectedAt: input.now, expectedDrill: false, ...draft.details, action: 'classify it in breakglass as drill, emergency or misuse' },
  });
  return { id, created: true };
}

export async function listIncidents(db: Db, opts: { status?: 'open' | 'classified'; accountId?: string; limit?: number } = {}): Promise<Incident[]> {
  let q = db.selectFrom('incident as i').innerJoin('emergency_account as a', 'a.id', 'i.account_id').selectAll('i').select('a.upn').orderBy('i.occurred_at', 'desc').limit(opts.limit ?? 200);
  if (opts.status) q = q.where('i.status', '=', opts.status);
  if (opts.accountId) q = q.where('i.account_id', '=', opts.accountId);
  return (await q.execute()).map(toIncident);
}

export async function getIncident(db: Db, id: string): Promise<Incident> {
  const r = await db.selectFrom('incident as i').innerJoin('emergency_account as a', 'a.id', 'i.account_id').selectAll('i').select('a.upn').where('i.id', '=', id).executeTakeFirst();
  if (!r) throw new NotFoundError(`no incident ${id}`);
  return toIncident(r);
}

/** The post-mortem: an officer says what the use was. Classification is final (a second one is refused). */
export async function classifyIncident(deps: { audit: AuditLog }, input: { id: string; classification: string; notes: string; actor: string }): Promise<Incident> {
  if (!(CLASSIFICATIONS as readonly string[]).includes(input.classification)) {
    throw new InvalidInputError(`classification must be one of ${CLASSIFICATIONS.join(', ')}`);
  }
  // Like every stored free text: trimmed, bounded, no control characters (they travel into alerts and exports).
  const notes = cleanText(input.notes, { field: 'the notes', max: 4000 });
  if (notes.length < 3) throw new InvalidInputError('say what happened (--notes): who used the account, why, and what was done with it');
  return deps.audit.change(async (tx, audit) => {
    const current = await getIncident(tx, input.id);
    if (current.status === 'classified') throw new ConflictError('already_classified', `incident ${input.id} was already classified as ${current.classification} by ${current.classifiedBy} at ${current.classifiedAt}`);
    const allowed = classificationsFor(current.kind);
    if (!allowed.includes(input.classification as Classification)) {
      throw new InvalidInputError(`a ${current.kind.replace(/_/g, ' ')} incident is classified as ${allowed.join(', ')}`);
    }
    const now = (audit.now ?? new Date()).toISOString();
    await tx.updateTable('incident').set({ status: 'classified', classification: input.classification, classification_notes: notes, classified_by: input.actor, classified_at: now }).where('id', '=', input.id).execute();
    audit.record({ actor: input.actor, action: 'incident.classified', subject: `incident:${input.id}`, data: { accountId: current.accountId, kind: current.kind, classification: input.classification, notes } });
    if (input.classification === 'misuse') {
      await raiseAlert(tx, audit, {
        kind: 'incident.misuse', severity: 'critical', subject: `account:${current.accountId}`, dedupeKey: `incident:${input.id}:misuse`,
        title: `Use of emergency account ${current.upn} classified as MISUSE`,
        details: { incidentId: input.id, accountId: current.accountId, upn: current.upn, classifiedBy: input.actor, notes },
      });
    }
    return { ...current, status: 'classified' as const, classification: input.classification as Classification, classificationNotes: notes, classifiedBy: input.actor, classifiedAt: now };
  });
}
