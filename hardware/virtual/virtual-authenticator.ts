// The CTAP2 side of the virtual authenticator: a strict software CTAP 2.1 authenticator (CTAP 2.2 §6) with ES256
// credentials, packed attestation from the test CA, PIN/UV auth protocols 1 and 2 with real retry and lockout
// behaviour (8 tries, PIN_AUTH_BLOCKED after 3 wrong in a row until a power cycle, PIN_BLOCKED at 0), pinUvAuthToken
// permissions and timers (30 s initial use, 10 min life, mc/ga cleared after makeCredential), credProtect and
// discoverable credentials. Requests must be CTAP2 canonical CBOR nested at most 4 deep; anything else gets the
// status a strict key gives. It never throws: every failure is a status byte.
//
// Implemented commands: getInfo, makeCredential, getAssertion, getNextAssertion, clientPIN, selection and reset.
// Built-in user verification (fingerprints) is not simulated; the PIN is the only way to UV.
import { createECDH, createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, type ECDH, type KeyObject } from 'node:crypto';
import { concatBytes, constantTimeEqual } from '../bytes.ts';
import { CTAP_MAX_CBOR_DEPTH, decodeCbor, encodeCbor, type CborInput, type CborMap, type CborValue } from '../cbor.ts';
import { readers, type Fail } from '../cbor-fields.ts';
import { CtapStatus } from '../ctap-status.ts';
import { CoseAlg, coseKeyFromKeyObject, coseKeyFromUncompressed, decodeCoseEc2Key, encodeCoseEc2Key } from '../cose-key.ts';
import { encodeGetInfo, DEFAULT_MAX_MSG_SIZE, DEFAULT_MIN_PIN_LENGTH, DEFAULT_MAX_PIN_LENGTH, type AuthenticatorInfo } from '../get-info.ts';
import { encodeAuthenticatorData, AuthDataFlag } from '../auth-data.ts';
import { pinProtocol, type PinUvAuthProtocol } from '../pin-protocol.ts';
import { Permission, ClientPinSubcommand, pinHashLeft16 } from '../client-pin.ts';
import { Ctap2Cmd } from '../ctap2-client.ts';
import { InvalidArgumentError } from '../errors.ts';
import type { KeyProfile } from '../key-profile.ts';
import type { UserPresence } from './user-presence.ts';
import { testAttestationFor, type AttestationIdentity } from './test-attestation.ts';

/** How the virtual key attests new credentials. */
export type VirtualAttestation = 'test-ca' | 'self' | AttestationIdentity;

export interface VirtualAuthenticatorOptions {
  profile: KeyProfile;
  presence: UserPresence;
  /** A PIN set at power-up (tests, drills). Held in memory only as its hash. Needs a profile with PIN support. */
  pin?: string;
  attestation?: VirtualAttestation;
  /** Milliseconds clock for token timers and the reset window; injectable for tests. */
  now?: () => number;
  randomBytes?: (length: number) => Uint8Array;
}

export interface RequestContext {
  /** Aborted by CTAPHID_CANCEL, a re-INIT of the channel or a power cycle. */
  signal: AbortSignal;
  /** Drives the KEEPALIVE status the HID layer sends while the request is pending. */
  setStatus(status: 'processing' | 'upneeded'): void;
}

/** What tests and drill consoles may observe (never the PIN). */
export interface VirtualAuthenticatorState {
  pinSet: boolean;
  pinRetries: number;
  powerCycleRequired: boolean;
  credentials: number;
  discoverableCredentials: number;
  tokenInUse: boolean;
}

/**
 * A credential as portable JSON, for keeping a virtual key's credentials between runs (a drill simulation's key in the
 * data folder). It holds the private key: use it for virtual keys only, and keep the file private (mode 0600).
 */
export interface VirtualCredentialRecord {
  id: string;
  rpId: string;
  user: { id: string; name?: string; displayName?: string };
  /** PKCS#8 PEM of the P-256 private key. */
  privateKeyPem: string;
  discoverable: boolean;
  credProtect: 1 | 2 | 3;
  signCount: number;
  created: number;
}

interface StoredCredential {
  id: Uint8Array;
  rpId: string;
  user: { id: Uint8Array; name?: string; displayName?: string };
  privateKey: KeyObject;
  discoverable: boolean;
  credProtect: 1 | 2 | 3;
  signCount: number;
  created: number;
}

interface TokenState {
  token: Uint8Array;
  inUse: boolean;
  permissions: number;
  rpId: string | undefined;
  issuedAt: number;
  firstUsedAt: number | undefined;
  userPresent: boolean;
  userVerified: boolean;
}

/** CTAP 2.2 §6.5.2.1 pinUvAuthToken timers for USB. */
const TOKEN_INITIAL_USAGE_MS = 30_000;
const TOKEN_MAX_USAGE_MS = 10 * 60_000;
const MAX_PIN_RETRIES = 8;
const RESET_WINDOW_MS = 10_000;
const NEXT_ASSERTION_WINDOW_MS = 30_000;
const SUPPORTED_PERMISSIONS = Permission.makeCredential | Permission.getAssertion;

class StatusError extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`CTAP status 0x${status.toString(16)}`);
    this.status = status;
  }
}

function status(code: number): never {
  throw new StatusError(code);
}

const typeFail: Fail = () => status(CtapStatus.CBOR_UNEXPECTED_TYPE);
const r = readers(typeFail);

export class VirtualAuthenticator {
  readonly #profile: KeyProfile;
  readonly #info: AuthenticatorInfo;
  readonly #presence: UserPresence;
  readonly #attestation: VirtualAttestation;
  readonly #now: () => number;
  readonly #random: (length: number) => Uint8Array;
  readonly #protocols = new Map<number, PinUvAuthProtocol>();
  #pinHash: Uint8Array | undefined;
  #pinRetries: number;
  #consecutiveMismatches = 0;
  #powerCycleRequired = false;
  #forcePinChange: boolean;
  #keyAgreement!: ECDH;
  #token!: TokenState;
  #credentials: StoredCredential[] = [];
  readonly #rkCapacity: number;
  #powerUpAt = 0;
  #nextAssertions: { credentials: StoredCredential[]; clientDataHash: Uint8Array; flags: number; expires: number } | undefined;

  constructor(options: VirtualAuthenticatorOptions) {
    this.#profile = options.profile;
    this.#info = options.profile.info;
    this.#presence = options.presence;
    this.#attestation = options.attestation ?? 'test-ca';
    this.#now = options.now ?? Date.now;
    this.#random = options.randomBytes ?? ((n) => new Uint8Array(randomBytes(n)));
    for (const v of this.#info.pinUvAuthProtocols ?? (this.#info.options?.clientPin !== undefined ? [1] : [])) {
      if (v === 1 || v === 2) this.#protocols.set(v, pinProtocol(v, { randomIv: () => this.#random(16) }));
    }
    this.#pinRetries = options.profile.pinRetries;
    this.#forcePinChange = this.#info.forcePINChange === true;
    this.#rkCapacity = this.#info.remainingDiscoverableCredentials ?? 25;
    if (options.pin !== undefined) {
      if (this.#info.options?.clientPin === undefined) throw new InvalidArgumentError('this key profile has no PIN support (options.clientPin is absent)');
      this.#pinHash = pinHashLeft16(options.pin);
    } else if (this.#info.options?.clientPin === true) {
      // The profile says a PIN is set but nobody told us which: an unguessable one, like a key found in a drawer.
      this.#pinHash = this.#random(16);
    }
    this.powerCycle();
  }

  /** Unplug and re-insert: clears PIN_AUTH_BLOCKED, tokens, the key-agreement key and pending assertions. */
  powerCycle(): void {
    this.#powerCycleRequired = false;
    this.#consecutiveMismatches = 0;
    this.#keyAgreement = newKeyAgreement();
    this.#token = { token: this.#random(32), inUse: false, permissions: 0, rpId: undefined, issuedAt: 0, firstUsedAt: undefined, userPresent: false, userVerified: false };
    this.#nextAssertions = undefined;
    this.#powerUpAt = this.#now();
  }

  get state(): VirtualAuthenticatorState {
    return {
      pinSet: this.#pinHash !== undefined,
      pinRetries: this.#pinRetries,
      powerCycleRequired: this.#powerCycleRequired,
      credentials: this.#credentials.length,
      discoverableCredentials: this.#credentials.filter((c) => c.discoverable).length,
      tokenInUse: this.#token.inUse,
    };
  }

  /** The stored credentials, private keys included (see VirtualCredentialRecord). Never the PIN. */
  exportCredentials(): VirtualCredentialRecord[] {
    return this.#credentials.map((c) => ({
      id: Buffer.from(c.id).toString('base64url'),
      rpId: c.rpId,
      user: { id: Buffer.from(c.user.id).toString('base64url'), ...(c.user.name === undefined ? {} : { name: c.user.name }), ...(c.user.displayName === undefined ? {} : { displayName: c.user.displayName }) },
      privateKeyPem: c.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      discoverable: c.discoverable,
      credProtect: c.credProtect,
      signCount: c.signCount,
      created: c.created,
    }));
  }

  /** Replaces the stored credentials with exported ones (a virtual key restored from its state file). */
  importCredentials(records: VirtualCredentialRecord[]): void {
    this.#credentials = records.map((r) => ({
      id: new Uint8Array(Buffer.from(r.id, 'base64url')),
      rpId: r.rpId,
      user: { id: new Uint8Array(Buffer.from(r.user.id, 'base64url')), ...(r.user.name === undefined ? {} : { name: r.user.name }), ...(r.user.displayName === undefined ? {} : { displayName: r.user.displayName }) },
      privateKey: createPrivateKey(r.privateKeyPem),
      discoverable: r.discoverable,
      credProtect: r.credProtect,
      signCount: r.signCount,
      created: r.created,
    }));
  }

  /** Handles one CTAP2 request (`command ‖ CBOR`) and returns `status ‖ CBOR`. Never throws. */
  async handle(request: Uint8Array, ctx: RequestContext): Promise<Uint8Array> {
    try {
      if (request.length === 0) status(CtapStatus.INVALID_LENGTH);
      if (request.length > (this.#info.maxMsgSize ?? DEFAULT_MAX_MSG_SIZE)) status(CtapStatus.REQUEST_TOO_LARGE);
      const command = request[0]!;
      if (command === Ctap2Cmd.GET_INFO) {
        if (this.#profile.recordedGetInfo) return concatBytes(Uint8Array.of(0), this.#profile.recordedGetInfo);
        return ok(encodeGetInfo(this.#currentInfo()));
      }
      const params = parseParams(request.subarray(1));
      switch (command) {
        case Ctap2Cmd.MAKE_CREDENTIAL:
          return ok(await this.#makeCredential(params, ctx));
        case Ctap2Cmd.GET_ASSERTION:
          return ok(await this.#getAssertion(params, ctx));
        case Ctap2Cmd.GET_NEXT_ASSERTION:
          return ok(this.#getNextAssertion());
        case Ctap2Cmd.CLIENT_PIN:
          if (this.#info.options?.clientPin === undefined) status(CtapStatus.INVALID_COMMAND);
          return ok(this.#clientPin(params));
        case Ctap2Cmd.SELECTION:
          if (!this.#isCtap21()) status(CtapStatus.INVALID_COMMAND);
          await this.#userPresence(ctx);
          return ok(undefined);
        case Ctap2Cmd.RESET:
          return ok(await this.#reset(ctx));
        default:
          return status(CtapStatus.INVALID_COMMAND);
      }
    } catch (err) {
      if (err instanceof StatusError) return Uint8Array.of(err.status);
      return Uint8Array.of(CtapStatus.OTHER);
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // getInfo

  #isCtap21(): boolean {
    return this.#info.versions.some((v) => v === 'FIDO_2_1' || v === 'FIDO_2_2');
  }

  /** The profile's getInfo with the live state folded in (PIN set, free slots, forced PIN change). */
  #currentInfo(): AuthenticatorInfo {
    const info: AuthenticatorInfo = { ...this.#info };
    if (info.options?.clientPin !== undefined) info.options = { ...info.options, clientPin: this.#pinHash !== undefined };
    if (info.remainingDiscoverableCredentials !== undefined) {
      info.remainingDiscoverableCredentials = this.#rkCapacity - this.#credentials.filter((c) => c.discoverable).length;
    }
    if (info.forcePINChange !== undefined || this.#forcePinChange) info.forcePINChange = this.#forcePinChange;
    return info;
  }

  // -------------------------------------------------------------------------------------------------------------
  // authenticatorMakeCredential (CTAP 2.2 §6.1.2)

  async #makeCredential(p: CborMap, ctx: RequestContext): Promise<CborInput> {
    const pinUvAuthParam = opt(p, 0x08, r.bytes);
    await this.#zeroLengthPinUvAuthParam(pinUvAuthParam, ctx);
    const protocol = pinUvAuthParam ? this.#protocolFrom(p.get(0x09)) : undefined;
    const clientDataHash = req(p, 0x01, r.bytes);
    if (clientDataHash.length !== 32) status(CtapStatus.INVALID_PARAMETER);
    const rp = req(p, 0x02, r.map);
    const rpId = req(rp, 'id', r.text);
    opt(rp, 'name', r.text);
    const userMap = req(p, 0x03, r.map);
    const user: StoredCredential['user'] = { id: req(userMap, 'id', r.bytes) };
    if (user.id.length === 0 || user.id.length > 64) status(CtapStatus.INVALID_PARAMETER);
    const name = opt(userMap, 'name', r.text);
    const displayName = opt(userMap, 'displayName', r.text);
    if (name !== undefined) user.name = name;
    if (displayName !== undefined) user.displayName = displayName;
    const params = req(p, 0x04, r.array).map((entry) => {
      const m = r.map(entry, 'pubKeyCredParams');
      return { alg: req(m, 'alg', r.int), type: req(m, 'type', r.text) };
    });
    const excludeList = descriptors(opt(p, 0x05, r.array));
    const extensions = opt(p, 0x06, r.map) ?? new Map<string, CborValue>();
    const options = this.#options(opt(p, 0x07, r.map), 'makeCredential');
    if (p.has(0x0a)) {
      r.uint(p.get(0x0a)!, 'enterpriseAttestation');
      if (this.#info.options?.ep === undefined) status(CtapStatus.INVALID_PARAMETER);
    }
    const supportsEs256 = (this.#info.algorithms ?? [{ alg: CoseAlg.ES256, type: 'public-key' }]).some((a) => a.alg === CoseAlg.ES256);
    if (!params.some((x) => x.type === 'public-key' && x.alg === CoseAlg.ES256 && supportsEs256)) status(CtapStatus.UNSUPPORTED_ALGORITHM);
    if (options.up === false) status(CtapStatus.INVALID_OPTION);
    if (options.uv === true) status(CtapStatus.INVALID_OPTION); // no built-in UV
    const rk = options.rk === true;
    if (rk && this.#info.options?.rk !== true) status(CtapStatus.UNSUPPORTED_OPTION);
    this.#checkListLength(excludeList.length);

    let uv = false;
    if (pinUvAuthParam && protocol) {
      this.#useToken(protocol, clientDataHash, pinUvAuthParam, Permission.makeCredential, rpId);
      uv = true;
    } else if (this.#pinHash !== undefined) {
      // A protected key needs a token for discoverable credentials always, and for the others unless it offers
      // makeCredUvNotRqd (CTAP 2.2 §6.1.2 step 6 / CTAP 2.0 PIN_REQUIRED).
      if (rk || this.#info.options?.makeCredUvNotRqd !== true) status(CtapStatus.PUAT_REQUIRED);
    }

    for (const d of excludeList) {
      const existing = this.#credentials.find((c) => c.rpId === rpId && constantTimeEqual(c.id, d));
      if (!existing || (existing.credProtect === 3 && !uv)) continue;
      await this.#userPresence(ctx);
      status(CtapStatus.CREDENTIAL_EXCLUDED);
    }

    const supported = new Set(this.#info.extensions ?? []);
    const extOut = new Map<string, CborInput>();
    let credProtect: 1 | 2 | 3 = 1;
    const cp = extensions.get('credProtect');
    if (cp !== undefined && supported.has('credProtect')) {
      const level = r.uint(cp, 'credProtect');
      if (level < 1 || level > 3) status(CtapStatus.INVALID_PARAMETER);
      credProtect = level as 1 | 2 | 3;
      extOut.set('credProtect', credProtect);
    }
    const hs = extensions.get('hmac-secret');
    if (hs !== undefined && supported.has('hmac-secret')) {
      if (r.bool(hs, 'hmac-secret')) extOut.set('hmac-secret', true);
    }

    if (!(uv && this.#token.userPresent)) await this.#userPresence(ctx);
    this.#token.userPresent = false;

    if (rk) {
      const sameUser = this.#credentials.findIndex((c) => c.discoverable && c.rpId === rpId && constantTimeEqual(c.user.id, user.id));
      if (sameUser >= 0) this.#credentials.splice(sameUser, 1);
      else if (this.#credentials.filter((c) => c.discoverable).length >= this.#rkCapacity) status(CtapStatus.KEY_STORE_FULL);
    }
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const credential: StoredCredential = {
      id: this.#random(32),
      rpId,
      user,
      privateKey,
      discoverable: rk,
      credProtect,
      signCount: 0,
      created: this.#now(),
    };
    this.#credentials.push(credential);
    const authData = encodeAuthenticatorData({
      rpIdHash: sha256(rpId),
      flags: AuthDataFlag.UP | (uv ? AuthDataFlag.UV : 0),
      signCount: credential.signCount,
      attestedCredentialData: {
        aaguid: this.#info.aaguid,
        credentialId: credential.id,
        credentialPublicKey: encodeCoseEc2Key(coseKeyFromKeyObject(publicKey, CoseAlg.ES256)),
      },
      ...(extOut.size ? { extensions: extOut } : {}),
    });
    const signed = concatBytes(authData, clientDataHash);
    const attStmt = new Map<string, CborInput>([['alg', CoseAlg.ES256]]);
    const identity = this.#attestation === 'test-ca' ? testAttestationFor(this.#info.aaguid) : this.#attestation === 'self' ? undefined : this.#attestation;
    if (identity) {
      attStmt.set('sig', new Uint8Array(sign('sha256', signed, identity.privateKey)));
      attStmt.set('x5c', identity.certificateChain);
    } else {
      attStmt.set('sig', new Uint8Array(sign('sha256', signed, privateKey)));
    }
    // CTAP 2.2 §6.1.2: after a makeCredential with a token, only the lbw permission survives.
    if (uv) this.#token.permissions &= Permission.largeBlobWrite;
    return new Map<number, CborInput>([
      [0x01, 'packed'],
      [0x02, authData],
      [0x03, attStmt],
    ]);
  }

  // -------------------------------------------------------------------------------------------------------------
  // authenticatorGetAssertion / GetNextAssertion (CTAP 2.2 §6.2)

  async #getAssertion(p: CborMap, ctx: RequestContext): Promise<CborInput> {
    const pinUvAuthParam = opt(p, 0x06, r.bytes);
    await this.#zeroLengthPinUvAuthParam(pinUvAuthParam, ctx);
    const protocol = pinUvAuthParam ? this.#protocolFrom(p.get(0x07)) : undefined;
    const rpId = req(p, 0x01, r.text);
    const clientDataHash = req(p, 0x02, r.bytes);
    if (clientDataHash.length !== 32) status(CtapStatus.INVALID_PARAMETER);
    const allowList = opt(p, 0x03, r.array);
    const allow = descriptors(allowList);
    opt(p, 0x04, r.map);
    const options = this.#options(opt(p, 0x05, r.map), 'getAssertion');
    if (options.uv === true) status(CtapStatus.INVALID_OPTION);
    const up = options.up !== false;
    this.#checkListLength(allow.length);

    let uv = false;
    if (pinUvAuthParam && protocol) {
      this.#useToken(protocol, clientDataHash, pinUvAuthParam, Permission.getAssertion, rpId);
      uv = true;
    }
    let found: StoredCredential[];
    if (allowList) {
      found = allow
        .map((id) => this.#credentials.find((c) => c.rpId === rpId && constantTimeEqual(c.id, id)))
        .filter((c): c is StoredCredential => c !== undefined)
        .filter((c) => c.credProtect !== 3 || uv);
    } else {
      found = this.#credentials
        .filter((c) => c.discoverable && c.rpId === rpId && (c.credProtect === 1 || uv))
        .sort((a, b) => b.created - a.created);
    }
    if (found.length === 0) status(CtapStatus.NO_CREDENTIALS);
    if (up && !(uv && this.#token.userPresent)) await this.#userPresence(ctx);
    this.#token.userPresent = false;
    const flags = (up ? AuthDataFlag.UP : 0) | (uv ? AuthDataFlag.UV : 0);
    const first = found[0]!;
    const response = this.#assertion(first, rpId, clientDataHash, flags, uv, !allowList);
    if (!allowList && found.length > 1) {
      response.set(0x05, found.length);
      this.#nextAssertions = { credentials: found.slice(1), clientDataHash, flags, expires: this.#now() + NEXT_ASSERTION_WINDOW_MS };
    } else {
      this.#nextAssertions = undefined;
    }
    return response;
  }

  #getNextAssertion(): CborInput {
    const state = this.#nextAssertions;
    if (!state || this.#now() > state.expires || state.credentials.length === 0) {
      this.#nextAssertions = undefined;
      return status(CtapStatus.NOT_ALLOWED);
    }
    const next = state.credentials.shift()!;
    state.expires = this.#now() + NEXT_ASSERTION_WINDOW_MS;
    return this.#assertion(next, next.rpId, state.clientDataHash, state.flags, (state.flags & AuthDataFlag.UV) !== 0, true);
  }

  #assertion(c: StoredCredential, rpId: string, clientDataHash: Uint8Array, flags: number, uv: boolean, discovered: boolean): Map<number, CborInput> {
    c.signCount += 1;
    const authData = encodeAuthenticatorData({ rpIdHash: sha256(rpId), flags, signCount: c.signCount });
    const signature = new Uint8Array(sign('sha256', concatBytes(authData, clientDataHash), c.privateKey));
    const response = new Map<number, CborInput>([
      [0x01, { id: c.id, type: 'public-key' }],
      [0x02, authData],
      [0x03, signature],
    ]);
    if (c.discoverable && discovered) {
      // User name and display name are only released after user verification (CTAP 2.2 §6.2.2 step 12).
      response.set(0x04, uv ? { id: c.user.id, name: c.user.name, displayName: c.user.displayName } : { id: c.user.id });
    }
    return response;
  }

  // -------------------------------------------------------------------------------------------------------------
  // authenticatorClientPIN (CTAP 2.2 §6.5.5)

  #clientPin(p: CborMap): CborInput | undefined {
    const sub = req(p, 0x02, r.uint);
    switch (sub) {
      case ClientPinSubcommand.getPINRetries: {
        const out = new Map<number, CborInput>([[0x03, this.#pinRetries]]);
        if (this.#isCtap21()) out.set(0x04, this.#powerCycleRequired);
        return out;
      }
      case ClientPinSubcommand.getKeyAgreement: {
        this.#protocolFrom(p.get(0x01));
        const key = coseKeyFromUncompressed(new Uint8Array(this.#keyAgreement.getPublicKey()), CoseAlg.ECDH_ES_HKDF_256);
        return new Map<number, CborInput>([[0x01, encodeCoseEc2Key(key)]]);
      }
      case ClientPinSubcommand.setPIN:
        return this.#setPin(p);
      case ClientPinSubcommand.changePIN:
        return this.#changePin(p);
      case ClientPinSubcommand.getPinToken:
        return this.#getPinToken(p, false);
      case ClientPinSubcommand.getPinUvAuthTokenUsingPinWithPermissions:
        if (this.#info.options?.pinUvAuthToken !== true) status(CtapStatus.INVALID_SUBCOMMAND);
        return this.#getPinToken(p, true);
      default:
        return status(CtapStatus.INVALID_SUBCOMMAND);
    }
  }

  #setPin(p: CborMap): CborInput | undefined {
    const ka = req(p, 0x03, r.map);
    const param = req(p, 0x04, r.bytes);
    const newPinEnc = req(p, 0x05, r.bytes);
    const protocol = this.#protocolFrom(p.get(0x01));
    if (this.#pinHash !== undefined) status(CtapStatus.NOT_ALLOWED);
    if (newPinEnc.length !== (protocol.version === 2 ? 80 : 64)) status(CtapStatus.INVALID_PARAMETER);
    const secret = this.#decapsulate(protocol, ka);
    if (!protocol.verify(secret, newPinEnc, param)) status(CtapStatus.PIN_AUTH_INVALID);
    this.#pinHash = this.#checkNewPin(decryptOr(protocol, secret, newPinEnc));
    this.#pinRetries = MAX_PIN_RETRIES;
    return undefined;
  }

  #changePin(p: CborMap): CborInput | undefined {
    const ka = req(p, 0x03, r.map);
    const param = req(p, 0x04, r.bytes);
    const newPinEnc = req(p, 0x05, r.bytes);
    const pinHashEnc = req(p, 0x06, r.bytes);
    const protocol = this.#protocolFrom(p.get(0x01));
    if (this.#pinHash === undefined) status(CtapStatus.PIN_NOT_SET);
    if (this.#pinRetries === 0) status(CtapStatus.PIN_BLOCKED);
    if (this.#powerCycleRequired) status(CtapStatus.PIN_AUTH_BLOCKED);
    if (newPinEnc.length !== (protocol.version === 2 ? 80 : 64) || pinHashEnc.length !== (protocol.version === 2 ? 32 : 16)) {
      status(CtapStatus.INVALID_PARAMETER);
    }
    const secret = this.#decapsulate(protocol, ka);
    if (!protocol.verify(secret, concatBytes(newPinEnc, pinHashEnc), param)) status(CtapStatus.PIN_AUTH_INVALID);
    this.#checkPinHash(decryptOr(protocol, secret, pinHashEnc));
    this.#pinHash = this.#checkNewPin(decryptOr(protocol, secret, newPinEnc));
    this.#forcePinChange = false;
    this.#stopUsingToken();
    return undefined;
  }

  #getPinToken(p: CborMap, withPermissions: boolean): CborInput {
    const ka = req(p, 0x03, r.map);
    const pinHashEnc = req(p, 0x06, r.bytes);
    const protocol = this.#protocolFrom(p.get(0x01));
    let permissions = Permission.makeCredential | Permission.getAssertion;
    let rpId: string | undefined;
    if (withPermissions) {
      permissions = req(p, 0x09, r.uint);
      rpId = opt(p, 0x0a, r.text);
      if (permissions === 0) status(CtapStatus.INVALID_PARAMETER);
      if ((permissions & ~SUPPORTED_PERMISSIONS) !== 0) status(CtapStatus.UNAUTHORIZED_PERMISSION);
    } else if (p.has(0x09) || p.has(0x0a)) {
      status(CtapStatus.INVALID_PARAMETER); // legacy getPinToken takes no permissions
    }
    if (this.#pinHash === undefined) status(CtapStatus.PIN_NOT_SET);
    if (this.#pinRetries === 0) status(CtapStatus.PIN_BLOCKED);
    if (this.#powerCycleRequired) status(CtapStatus.PIN_AUTH_BLOCKED);
    if (pinHashEnc.length !== (protocol.version === 2 ? 32 : 16)) status(CtapStatus.INVALID_PARAMETER);
    const secret = this.#decapsulate(protocol, ka);
    this.#checkPinHash(decryptOr(protocol, secret, pinHashEnc));
    if (this.#forcePinChange) status(CtapStatus.PIN_POLICY_VIOLATION);
    // resetPinUvAuthToken + beginUsingPinUvAuthToken(userIsPresent = false) (CTAP 2.2 §6.5.2.3).
    this.#token = {
      token: this.#random(32),
      inUse: true,
      permissions,
      rpId,
      issuedAt: this.#now(),
      firstUsedAt: undefined,
      userPresent: false,
      userVerified: true,
    };
    return new Map<number, CborInput>([[0x02, protocol.encrypt(secret, this.#token.token)]]);
  }

  /** The retry logic of CTAP 2.2 §6.5.5.7: decrement first, then compare; 3 mismatches in a row need a power cycle. */
  #checkPinHash(pinHash: Uint8Array): void {
    this.#pinRetries -= 1;
    if (!constantTimeEqual(pinHash, this.#pinHash!)) {
      this.#keyAgreement = newKeyAgreement();
      this.#consecutiveMismatches += 1;
      if (this.#pinRetries === 0) status(CtapStatus.PIN_BLOCKED);
      if (this.#consecutiveMismatches >= 3) {
        this.#powerCycleRequired = true;
        status(CtapStatus.PIN_AUTH_BLOCKED);
      }
      status(CtapStatus.PIN_INVALID);
    }
    this.#pinRetries = MAX_PIN_RETRIES;
    this.#consecutiveMismatches = 0;
  }

  /** paddedNewPin checks (CTAP 2.2 §6.5.5.5): ≤ 63 bytes, zero padding, valid UTF-8, ≥ minPINLength code points. */
  #checkNewPin(padded: Uint8Array): Uint8Array {
    if (padded.length !== 64 || padded[63] !== 0) status(CtapStatus.PIN_POLICY_VIOLATION);
    const end = padded.indexOf(0);
    if (padded.subarray(end).some((b) => b !== 0)) status(CtapStatus.PIN_POLICY_VIOLATION);
    const pinBytes = padded.subarray(0, end);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(pinBytes);
    } catch {
      return status(CtapStatus.PIN_POLICY_VIOLATION);
    }
    const min = this.#info.minPINLength ?? DEFAULT_MIN_PIN_LENGTH;
    const maxBytes = this.#info.maxPINLength ?? DEFAULT_MAX_PIN_LENGTH;
    if ([...text].length < min || pinBytes.length > maxBytes) status(CtapStatus.PIN_POLICY_VIOLATION);
    return leftHash(pinBytes);
  }

  #protocolFrom(value: CborValue | undefined): PinUvAuthProtocol {
    if (value === undefined) status(CtapStatus.MISSING_PARAMETER);
    const version = r.uint(value!, 'pinUvAuthProtocol');
    const protocol = this.#protocols.get(version);
    if (!protocol) status(CtapStatus.INVALID_PARAMETER);
    return protocol!;
  }

  #decapsulate(protocol: PinUvAuthProtocol, platformKey: CborMap): Uint8Array {
    // The platform's key must be a P-256 COSE key with alg -25 (strict keys such as Token2 check this).
    const key = decodeCoseEc2Key(platformKey, () => status(CtapStatus.INVALID_PARAMETER), CoseAlg.ECDH_ES_HKDF_256);
    try {
      return protocol.decapsulate(this.#keyAgreement, key);
    } catch {
      return status(CtapStatus.INVALID_PARAMETER);
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Tokens, presence and shared request checks

  /** Verifies pinUvAuthParam and the token's state and scope (CTAP 2.2 §6.5.2). Returns only if all hold. */
  #useToken(protocol: PinUvAuthProtocol, clientDataHash: Uint8Array, param: Uint8Array, permission: number, rpId: string): void {
    const now = this.#now();
    const issued = this.#token;
    if (issued.inUse && (now - issued.issuedAt > TOKEN_MAX_USAGE_MS || (issued.firstUsedAt === undefined && now - issued.issuedAt > TOKEN_INITIAL_USAGE_MS))) {
      this.#stopUsingToken();
    }
    const t = this.#token;
    if (!t.inUse || !protocol.verify(t.token, clientDataHash, param)) status(CtapStatus.PIN_AUTH_INVALID);
    if ((t.permissions & permission) === 0) status(CtapStatus.PIN_AUTH_INVALID);
    if (t.rpId !== undefined && t.rpId !== rpId) status(CtapStatus.PIN_AUTH_INVALID);
    if (!t.userVerified) status(CtapStatus.PIN_AUTH_INVALID);
    t.rpId ??= rpId;
    t.firstUsedAt ??= now;
  }

  #stopUsingToken(): void {
    this.#token = { ...this.#token, inUse: false, permissions: 0, rpId: undefined, userPresent: false, userVerified: false };
  }

  /**
   * CTAP 2.2 §6.1.2 step 1 / §6.2.2 step 1: a zero-length pinUvAuthParam asks the key to wait for a touch and then
   * report whether a PIN is set (the CTAP 2.0 way to pick one key among several).
   */
  async #zeroLengthPinUvAuthParam(param: Uint8Array | undefined, ctx: RequestContext): Promise<void> {
    if (param === undefined || param.length > 0) return;
    await this.#userPresence(ctx);
    status(this.#pinHash !== undefined ? CtapStatus.PIN_INVALID : CtapStatus.PIN_NOT_SET);
  }

  async #userPresence(ctx: RequestContext): Promise<void> {
    ctx.setStatus('upneeded');
    const outcome = await this.#presence.request(ctx.signal);
    ctx.setStatus('processing');
    if (outcome === 'granted') return;
    if (outcome === 'denied') status(CtapStatus.OPERATION_DENIED);
    if (outcome === 'timeout') status(CtapStatus.USER_ACTION_TIMEOUT);
    status(CtapStatus.KEEPALIVE_CANCEL);
  }

  #options(map: CborMap | undefined, command: 'makeCredential' | 'getAssertion'): { rk?: boolean; up?: boolean; uv?: boolean } {
    const out: { rk?: boolean; up?: boolean; uv?: boolean } = {};
    if (!map) return out;
    for (const [k, v] of map) {
      if (typeof k !== 'string') status(CtapStatus.CBOR_UNEXPECTED_TYPE);
      const value = r.bool(v, `option ${k}`);
      if (k === 'rk' || k === 'up' || k === 'uv') out[k] = value;
    }
    if (command === 'getAssertion' && out.rk !== undefined) status(CtapStatus.UNSUPPORTED_OPTION);
    return out;
  }

  #checkListLength(length: number): void {
    const max = this.#info.maxCredentialCountInList;
    if (max !== undefined && length > max) status(CtapStatus.LIMIT_EXCEEDED);
  }

  async #reset(ctx: RequestContext): Promise<CborInput | undefined> {
    // Reset is accepted only shortly after power-up and needs a touch (CTAP 2.2 §6.6).
    if (this.#now() - this.#powerUpAt > RESET_WINDOW_MS) status(CtapStatus.NOT_ALLOWED);
    await this.#userPresence(ctx);
    this.#credentials = [];
    this.#pinHash = undefined;
    this.#pinRetries = MAX_PIN_RETRIES;
    this.#forcePinChange = false;
    this.powerCycle();
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------

function parseParams(body: Uint8Array): CborMap {
  if (body.length === 0) return new Map();
  let value: CborValue;
  try {
    value = decodeCbor(body, { canonical: true, maxDepth: CTAP_MAX_CBOR_DEPTH });
  } catch {
    return status(CtapStatus.INVALID_CBOR);
  }
  if (!(value instanceof Map)) status(CtapStatus.CBOR_UNEXPECTED_TYPE);
  for (const key of (value as CborMap).keys()) if (typeof key !== 'number') status(CtapStatus.CBOR_UNEXPECTED_TYPE);
  return value as CborMap;
}

function req<T>(map: CborMap, key: number | string, read: (v: CborValue, what: string) => T): T {
  const v = map.get(key);
  if (v === undefined) status(CtapStatus.MISSING_PARAMETER);
  return read(v!, String(key));
}

function opt<T>(map: CborMap, key: number | string, read: (v: CborValue, what: string) => T): T | undefined {
  const v = map.get(key);
  return v === undefined ? undefined : read(v, String(key));
}

function descriptors(list: CborValue[] | undefined): Uint8Array[] {
  return (list ?? []).flatMap((entry) => {
    const m = r.map(entry, 'descriptor');
    const type = req(m, 'type', r.text);
    const id = req(m, 'id', r.bytes);
    return type === 'public-key' ? [id] : [];
  });
}

function decryptOr(protocol: PinUvAuthProtocol, secret: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  try {
    return protocol.decrypt(secret, ciphertext);
  } catch {
    return status(CtapStatus.INVALID_PARAMETER);
  }
}

function ok(body: CborInput | undefined): Uint8Array {
  return body === undefined ? Uint8Array.of(0) : concatBytes(Uint8Array.of(0), encodeCbor(body));
}

function sha256(text: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(text, 'utf8').digest());
}

function leftHash(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest().subarray(0, 16));
}

function newKeyAgreement(): ECDH {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return ecdh;
}
