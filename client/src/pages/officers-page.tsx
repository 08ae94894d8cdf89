// Officer administration (admins): who can sign in with which role, invites (the link is shown once), role and status
// changes. Changes that hand out access ask for a fresh passkey check (step-up) first.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.ts';
import type { Invite, OfficerSummary, Role } from '../api/types.ts';
import { ErrorSummary } from '../components/error-summary.tsx';
import { fieldError, TextField } from '../components/field.tsx';
import { Page } from '../components/page.tsx';
import { useApp } from '../context.ts';
import { ROLE_HELP, ROLE_LABEL, when } from '../format.ts';

const ROLES: Role[] = ['admin', 'officer', 'auditor'];

export function OfficersPage() {
  const app = useApp();
  const [officers, setOfficers] = useState<OfficerSummary[] | null>(null);
  const [invites, setInvites] = useState<Invite[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [inviteName, setInviteName] = useState('');
  const [inviteRole, setInviteRole] = useState<Role>('officer');
  const [inviteHours, setInviteHours] = useState('72');
  const [link, setLink] = useState<{ url: string; name: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState(false);

  const load = useCallback(async () => {
    const [o, i] = await Promise.all([api<{ officers: OfficerSummary[] }>('GET', '/api/officers'), api<{ invites: Invite[] }>('GET', '/api/officers/invites')]);
    setOfficers(o.officers);
    setInvites(i.invites);
  }, []);
  useEffect(() => {
    load().catch(setError);
  }, [load]);

  async function invite(e: Event) {
    e.preventDefault();
    setError(null);
    setLink(null);
    setBusy(true);
    try {
      const r = await api<{ invite: Invite; link: string }>('POST', '/api/officers/invites', { displayName: inviteName, role: inviteRole, hours: Number(inviteHours) });
      setLink({ url: r.link, name: r.invite.displayName });
      setCopied(false);
      setInviteName('');
      await load();
      app.announce(`Invite for ${r.invite.displayName} created. The link is shown once below.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function change(o: OfficerSummary, body: { role?: Role; status?: 'active' | 'disabled' }, what: string) {
    setError(null);
    try {
      await api('PATCH', `/api/officers/${o.id}`, body);
      await load();
      app.announce(`${o.displayName}: ${what}.`);
    } catch (err) {
      setError(err);
    }
  }

  async function revoke(i: Invite) {
    setError(null);
    try {
      await api('DELETE', `/api/officers/invites/${i.id}`);
      await load();
      app.announce(`Invite for ${i.displayName} revoked.`);
    } catch (err) {
      setError(err);
    }
  }

  async function copy() {
    if (!link) return;
    try {
      await navigator.clipboard.writeText(link.url);
      setCopied(true);
      app.announce('Invite link copied.');
    } catch {
      app.announce('Copying did not work; select the link and copy it by hand.');
    }
  }

  const me = app.session?.officer.id;
  return (
    <Page title="Officers" lead="Who can sign in to breakglass, and with which role.">
      <ErrorSummary error={error} fields={{ 'body.displayName': 'invite-name', 'body.hours': 'invite-hours' }} />
      {officers === null ? (
        <p class="loading">Loading…</p>
      ) : (
        <table>
          <caption>Officers ({officers.length})</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Username</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Passkeys</th>
              <th scope="col">Last sign-in</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {officers.map((o) => (
              <OfficerRow key={o.id} officer={o} self={o.id === me} onChange={change} />
            ))}
          </tbody>
        </table>
      )}

      <h2 id="invite-heading">Invite an officer</h2>
      <p class="hint">The invite link works once. Send it over a channel you trust; anyone holding it can join with the role you choose until it expires.</p>
      <form onSubmit={invite} aria-labelledby="invite-heading" noValidate>
        <TextField id="invite-name" label="Their name" value={inviteName} onInput={setInviteName} error={fieldError(error, 'body.displayName')} required maxLength={100} spellcheck />
        <fieldset class="field">
          <legend>Role</legend>
          {ROLES.map((r) => (
            <div class="radio" key={r}>
              <input type="radio" id={`invite-role-${r}`} name="invite-role" value={r} checked={inviteRole === r} onChange={() => setInviteRole(r)} />
              <label for={`invite-role-${r}`}>
                <strong>{ROLE_LABEL[r]}</strong> — {ROLE_HELP[r]}
              </label>
            </div>
          ))}
        </fieldset>
        <div class="field">
          <label for="invite-hours">Link valid for</label>
          <select id="invite-hours" value={inviteHours} onChange={(e) => setInviteHours((e.currentTarget as HTMLSelectElement).value)}>
            <option value="1">1 hour</option>
            <option value="24">24 hours</option>
            <option value="72">3 days</option>
            <option value="168">7 days</option>
          </select>
        </div>
        <button type="submit" class="button-primary" disabled={busy}>
          Create invite link
        </button>
      </form>
      {link ? (
        <div class="panel" role="region" aria-labelledby="invite-link-heading">
          <h3 id="invite-link-heading">Invite link for {link.name}</h3>
          <p>This is the only time the link is shown. breakglass keeps only a hash of it.</p>
          <p>
            <label for="invite-link">Link</label>
            <input id="invite-link" class="input-long mono" type="text" readOnly value={link.url} onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} />
          </p>
          <button type="button" class="button-secondary" onClick={copy}>
            {copied ? 'Copied' : 'Copy link'}
          </button>{' '}
          <button type="button" class="button-link" onClick={() => setLink(null)}>
            I have sent it — hide the link
          </button>
        </div>
      ) : null}

      <h2>Invites</h2>
      {invites.length === 0 ? (
        <p>No invites yet.</p>
      ) : (
        <table>
          <caption>Invites, newest first</caption>
          <thead>
            <tr>
              <th scope="col">For</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {invites.map((i) => (
              <tr key={i.id}>
                <td>{i.displayName}</td>
                <td>{ROLE_LABEL[i.role]}</td>
                <td>{i.status}</td>
                <td>{when(i.expiresAt)}</td>
                <td class="actions">
                  {i.status === 'pending' ? (
                    <button type="button" class="button-warning" onClick={() => revoke(i)}>
                      Revoke<span class="visually-hidden"> invite for {i.displayName}</span>
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

function OfficerRow(props: { officer: OfficerSummary; self: boolean; onChange: (o: OfficerSummary, body: { role?: Role; status?: 'active' | 'disabled' }, what: string) => void }) {
  const o = props.officer;
  const [role, setRole] = useState<Role>(o.role);
  useEffect(() => setRole(o.role), [o.role]);
  return (
    <tr>
      <td>
        {o.displayName}
        {props.self ? <span class="tag">you</span> : null}
      </td>
      <td class="mono">{o.username}</td>
      <td>
        {props.self ? (
          ROLE_LABEL[o.role]
        ) : (
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              props.onChange(o, { role }, `role changed to ${ROLE_LABEL[role]}`);
            }}
          >
            <label for={`role-${o.id}`} class="visually-hidden">
              Role of {o.displayName}
            </label>
            <select id={`role-${o.id}`} value={role} onChange={(e) => setRole((e.currentTarget as HTMLSelectElement).value as Role)}>
              {ROLES.map((r) => (
                <option value={r} key={r}>
                  {ROLE_LABEL[r]}
                </option>
              ))}
            </select>
            <button type="submit" class="button-secondary" disabled={role === o.role}>
              Change<span class="visually-hidden"> role of {o.displayName}</span>
            </button>
          </form>
        )}
      </td>
      <td>{o.status === 'active' ? 'Active' : 'Disabled'}</td>
      <td>{o.passkeys}</td>
      <td>{when(o.lastSignInAt)}</td>
      <td class="actions">
        {props.self ? null : o.status === 'active' ? (
          <button type="button" class="button-warning" onClick={() => props.onChange(o, { status: 'disabled' }, 'disabled; their sessions were ended')}>
            Disable<span class="visually-hidden"> {o.displayName}</span>
          </button>
        ) : (
          <button type="button" class="button-secondary" onClick={() => props.onChange(o, { status: 'active' }, 'enabled')}>
            Enable<span class="visually-hidden"> {o.displayName}</span>
          </button>
        )}
      </td>
    </tr>
  );
}
