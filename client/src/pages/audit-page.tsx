// The auditor's view of the audit log: is it intact (verified end to end against the signed checkpoints), the latest
// checkpoint, and the entries newest first, filtered by actor, action or subject, page by page.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.ts';
import type { AuditEntry, Verification } from '../api/types.ts';
import { ErrorSummary } from '../components/error-summary.tsx';
import { Page } from '../components/page.tsx';
import { useApp } from '../context.ts';
import { when } from '../format.ts';

const PAGE = 25;

interface Filters {
  actor: string;
  action: string;
  subject: string;
}

export function AuditPage() {
  const app = useApp();
  const [verification, setVerification] = useState<Verification | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [total, setTotal] = useState(0);
  const [draft, setDraft] = useState<Filters>({ actor: '', action: '', subject: '' });
  const [filters, setFilters] = useState<Filters>({ actor: '', action: '', subject: '' });
  // Stack of `before` cursors: [undefined] is the newest page.
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);

  const verify = useCallback(async () => {
    setVerifying(true);
    try {
      const v = await api<Verification>('GET', '/api/audit/verification');
      setVerification(v);
      app.announce(v.ok ? 'Audit log verified: intact.' : `Audit log verification FAILED: ${v.problems.length} problem(s).`);
    } catch (err) {
      setError(err);
    } finally {
      setVerifying(false);
    }
  }, [app]);

  const load = useCallback(async (f: Filters, before: number | undefined) => {
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (before !== undefined) q.set('before', String(before));
    if (f.actor.trim()) q.set('actor', f.actor.trim());
    if (f.action.trim()) q.set('action', f.action.trim());
    if (f.subject.trim()) q.set('subject', f.subject.trim());
    const r = await api<{ entries: AuditEntry[]; nextBefore: number | null; total: number }>('GET', `/api/audit/entries?${q}`);
    setEntries(r.entries);
    setNext(r.nextBefore);
    setTotal(r.total);
  }, []);

  useEffect(() => {
    verify();
    load(filters, undefined).catch(setError);
  }, []);

  async function apply(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      setFilters(draft);
      setCursors([undefined]);
      await load(draft, undefined);
    } catch (err) {
      setError(err);
    }
  }

  async function page(direction: 'older' | 'newer') {
    setError(null);
    try {
      const stack = direction === 'older' ? [...cursors, next ?? undefined] : cursors.slice(0, -1);
      setCursors(stack);
      await load(filters, stack[stack.length - 1]);
      document.getElementById('entries-caption')?.focus();
    } catch (err) {
      setError(err);
    }
  }

  const pageNo = cursors.length;
  return (
    <Page title="Audit log" lead="Every change breakglass makes, in order, hash-chained and covered by signed checkpoints.">
      <ErrorSummary error={error} fields={{ 'querystring.action': 'filter-action', 'querystring.actor': 'filter-actor', 'querystring.subject': 'filter-subject' }} />
      <section class="panel" aria-labelledby="verification-heading">
        <h2 id="verification-heading">Verification</h2>
        {verification === null ? (
          <p>{verifying ? 'Verifying the whole log…' : 'Not verified yet.'}</p>
        ) : (
          <>
            <p class={verification.ok ? 'verdict verdict-ok' : 'verdict verdict-bad'}>
              <strong>{verification.ok ? 'INTACT' : 'TAMPERED'}</strong>{' '}
              {verification.ok
                ? `— all ${verification.entries.toLocaleString()} entries, their hashes and ${verification.checkpoints.verified} of ${verification.checkpoints.total} checkpoint signatures verified.`
                : `— ${verification.problems.length} problem(s)${verification.firstBadSeq !== null ? `, first bad entry #${verification.firstBadSeq}` : ''}.`}
            </p>
            {verification.problems.length > 0 ? (
              <ul class="problems">
                {verification.problems.map((p, i) => (
                  <li key={i}>
                    <strong>{p.kind}</strong>
                    {p.seq !== null ? ` (entry #${p.seq})` : ''}: {p.message}
                  </li>
                ))}
              </ul>
            ) : null}
            <dl class="facts">
              <dt>Verified at</dt>
              <dd>{when(verification.verifiedAt)}</dd>
              <dt>Latest signed checkpoint</dt>
              <dd>{verification.latestCheckpoint ? `covers ${verification.latestCheckpoint.treeSize.toLocaleString()} entries, signed ${when(verification.latestCheckpoint.at)}` : 'none yet'}</dd>
              <dt>Root hash</dt>
              <dd class="mono wrap">{verification.latestCheckpoint?.rootHash ?? '—'}</dd>
              <dt>Verifier key</dt>
              <dd class="mono wrap">{verification.verifierKey}</dd>
            </dl>
            {verification.latestCheckpoint ? (
              <details>
                <summary>Show the signed checkpoint</summary>
                <pre class="note">{verification.latestCheckpoint.note}</pre>
              </details>
            ) : null}
          </>
        )}
        <button type="button" class="button-secondary" onClick={verify} disabled={verifying}>
          {verifying ? 'Verifying…' : 'Verify again'}
        </button>
      </section>

      <h2 id="entries-heading">Entries</h2>
      <form class="filters" onSubmit={apply} aria-labelledby="entries-heading">
        <div class="field">
          <label for="filter-actor">Actor</label>
          <input id="filter-actor" type="text" value={draft.actor} placeholder="officer:…" onInput={(e) => setDraft({ ...draft, actor: (e.currentTarget as HTMLInputElement).value })} />
        </div>
        <div class="field">
          <label for="filter-action">Action</label>
          <p class="hint" id="filter-action-hint">
            Exact, or a prefix ending in .* (e.g. auth.*)
          </p>
          <input id="filter-action" type="text" value={draft.action} aria-describedby="filter-action-hint" onInput={(e) => setDraft({ ...draft, action: (e.currentTarget as HTMLInputElement).value })} />
        </div>
        <div class="field">
          <label for="filter-subject">Subject</label>
          <input id="filter-subject" type="text" value={draft.subject} placeholder="officer:…" onInput={(e) => setDraft({ ...draft, subject: (e.currentTarget as HTMLInputElement).value })} />
        </div>
        <button type="submit" class="button-primary">
          Show entries
        </button>
      </form>
      {entries === null ? (
        <p class="loading">Loading…</p>
      ) : (
        <>
          <table class="audit-table">
            <caption id="entries-caption" tabIndex={-1}>
              Entries, newest first — page {pageNo} ({entries.length} shown, {total.toLocaleString()} in the log)
            </caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Subject</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {entries.length === 0 ? (
                <tr>
                  <td colSpan={6}>No entries match.</td>
                </tr>
              ) : (
                entries.map((e) => (
                  <tr key={e.seq}>
                    <td class="num">{e.seq}</td>
                    <td>
                      <time dateTime={e.at}>{when(e.at)}</time>
                    </td>
                    <td>
                      <Ref name={e.actorName} raw={e.actor} />
                    </td>
                    <td class="mono">{e.action}</td>
                    <td>
                      <Ref name={e.subjectName} raw={e.subject} />
                    </td>
                    <td class="mono data">{formatData(e.data)}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
          <nav class="pager" aria-label="Audit log pages">
            <button type="button" class="button-secondary" onClick={() => page('newer')} disabled={pageNo === 1}>
              Newer entries
            </button>
            <button type="button" class="button-secondary" onClick={() => page('older')} disabled={next === null}>
              Older entries
            </button>
          </nav>
        </>
      )}
    </Page>
  );
}

/** An actor or subject: today's name of the officer (when known) above the recorded reference. */
function Ref(props: { name: string | null; raw: string }) {
  return props.name ? (
    <>
      {props.name}
      <br />
      <span class="mono ref">{props.raw}</span>
    </>
  ) : (
    <span class="mono">{props.raw}</span>
  );
}

function formatData(data: unknown): string {
  if (!data || typeof data !== 'object') return '';
  return Object.entries(data as Record<string, unknown>)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' · ');
}
