// The key inventory: every emergency account with its keys, custodians, open enrollment and drift (the list), and one
// account in full (keys with their safe and seal, custodians, drift against Entra with adoption of unknown keys, and
// the lifecycle actions: enroll, replace a lost key, retire the account).
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.ts';
import type { AccountDetail, DriftFinding, InventorySummary, Key, ReconcileResult } from '../api/enrollment-types.ts';
import { ErrorSummary } from '../components/error-summary.tsx';
import { TextField } from '../components/field.tsx';
import { Page } from '../components/page.tsx';
import { useApp } from '../context.ts';
import { STATE_LABEL } from '../enrollment/labels.ts';
import { ensureFreshStepUp } from '../enrollment/step-up.ts';
import { when } from '../format.ts';
import { linkClick, navigate } from '../router.ts';
import '../enrollment/enrollment.css';

function Link(props: { href: string; children: preact.ComponentChildren; class?: string }) {
  return (
    <a href={props.href} class={props.class} onClick={(e) => linkClick(e, props.href)}>
      {props.children}
    </a>
  );
}

export function InventoryPage() {
  const [data, setData] = useState<{ accounts: InventorySummary[]; tenant: { kind: string; label: string } | null } | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<{ accounts: InventorySummary[]; tenant: { kind: string; label: string } | null }>('GET', '/api/inventory').then(setData, setError);
  }, []);
  return (
    <Page title="Key inventory" lead="The security keys of each emergency account: which key, where it is kept, under which seal, and who may open the safe.">
      <ErrorSummary error={error} />
      {data === null ? (
        error ? null : <p class="loading">Loading the inventory…</p>
      ) : data.accounts.length === 0 ? (
        <div class="panel">
          <h2>No emergency accounts yet</h2>
          <p>
            Designate one on the <Link href="/accounts">Emergency accounts</Link> page first.
          </p>
        </div>
      ) : (
        <table>
          <caption>Emergency accounts and their keys ({data.accounts.length})</caption>
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">Keys</th>
              <th scope="col">Custodians</th>
              <th scope="col">Compared with Entra</th>
              <th scope="col">Enrollment</th>
            </tr>
          </thead>
          <tbody>
            {data.accounts.map((a) => (
              <tr key={a.account.id}>
                <th scope="row">
                  <Link href={`/inventory/${a.account.id}`}>{a.account.displayName}</Link>
                  <br />
                  <span class="mono">{a.account.upn}</span>
                </th>
                <td>
                  {a.keys.active} active
                  {a.keys.lost ? (
                    <>
                      , <strong class="problems">{a.keys.lost} lost</strong>
                    </>
                  ) : null}
                  {a.keys.active === 0 ? (
                    <>
                      <br />
                      <strong class="problems">No key: the account cannot be used</strong>
                    </>
                  ) : null}
                </td>
                <td>{a.custodians === 0 ? <strong class="problems">None recorded</strong> : a.custodians}</td>
                <td>
                  {a.lastReconcile === null ? (
                    'Never'
                  ) : a.lastReconcile.problems ? (
                    <strong class="problems">{a.lastReconcile.problems} problem(s)</strong>
                  ) : (
                    'No drift'
                  )}
                  {a.lastReconcile ? <span class="hint"> · {when(a.lastReconcile.at)}</span> : null}
                </td>
                <td>{a.openRequest ? <Link href={`/enrollments/${a.openRequest.id}`}>{STATE_LABEL[a.openRequest.state]}</Link> : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

function KeyRow(props: { k: Key; canOperate: boolean; onChanged: () => Promise<void>; accountId: string }) {
  const app = useApp();
  const { k } = props;
  const [mode, setMode] = useState<'none' | 'custody' | 'lost'>('none');
  const [location, setLocation] = useState(k.location);
  const [seal, setSeal] = useState(k.sealNumber);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'custody') await api('PATCH', `/api/inventory/keys/${k.id}`, { location, sealNumber: seal, reason });
      else await api('POST', `/api/inventory/keys/${k.id}/lost`, { reason });
      app.announce(mode === 'custody' ? `Custody of ${k.displayName} recorded.` : `${k.displayName} is recorded as lost. Replace it to revoke it in Entra.`);
      setMode('none');
      setReason('');
      await props.onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <tr>
      <th scope="row">
        {k.displayName}
        <br />
        <span class="hint">
          {k.model} · AAGUID <span class="mono">{k.aaguid}</span>
          {k.serial ? ` · serial ${k.serial}` : ''}
        </span>
      </th>
      <td class="data">
        method <span class="mono">{k.graphMethodId ?? '—'}</span>
        {k.credentialId ? (
          <>
            <br />
            credential <span class="mono">{k.credentialId}</span>
          </>
        ) : null}
        <br />
        {k.enrolledVia === 'adopted' ? 'adopted from Entra' : `enrolled (${k.enrolledVia})`} {when(k.registeredAt ?? k.addedAt)}
      </td>
      <td>
        {k.location || <em>location not recorded</em>}
        <br />
        {k.sealNumber ? `seal ${k.sealNumber}` : <em>no seal recorded</em>}
      </td>
      <td>
        <span class={`key-status key-${k.status}`}>{k.status}</span>
        {k.status !== 'active' && k.statusReason ? <span class="hint"> · {k.statusReason}</span> : null}
      </td>
      <td class="actions">
        {props.canOperate && k.status === 'active' && mode === 'none' ? (
          <>
            <button type="button" class="button-secondary" onClick={() => setMode('custody')}>
              Change custody<span class="visually-hidden"> of {k.displayName}</span>
            </button>
            <button type="button" class="button-secondary" onClick={() => setMode('lost')}>
              Report lost<span class="visually-hidden">: {k.displayName}</span>
            </button>
          </>
        ) : null}
        {props.canOperate && k.status === 'lost' ? (
          <button type="button" class="button-primary" onClick={() => navigate(`/enrollments/new?account=${props.accountId}&replace=${k.id}`)}>
            Replace this key
          </button>
        ) : null}
        {mode !== 'none' ? (
          <form class="stacked" onSubmit={submit} noValidate aria-label={mode === 'custody' ? `Custody of ${k.displayName}` : `Report ${k.displayName} lost`}>
            <ErrorSummary error={error} />
            {mode === 'custody' ? (
              <>
                <TextField id={`loc-${k.id}`} label="Kept at (safe or location)" value={location} onInput={setLocation} maxLength={200} />
                <TextField id={`seal-${k.id}`} label="Seal number" value={seal} onInput={setSeal} maxLength={200} width="short" />
              </>
            ) : null}
            <TextField id={`why-${k.id}`} label={mode === 'custody' ? 'Why it changed' : 'What happened'} value={reason} onInput={setReason} required maxLength={500} />
            <button type="submit" class={mode === 'lost' ? 'button-warning' : 'button-primary'} disabled={busy}>
              {mode === 'custody' ? 'Record custody' : 'Record as lost'}
            </button>{' '}
            <button type="button" class="button-link" onClick={() => setMode('none')}>
              Cancel
            </button>
          </form>
        ) : null}
      </td>
    </tr>
  );
}

function AdoptForm(props: { accountId: string; finding: DriftFinding; onDone: () => Promise<void> }) {
  const app = useApp();
  const [location, setLocation] = useState('');
  const [seal, setSeal] = useState('');
  const [error, setError] = useState<unknown>(null);
  async function adopt(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      await api('POST', `/api/inventory/accounts/${props.accountId}/keys`, { methodId: props.finding.methodId, location, sealNumber: seal });
      app.announce('The key is now in the inventory.');
      await props.onDone();
    } catch (err) {
      setError(err);
    }
  }
  const id = (props.finding.methodId ?? '').replace(/[^A-Za-z0-9_-]/g, '');
  return (
    <form class="stacked" onSubmit={adopt} noValidate aria-label="Adopt this key">
      <ErrorSummary error={error} />
      <TextField id={`adopt-loc-${id}`} label="Kept at (safe or location)" value={location} onInput={setLocation} maxLength={200} />
      <TextField id={`adopt-seal-${id}`} label="Seal number" value={seal} onInput={setSeal} maxLength={200} width="short" />
      <button type="submit" class="button-secondary">
        Adopt into the inventory
      </button>
    </form>
  );
}

export function AccountInventoryPage(props: { accountId: string }) {
  const app = useApp();
  const [d, setD] = useState<AccountDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [showAll, setShowAll] = useState(false);
  const [busy, setBusy] = useState(false);
  const [name, setName] = useState('');
  const [contact, setContact] = useState('');
  const [role, setRole] = useState('');
  const [leaving, setLeaving] = useState<{ id: string; reason: string } | null>(null);
  const [retireReason, setRetireReason] = useState('');
  const canOperate = app.can('accounts.operate');

  const load = useCallback(async () => {
    setD(await api<AccountDetail>('GET', `/api/inventory/accounts/${props.accountId}${showAll ? '?allKeys=true' : ''}`));
  }, [props.accountId, showAll]);
  useEffect(() => {
    load().catch(setError);
  }, [load]);

  async function act(fn: () => Promise<unknown>, done: string) {
    setBusy(true);
    setError(null);
    try {
      await fn();
      app.announce(done);
      await load();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (!d) {
    return (
      <Page title="Emergency account">
        <ErrorSummary error={error} />
        {error ? null : <p class="loading">Loading…</p>}
      </Page>
    );
  }
  const rec = d.lastReconcile;
  return (
    <Page title={d.account.displayName} lead={<span class="mono">{d.account.upn}</span>}>
      <p>
        <Link href="/inventory">← All accounts</Link>
      </p>
      <ErrorSummary error={error} />
      {d.account.status === 'retired' ? (
        <div class="warning">
          <p>This account was retired on {when(d.account.retiredAt)}.</p>
        </div>
      ) : null}
      <dl class="facts">
        <dt>Entra object id</dt>
        <dd class="mono">{d.account.userId}</dd>
        <dt>Drills</dt>
        <dd>every {d.account.drillIntervalDays} days</dd>
        <dt>Open enrollment</dt>
        <dd>{d.openRequest ? <Link href={`/enrollments/${d.openRequest.id}`}>{STATE_LABEL[d.openRequest.state]} ({d.openRequest.mode})</Link> : 'none'}</dd>
      </dl>
      {canOperate && app.can('enrollment.request') && d.account.status === 'active' && !d.openRequest ? (
        <p>
          <button type="button" class="button-primary" onClick={() => navigate(`/enrollments/new?account=${d.account.id}`)}>
            Enroll a key
          </button>
        </p>
      ) : null}

      <h2 id="keys-heading">Keys</h2>
      <div class="field">
        <label class="checkbox">
          <input type="checkbox" checked={showAll} onChange={(e) => setShowAll((e.currentTarget as HTMLInputElement).checked)} /> Also show replaced, revoked and retired keys
        </label>
      </div>
      {d.keys.length === 0 ? (
        <p>
          <strong class="problems">No key is recorded for this account.</strong> Enroll one, or adopt a key Entra already has (compare with Entra below).
        </p>
      ) : (
        <table aria-labelledby="keys-heading">
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Entra</th>
              <th scope="col">Kept</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {d.keys.map((k) => (
              <KeyRow key={k.id} k={k} canOperate={canOperate && d.account.status === 'active'} onChanged={load} accountId={d.account.id} />
            ))}
          </tbody>
        </table>
      )}

      <h2>Compared with Entra</h2>
      {rec ? (
        <p>
          Last compared {when(rec.at)}: {rec.problems ? <strong class="problems">{rec.problems} problem(s)</strong> : 'no problems'}
          {rec.warnings ? `, ${rec.warnings} warning(s)` : ''}.
        </p>
      ) : (
        <p>Never compared with Entra.</p>
      )}
      {rec && rec.findings.length ? (
        <ul class="drift">
          {rec.findings.map((f) => (
            <li key={`${f.code}-${f.methodId ?? f.keyId ?? ''}`}>
              <strong>{f.severity === 'problem' ? 'Problem' : 'Warning'}:</strong> {f.message}
              {f.code === 'unknown_key' && canOperate && d.account.status === 'active' ? <AdoptForm accountId={d.account.id} finding={f} onDone={load} /> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {canOperate && d.account.status === 'active' ? (
        <p>
          <button
            type="button"
            class="button-secondary"
            disabled={busy}
            onClick={() => act(async () => api<ReconcileResult>('POST', `/api/inventory/accounts/${d.account.id}/reconcile`), 'Compared with Entra.')}
          >
            Compare with Entra now
          </button>
        </p>
      ) : null}

      <h2 id="custodians-heading">Custodians</h2>
      <p class="hint">The people allowed to open the safe and use this account's keys. When one leaves, the account must be drilled again and the safe's combination changed.</p>
      {d.custodians.length === 0 ? (
        <p>None recorded.</p>
      ) : (
        <ul class="custodians" aria-labelledby="custodians-heading">
          {d.custodians.map((c) => (
            <li key={c.id}>
              <strong>{c.name}</strong>
              {c.role ? `, ${c.role}` : ''}
              {c.contact ? <span class="hint"> · {c.contact}</span> : null}
              {canOperate && d.account.status === 'active' ? (
                leaving?.id === c.id ? (
                  <form
                    class="stacked"
                    noValidate
                    aria-label={`Remove ${c.name}`}
                    onSubmit={(e) => {
                      e.preventDefault();
                      void act(async () => api('POST', `/api/inventory/custodians/${c.id}/remove`, { reason: leaving.reason }), `${c.name} removed; the next drill is due sooner.`).then(() => setLeaving(null));
                    }}
                  >
                    <TextField id={`leave-${c.id}`} label="Why they leave" value={leaving.reason} onInput={(v) => setLeaving({ id: c.id, reason: v })} required maxLength={500} />
                    <button type="submit" class="button-warning" disabled={busy}>
                      Remove custodian
                    </button>{' '}
                    <button type="button" class="button-link" onClick={() => setLeaving(null)}>
                      Cancel
                    </button>
                  </form>
                ) : (
                  <>
                    {' '}
                    <button type="button" class="button-link" onClick={() => setLeaving({ id: c.id, reason: '' })}>
                      Remove<span class="visually-hidden"> {c.name}</span>
                    </button>
                  </>
                )
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {canOperate && d.account.status === 'active' ? (
        <form
          noValidate
          aria-labelledby="add-custodian"
          onSubmit={(e) => {
            e.preventDefault();
            void act(async () => {
              await api('POST', `/api/inventory/accounts/${d.account.id}/custodians`, { name, contact, role });
              setName('');
              setContact('');
              setRole('');
            }, 'Custodian added.');
          }}
        >
          <h3 id="add-custodian">Add a custodian</h3>
          <TextField id="custodian-name" label="Name" value={name} onInput={setName} required maxLength={120} />
          <TextField id="custodian-role" label="Role (optional)" hint="e.g. safe holder, witness" value={role} onInput={setRole} maxLength={80} />
          <TextField id="custodian-contact" label="Contact (optional)" value={contact} onInput={setContact} maxLength={200} />
          <button type="submit" class="button-secondary" disabled={busy}>
            Add custodian
          </button>
        </form>
      ) : null}

      {canOperate && d.account.status === 'active' ? (
        <details class="danger-zone">
          <summary>Retire this emergency account</summary>
          <form
            noValidate
            aria-label="Retire the account"
            onSubmit={(e) => {
              e.preventDefault();
              void act(async () => {
                await ensureFreshStepUp(app);
                await api('POST', `/api/inventory/accounts/${d.account.id}/retire`, { reason: retireReason });
              }, 'The account is retired.');
            }}
          >
            <p>
              Its open enrollment is cancelled (deleting any Temporary Access Pass it issued) and its keys are marked retired. Entra keeps the account and its keys: remove them, or disable the
              account, in the Entra admin center.
            </p>
            <TextField id="retire-reason" label="Why it is retired" value={retireReason} onInput={setRetireReason} required maxLength={500} />
            <button type="submit" class="button-warning" disabled={busy}>
              Retire account
            </button>
          </form>
        </details>
      ) : null}
    </Page>
  );
}
