// Incidents: every use of an emergency account outside an announced drill window, every failed attempt, and every
// authentication method added to or removed from one. Each alerted at once; here an officer records the post-mortem
// (drill, real emergency, misuse — or an authorised change for a method change) with notes. Below: recent alerts and
// whether each channel delivered them.
import { Fragment } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.ts';
import { ErrorSummary } from '../components/error-summary.tsx';
import { Page } from '../components/page.tsx';
import { useApp } from '../context.ts';
import type { AlertView, Incident } from '../drills/drill-types.ts';
import { CLASSIFICATION_LABEL } from '../drills/labels.ts';
import { when } from '../format.ts';
import { AlertTable } from './drill-console-page.tsx';
import '../drills/drills.css';

const DETAIL_LABEL: Record<string, string> = {
  signInId: 'Sign-in id', createdDateTime: 'When (UTC)', appDisplayName: 'Application', ipAddress: 'IP address', errorCode: 'Result code', failureReason: 'Failure',
  methods: 'Methods', conditionalAccessStatus: 'Conditional Access', activityDisplayName: 'Activity', resultReason: 'What', directoryAuditId: 'Audit record',
};

function Details({ details }: { details: Record<string, unknown> }) {
  const rows = Object.entries(details).filter(([k, v]) => DETAIL_LABEL[k] && v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0));
  const who = details.initiatedBy as { user?: string | null; app?: string | null; ipAddress?: string | null } | undefined;
  return (
    <dl class="facts">
      {rows.map(([k, v]) => (
        <Fragment key={k}>
          <dt>{DETAIL_LABEL[k]}</dt>
          <dd class={k.endsWith('Id') || k === 'ipAddress' ? 'mono' : undefined}>{Array.isArray(v) ? v.join(', ') : String(v)}</dd>
        </Fragment>
      ))}
      {who ? (
        <>
          <dt>Done by</dt>
          <dd>{[who.user, who.app, who.ipAddress].filter(Boolean).join(' · ') || 'unknown'}</dd>
        </>
      ) : null}
    </dl>
  );
}

function ClassifyForm({ incident, onDone }: { incident: Incident; onDone: () => Promise<void> }) {
  const app = useApp();
  const [choice, setChoice] = useState('');
  const [notes, setNotes] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const base = `classify-${incident.id}`;
  async function submit(e: Event) {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await api('POST', `/api/incidents/${incident.id}/classify`, { classification: choice, notes });
      app.announce(`Incident classified as ${CLASSIFICATION_LABEL[choice]?.label ?? choice}.`);
      await onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} noValidate aria-label={`Classify: ${incident.title}`}>
      <ErrorSummary error={error} />
      <fieldset class="field">
        <legend>What was it?</legend>
        {incident.allowedClassifications.map((c) => (
          <div class="radio" key={c}>
            <input type="radio" id={`${base}-${c}`} name={base} checked={choice === c} onChange={() => setChoice(c)} />
            <label for={`${base}-${c}`}>
              <strong>{CLASSIFICATION_LABEL[c]?.label ?? c}</strong> — {CLASSIFICATION_LABEL[c]?.hint}
            </label>
          </div>
        ))}
      </fieldset>
      <div class="field">
        <label for={`${base}-notes`}>Post-mortem notes</label>
        <p class="hint" id={`${base}-hint`}>Who used the account, why, and what was done with it.</p>
        <textarea id={`${base}-notes`} class="textarea" aria-describedby={`${base}-hint`} maxLength={4000} value={notes} onInput={(e) => setNotes((e.currentTarget as HTMLTextAreaElement).value)} />
      </div>
      <button type="submit" class="button-primary" disabled={busy || !choice || notes.trim().length < 3}>
        Record classification
      </button>
    </form>
  );
}

export function IncidentsPage() {
  const app = useApp();
  const [incidents, setIncidents] = useState<Incident[] | null>(null);
  const [alerts, setAlerts] = useState<AlertView[]>([]);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(async () => {
    const [i, a] = await Promise.all([api<{ incidents: Incident[] }>('GET', '/api/incidents'), api<{ alerts: AlertView[] }>('GET', '/api/alerts?limit=30')]);
    setIncidents(i.incidents);
    setAlerts(a.alerts);
  }, []);
  useEffect(() => {
    load().catch(setError);
  }, [load]);
  const open = incidents?.filter((i) => i.status === 'open') ?? [];
  const done = incidents?.filter((i) => i.status === 'classified') ?? [];
  return (
    <Page title="Incidents" lead="Any use of an emergency account outside an announced drill window, and any change to its sign-in methods, alerts at once and waits here for a post-mortem.">
      <ErrorSummary error={error} />
      {incidents === null ? (
        error ? null : <p class="loading">Loading…</p>
      ) : (
        <>
          <h2>Waiting for classification ({open.length})</h2>
          {open.length === 0 ? <p>None. Every use has been classified.</p> : null}
          {open.map((i) => (
            <article key={i.id} class={`incident incident-${i.severity}`} aria-labelledby={`inc-${i.id}`}>
              <h3 id={`inc-${i.id}`}>
                {i.severity === 'critical' ? 'Critical: ' : 'Warning: '}
                {i.title}
              </h3>
              <p class="hint">
                Happened {when(i.occurredAt)} · detected {when(i.detectedAt)} · {i.recordIds.length} log record{i.recordIds.length === 1 ? '' : 's'}
              </p>
              <Details details={i.details} />
              {app.can('incidents.classify') ? <ClassifyForm incident={i} onDone={load} /> : <p>An officer or admin classifies this incident.</p>}
            </article>
          ))}
          <h2>Classified ({done.length})</h2>
          {done.length === 0 ? (
            <p>None yet.</p>
          ) : (
            <table>
              <caption>Classified incidents</caption>
              <thead>
                <tr>
                  <th scope="col">Happened</th>
                  <th scope="col">Incident</th>
                  <th scope="col">Classification</th>
                </tr>
              </thead>
              <tbody>
                {done.map((i) => (
                  <tr key={i.id}>
                    <th scope="row">{when(i.occurredAt)}</th>
                    <td>{i.title}</td>
                    <td>
                      <strong>{CLASSIFICATION_LABEL[i.classification ?? '']?.label ?? i.classification}</strong> by <span class="mono">{i.classifiedBy}</span>, {when(i.classifiedAt)}
                      <br />
                      {i.classificationNotes}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>Recent alerts</h2>
          <AlertTable alerts={alerts} caption="Recent alerts and their delivery on each channel" />
        </>
      )}
    </Page>
  );
}
