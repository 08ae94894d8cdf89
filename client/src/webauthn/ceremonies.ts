// The only module that talks to WebAuthn (through @simplewebauthn/browser): runs a registration or an assertion with
// the options the server issued and turns browser errors into sentences a person can act on.
import { startAuthentication, startRegistration, WebAuthnAbortService, WebAuthnError, browserSupportsWebAuthn } from '@simplewebauthn/browser';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON, AuthenticationResponseJSON } from '@simplewebauthn/browser';

export class CeremonyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CeremonyError';
  }
}

function explain(err: unknown): CeremonyError {
  if (err instanceof WebAuthnError) {
    switch (err.code) {
      case 'ERROR_CEREMONY_ABORTED':
        return new CeremonyError('The passkey request was cancelled.');
      case 'ERROR_INVALID_DOMAIN':
      case 'ERROR_INVALID_RP_ID':
        return new CeremonyError(`Passkeys do not work at this address (${location.host}). Open breakglass at the address the service printed when it started.`);
      case 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED':
        return new CeremonyError('This security key or device already holds a passkey for your breakglass account. Use another one.');
      case 'ERROR_AUTHENTICATOR_MISSING_DISCOVERABLE_CREDENTIAL_SUPPORT':
        return new CeremonyError('This security key cannot store a passkey (no discoverable credentials). Use a FIDO2 key or a device passkey.');
      case 'ERROR_AUTHENTICATOR_MISSING_USER_VERIFICATION_SUPPORT':
        return new CeremonyError('This security key cannot verify you (no PIN or biometric). Set a PIN on it, or use another key.');
      case 'ERROR_PASSTHROUGH_SEE_CAUSE_PROPERTY':
        return new CeremonyError('No passkey was used: the request was cancelled, timed out, or no matching passkey was found. Try again.');
      default:
        return new CeremonyError(`The passkey request failed: ${err.message}`);
    }
  }
  const name = (err as Error)?.name;
  if (name === 'NotAllowedError') return new CeremonyError('No passkey was used: the request was cancelled, timed out, or no matching passkey was found. Try again.');
  return new CeremonyError(`The passkey request failed: ${(err as Error)?.message ?? String(err)}`);
}

export function webauthnAvailable(): boolean {
  return browserSupportsWebAuthn();
}

export async function createPasskey(optionsJSON: PublicKeyCredentialCreationOptionsJSON): Promise<RegistrationResponseJSON> {
  try {
    return await startRegistration({ optionsJSON });
  } catch (err) {
    throw explain(err);
  }
}

export async function signWithPasskey(optionsJSON: PublicKeyCredentialRequestOptionsJSON): Promise<AuthenticationResponseJSON> {
  try {
    return await startAuthentication({ optionsJSON });
  } catch (err) {
    throw explain(err);
  }
}

/** Cancels a ceremony in progress (leaving a page). */
export function cancelCeremony(): void {
  WebAuthnAbortService.cancelCeremony();
}
