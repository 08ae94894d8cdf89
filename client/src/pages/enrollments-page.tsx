// Key enrollments: the list (open ones first), and starting one — choose the account and the mode, pre-check the key
// attached to this workstation against the policy that applies to that account, then request it for a second
// officer's approval.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api/client.ts';
import type { EnrollmentRequest, InventorySummary, Mode, Precheck } from '../api/enrollment-types.ts';
import { ErrorSummary } from '../components/error-summary.tsx';
import { TextField } from '../components/field.tsx';
import { Page } from '../components/page.tsx';
import { useApp } from '../context.ts';
import { Findings } from '../enrollment/findings.tsx';
import { STATE_LABEL, who } from '../enrollment/labels.ts';
import { when } from '../format.ts';
import { linkClick, navigate } from '../router.ts';
import '../enrollment/enrollment.css';

const OPEN = new Set(['requested', 'approved', 'tap_issuing', 'awaiting_registration', 'registering', 'key_registered']);

export function EnrollmentsPage() {
  const app = useApp();
  const [data, setData] = useState<{ requests: EnrollmentRequest[]; officers: Record<string, string> } | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<{ requests: EnrollmentRequest[]; officers: Record<string, string> }>('GET', '/api/enrollments').then(setData, setError);
  }, []);
  const open = data?.requests.filter((r) => OPEN.has(r.state)) ?? [];
  const closed = data?.requests.filter((r) => !OPEN.has(r.state)) ?? [];
  const table = (rows: EnrollmentRequest[], caption: string) => (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Account</th>
          <th scope="col">Mode</th>
          <th scope="col">State</th>
          <th scope="col">Requested</th>
          <th scope="col">Approved</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id}>
            <th scope="row">
              <a href={`/enrollments/${r.id}`} onClick={(e) => linkClick(e, `/enrollments/${r.id}`)}>
                {r.upn}
              </a>
              <br />
              <span class="hint">{r.key.model}</span>
            </th>
            <td>
              {r.mode === 'guided' ? 'Guided (TAP)' : 'Direct (on behalf)'}
              {r.purpose === 'replace' ? ' · replacement' : ''}
            </td>
            <td>{STATE_LABEL[r.state]}</td>
            <td>
              {who(data!.officers, r.requestedBy)}
              <br />
              <span class="hint">{when(r.requestedAt)}</span>
            </td>
            <td>{r.approvedBy ? who(data!.officers, r.approvedBy) : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <Page title="Key enrollments" lead="Every key is enrolled under four eyes: one officer requests, a different officer approves with a passkey, then the requester runs it.">
      <ErrorSummary error={error} />
      {app.can('enrollment.request') ? (
        <p>
          <button type="button" class="button-primary" onClick={() => navigate('/enrollments/new')}>
            Start an enrollment
          </button>
        </p>
      ) : null}
      {data === null ? (
        error ? null : <p class="loading">Loading…</p>
      ) : (
        <>
          {open.length ? table(open, `Open (${open.length})`) : <p>No enrollment is open.</p>}
          {closed.length ? table(closed, `Finished (${closed.length})`) : null}
        </>
      )}
    </Page>
  );
}

export function NewEnrollmentPage() {
  const app = useApp();
  const params = new URLSearchParams(location.search);
  const replace = params.get('replace') ?? '';
  const [accounts, setAccounts] = useState<InventorySummary[] | null>(null);
  const [account, setAccount] = useState(params.get('account') ?? '');
  const [mode, setMode] = useState<Mode>('guided');
  const [pre, setPre] = useState<Precheck | null>(null);
  const [reason, setReason] = useState(replace ? 'replace a lost key' : '');
  const [displayName, setDisplayName] = useState('');
  const [where, setWhere] = useState('');
  const [seal, setSeal] = useState('');
  const [ack, setAck] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api<{ accounts: InventorySummary[] }>('GET', '/api/inventory').then((r) => {
      setAccounts(r.accounts);
      if (!account && r.accounts.length) setAccount(r.accounts[0]!.account.id);
    }, setError);
  }, []);

  async function check(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setPre(null);
    try {
      const p = await api<Precheck>('POST', '/api/enrollments/precheck', { account, mode });
      setPre(p);
      app.announce(`Pre-check: ${p.verdict}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function request(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ request: EnrollmentRequest }>('POST', '/api/enrollments', {
        account, mode, reason,
        ...(displayName ? { displayName } : {}), ...(where ? { location: where } : {}), ...(seal ? { sealNumber: seal } : {}),
        ...(replace ? { replaceKey: replace } : {}), ...(ack ? { acknowledgeUnknown: true } : {}),
      });
      app.announce('Enrollment requested. Another officer must approve it.');
      navigate(`/enrollments/${r.request.id}`);
    } catch (err) {
      setError(err);
      if (err instanceof ApiError && (err.code === 'precheck_blocked' || err.code === 'precheck_unknown')) setPre(null);
    } finally {
      setBusy(false);
    }
  }

  const chosen = accounts?.find((a) => a.account.id === account);
  return (
    <Page title={replace ? 'Replace a lost key' : 'Start an enrollment'} lead="Insert the key you want to enroll into this workstation. breakglass reads it (no PIN, no touch) and checks it against the policy for the account before anything is spent.">
      <ErrorSummary error={error} fields={{ 'body.reason': 'enroll-reason' }} />
      {replace ? (
        <div class="warning">
          <p>
            The lost key is <strong>revoked in Entra</strong> when this enrollment runs, after a second officer approves it.
          </p>
        </div>
      ) : null}
      <form onSubmit={check} noValidate aria-labelledby="step-1">
        <h2 id="step-1">1. Account and mode</h2>
        <div class="field">
          <label for="enroll-account">Emergency account</label>
          <select id="enroll-account" value={account} onChange={(e) => { setAccount((e.currentTarget as HTMLSelectElement).value); setPre(null); }} disabled={!!replace}>
            {(accounts ?? []).map((a) => (
              <option key={a.account.id} value={a.account.id} disabled={!!a.openRequest}>
                {a.account.upn}
                {a.openRequest ? ' (enrollment open)' : ''}
              </option>
            ))}
          </select>
          {chosen ? <p class="hint">{chosen.keys.active} key(s) registered now.</p> : null}
        </div>
        <fieldset class="field">
          <legend>How the key is registered</legend>
          <div class="radio">
            <input type="radio" id="mode-guided" name="mode" checked={mode === 'guided'} onChange={() => { setMode('guided'); setPre(null); }} />
            <label for="mode-guided">
              <strong>Guided</strong> — a one-time Temporary Access Pass; you register the key on Microsoft's security-info page in a private browser window
            </label>
          </div>
          <div class="radio">
            <input type="radio" id="mode-direct" name="mode" checked={mode === 'direct'} onChange={() => { setMode('direct'); setPre(null); }} />
            <label for="mode-direct">
              <strong>Direct</strong> — breakglass registers the key on behalf of the account over USB; no pass is issued, you type the key's PIN here
            </label>
          </div>
        </fieldset>
        <button type="submit" class="button-secondary" disabled={busy || !account}>
          Check the key
        </button>
      </form>

      {pre ? (
        <section aria-labelledby="step-2">
          <h2 id="step-2">2. Pre-check</h2>
          <p class={`verdict ${pre.verdict === 'allowed' ? 'verdict-ok' : 'verdict-bad'}`} role="status">
            <strong>{pre.verdict === 'allowed' ? 'Allowed' : pre.verdict === 'blocked' ? 'Blocked' : 'Undecided'}</strong>: {pre.key.model}
            {pre.key.virtual ? ' (VIRTUAL key — software, not hardware)' : ''}
          </p>
          <dl class="facts">
            <dt>AAGUID</dt>
            <dd class="mono">{pre.key.aaguid}</dd>
            <dt>Serial</dt>
            <dd>{pre.key.serial ?? 'not readable'}</dd>
            <dt>Firmware · CTAP</dt>
            <dd>
              {pre.key.firmware} · {pre.key.versions.join(', ')}
            </dd>
            <dt>PIN</dt>
            <dd>{pre.key.pinSet === null ? 'not supported' : pre.key.pinSet ? `set, ${pre.key.pinRetries ?? '?'} tries left` : 'not set yet'}</dd>
            <dt>Policy</dt>
            <dd>{pre.policy.source === 'legacy' ? 'tenant-wide FIDO2 settings' : `passkey profile(s): ${pre.policy.profiles.join(', ') || 'none'}`}</dd>
            {pre.policy.tapLifetimeMinutes ? (
              <>
                <dt>Temporary Access Pass</dt>
                <dd>one-time, {pre.policy.tapLifetimeMinutes} minutes</dd>
              </>
            ) : null}
          </dl>
          <Findings findings={pre.findings} caption="Pre-check findings" />
          <p class="hint">{pre.note}</p>
        </section>
      ) : null}

      {pre && pre.verdict !== 'blocked' ? (
        <form onSubmit={request} noValidate aria-labelledby="step-3">
          <h2 id="step-3">3. Request the enrollment</h2>
          <TextField id="enroll-reason" label="Reason" hint="Why this key is enrolled, for the approver and the record." value={reason} onInput={setReason} required maxLength={500} width="long" />
          <TextField id="enroll-name" label="Name of the key in Entra (optional)" hint="At most 30 characters; by default the account and the model." value={displayName} onInput={setDisplayName} maxLength={30} />
          <TextField id="enroll-location" label="Where it will be kept (optional)" hint="The safe or location, e.g. Safe A, head office." value={where} onInput={setWhere} maxLength={200} />
          <TextField id="enroll-seal" label="Seal number (optional)" value={seal} onInput={setSeal} maxLength={200} width="short" />
          {pre.verdict === 'unknown' ? (
            <div class="field">
              <label class="checkbox">
                <input type="checkbox" checked={ack} onChange={(e) => setAck((e.currentTarget as HTMLInputElement).checked)} /> I accept the undecided points above; they are recorded with the request
              </label>
            </div>
          ) : null}
          <button type="submit" class="button-primary" disabled={busy || (pre.verdict === 'unknown' && !ack)}>
            Request enrollment
          </button>
        </form>
      ) : null}
    </Page>
  );
}
