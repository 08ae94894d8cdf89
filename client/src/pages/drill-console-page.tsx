// The drill console: one drill window from announcement to result. It shows who signs in and witnesses, whether the
// sign-in has reached the logs (checked again every 20 s while the drill waits, and on demand), the captured sign-in
// evidence, the alerts about the account and whether each channel delivered them; officers record the custody
// checklist and close the drill as passed (only with verified evidence) or failed, with a fresh passkey check.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.ts';
import { ErrorSummary } from '../components/error-summary.tsx';
import { TextField } from '../components/field.tsx';
import { Page } from '../components/page.tsx';
import { useApp } from '../context.ts';
import type { AlertView, Drill, VerifyResult } from '../drills/drill-types.ts';
import { PHASE_LABEL, VERIFICATION_LABEL } from '../drills/labels.ts';
import { ensureFreshStepUp } from '../enrollment/step-up.ts';
import { when } from '../format.ts';
import { linkClick } from '../router.ts';
import '../drills/drills.css';

export function AlertTable({ alerts, caption }: { alerts: AlertView[]; caption: string }) {
  if (alerts.length === 0) return <p>No alerts yet.</p>;
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Raised</th>
          <th scope="col">Alert</th>
          <th scope="col">Delivery</th>
        </tr>
      </thead>
      <tbody>
        {alerts.map((a) => (
          <tr key={a.id}>
            <th scope="row">{when(a.createdAt)}</th>
            <td>
              <strong>{a.severity === 'critical' ? 'Critical' : a.severity === 'warning' ? 'Warning' : 'Info'}:</strong> {a.title}
            </td>
            <td>
              {a.deliveries.length === 0 ? (
                'no channel configured'
              ) : (
                <ul class="plain delivery">
                  {a.deliveries.map((d) => (
                    <li key={d.channel} class={`delivery-${d.state}`}>
                      <span class="mono">{d.channel}</span>:{' '}
                      {d.state === 'delivered' ? `delivered ${when(d.deliveredAt)}` : d.state === 'dead' ? `GAVE UP after ${d.attempts} attempts (${d.lastError ?? d.lastStatus})` : d.attempts ? `retrying (${d.lastStatus ?? 'failed'}), next ${when(d.nextAttemptAt)}` : 'queued'}
                    </li>
                  ))}
                </ul>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Evidence({ d }: { d: Drill }) {
  const v = d.verification;
  const s = v.signIn;
  return (
    <div class={`status-box status-${v.state}`} role="status">
      <p>
        <strong>{VERIFICATION_LABEL[v.state]}.</strong>
      </p>
      {s ? (
        <dl class="facts">
          <dt>Sign-in id</dt>
          <dd class="mono">{s.id}</dd>
          <dt>When</dt>
          <dd>
            {when(s.createdDateTime)} <span class="mono">({s.createdDateTime})</span>
          </dd>
          <dt>Method</dt>
          <dd>{s.methods.join(', ')}</dd>
          <dt>Application</dt>
          <dd>{s.appDisplayName ?? 'unknown'}</dd>
          <dt>IP address</dt>
          <dd class="mono">{s.ipAddress ?? 'unknown'}</dd>
          <dt>Conditional Access</dt>
          <dd>{s.conditionalAccessStatus ?? 'unknown'}</dd>
          <dt>Captured</dt>
          <dd>{when(v.capturedAt)} (a copy is kept: Entra keeps sign-in logs only 7 or 30 days)</dd>
        </dl>
      ) : null}
      {v.reasons.length ? (
        <ul class="plain">
          {v.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      ) : v.state === 'waiting' ? (
        <p>Sign-in logs reach Microsoft Graph minutes after the sign-in; breakglass keeps looking, faster while the window is open.</p>
      ) : null}
    </div>
  );
}

function CloseForm({ d, onClosed }: { d: Drill; onClosed: (d: Drill) => void }) {
  const app = useApp();
  const [sealIntact, setSealIntact] = useState<'yes' | 'no' | ''>('');
  const [sealBefore, setSealBefore] = useState('');
  const [sealAfter, setSealAfter] = useState('');
  const [witnessConfirmed, setWitnessConfirmed] = useState(false);
  const [adminTask, setAdminTask] = useState(false);
  const [notes, setNotes] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function close(result: 'passed' | 'failed') {
    setError(null);
    setBusy(true);
    try {
      await ensureFreshStepUp(app);
      const closed = await api<Drill>('POST', `/api/drills/${d.id}/close`, {
        result,
        checklist: { sealIntactBefore: sealIntact === 'yes', sealNumberBefore: sealBefore, sealNumberAfter: sealAfter, witnessConfirmed, adminTaskProven: adminTask },
        ...(notes ? { notes } : {}),
      });
      app.announce(`Drill ${result === 'passed' ? 'passed' : 'closed as failed'}.`);
      onClosed(closed);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="drill-form" onSubmit={(e) => e.preventDefault()} noValidate aria-labelledby="close-heading">
      <h2 id="close-heading">Custody checklist and result</h2>
      <ErrorSummary error={error} />
      <fieldset class="field">
        <legend>Was the seal intact before the key was taken out?</legend>
        <div class="radio">
          <input type="radio" id="seal-yes" name="seal-intact" checked={sealIntact === 'yes'} onChange={() => setSealIntact('yes')} />
          <label for="seal-yes">Yes, intact</label>
        </div>
        <div class="radio">
          <input type="radio" id="seal-no" name="seal-intact" checked={sealIntact === 'no'} onChange={() => setSealIntact('no')} />
          <label for="seal-no">No — broken or missing (the key may have been used unseen: close as failed)</label>
        </div>
      </fieldset>
      <div class="row">
        <TextField id="seal-before" label="Seal number before" value={sealBefore} onInput={setSealBefore} maxLength={80} width="short" />
        <TextField id="seal-after" label="New seal number after" value={sealAfter} onInput={setSealAfter} maxLength={80} width="short" />
      </div>
      <div class="field">
        <label class="checkbox" for="witness-confirmed">
          <input id="witness-confirmed" type="checkbox" checked={witnessConfirmed} onChange={(e) => setWitnessConfirmed((e.currentTarget as HTMLInputElement).checked)} />
          The witness ({d.witness}) was present and confirms
        </label>
        <label class="checkbox" for="admin-task">
          <input id="admin-task" type="checkbox" checked={adminTask} onChange={(e) => setAdminTask((e.currentTarget as HTMLInputElement).checked)} />
          An admin task was performed and checked (not only a sign-in)
        </label>
      </div>
      <div class="field">
        <label for="close-notes">Notes</label>
        <p class="hint" id="close-notes-hint">Required to close as failed: what went wrong.</p>
        <textarea id="close-notes" class="textarea" aria-describedby="close-notes-hint" maxLength={4000} value={notes} onInput={(e) => setNotes((e.currentTarget as HTMLTextAreaElement).value)} />
      </div>
      <div class="buttons">
        <button type="button" class="button-primary" disabled={busy || d.verification.state !== 'verified'} onClick={() => close('passed')}>
          Close as passed
        </button>
        <button type="button" class="button-warning" disabled={busy} onClick={() => close('failed')}>
          Close as failed
        </button>
        {d.verification.state !== 'verified' ? <span class="hint">A drill passes only with a verified sign-in.</span> : null}
      </div>
    </form>
  );
}

export function DrillConsolePage({ id }: { id: string }) {
  const app = useApp();
  const [drill, setDrill] = useState<Drill | null>(null);
  const [alerts, setAlerts] = useState<AlertView[]>([]);
  const [officers, setOfficers] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [cancelReason, setCancelReason] = useState('');
  const load = useCallback(async () => {
    const r = await api<{ drill: Drill; alerts: AlertView[]; officers: Record<string, string> }>('GET', `/api/drills/${id}`);
    setOfficers(r.officers);
    setDrill(r.drill);
    setAlerts(r.alerts);
  }, [id]);
  useEffect(() => {
    load().catch(setError);
  }, [load]);
  // While the drill waits for its sign-in, look again every 20 seconds (the service polls the logs meanwhile).
  const waiting = drill?.status === 'open' && drill.verification.state !== 'verified';
  useEffect(() => {
    if (!waiting) return undefined;
    const t = setInterval(() => void load().catch(() => undefined), 20_000);
    return () => clearInterval(t);
  }, [waiting, load]);

  async function verify() {
    setError(null);
    setBusy(true);
    try {
      const r = await api<VerifyResult>('POST', `/api/drills/${id}/verify`);
      setDrill(r.drill);
      app.announce(r.verdict === 'verified' ? 'The sign-in was found and verified.' : r.verdict === 'not_seen' ? 'The sign-in is not in the logs yet.' : 'A sign-in was found but it does not prove the drill.');
      await load();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function cancel(e: Event) {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      setDrill(await api<Drill>('POST', `/api/drills/${id}/cancel`, { reason: cancelReason }));
      app.announce('The drill window was withdrawn.');
      await load();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (!drill) return <Page title="Drill">{error ? <ErrorSummary error={error} /> : <p class="loading">Loading…</p>}</Page>;
  const d = drill;
  const canOperate = app.can('drills.operate');
  return (
    <Page title={`Drill for ${d.upn}`}>
      <p>
        <a href="/drills" onClick={(e) => linkClick(e, '/drills')}>
          All drills
        </a>
      </p>
      <ErrorSummary error={error} />
      <div class={`status-box status-${d.status === 'open' ? d.verification.state : d.status}`}>
        <p>
          <strong>{d.status === 'open' ? `Open — ${PHASE_LABEL[d.phase]}` : d.status === 'passed' ? 'PASSED' : d.status === 'failed' ? 'FAILED' : 'Cancelled'}</strong>
          {d.result?.nextDueAt ? ` · next drill due ${when(d.result.nextDueAt)}` : ''}
        </p>
      </div>
      <dl class="facts">
        <dt>Window</dt>
        <dd>
          {when(d.window.start)} – {when(d.window.end)} <span class="mono">({d.window.start} – {d.window.end})</span>
        </dd>
        <dt>Performer</dt>
        <dd>{d.performer}</dd>
        <dt>Witness</dt>
        <dd>{d.witness}</dd>
        <dt>Expected key</dt>
        <dd>{d.expectedKey || 'not recorded'}</dd>
        <dt>Announced</dt>
        <dd>
          {when(d.openedAt)} by {officers[d.openedBy] ?? <span class="mono">{d.openedBy}</span>}
        </dd>
        {d.notes ? (
          <>
            <dt>Notes</dt>
            <dd>{d.notes}</dd>
          </>
        ) : null}
      </dl>
      <h2>Sign-in evidence</h2>
      <Evidence d={d} />
      {canOperate && d.status === 'open' ? (
        <div class="buttons">
          <button type="button" class="button-secondary" disabled={busy} onClick={verify}>
            Check the sign-in logs now
          </button>
        </div>
      ) : null}
      {d.result ? (
        <>
          <h2>Result</h2>
          <p>
            Closed {when(d.result.closedAt)} by {officers[d.result.closedBy] ?? <span class="mono">{d.result.closedBy}</span>}.
          </p>
          <ul>
            {d.result.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </>
      ) : null}
      {canOperate && d.status === 'open' ? <CloseForm d={d} onClosed={(c) => { setDrill(c); void load(); }} /> : null}
      {canOperate && d.status === 'open' && d.phase === 'scheduled' ? (
        <form class="drill-form" onSubmit={cancel} noValidate aria-labelledby="cancel-heading">
          <h2 id="cancel-heading">Withdraw this window</h2>
          <TextField id="cancel-reason" label="Why is the drill not taking place?" value={cancelReason} onInput={setCancelReason} maxLength={1000} width="long" required />
          <button type="submit" class="button-secondary" disabled={busy || !cancelReason.trim()}>
            Withdraw the window
          </button>
        </form>
      ) : null}
      <h2 id="alerts-heading">Alerts about this account</h2>
      <AlertTable alerts={alerts} caption="Alerts and their delivery" />
    </Page>
  );
}
