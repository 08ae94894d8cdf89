// breakglass as a WebAuthn relying party for its own officers (not for Entra): options for registration and
// authentication, and verification of what the browser sends back, with @simplewebauthn/server. Library errors never
// reach clients as-is: clientData is checked here first (type, challenge, origin: WebAuthn L3 §7.1 steps 7–9 and
// §7.2 steps 11–13) so each failure gets a stable code, and what is left maps to `webauthn_invalid`.
import { randomBytes } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import { aaguidNotAllowed, challengeMismatch, counterRegressed, originMismatch, webauthnInvalid } from './auth-errors.ts';

/** ES256 first (every authenticator has it), then EdDSA and RS256. The same list for options and verification (v14). */
export const ALGORITHMS = [-7, -8, -257];

export interface RelyingPartyOptions {
  rpId: string;
  rpName: string;
  /** The expected origin; a function because the port is known only once the server listens (port 0). */
  origin: () => string;
  challengeSeconds: number;
  allowedAaguids: string[];
}

export interface CredentialRef {
  /** Credential id, base64url. */
  id: string;
  transports: string[];
}

export interface VerifiedRegistration {
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
  aaguid: string;
  fmt: string;
  deviceType: string;
  backedUp: boolean;
  attestationObject: string;
}

export interface StoredCredential extends CredentialRef {
  publicKey: string;
  counter: number;
}

interface ClientData {
  type: string;
  challenge: string;
  origin: string;
}

function decodeClientData(b64: unknown): ClientData {
  if (typeof b64 !== 'string' || !isoBase64URL.isBase64URL(b64)) throw webauthnInvalid('clientDataJSON is not base64url');
  let parsed: unknown;
  try {
    parsed = JSON.parse(isoBase64URL.toUTF8String(b64));
  } catch {
    throw webauthnInvalid('clientDataJSON is not JSON');
  }
  const c = parsed as Partial<ClientData> | null;
  if (!c || typeof c.type !== 'string' || typeof c.challenge !== 'string' || typeof c.origin !== 'string') throw webauthnInvalid('clientDataJSON lacks type, challenge or origin');
  return c as ClientData;
}

export class RelyingParty {
  readonly #o: RelyingPartyOptions;

  constructor(options: RelyingPartyOptions) {
    this.#o = options;
  }

  get rpId(): string {
    return this.#o.rpId;
  }

  get origin(): string {
    return this.#o.origin();
  }

  get timeoutMs(): number {
    return this.#o.challengeSeconds * 1000;
  }

  /** A fresh random user handle (WebAuthn L3 §14.6.1: not personally identifying), base64url. */
  static newUserHandle(): string {
    return isoBase64URL.fromBuffer(randomBytes(32));
  }

  registrationOptions(user: { handle: string; username: string; displayName: string }, exclude: CredentialRef[]): Promise<PublicKeyCredentialCreationOptionsJSON> {
    return generateRegistrationOptions({
      rpName: this.#o.rpName,
      rpID: this.#o.rpId,
      userID: isoBase64URL.toBuffer(user.handle),
      userName: user.username,
      userDisplayName: user.displayName,
      challenge: randomBytes(32),
      timeout: this.timeoutMs,
      // Direct attestation reveals the authenticator model (AAGUID) for the record and the optional allow-list.
      attestationType: 'direct',
      excludeCredentials: exclude.map((c) => ({ id: c.id, transports: c.transports })),
      // Discoverable (sign-in without a username) and user-verifying (PIN or biometric): a passkey is both factors.
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      supportedAlgorithmIDs: ALGORITHMS,
    });
  }

  authenticationOptions(allow: CredentialRef[]): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return generateAuthenticationOptions({
      rpID: this.#o.rpId,
      challenge: randomBytes(32),
      timeout: this.timeoutMs,
      userVerification: 'required',
      allowCredentials: allow.map((c) => ({ id: c.id, transports: c.transports })),
    });
  }

  /** Checks clientData against the ceremony: right type, this ceremony's challenge, our origin. */
  #checkClientData(clientDataJSON: unknown, type: 'webauthn.create' | 'webauthn.get', challenge: string): void {
    const c = decodeClientData(clientDataJSON);
    if (c.type !== type) throw webauthnInvalid(`expected a ${type === 'webauthn.create' ? 'registration' : 'sign-in'} response`);
    if (c.challenge !== challenge) throw challengeMismatch();
    if (c.origin !== this.origin) throw originMismatch(this.origin);
  }

  async verifyRegistration(response: RegistrationResponseJSON, challenge: string): Promise<VerifiedRegistration> {
    this.#checkClientData(response.response?.clientDataJSON, 'webauthn.create', challenge);
    let result;
    try {
      result = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.origin,
        expectedRPID: this.#o.rpId,
        requireUserVerification: true,
        supportedAlgorithmIDs: ALGORITHMS,
      });
    } catch (err) {
      throw webauthnInvalid(registrationReason((err as Error).message));
    }
    if (!result.verified) throw webauthnInvalid('the attestation signature does not verify');
    const info = result.registrationInfo;
    const aaguid = info.aaguid.toLowerCase();
    if (this.#o.allowedAaguids.length > 0 && !this.#o.allowedAaguids.includes(aaguid)) throw aaguidNotAllowed(aaguid);
    return {
      credentialId: info.credential.id,
      publicKey: isoBase64URL.fromBuffer(info.credential.publicKey),
      counter: info.credential.counter,
      transports: (response.response.transports ?? info.credential.transports ?? []).filter((t) => typeof t === 'string').slice(0, 8),
      aaguid,
      fmt: info.fmt,
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      attestationObject: isoBase64URL.fromBuffer(info.attestationObject),
    };
  }

  async verifyAuthentication(response: AuthenticationResponseJSON, challenge: string, credential: StoredCredential): Promise<{ newCounter: number; userVerified: boolean }> {
    this.#checkClientData(response.response?.clientDataJSON, 'webauthn.get', challenge);
    let result;
    try {
      result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.origin,
        expectedRPID: this.#o.rpId,
        requireUserVerification: true,
        credential: { id: credential.id, publicKey: isoBase64URL.toBuffer(credential.publicKey), counter: credential.counter, transports: credential.transports },
      });
    } catch (err) {
      const message = (err as Error).message;
      // WebAuthn L3 §7.2 step 22: a counter that does not grow is a sign the authenticator may be cloned.
      if (/counter value .* was lower than expected/.test(message)) throw counterRegressed();
      throw webauthnInvalid(authenticationReason(message));
    }
    if (!result.verified) throw webauthnInvalid('the signature does not match the registered public key');
    return { newCounter: result.authenticationInfo.newCounter, userVerified: result.authenticationInfo.userVerified };
  }
}

// Library messages are mapped to short, fixed reasons (they may quote values we would rather not echo).
function registrationReason(message: string): string {
  if (/user verification/i.test(message)) return 'the authenticator did not verify you (PIN or biometric)';
  if (/user presence/i.test(message)) return 'the authenticator did not register your presence (touch)';
  if (/rp ?id/i.test(message)) return 'the response is for another relying party';
  if (/public key alg/i.test(message)) return 'the authenticator uses an algorithm breakglass does not accept';
  if (/attestation/i.test(message)) return 'the attestation is invalid';
  return 'the response is malformed';
}

function authenticationReason(message: string): string {
  if (/user verification/i.test(message)) return 'the authenticator did not verify you (PIN or biometric)';
  if (/user not present/i.test(message)) return 'the authenticator did not register your presence (touch)';
  if (/rp ?id/i.test(message)) return 'the response is for another relying party';
  return 'the response is malformed';
}
