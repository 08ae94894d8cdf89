// The readiness report: per emergency account and for the tenant, what Microsoft's emergency-access guidance asks and
// whether it holds, read live from the directory; and on request the mandatory-MFA enforcement view (who signs in to
// the admin apps without an MFA-capable method), as a table, a CSV download, and by mail with the CSV attached.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.ts';
import { ErrorSummary } from '../components/error-summary.tsx';
import { TextField } from '../components/field.tsx';
import { Page } from '../components/page.tsx';
import { useApp } from '../context.ts';
import type { Readiness, ReadinessCheck } from '../drills/drill-types.ts';
import { CHECK_LABEL, READINESS_LABEL } from '../drills/labels.ts';
import { when } from '../format.ts';
import '../drills/drills.css';

function Checks({ checks, label }: { checks: ReadinessCheck[]; label: string }) {
  return (
    <ul class="checks" aria-label={label}>
      {checks.map((c) => (
        <li key={c.code}>
          <span class={`check-status check-${c.status}`}>{CHECK_LABEL[c.status]}</span>
          <span class="check-title">{c.title}</span>
          <span class="check-detail">{c.detail}</span>
        </li>
      ))}
    </ul>
  );
}

export function ReadinessPage() {
  const app = useApp();
  const [report, setReport] = useState<Readiness | null>(null);
  const [days, setDays] = useState('0');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [mailTo, setMailTo] = useState('');
  const load = useCallback(async (d: number) => {
    setBusy(true);
    try {
      setReport(await api<Readiness>('GET', `/api/reports/readiness${d ? `?enforcementDays=${d}` : ''}`));
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }, []);
  useEffect(() => {
    void load(0);
  }, [load]);

  async function mail(e: Event) {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const r = await api<{ rows: number; to: string[] }>('POST', '/api/reports/readiness/mail', { days: Number(days), to: mailTo.split(/[,;\s]+/).filter(Boolean) });
      app.announce(`The enforcement view (${r.rows} row${r.rows === 1 ? '' : 's'}) was mailed to ${r.to.join(', ')}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const e = report?.enforcement;
  return (
    <Page title="Readiness" lead="Whether each emergency account would work in an emergency and meets Microsoft's guidance, checked live against the directory.">
      <ErrorSummary error={error} />
      {report === null ? (
        error ? null : <p class="loading">Reading the directory…</p>
      ) : (
        <>
          <div class={`status-box status-${report.status}`} role="status">
            <p>
              <strong>{READINESS_LABEL[report.status]}</strong> — {report.tenant?.label ?? 'no directory connected'}, checked {when(report.generatedAt)}.
            </p>
            {report.problems.map((p) => (
              <p key={p}>Could not read: {p}</p>
            ))}
          </div>
          <h2>Tenant</h2>
          <Checks checks={report.tenantChecks} label="Tenant checks" />
          {report.accounts.map((a) => (
            <section key={a.accountId} aria-labelledby={`acct-${a.accountId}`}>
              <h2 id={`acct-${a.accountId}`}>
                {a.displayName} <span class="mono">{a.upn}</span>: {READINESS_LABEL[a.status]}
              </h2>
              <Checks checks={a.checks} label={`Checks of ${a.upn}`} />
            </section>
          ))}
          <h2 id="enforcement-heading">Mandatory MFA enforcement view</h2>
          <p>Who signed in to the admin applications covered by Microsoft's mandatory MFA (Azure portal and the admin centers, Azure CLI, Azure PowerShell, the Azure mobile app) without any MFA-capable method registered: they will be stopped.</p>
          <form class="inline-form" onSubmit={(ev) => { ev.preventDefault(); void load(Number(days)); }} aria-labelledby="enforcement-heading">
            <label for="enforcement-days">Look back</label>
            <select id="enforcement-days" value={days} onChange={(ev) => setDays((ev.currentTarget as HTMLSelectElement).value)}>
              <option value="0">not included</option>
              <option value="7">7 days</option>
              <option value="14">14 days</option>
              <option value="30">30 days</option>
            </select>
            <button type="submit" class="button-secondary" disabled={busy}>
              Show
            </button>
          </form>
          {e ? (
            e.error ? (
              <div class="warning" role="status">
                <p>The enforcement view could not be built: {e.error}</p>
              </div>
            ) : (
              <>
                {e.rows.length === 0 ? (
                  <p>Nobody signed in to those applications in the last {e.days} days without an MFA-capable method.</p>
                ) : (
                  <table>
                    <caption>
                      Signed in without an MFA-capable method, last {e.days} days ({e.rows.length})
                    </caption>
                    <thead>
                      <tr>
                        <th scope="col">User</th>
                        <th scope="col">Applications</th>
                        <th scope="col">Sign-ins</th>
                        <th scope="col">Last sign-in</th>
                        <th scope="col">Registered methods</th>
                      </tr>
                    </thead>
                    <tbody>
                      {e.rows.map((r) => (
                        <tr key={r.userId}>
                          <th scope="row">
                            {r.displayName}
                            <br />
                            <span class="mono">{r.userPrincipalName}</span>
                          </th>
                          <td>{r.apps.join(', ')}</td>
                          <td class="num">{r.signIns}</td>
                          <td>{when(r.lastSignIn)}</td>
                          <td>{r.registeredMethods.join(', ') || 'none'}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
                {e.unchecked ? <p class="hint">{e.unchecked} user(s) could not be checked.</p> : null}
                <p>
                  <a href={`/api/reports/readiness/enforcement.csv?days=${e.days}`} download>
                    Download as CSV
                  </a>
                </p>
                {app.can('reports.send') ? (
                  <form onSubmit={mail} noValidate aria-labelledby="mail-heading">
                    <h3 id="mail-heading">Mail this view with the CSV attached</h3>
                    <TextField id="mail-to" label="To" hint="One or more addresses, separated by commas. Sent through Microsoft Graph from the configured sender mailbox." value={mailTo} onInput={setMailTo} width="long" maxLength={1000} />
                    <button type="submit" class="button-secondary" disabled={busy || !mailTo.trim()}>
                      Send
                    </button>
                  </form>
                ) : null}
              </>
            )
          ) : null}
        </>
      )}
    </Page>
  );
}
