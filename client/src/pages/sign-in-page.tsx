// Sign in with a passkey: one button; the browser offers the passkeys it holds for breakglass (no username needed).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.ts';
import type { Session } from '../api/types.ts';
import { ErrorSummary } from '../components/error-summary.tsx';
import { OriginWarning } from '../components/origin-warning.tsx';
import { Page } from '../components/page.tsx';
import { useApp } from '../context.ts';
import { navigate } from '../router.ts';
import { cancelCeremony, signWithPasskey, webauthnAvailable } from '../webauthn/ceremonies.ts';

export function SignInPage(props: { notice: string | null }) {
  const app = useApp();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => () => cancelCeremony(), []);

  async function signIn() {
    setError(null);
    setBusy(true);
    app.announce('Use your passkey: touch your security key or confirm on your device.');
    try {
      const start = await api<{ ceremonyId: string; options: Parameters<typeof signWithPasskey>[0] }>('POST', '/api/auth/sign-in/options', {});
      const response = await signWithPasskey(start.options);
      const session = await api<Session>('POST', '/api/auth/sign-in/verify', { ceremonyId: start.ceremonyId, response });
      app.setSession(session);
      app.announce(`Signed in as ${session.officer.displayName}.`);
      navigate('/accounts');
    } catch (err) {
      setError(err);
      app.announce('Sign-in did not work.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title="Sign in to breakglass">
      <OriginWarning />
      {props.notice ? (
        <p class="notice" role="status">
          {props.notice}
        </p>
      ) : null}
      <ErrorSummary error={error} title="You are not signed in" />
      <p>Officers sign in with a passkey: a FIDO2 security key or a passkey on this device. There is no password.</p>
      {webauthnAvailable() ? (
        <button type="button" class="button-primary" onClick={signIn} disabled={busy} aria-describedby="sign-in-help">
          {busy ? 'Waiting for your passkey…' : 'Sign in with a passkey'}
        </button>
      ) : (
        <p class="error-summary">This browser does not support passkeys (WebAuthn). Use a current Chrome, Edge, Firefox or Safari.</p>
      )}
      <p id="sign-in-help" class="hint">
        No passkey yet? Ask an admin for an invite link.
      </p>
    </Page>
  );
}
