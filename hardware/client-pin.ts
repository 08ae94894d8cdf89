// authenticatorClientPIN flows (CTAP 2.2 §6.5.5) on top of a PIN/UV auth protocol: getPinRetries, key agreement,
// setPIN, changePIN and getting a pinUvAuthToken (with permissions when the key supports them, the legacy
// getPinToken otherwise). Wrong-PIN errors are enriched with the number of tries left, read from the key.
//
// PIN handling: the PIN is NFC-normalised and UTF-8 encoded (CTAP 2.2 §6.5.1), used for one request and not kept.
// It never appears in an error, a log line or a returned object. Before every PIN attempt the retry counter is read
// and a blocked key is reported without spending a try; a failed attempt is never retried automatically.
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { concatBytes, wipe } from './bytes.ts';
import type { CborMap } from './cbor.ts';
import { optionalField, readers, requiredField, type Fail } from './cbor-fields.ts';
import type { CallOptions, Ctap2Client } from './ctap2-client.ts';
import { decodeCoseEc2Key, encodeCoseEc2Key, type CoseEc2PublicKey } from './cose-key.ts';
import {
  InvalidArgumentError,
  InvalidResponseError,
  PinAuthBlockedError,
  PinBlockedError,
  PinInvalidError,
  PinNotSetError,
  UnsupportedOperationError,
} from './errors.ts';
import { DEFAULT_MAX_PIN_LENGTH, DEFAULT_MIN_PIN_LENGTH, preferredPinProtocol, type AuthenticatorInfo } from './get-info.ts';
import { pinProtocol, PinProtocolError, type PinUvAuthProtocol } from './pin-protocol.ts';

/** ClientPIN sub-commands (CTAP 2.2 §6.5.5). */
export const ClientPinSubcommand = {
  getPINRetries: 0x01,
  getKeyAgreement: 0x02,
  setPIN: 0x03,
  changePIN: 0x04,
  getPinToken: 0x05,
  getPinUvAuthTokenUsingUvWithPermissions: 0x06,
  getUVRetries: 0x07,
  getPinUvAuthTokenUsingPinWithPermissions: 0x09,
} as const;

/** pinUvAuthToken permissions (CTAP 2.2 §6.5.5.7). */
export const Permission = {
  makeCredential: 0x01,
  getAssertion: 0x02,
  credentialManagement: 0x04,
  bioEnrollment: 0x08,
  largeBlobWrite: 0x10,
  authenticatorConfig: 0x20,
  persistentCredentialManagementReadOnly: 0x40,
} as const;

export interface PinRetries {
  retries: number;
  /** True when the key needs to be re-inserted before any further PIN attempt (3 wrong in a row). */
  powerCycleState?: boolean;
}

/**
 * A pinUvAuthToken. The token bytes stay private: the object can only compute pinUvAuthParam values, and it prints
 * as "[pinUvAuthToken]" in logs, JSON and util.inspect.
 */
export class PinUvAuthToken {
  readonly protocol: 1 | 2;
  readonly permissions: number;
  readonly rpId: string | undefined;
  readonly #protocol: PinUvAuthProtocol;
  #token: Uint8Array | undefined;

  constructor(protocol: PinUvAuthProtocol, token: Uint8Array, permissions: number, rpId: string | undefined) {
    this.protocol = protocol.version;
    this.#protocol = protocol;
    this.#token = token;
    this.permissions = permissions;
    this.rpId = rpId;
  }

  /** pinUvAuthParam = authenticate(token, message), e.g. over a clientDataHash (CTAP 2.2 §6.1.1). */
  authenticate(message: Uint8Array): Uint8Array {
    if (!this.#token) throw new InvalidArgumentError('this PIN token was discarded; get a new one');
    return this.#protocol.authenticate(this.#token, message);
  }

  /** Overwrites the token bytes; later use throws. */
  discard(): void {
    wipe(this.#token);
    this.#token = undefined;
  }

  toJSON(): string {
    return '[pinUvAuthToken]';
  }

  [inspect.custom](): string {
    return `PinUvAuthToken { protocol: ${this.protocol}, permissions: 0x${this.permissions.toString(16)} }`;
  }
}

export interface ClientPinOptions {
  /** Force a protocol (default: the key's first preference that this library implements). */
  protocol?: PinUvAuthProtocol;
}

export class ClientPin {
  readonly #ctap: Ctap2Client;
  readonly #info: AuthenticatorInfo;
  readonly #protocol: PinUvAuthProtocol;

  constructor(ctap: Ctap2Client, info: AuthenticatorInfo, options: ClientPinOptions = {}) {
    if (info.options?.clientPin === undefined) {
      throw new UnsupportedOperationError('this key has no PIN support (getInfo has no clientPin option)');
    }
    const version = options.protocol?.version ?? preferredPinProtocol(info);
    if (version === undefined) throw new UnsupportedOperationError('this key offers no PIN/UV auth protocol this tool implements (1 or 2)');
    this.#ctap = ctap;
    this.#info = info;
    this.#protocol = options.protocol ?? pinProtocol(version);
  }

  get protocolVersion(): 1 | 2 {
    return this.#protocol.version;
  }

  /** Whether a PIN is set, according to the getInfo this object was built with. */
  get pinIsSet(): boolean {
    return this.#info.options?.clientPin === true;
  }

  async getPinRetries(options: CallOptions = {}): Promise<PinRetries> {
    const map = await this.#ctap.clientPin({ pinUvAuthProtocol: this.#protocol.version, subCommand: ClientPinSubcommand.getPINRetries }, options);
    const { fail, r } = responseReaders('getPINRetries response');
    if (!map) return fail('empty');
    const out: PinRetries = { retries: requiredField(map, 0x03, r.uint, 'member', fail) };
    const pcs = optionalField(map, 0x04, r.bool, 'member');
    if (pcs !== undefined) out.powerCycleState = pcs;
    return out;
  }

  /** Retries of the key's built-in user verification (fingerprint), when it has one. */
  async getUvRetries(options: CallOptions = {}): Promise<number> {
    const map = await this.#ctap.clientPin({ pinUvAuthProtocol: this.#protocol.version, subCommand: ClientPinSubcommand.getUVRetries }, options);
    const { fail, r } = responseReaders('getUVRetries response');
    if (!map) return fail('empty');
    return requiredField(map, 0x05, r.uint, 'member', fail);
  }

  /** The authenticator's current key-agreement key; it changes after every wrong PIN, so fetch it per attempt. */
  async getKeyAgreement(options: CallOptions = {}): Promise<CoseEc2PublicKey> {
    const map = await this.#ctap.clientPin({ pinUvAuthProtocol: this.#protocol.version, subCommand: ClientPinSubcommand.getKeyAgreement }, options);
    const { fail, r } = responseReaders('getKeyAgreement response');
    if (!map) return fail('empty');
    const key = requiredField(map, 0x01, r.map, 'member', fail);
    return decodeCoseEc2Key(key, fail);
  }

  /** setPIN: only for a key whose PIN is not set yet (check `pinIsSet`; implementations answer differently otherwise). */
  async setPin(newPin: string, options: CallOptions = {}): Promise<void> {
    if (this.pinIsSet) throw new InvalidArgumentError('this key already has a PIN; change it instead of setting it');
    let padded: Uint8Array | undefined;
    let sharedSecret: Uint8Array | undefined;
    try {
      padded = this.#paddedNewPin(newPin);
      const encapsulated = await this.#encapsulate(options);
      const { keyAgreement } = encapsulated;
      sharedSecret = encapsulated.sharedSecret;
      const newPinEnc = this.#protocol.encrypt(sharedSecret, padded);
      await this.#ctap.clientPin(
        {
          pinUvAuthProtocol: this.#protocol.version,
          subCommand: ClientPinSubcommand.setPIN,
          keyAgreement: encodeCoseEc2Key(keyAgreement),
          newPinEnc,
          pinUvAuthParam: this.#protocol.authenticate(sharedSecret, newPinEnc),
        },
        options,
      );
    } finally {
      wipe(padded);
      wipe(sharedSecret);
    }
  }

  async changePin(currentPin: string, newPin: string, options: CallOptions = {}): Promise<void> {
    if (!this.pinIsSet) throw new PinNotSetError();
    let padded: Uint8Array | undefined;
    let pinHash: Uint8Array | undefined;
    let sharedSecret: Uint8Array | undefined;
    try {
      padded = this.#paddedNewPin(newPin);
      pinHash = pinHashLeft16(currentPin);
      await this.#precheckRetries(options);
      const encapsulated = await this.#encapsulate(options);
      const { keyAgreement } = encapsulated;
      sharedSecret = encapsulated.sharedSecret;
      const newPinEnc = this.#protocol.encrypt(sharedSecret, padded);
      const pinHashEnc = this.#protocol.encrypt(sharedSecret, pinHash);
      const pinUvAuthParam = this.#protocol.authenticate(sharedSecret, concatBytes(newPinEnc, pinHashEnc));
      await this.#withRetriesOnFailure(
        () =>
          this.#ctap.clientPin(
            {
              pinUvAuthProtocol: this.#protocol.version,
              subCommand: ClientPinSubcommand.changePIN,
              keyAgreement: encodeCoseEc2Key(keyAgreement),
              pinHashEnc,
              newPinEnc,
              pinUvAuthParam,
            },
            options,
          ),
        options,
      );
    } finally {
      wipe(padded);
      wipe(pinHash);
      wipe(sharedSecret);
    }
  }

  /**
   * Gets a pinUvAuthToken with the PIN. With `options.pinUvAuthToken` (CTAP 2.1) the token is limited to
   * `permissions` and `rpId`; older keys get the legacy getPinToken (implicitly makeCredential + getAssertion).
   */
  async getPinToken(pin: string, scope: { permissions: number; rpId?: string }, options: CallOptions = {}): Promise<PinUvAuthToken> {
    if (!this.pinIsSet) throw new PinNotSetError();
    if (!Number.isInteger(scope.permissions) || scope.permissions <= 0 || scope.permissions > 0xff) {
      throw new InvalidArgumentError('permissions must be a non-empty bit set (see Permission)');
    }
    const withPermissions = this.#info.options?.pinUvAuthToken === true;
    let pinHash: Uint8Array | undefined;
    let sharedSecret: Uint8Array | undefined;
    try {
      pinHash = pinHashLeft16(pin);
      await this.#precheckRetries(options);
      const encapsulated = await this.#encapsulate(options);
      const { keyAgreement } = encapsulated;
      sharedSecret = encapsulated.sharedSecret;
      const pinHashEnc = this.#protocol.encrypt(sharedSecret, pinHash);
      const map = await this.#withRetriesOnFailure(
        () =>
          this.#ctap.clientPin(
            withPermissions
              ? {
                  pinUvAuthProtocol: this.#protocol.version,
                  subCommand: ClientPinSubcommand.getPinUvAuthTokenUsingPinWithPermissions,
                  keyAgreement: encodeCoseEc2Key(keyAgreement),
                  pinHashEnc,
                  permissions: scope.permissions,
                  ...(scope.rpId === undefined ? {} : { rpId: scope.rpId }),
                }
              : {
                  pinUvAuthProtocol: this.#protocol.version,
                  subCommand: ClientPinSubcommand.getPinToken,
                  keyAgreement: encodeCoseEc2Key(keyAgreement),
                  pinHashEnc,
                },
            options,
          ),
        options,
      );
      const { fail, r } = responseReaders('pinUvAuthToken response');
      if (!map) return fail('empty');
      const encrypted = requiredField(map, 0x02, r.bytes, 'member', fail);
      let token: Uint8Array;
      try {
        token = this.#protocol.decrypt(sharedSecret, encrypted);
      } catch (err) {
        return fail(err instanceof PinProtocolError ? err.message : 'token does not decrypt');
      }
      const validLength = this.#protocol.version === 2 ? token.length === 32 : token.length === 16 || token.length === 32;
      if (!validLength) {
        const length = token.length;
        wipe(token);
        return fail(`token of ${length} bytes`);
      }
      const permissions = withPermissions ? scope.permissions : Permission.makeCredential | Permission.getAssertion;
      return new PinUvAuthToken(this.#protocol, token, permissions, withPermissions ? scope.rpId : undefined);
    } finally {
      wipe(pinHash);
      wipe(sharedSecret);
    }
  }

  // -------------------------------------------------------------------------------------------------------------

  async #encapsulate(options: CallOptions) {
    const peer = await this.getKeyAgreement(options);
    try {
      return this.#protocol.encapsulate(peer);
    } catch (err) {
      throw new InvalidResponseError('key-agreement key', err instanceof PinProtocolError ? err.message : 'unusable', err);
    }
  }

  /** Reads the counter first: a blocked PIN is reported without spending (or failing) another attempt. */
  async #precheckRetries(options: CallOptions): Promise<void> {
    const state = await this.getPinRetries(options);
    if (state.retries === 0) throw new PinBlockedError();
    if (state.powerCycleState) throw new PinAuthBlockedError(state.retries);
  }

  /** Runs one PIN attempt; a wrong PIN is reported with the number of tries the key says are left. */
  async #withRetriesOnFailure(attempt: () => Promise<CborMap | undefined>, options: CallOptions): Promise<CborMap | undefined> {
    try {
      return await attempt();
    } catch (err) {
      if (err instanceof PinInvalidError || err instanceof PinAuthBlockedError) {
        let retries: number | undefined;
        try {
          retries = (await this.getPinRetries(options)).retries;
        } catch {
          retries = undefined;
        }
        if (retries === 0) throw new PinBlockedError();
        throw err instanceof PinInvalidError ? new PinInvalidError(retries) : new PinAuthBlockedError(retries);
      }
      throw err;
    }
  }

  /** paddedNewPin: UTF-8 of the NFC form, right-padded with zeros to 64 bytes (CTAP 2.2 §6.5.5.5). */
  #paddedNewPin(pin: string): Uint8Array {
    if (typeof pin !== 'string') throw new InvalidArgumentError('the new PIN must be text');
    const normalized = pin.normalize('NFC');
    const codePoints = [...normalized].length;
    const min = Math.max(DEFAULT_MIN_PIN_LENGTH, this.#info.minPINLength ?? DEFAULT_MIN_PIN_LENGTH);
    const maxBytes = Math.min(DEFAULT_MAX_PIN_LENGTH, this.#info.maxPINLength ?? DEFAULT_MAX_PIN_LENGTH);
    if (codePoints < min) throw new InvalidArgumentError(`the new PIN is too short: this key needs at least ${min} characters`, { minPINLength: min });
    const utf8 = Buffer.from(normalized, 'utf8');
    try {
      if (utf8.length > maxBytes) throw new InvalidArgumentError(`the new PIN is too long: at most ${maxBytes} bytes of UTF-8`, { maxPINLength: maxBytes });
      if (utf8.includes(0)) throw new InvalidArgumentError('the new PIN must not contain a NUL character');
      const padded = new Uint8Array(64);
      padded.set(utf8);
      return padded;
    } finally {
      utf8.fill(0);
    }
  }
}

/** LEFT(SHA-256(PIN), 16) over the NFC-normalised UTF-8 PIN (CTAP 2.2 §6.5.5.7). */
export function pinHashLeft16(pin: string): Uint8Array {
  if (typeof pin !== 'string' || pin.length === 0) throw new InvalidArgumentError('enter the key\'s PIN (it is empty)');
  const utf8 = Buffer.from(pin.normalize('NFC'), 'utf8');
  const hash = new Uint8Array(createHash('sha256').update(utf8).digest().subarray(0, 16));
  utf8.fill(0);
  return hash;
}

function responseReaders(what: string) {
  const fail: Fail = (reason) => {
    throw new InvalidResponseError(what, reason);
  };
  return { fail, r: readers(fail) };
}

