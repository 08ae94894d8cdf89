// The drill calendar: per emergency account when its drill is due and how things stand (on schedule, due soon, due,
// overdue), the last passed drill, an open drill window; whether monitoring works and where alerts go; the form to
// announce a drill window (officers and admins); and the drills so far.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.ts';
import { ErrorSummary } from '../components/error-summary.tsx';
import { fieldError, TextField } from '../components/field.tsx';
import { Page } from '../components/page.tsx';
import { useApp } from '../context.ts';
import type { Calendar, Drill } from '../drills/drill-types.ts';
import { DRILL_STATE_LABEL, noticeLabel, PHASE_LABEL, REASON_LABEL, VERIFICATION_LABEL } from '../drills/labels.ts';
import { when } from '../format.ts';
import { linkClick, navigate } from '../router.ts';
import '../drills/drills.css';

function MonitoringPanel({ cal }: { cal: Calendar }) {
  const m = cal.monitoring;
  const webhooks = cal.channels.filter((c) => c.kind === 'webhook');
  return (
    <div class="two-col">
      <section aria-labelledby="monitoring-heading">
        <h2 id="monitoring-heading">Monitoring</h2>
        {m === null ? (
          <p>Sign-in monitoring has not polled yet{cal.tenant ? '' : ': no directory is connected'}.</p>
        ) : m.state === 'ok' ? (
          <p>
            <span class="state state-ok">Working.</span> Last successful poll of the sign-in logs {when(m.lastSuccessAt)}.
          </p>
        ) : (
          <div class="warning" role="status">
            <p>
              <strong>{m.state === 'license_required' ? 'Blind: no Entra ID P1/P2 licence.' : m.state === 'forbidden' ? 'Blind: permission missing.' : m.state === 'behind' ? 'Behind: catching up on the logs.' : 'Failing.'}</strong> {m.detail}
            </p>
            {m.lastSuccessAt ? <p>Last success {when(m.lastSuccessAt)}; polling resumes from there once it works again.</p> : null}
          </div>
        )}
      </section>
      <section aria-labelledby="channels-heading">
        <h2 id="channels-heading">Alert channels</h2>
        {cal.channels.length === 0 ? (
          <div class="warning" role="status">
            <p>
              <strong>No alert channel is configured.</strong> Uses of the emergency accounts alert nobody. Configure a signed webhook (BREAKGLASS_ALERT_WEBHOOKS) and mail.
            </p>
          </div>
        ) : (
          <ul class="plain">
            {cal.channels.map((c) => (
              <li key={c.name}>
                <span class="mono">{c.name}</span> — {c.target}
              </li>
            ))}
          </ul>
        )}
        {cal.channels.length > 0 && webhooks.length === 0 ? <p class="hint">Every channel depends on Entra (mail through Graph); add a webhook that does not.</p> : null}
        <p class="hint">
          Reminders {cal.schedule.reminderDays.join(', ')} days before the due date, on the day, then {cal.schedule.overdueDays.join(' and ')} days overdue and every {cal.schedule.overdueRepeatDays} days after. A key change or a custodian leaving makes a drill due within {cal.schedule.changeDueDays} days.
        </p>
      </section>
    </div>
  );
}

function localInputToIso(v: string): string | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function OpenDrillForm({ cal, onOpened }: { cal: Calendar; onOpened: (d: Drill) => void }) {
  const app = useApp();
  const [account, setAccount] = useState(cal.accounts.find((a) => !a.openDrill)?.accountId ?? '');
  const [start, setStart] = useState('');
  const [minutes, setMinutes] = useState('60');
  const [performer, setPerformer] = useState('');
  const [witness, setWitness] = useState('');
  const [expectedKey, setExpectedKey] = useState('');
  const [notes, setNotes] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const startIso = localInputToIso(start);
      const d = await api<Drill>('POST', '/api/drills', {
        account, performer, witness,
        ...(startIso ? { start: startIso } : {}),
        ...(/^\d+$/.test(minutes) ? { minutes: Number(minutes) } : {}),
        ...(expectedKey ? { expectedKey } : {}),
        ...(notes ? { notes } : {}),
      });
      app.announce(`Drill window announced for ${d.upn}.`);
      onOpened(d);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="drill-form" onSubmit={submit} noValidate aria-labelledby="open-heading">
      <h2 id="open-heading">Announce a drill window</h2>
      <p class="hint">The window goes out on the alert channels as planned activity, so the sign-in it causes is expected. Then the performer signs in at the portal with the key from the safe.</p>
      <ErrorSummary error={error} fields={{ 'body.performer': 'drill-performer', 'body.witness': 'drill-witness', 'body.minutes': 'drill-minutes', 'body.account': 'drill-account' }} />
      <div class="field">
        <label for="drill-account">Emergency account</label>
        <select id="drill-account" value={account} onChange={(e) => setAccount((e.currentTarget as HTMLSelectElement).value)} required>
          {cal.accounts.map((a) => (
            <option key={a.accountId} value={a.accountId}>
              {a.upn}
              {a.openDrill ? ' (has an open drill)' : ''}
            </option>
          ))}
        </select>
      </div>
      <div class="row">
        <div class="field">
          <label for="drill-start">Window opens</label>
          <p class="hint" id="drill-start-hint">Your local time; leave empty for now.</p>
          <input id="drill-start" type="datetime-local" value={start} aria-describedby="drill-start-hint" onInput={(e) => setStart((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="drill-minutes">Length in minutes</label>
          <p class="hint" id="drill-minutes-hint">10 to 1440.</p>
          <input id="drill-minutes" type="number" min={10} max={1440} class="input-short" value={minutes} aria-describedby="drill-minutes-hint" onInput={(e) => setMinutes((e.currentTarget as HTMLInputElement).value)} />
        </div>
      </div>
      <TextField id="drill-performer" label="Performer" hint="The person who signs in with the key." value={performer} onInput={setPerformer} error={fieldError(error, 'body.performer')} required maxLength={120} />
      <TextField id="drill-witness" label="Witness" hint="Someone else present for the whole drill." value={witness} onInput={setWitness} error={fieldError(error, 'body.witness')} required maxLength={120} />
      <TextField id="drill-key" label="Expected key (optional)" hint="Label, serial number or Entra method id of the key to be used." value={expectedKey} onInput={setExpectedKey} maxLength={200} width="long" />
      <div class="field">
        <label for="drill-notes">Notes (optional)</label>
        <textarea id="drill-notes" class="textarea" maxLength={2000} value={notes} onInput={(e) => setNotes((e.currentTarget as HTMLTextAreaElement).value)} />
      </div>
      <button type="submit" class="button-primary" disabled={busy || !account}>
        Announce drill window
      </button>
    </form>
  );
}

export function DrillCalendarPage() {
  const app = useApp();
  const [cal, setCal] = useState<Calendar | null>(null);
  const [drills, setDrills] = useState<Drill[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(async () => {
    const [c, d] = await Promise.all([api<Calendar>('GET', '/api/drills/calendar'), api<{ drills: Drill[] }>('GET', '/api/drills')]);
    setCal(c);
    setDrills(d.drills);
  }, []);
  useEffect(() => {
    load().catch(setError);
  }, [load]);

  return (
    <Page title="Drills" lead="Every emergency account is tested at least every 90 days, and again after a key or custodian change. Each drill is announced, verified from the sign-in logs and recorded with its custody checklist.">
      {cal === null ? (
        error ? <ErrorSummary error={error} /> : <p class="loading">Loading the calendar…</p>
      ) : (
        <>
          {cal.accounts.length === 0 ? (
            <div class="panel">
              <h2>No emergency accounts yet</h2>
              <p>
                Designate the emergency accounts on the{' '}
                <a href="/accounts" onClick={(e) => linkClick(e, '/accounts')}>
                  Emergency accounts
                </a>{' '}
                page; each starts its 90-day drill clock when designated.
              </p>
            </div>
          ) : (
            <table>
              <caption>Drill calendar</caption>
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col">State</th>
                  <th scope="col">Next drill due</th>
                  <th scope="col">Last passed drill</th>
                  <th scope="col">Open drill</th>
                </tr>
              </thead>
              <tbody>
                {cal.accounts.map((a) => (
                  <tr key={a.accountId}>
                    <th scope="row">
                      {a.displayName}
                      <br />
                      <span class="mono">{a.upn}</span>
                      <br />
                      <span class="hint">every {a.intervalDays} days</span>
                    </th>
                    <td>
                      <span class={`state state-${a.state}`}>{DRILL_STATE_LABEL[a.state]}</span>
                    </td>
                    <td>
                      {a.cycle ? when(a.cycle.dueAt) : '—'}
                      {a.cycle ? <span class="hint"><br />cycle {a.cycle.no}, since {REASON_LABEL[a.cycle.reason] ?? a.cycle.reason}</span> : null}
                      {a.nextNotice ? <span class="hint"><br />next: {noticeLabel(a.nextNotice.kind)} {when(a.nextNotice.dueAt)}</span> : null}
                    </td>
                    <td>{a.lastPassed ? <a href={`/drills/${a.lastPassed.drillId}`} onClick={(e) => linkClick(e, `/drills/${a.lastPassed!.drillId}`)}>{when(a.lastPassed.at)}</a> : 'never'}</td>
                    <td>
                      {a.openDrill ? (
                        <a href={`/drills/${a.openDrill.id}`} onClick={(e) => linkClick(e, `/drills/${a.openDrill!.id}`)}>
                          {when(a.openDrill.windowStart)} – {when(a.openDrill.windowEnd)}
                        </a>
                      ) : (
                        'none'
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <MonitoringPanel cal={cal} />
          {app.can('drills.operate') && cal.accounts.length > 0 ? <OpenDrillForm cal={cal} onOpened={(d) => navigate(`/drills/${d.id}`)} /> : null}
          <h2 id="drills-heading">Drills</h2>
          {drills && drills.length ? (
            <table aria-labelledby="drills-heading">
              <thead>
                <tr>
                  <th scope="col">Window</th>
                  <th scope="col">Account</th>
                  <th scope="col">People</th>
                  <th scope="col">Sign-in</th>
                  <th scope="col">Result</th>
                </tr>
              </thead>
              <tbody>
                {drills.map((d) => (
                  <tr key={d.id}>
                    <th scope="row">
                      <a href={`/drills/${d.id}`} onClick={(e) => linkClick(e, `/drills/${d.id}`)}>
                        {when(d.window.start)}
                      </a>
                      <span class="hint"><br />{d.status === 'open' ? PHASE_LABEL[d.phase] : `until ${when(d.window.end)}`}</span>
                    </th>
                    <td class="mono">{d.upn}</td>
                    <td>
                      {d.performer}
                      <span class="hint"><br />witness {d.witness}</span>
                    </td>
                    <td>{VERIFICATION_LABEL[d.verification.state]}</td>
                    <td>
                      <span class={`state ${d.status === 'passed' ? 'state-ok' : d.status === 'failed' ? 'state-overdue' : 'state-never'}`}>{d.status === 'open' ? 'Open' : d.status === 'passed' ? 'Passed' : d.status === 'failed' ? 'FAILED' : 'Cancelled'}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>No drills yet.</p>
          )}
        </>
      )}
    </Page>
  );
}
