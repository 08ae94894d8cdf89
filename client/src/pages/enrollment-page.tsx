// One enrollment request and what happens next, depending on its state and on who is looking:
//   - waiting for approval: a different officer approves (passkey step-up) or rejects; the requester may cancel;
//   - approved, guided: a short checklist, a confirm page before the TAP is issued, then the pass shown ONCE with a
//     countdown and the steps on the security-info page, while breakglass watches Entra for the key;
//   - approved, direct: a confirm page where the requester types the key's PIN (or chooses one for a new key) for the
//     one registration call, and touches the key;
//   - interrupted: resume (reads Entra back); finished: the outcome and every audited step.
// The pass lives only in this page's memory: never in the URL, storage or a later response.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client.ts';
import type { IssuedTap, RequestView, WatchResult } from '../api/enrollment-types.ts';
import { ErrorSummary } from '../components/error-summary.tsx';
import { TextField } from '../components/field.tsx';
import { Page } from '../components/page.tsx';
import { useApp } from '../context.ts';
import { Findings } from '../enrollment/findings.tsx';
import { actionLabel, remaining, STATE_LABEL, who } from '../enrollment/labels.ts';
import { ensureFreshStepUp } from '../enrollment/step-up.ts';
import { when } from '../format.ts';
import { linkClick } from '../router.ts';
import '../enrollment/enrollment.css';

const POLL_MS = 3000;

function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return undefined;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

function PinField(props: { id: string; label: string; hint?: string; value: string; onInput: (v: string) => void }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <input
        id={props.id}
        type="password"
        class="input-short"
        inputMode="numeric"
        autoComplete="off"
        spellcheck={false}
        value={props.value}
        maxLength={63}
        aria-describedby={props.hint ? `${props.id}-hint` : undefined}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
        required
      />
    </div>
  );
}

export function EnrollmentPage(props: { id: string }) {
  const app = useApp();
  const [v, setV] = useState<RequestView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [issued, setIssued] = useState<IssuedTap | null>(null);
  const [passHidden, setPassHidden] = useState(false);
  const [watch, setWatch] = useState<WatchResult | null>(null);
  const [stage, setStage] = useState<'overview' | 'confirm'>('overview');
  const [reason, setReason] = useState('');
  const [pin, setPin] = useState('');
  const [newPin, setNewPin] = useState('');
  const [newPin2, setNewPin2] = useState('');
  const [touch, setTouch] = useState(false);
  const passRef = useRef<HTMLDivElement>(null);

  const load = useCallback(async () => {
    setV(await api<RequestView>('GET', `/api/enrollments/${props.id}`));
  }, [props.id]);
  useEffect(() => {
    load().catch(setError);
  }, [load]);

  const r = v?.request;
  const waiting = r?.state === 'awaiting_registration';
  const now = useNow(!!issued && waiting);

  // Watch Entra while the key is being registered (only the requester's page asks).
  useEffect(() => {
    if (!waiting || !v?.you.isRequester) return undefined;
    let stop = false;
    const tick = async () => {
      try {
        const w = await api<WatchResult>('POST', `/api/enrollments/${props.id}/watch`);
        if (stop) return;
        setWatch(w);
        if (w.request.state !== 'awaiting_registration') {
          setIssued(null);
          await load();
          app.announce(w.outcome === 'completed' ? 'The key is registered. The enrollment is complete.' : `The enrollment ended: ${STATE_LABEL[w.request.state]}.`);
          return;
        }
      } catch {
        /* Graph or the network hiccupped: the next tick tries again; nothing was changed */
      }
      if (!stop) timer = setTimeout(tick, POLL_MS);
    };
    let timer = setTimeout(tick, 500);
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [waiting, v?.you.isRequester, props.id, load, app]);

  async function act(fn: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (!v || !r) {
    return (
      <Page title="Enrollment">
        <ErrorSummary error={error} />
        {error ? null : <p class="loading">Loading…</p>}
      </Page>
    );
  }

  const approve = () =>
    act(async () => {
      await ensureFreshStepUp(app);
      setV(await api<RequestView>('POST', `/api/enrollments/${r.id}/approve`));
      app.announce('Approved. The requesting officer can run it now.');
    });
  const reject = (e: Event) => {
    e.preventDefault();
    void act(async () => {
      setV(await api<RequestView>('POST', `/api/enrollments/${r.id}/reject`, { reason }));
      setReason('');
    });
  };
  const cancel = (e: Event) => {
    e.preventDefault();
    void act(async () => {
      setV(await api<RequestView>('POST', `/api/enrollments/${r.id}/cancel`, { reason }));
      setIssued(null);
      setReason('');
      app.announce('The enrollment is cancelled.');
    });
  };
  const issue = () =>
    act(async () => {
      await ensureFreshStepUp(app);
      const t = await api<IssuedTap>('POST', `/api/enrollments/${r.id}/tap`);
      setIssued(t);
      setStage('overview');
      setV({ ...v, request: t.request });
      app.announce('The Temporary Access Pass is shown on the page.');
      setTimeout(() => passRef.current?.focus(), 50);
    });
  const needsNewPin = r.precheck.findings.some((f) => f.check === 'pin.set' && f.outcome === 'info');
  const register = (e: Event) => {
    e.preventDefault();
    void act(async () => {
      if (needsNewPin && newPin !== newPin2) throw new Error('The two PINs are different. Type the same new PIN twice.');
      if (!(needsNewPin ? newPin : pin)) throw new Error(needsNewPin ? 'Choose a PIN for the key.' : 'Type the key\'s PIN.');
      await ensureFreshStepUp(app);
      setTouch(true);
      try {
        const body = needsNewPin ? { newPin } : { pin };
        setV(await api<RequestView>('POST', `/api/enrollments/${r.id}/register`, body));
      } finally {
        // The PIN leaves the page's memory whatever happened.
        setPin('');
        setNewPin('');
        setNewPin2('');
        setTouch(false);
      }
      setStage('overview');
      app.announce('The key is registered.');
    });
  };
  const resume = () =>
    act(async () => {
      const w = await api<WatchResult>('POST', `/api/enrollments/${r.id}/resume`);
      setWatch(w);
      await load();
    });

  const o = v.officers;
  return (
    <Page title={`Enrollment for ${r.upn}`} lead={`${r.mode === 'guided' ? 'Guided (Temporary Access Pass)' : 'Direct (on behalf, over USB)'}${r.purpose === 'replace' ? ' · replaces a lost key' : ''}`}>
      <p>
        <a href="/enrollments" onClick={(e) => linkClick(e, '/enrollments')}>
          ← All enrollments
        </a>
      </p>
      <ErrorSummary error={error} fields={{ 'body.reason': 'request-reason' }} />
      <p class={`state-banner state-${r.state}`} role="status">
        <strong>{STATE_LABEL[r.state]}</strong>
        {r.error ? ` — ${r.error.message}` : r.closeReason && r.state !== 'completed' ? ` — ${r.closeReason}` : ''}
      </p>

      <dl class="facts">
        <dt>Key</dt>
        <dd>
          {r.key.model}
          {r.precheck.virtual ? ' (VIRTUAL key)' : ''} · AAGUID <span class="mono">{r.key.aaguid}</span>
          {r.key.serial ? ` · serial ${r.key.serial}` : ''}
        </dd>
        <dt>Name in Entra</dt>
        <dd>{r.displayName}</dd>
        <dt>Will be kept</dt>
        <dd>{[r.location, r.sealNumber ? `seal ${r.sealNumber}` : ''].filter(Boolean).join(', ') || 'not given'}</dd>
        <dt>Reason</dt>
        <dd>{r.reason}</dd>
        <dt>Requested</dt>
        <dd>
          {who(o, r.requestedBy)}, {when(r.requestedAt)}
        </dd>
        <dt>Approved</dt>
        <dd>{r.approvedBy ? `${who(o, r.approvedBy)}, ${when(r.approvedAt)}` : 'not yet'}</dd>
        {r.state === 'requested' || r.state === 'approved' ? (
          <>
            <dt>Expires</dt>
            <dd>{when(r.expiresAt)} if not run by then</dd>
          </>
        ) : null}
        {r.fido2MethodId ? (
          <>
            <dt>Entra method</dt>
            <dd class="mono">{r.fido2MethodId}</dd>
          </>
        ) : null}
        {r.drillDueAt ? (
          <>
            <dt>First drill due</dt>
            <dd>{when(r.drillDueAt)}</dd>
          </>
        ) : null}
      </dl>
      <details>
        <summary>Pre-check of the key ({r.precheck.verdict}, {when(r.precheck.checkedAt)})</summary>
        <Findings findings={r.precheck.findings} caption="Pre-check findings" />
      </details>

      {/* ------------------------------------------------------------- approval */}
      {r.state === 'requested' && v.you.canApprove && app.can('enrollment.approve') ? (
        <section class="panel" aria-labelledby="approve-heading">
          <h2 id="approve-heading">Your approval is needed</h2>
          <p>
            {who(o, r.requestedBy)} wants to {r.mode === 'guided' ? 'issue a Temporary Access Pass for' : 'register a key on behalf of'} <strong>{r.upn}</strong>, a Global Administrator. Approve only if you know
            why and you agree. You will confirm with your passkey.
          </p>
          <button type="button" class="button-primary" disabled={busy} onClick={approve}>
            Approve with my passkey
          </button>
          <form onSubmit={reject} noValidate aria-label="Reject the request" class="inline-reject">
            <TextField id="request-reason" label="Or reject it, saying why" value={reason} onInput={setReason} maxLength={500} width="long" />
            <button type="submit" class="button-secondary" disabled={busy}>
              Reject
            </button>
          </form>
        </section>
      ) : null}
      {r.state === 'requested' && v.you.isRequester ? <p class="notice">Waiting for a different officer to approve this request. You cannot approve your own request.</p> : null}

      {/* ------------------------------------------------------------- guided */}
      {r.state === 'approved' && r.mode === 'guided' && v.you.canRun && stage === 'overview' ? (
        <section class="panel" aria-labelledby="guided-heading">
          <h2 id="guided-heading">Before you start</h2>
          <ol class="checklist">
            <li>The pre-checked key ({r.key.model}) is in front of you, still sealed until now.</li>
            <li>You can open a private (incognito) browser window on this workstation, signed in to nothing.</li>
            <li>Nobody else can see your screen: the pass is a credential for a Global Administrator.</li>
            <li>You have time to finish: the pass lives {r.precheck.findings.find((f) => f.check === 'tap.lifetime')?.message.match(/\d+ minutes/)?.[0] ?? 'as long as the policy\'s minimum'}.</li>
          </ol>
          <button type="button" class="button-primary" onClick={() => setStage('confirm')}>
            Continue
          </button>
        </section>
      ) : null}
      {r.state === 'approved' && r.mode === 'guided' && v.you.canRun && stage === 'confirm' ? (
        <section class="panel confirm" aria-labelledby="confirm-heading">
          <h2 id="confirm-heading">Issue the Temporary Access Pass?</h2>
          <p>
            breakglass will ask Entra for a <strong>one-time</strong> Temporary Access Pass for <strong>{r.upn}</strong>, with the shortest lifetime the tenant's policy allows. This changes Entra
            and cannot be undone: the pass exists until it is used, expires, or you cancel. It is shown <strong>once</strong>, here, and stored nowhere.
          </p>
          {r.purpose === 'replace' && !r.replacedKeyRevokedAt ? <p><strong>First, the lost key is revoked in Entra:</strong> it stops working for this account at once.</p> : null}
          <button type="button" class="button-warning" disabled={busy} onClick={issue}>
            Issue the pass
          </button>{' '}
          <button type="button" class="button-link" onClick={() => setStage('overview')}>
            Back
          </button>
        </section>
      ) : null}
      {issued && waiting ? (
        <section class="panel tap" aria-labelledby="tap-heading">
          <h2 id="tap-heading">Temporary Access Pass for {issued.upn}</h2>
          <div class="tap-value" tabIndex={-1} ref={passRef} aria-describedby="tap-help">
            {passHidden ? <span class="hint">hidden</span> : <span class="mono tap-pass">{issued.temporaryAccessPass}</span>}
          </div>
          <p id="tap-help">
            One-time use. <span role="timer" aria-live="off">Valid for {remaining(issued.expiresAt, now)}</span> (until {when(issued.expiresAt)}). This is the only time it is shown.
          </p>
          <button type="button" class="button-link" onClick={() => setPassHidden(!passHidden)}>
            {passHidden ? 'Show the pass' : 'Hide the pass'}
          </button>
          <h3>Now, in a private browser window</h3>
          <ol class="steps">
            <li>
              Open{' '}
              <a href={issued.securityInfoUrl} target="_blank" rel="noopener noreferrer">
                the security-info page
              </a>{' '}
              (<span class="mono">{issued.securityInfoUrl}</span>).
            </li>
            <li>
              Sign in as <strong>{issued.upn}</strong> with the pass above.
            </li>
            <li>Add a security key. Insert the pre-checked key, touch it, and set or enter its PIN.</li>
            <li>
              Name it <strong>{r.displayName}</strong>. Then sign out and close the window.
            </li>
          </ol>
          <p class="watching" role="status">
            {watch?.tap?.reason === 'OneTimeUsed' ? 'The pass was used to sign in. Waiting for the key…' : 'Watching Entra for the key…'}
          </p>
        </section>
      ) : null}
      {!issued && waiting ? (
        <section class="panel" aria-labelledby="waiting-heading">
          <h2 id="waiting-heading">Waiting for the key</h2>
          <p>
            The pass was shown once when it was issued; breakglass does not keep it. If it was lost, cancel this enrollment (which deletes the pass) and request a new one. Valid until{' '}
            {when(r.tap.expiresAt)}.
          </p>
          <p role="status">{v.you.isRequester ? 'Watching Entra for the key…' : 'Only the requesting officer\'s page watches; the service also checks on its own.'}</p>
        </section>
      ) : null}

      {/* ------------------------------------------------------------- direct */}
      {r.state === 'approved' && r.mode === 'direct' && v.you.canRun && stage === 'overview' ? (
        <section class="panel" aria-labelledby="direct-heading">
          <h2 id="direct-heading">Register the key on behalf of {r.upn}</h2>
          <ol class="checklist">
            <li>The pre-checked key ({r.key.model}) is inserted into this workstation, and no other key.</li>
            <li>{needsNewPin ? 'The key is new: you will choose its PIN now.' : 'You know the key\'s PIN.'}</li>
          </ol>
          <button type="button" class="button-primary" onClick={() => setStage('confirm')}>
            Continue
          </button>
        </section>
      ) : null}
      {r.state === 'approved' && r.mode === 'direct' && v.you.canRun && stage === 'confirm' ? (
        <form class="panel confirm" onSubmit={register} noValidate aria-labelledby="direct-confirm">
          <h2 id="direct-confirm">Register the key now?</h2>
          <p>
            breakglass will get registration options from Entra, make the credential on the key, check its attestation, and register it for <strong>{r.upn}</strong>. This changes Entra. The PIN
            is used for this one call and is not stored.
          </p>
          {r.purpose === 'replace' && !r.replacedKeyRevokedAt ? <p><strong>First, the lost key is revoked in Entra:</strong> it stops working for this account at once.</p> : null}
          {needsNewPin ? (
            <>
              <PinField id="new-pin" label="New PIN for the key" hint="At least 4 characters (the key may ask for more). Write it down for the safe's envelope, not here." value={newPin} onInput={setNewPin} />
              <PinField id="new-pin-2" label="The same PIN again" value={newPin2} onInput={setNewPin2} />
            </>
          ) : (
            <PinField id="key-pin" label="The key's PIN" hint="A wrong PIN uses up one of the key's 8 tries." value={pin} onInput={setPin} />
          )}
          <button type="submit" class="button-warning" disabled={busy}>
            Register the key
          </button>{' '}
          <button type="button" class="button-link" onClick={() => setStage('overview')}>
            Back
          </button>
          {touch ? (
            <p class="touch" role="status">
              Touch the key when it blinks.
            </p>
          ) : null}
        </form>
      ) : null}

      {/* ------------------------------------------------------------- interrupted / other officers */}
      {r.state === 'approved' && !v.you.canRun ? <p class="notice">Approved. {who(o, r.requestedBy)}, who requested it, runs it at their workstation.</p> : null}
      {(r.state === 'tap_issuing' || r.state === 'registering' || r.state === 'key_registered') && v.you.isRequester ? (
        <section class="panel" aria-labelledby="resume-heading">
          <h2 id="resume-heading">This enrollment was interrupted</h2>
          <p>breakglass recorded how far it got. Resuming asks Entra what happened and continues — it never issues a second pass for this approval.</p>
          <button type="button" class="button-primary" disabled={busy} onClick={resume}>
            Resume
          </button>
        </section>
      ) : null}

      {v.you.canCancel && app.can('enrollment.request') ? (
        <details class="danger-zone">
          <summary>Cancel this enrollment</summary>
          <form onSubmit={cancel} noValidate aria-label="Cancel the enrollment">
            <p>{r.tap.methodId && (r.tap.state === 'issued' || r.tap.state === 'issuing') ? 'The Temporary Access Pass it issued is deleted in Entra first.' : 'Nothing was issued in Entra yet.'}</p>
            <TextField id="cancel-reason" label="Why it is cancelled" value={reason} onInput={setReason} required maxLength={500} width="long" />
            <button type="submit" class="button-warning" disabled={busy}>
              Cancel enrollment
            </button>
          </form>
        </details>
      ) : null}

      <h2 id="steps-heading">Audited steps</h2>
      <table aria-labelledby="steps-heading">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">When</th>
            <th scope="col">What</th>
            <th scope="col">Who</th>
          </tr>
        </thead>
        <tbody>
          {v.steps.map((s) => (
            <tr key={s.seq}>
              <td class="num">{s.seq}</td>
              <td>{when(s.at)}</td>
              <td>{actionLabel(s.action)}</td>
              <td>{who(o, s.actor)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Page>
  );
}
