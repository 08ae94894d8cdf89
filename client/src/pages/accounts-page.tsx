// The emergency accounts designated in breakglass, with what the directory (simulated tenant or real Entra) says
// about each right now: enabled, cloud-only, FIDO2 keys, Temporary Access Passes, and findings.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.ts';
import type { AccountsPage as Accounts } from '../api/types.ts';
import { ErrorSummary } from '../components/error-summary.tsx';
import { fieldError, TextField } from '../components/field.tsx';
import { Page } from '../components/page.tsx';
import { useApp } from '../context.ts';
import { when } from '../format.ts';

const yesNo = (v: boolean | null | undefined, yes: string, no: string): string => (v === null || v === undefined ? 'unknown' : v ? yes : no);

export function AccountsPage() {
  const app = useApp();
  const [data, setData] = useState<Accounts | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [user, setUser] = useState('');
  const [busy, setBusy] = useState(false);
  const load = useCallback(() => api<Accounts>('GET', '/api/accounts').then(setData), []);
  useEffect(() => {
    load().catch(setError);
  }, [load]);

  async function designate(e: Event) {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const r = await api<{ upn: string; findings: { message: string }[] }>('POST', '/api/accounts', { user });
      setUser('');
      await load();
      app.announce(`${r.upn} is now an emergency account${r.findings.length ? ` (${r.findings.length} finding(s) to review)` : ''}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title="Emergency accounts" lead="Break-glass Global Administrator accounts and the FIDO2 keys that protect them.">
      <ErrorSummary error={error} fields={{ 'body.user': 'designate-user' }} />
      {data === null ? (
        error ? null : <p class="loading">Reading the directory…</p>
      ) : (
        <>
          <p>
            {data.tenant ? (
              <>
                Read just now from <strong>{data.tenant.kind === 'simulated' ? 'the simulated tenant' : 'Microsoft Graph'}</strong> (tenant id <span class="mono">{data.tenant.tenantId}</span>).
              </>
            ) : (
              'No directory is connected.'
            )}
          </p>
          {data.directoryError ? (
            <div class="warning" role="status">
              <p>{data.directoryError}</p>
            </div>
          ) : null}
          {data.accounts.length === 0 ? (
            <div class="panel">
              <h2>No emergency accounts designated yet</h2>
              <p>
                breakglass never guesses which accounts are for emergencies: designate each one explicitly by its user principal name or object id
                {app.can('accounts.operate') ? ' below.' : '. Ask an officer or admin to do it.'}
              </p>
            </div>
          ) : (
            <table>
              <caption>Designated emergency accounts ({data.accounts.length})</caption>
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col">State in the directory</th>
                  <th scope="col">FIDO2 keys</th>
                  <th scope="col">Temporary Access Pass</th>
                  <th scope="col">Findings</th>
                </tr>
              </thead>
              <tbody>
                {data.accounts.map((a) => (
                  <tr key={a.id}>
                    <th scope="row">
                      {a.displayName}
                      <br />
                      <span class="mono">{a.upn}</span>
                      <br />
                      <span class="hint">designated {when(a.designatedAt)} · drill every {a.drillIntervalDays} days</span>
                    </th>
                    <td>
                      {a.directory === null ? (
                        'not read'
                      ) : !a.directory.found ? (
                        <strong>Not found in the directory</strong>
                      ) : (
                        <>
                          {yesNo(a.directory.accountEnabled, 'Enabled', 'DISABLED')}
                          <br />
                          {yesNo(a.directory.cloudOnly, 'Cloud-only', 'Synced from on-premises')}
                        </>
                      )}
                    </td>
                    <td>
                      {a.directory === null ? (
                        '—'
                      ) : a.directory.keys.length === 0 ? (
                        <strong>None registered</strong>
                      ) : (
                        <ul class="plain">
                          {a.directory.keys.map((k) => (
                            <li key={k.id}>
                              {k.displayName ?? k.model ?? 'FIDO2 key'}
                              {k.model && k.displayName ? ` (${k.model})` : ''}
                              {k.attestationLevel ? ` · ${k.attestationLevel}` : ''}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td>{a.directory === null ? '—' : a.directory.usableTemporaryAccessPasses > 0 ? <strong>{a.directory.usableTemporaryAccessPasses} usable</strong> : 'none'}</td>
                    <td>
                      {a.directory === null || a.directory.findings.length === 0 ? (
                        a.directory === null ? '—' : 'No problems found'
                      ) : (
                        <ul class="plain">
                          {a.directory.findings.map((f) => (
                            <li key={f.code}>
                              <strong>{f.severity === 'problem' ? 'Problem' : f.severity === 'warning' ? 'Warning' : 'OK'}:</strong> {f.message}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {app.can('accounts.operate') && data.tenant ? (
            <form onSubmit={designate} noValidate aria-labelledby="designate-heading">
              <h2 id="designate-heading">Designate an emergency account</h2>
              <TextField
                id="designate-user"
                label="User principal name or object id"
                hint="A cloud-only account on the tenant's onmicrosoft.com domain, e.g. bg-01@contoso.onmicrosoft.com. It is read from the directory and checked before it is recorded."
                value={user}
                onInput={setUser}
                error={fieldError(error, 'body.user')}
                required
                maxLength={256}
                width="long"
              />
              <button type="submit" class="button-primary" disabled={busy}>
                Designate account
              </button>
            </form>
          ) : null}
        </>
      )}
    </Page>
  );
}
