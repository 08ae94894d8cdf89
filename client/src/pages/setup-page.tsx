// First start: the bootstrap code (printed on the service's console and in bootstrap-code.txt) lets the first admin
// register a passkey. The code works once.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.ts';
import type { Session } from '../api/types.ts';
import { ErrorSummary } from '../components/error-summary.tsx';
import { fieldError, TextField } from '../components/field.tsx';
import { OriginWarning } from '../components/origin-warning.tsx';
import { Page } from '../components/page.tsx';
import { useApp } from '../context.ts';
import { navigate } from '../router.ts';
import { cancelCeremony, createPasskey } from '../webauthn/ceremonies.ts';

const FIELDS = { 'body.code': 'code', 'body.username': 'username', 'body.displayName': 'display-name', 'body.passkeyName': 'passkey-name' };

export function SetupPage() {
  const app = useApp();
  const [code, setCode] = useState('');
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [passkeyName, setPasskeyName] = useState('Security key 1');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => () => cancelCeremony(), []);

  async function submit(e: Event) {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const start = await api<{ ceremonyId: string; options: Parameters<typeof createPasskey>[0] }>('POST', '/api/auth/bootstrap/options', { code, username, displayName });
      app.announce('Create your passkey: touch your security key or confirm on your device.');
      const response = await createPasskey(start.options);
      const session = await api<Session>('POST', '/api/auth/bootstrap/verify', { ceremonyId: start.ceremonyId, response, passkeyName });
      app.setSession(session);
      navigate('/officers');
      await app.refreshStatus();
      app.announce(`Set up complete. You are signed in as ${session.officer.displayName}, admin.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title="Set up breakglass" lead="No officer exists yet. Register the first admin with the one-time bootstrap code.">
      <OriginWarning />
      <ErrorSummary error={error} fields={FIELDS} />
      <form onSubmit={submit} noValidate>
        <TextField
          id="code"
          label="Bootstrap code"
          hint="Printed in the console when the service first started, and kept in bootstrap-code.txt in the data folder (readable by the service account only). Example: ABCD-EFGH-JKLM-NPQR-STUV"
          value={code}
          onInput={setCode}
          error={fieldError(error, 'body.code')}
          required
          maxLength={64}
          width="long"
        />
        <TextField id="username" label="Username" hint="Lower-case letters, digits and . _ @ -; shown on your passkey." value={username} onInput={setUsername} error={fieldError(error, 'body.username')} autoComplete="username" required maxLength={64} />
        <TextField id="display-name" label="Your name" value={displayName} onInput={setDisplayName} error={fieldError(error, 'body.displayName')} autoComplete="name" required maxLength={100} spellcheck />
        <TextField id="passkey-name" label="Name for this passkey" hint="So you can tell your passkeys apart later, e.g. “YubiKey in safe A”." value={passkeyName} onInput={setPasskeyName} error={fieldError(error, 'body.passkeyName')} required maxLength={60} spellcheck />
        <button type="submit" class="button-primary" disabled={busy}>
          {busy ? 'Waiting for your passkey…' : 'Create admin passkey'}
        </button>
      </form>
    </Page>
  );
}
