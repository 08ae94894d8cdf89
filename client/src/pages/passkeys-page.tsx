// My passkeys: list, add another (step-up), rename, remove (step-up; never the last one).
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.ts';
import type { Passkey } from '../api/types.ts';
import { ErrorSummary } from '../components/error-summary.tsx';
import { fieldError, TextField } from '../components/field.tsx';
import { Page } from '../components/page.tsx';
import { useApp } from '../context.ts';
import { when } from '../format.ts';
import { cancelCeremony, createPasskey } from '../webauthn/ceremonies.ts';

export function PasskeysPage() {
  const app = useApp();
  const [keys, setKeys] = useState<Passkey[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [newName, setNewName] = useState('');

  const load = useCallback(async () => {
    setKeys((await api<{ passkeys: Passkey[] }>('GET', '/api/me/passkeys')).passkeys);
  }, []);
  useEffect(() => {
    load().catch(setError);
    return () => cancelCeremony();
  }, [load]);

  async function add(e: Event) {
    e.preventDefault();
    setError(null);
    if (!name.trim()) {
      setError(new Error('Give the new passkey a name first, so you can tell it apart later.'));
      return;
    }
    setBusy(true);
    try {
      const start = await api<{ ceremonyId: string; options: Parameters<typeof createPasskey>[0] }>('POST', '/api/me/passkeys/options', {});
      app.announce('Create the new passkey: touch the new security key or confirm on your device.');
      const response = await createPasskey(start.options);
      const key = await api<Passkey>('POST', '/api/me/passkeys/verify', { ceremonyId: start.ceremonyId, response, name });
      setName('');
      await load();
      app.announce(`Passkey “${key.name}” added.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function rename(e: Event, key: Passkey) {
    e.preventDefault();
    setError(null);
    try {
      await api('PATCH', `/api/me/passkeys/${key.id}`, { name: newName });
      setRenaming(null);
      await load();
      app.announce(`Passkey renamed to “${newName}”.`);
    } catch (err) {
      setError(err);
    }
  }

  async function remove(key: Passkey) {
    if (!confirm(`Remove the passkey “${key.name}”? It will no longer sign in to breakglass.`)) return;
    setError(null);
    try {
      const r = await api<{ sessionsEnded: number }>('DELETE', `/api/me/passkeys/${key.id}`);
      await load();
      app.announce(`Passkey “${key.name}” removed${r.sessionsEnded ? `; ${r.sessionsEnded} other session(s) it had signed in were ended` : ''}.`);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <Page title="My passkeys" lead="Keep at least two passkeys, for example two security keys kept in different places, so losing one does not lock you out.">
      <ErrorSummary error={error} fields={{ 'body.name': 'new-passkey-name' }} />
      {keys === null ? (
        <p class="loading">Loading…</p>
      ) : (
        <table>
          <caption>Passkeys that can sign in as {app.session?.officer.displayName}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Authenticator</th>
              <th scope="col">Added</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id}>
                <td>
                  {renaming === k.id ? (
                    <form class="inline-form" onSubmit={(e) => rename(e, k)}>
                      <label for={`rename-${k.id}`} class="visually-hidden">
                        New name for {k.name}
                      </label>
                      <input id={`rename-${k.id}`} type="text" value={newName} maxLength={60} onInput={(e) => setNewName((e.currentTarget as HTMLInputElement).value)} />
                      <button type="submit" class="button-secondary">
                        Save
                      </button>
                      <button type="button" class="button-link" onClick={() => setRenaming(null)}>
                        Cancel
                      </button>
                    </form>
                  ) : (
                    <>
                      {k.name}
                      {app.session?.passkeyId === k.id ? <span class="tag">signed in with this</span> : null}
                    </>
                  )}
                </td>
                <td>
                  <span class="mono">{k.aaguid}</span>
                  <br />
                  {k.deviceType === 'multiDevice' ? 'synced passkey' : 'device-bound'}
                  {k.transports.length ? ` · ${k.transports.join(', ')}` : ''}
                </td>
                <td>{when(k.createdAt)}</td>
                <td>{when(k.lastUsedAt)}</td>
                <td class="actions">
                  {renaming !== k.id ? (
                    <button
                      type="button"
                      class="button-secondary"
                      onClick={() => {
                        setRenaming(k.id);
                        setNewName(k.name);
                      }}
                    >
                      Rename<span class="visually-hidden"> {k.name}</span>
                    </button>
                  ) : null}
                  <button type="button" class="button-warning" onClick={() => remove(k)} disabled={keys.length <= 1} aria-describedby={keys.length <= 1 ? 'last-key-help' : undefined}>
                    Remove<span class="visually-hidden"> {k.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {keys && keys.length <= 1 ? (
        <p id="last-key-help" class="hint">
          You cannot remove your only passkey. Add another one first.
        </p>
      ) : null}
      <h2>Add a passkey</h2>
      <form onSubmit={add} noValidate>
        <TextField id="new-passkey-name" label="Name for the new passkey" hint="For example “YubiKey in safe B”. You will confirm with a passkey you already have first." value={name} onInput={setName} error={fieldError(error, 'body.name')} required maxLength={60} spellcheck />
        <button type="submit" class="button-primary" disabled={busy}>
          {busy ? 'Waiting for your passkey…' : 'Add passkey'}
        </button>
      </form>
    </Page>
  );
}
