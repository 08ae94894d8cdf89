// Accepting an invite: the token is in the link's #fragment (never sent to a server in a URL, never in a log). It is
// read once, removed from the address bar, and sent in a request body.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.ts';
import type { Role, Session } from '../api/types.ts';
import { ErrorSummary } from '../components/error-summary.tsx';
import { fieldError, TextField } from '../components/field.tsx';
import { OriginWarning } from '../components/origin-warning.tsx';
import { Page } from '../components/page.tsx';
import { useApp } from '../context.ts';
import { ROLE_HELP, ROLE_LABEL, when } from '../format.ts';
import { navigate } from '../router.ts';
import { cancelCeremony, createPasskey } from '../webauthn/ceremonies.ts';

const FIELDS = { 'body.username': 'username', 'body.displayName': 'display-name', 'body.passkeyName': 'passkey-name' };
let tokenInMemory: string | null = null;

interface InviteInfo {
  displayName: string;
  role: Role;
  expiresAt: string;
  invitedBy: string;
}

export function InvitePage() {
  const app = useApp();
  const [info, setInfo] = useState<InviteInfo | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [passkeyName, setPasskeyName] = useState('Security key 1');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (location.hash.length > 1) {
      tokenInMemory = location.hash.slice(1);
      history.replaceState(null, '', '/invite');
    }
    if (!tokenInMemory) {
      setLoadError(new Error('This page needs the whole invite link, including the part after #. Open the link from your invite again.'));
      return;
    }
    api<InviteInfo>('POST', '/api/auth/invite/inspect', { token: tokenInMemory })
      .then((i) => {
        setInfo(i);
        setDisplayName(i.displayName);
      })
      .catch(setLoadError);
    return () => cancelCeremony();
  }, []);

  async function submit(e: Event) {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const start = await api<{ ceremonyId: string; options: Parameters<typeof createPasskey>[0] }>('POST', '/api/auth/invite/options', { token: tokenInMemory, username, displayName });
      app.announce('Create your passkey: touch your security key or confirm on your device.');
      const response = await createPasskey(start.options);
      const session = await api<Session>('POST', '/api/auth/invite/verify', { ceremonyId: start.ceremonyId, response, passkeyName });
      tokenInMemory = null;
      app.setSession(session);
      app.announce(`Welcome, ${session.officer.displayName}. You are signed in.`);
      navigate('/accounts');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (app.session) {
    return (
      <Page title="You are already signed in">
        <p>
          You are signed in as {app.session.officer.displayName}. To accept an invite for someone else, sign out first, or open the link in another browser.
        </p>
      </Page>
    );
  }
  if (loadError) {
    return (
      <Page title="This invite cannot be used">
        <ErrorSummary error={loadError} title="The invite link does not work" />
      </Page>
    );
  }
  if (!info) return <p class="loading">Checking your invite…</p>;
  return (
    <Page title="Join breakglass" lead={`${info.invitedBy} invited you as ${ROLE_LABEL[info.role].toLowerCase()}: you ${ROLE_HELP[info.role]}.`}>
      <OriginWarning />
      <p class="hint">This invite works once and expires {when(info.expiresAt)}.</p>
      <ErrorSummary error={error} fields={FIELDS} />
      <form onSubmit={submit} noValidate>
        <TextField id="username" label="Username" hint="Lower-case letters, digits and . _ @ -; shown on your passkey." value={username} onInput={setUsername} error={fieldError(error, 'body.username')} autoComplete="username" required maxLength={64} />
        <TextField id="display-name" label="Your name" value={displayName} onInput={setDisplayName} error={fieldError(error, 'body.displayName')} autoComplete="name" required maxLength={100} spellcheck />
        <TextField id="passkey-name" label="Name for this passkey" hint="So you can tell your passkeys apart later." value={passkeyName} onInput={setPasskeyName} error={fieldError(error, 'body.passkeyName')} required maxLength={60} spellcheck />
        <button type="submit" class="button-primary" disabled={busy}>
          {busy ? 'Waiting for your passkey…' : 'Create passkey and join'}
        </button>
      </form>
    </Page>
  );
}
