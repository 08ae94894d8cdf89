// CTAP2 commands over any CBOR transport (CTAP 2.2 §6): authenticatorGetInfo, MakeCredential, GetAssertion,
// GetNextAssertion, ClientPIN (raw; see client-pin.ts for the flows) and Selection. A request is `command ‖ CBOR map`,
// a response `status ‖ CBOR map`; a non-zero status becomes a typed error (ctap-status.ts) and the response CBOR must
// be canonical (python-fido2 is equally strict). authenticatorReset (0x07) is deliberately not offered: it erases
// every credential on a key, which is never something a break-glass tool should do by accident.
import { encodeCbor, decodeCbor, type CborInput, type CborMap } from './cbor.ts';
import { optionalField, readers, requiredField, type Fail } from './cbor-fields.ts';
import { ctapErrorFromStatus } from './ctap-status.ts';
import type { CtapCborTransport, TransactOptions } from './ctaphid-connection.ts';
import { decodeGetInfo, DEFAULT_MAX_MSG_SIZE, effectiveMaxMsgSize, type AuthenticatorInfo } from './get-info.ts';
import { parseAuthenticatorData, type AuthenticatorData } from './auth-data.ts';
import { CborError, InvalidArgumentError, InvalidResponseError, RequestTooLargeError } from './errors.ts';

/** CTAP2 command bytes (CTAP 2.2 §6). */
export const Ctap2Cmd = {
  MAKE_CREDENTIAL: 0x01,
  GET_ASSERTION: 0x02,
  GET_INFO: 0x04,
  CLIENT_PIN: 0x06,
  RESET: 0x07,
  GET_NEXT_ASSERTION: 0x08,
  BIO_ENROLLMENT: 0x09,
  CREDENTIAL_MANAGEMENT: 0x0a,
  SELECTION: 0x0b,
  LARGE_BLOBS: 0x0c,
  CONFIG: 0x0d,
} as const;

export type CallOptions = TransactOptions;

export interface PublicKeyCredentialDescriptor {
  type: 'public-key';
  id: Uint8Array;
}

export interface MakeCredentialRequest {
  /** SHA-256 of the clientDataJSON, 32 bytes. */
  clientDataHash: Uint8Array;
  rp: { id: string; name?: string };
  user: { id: Uint8Array; name?: string; displayName?: string };
  pubKeyCredParams: { alg: number; type: 'public-key' }[];
  excludeList?: PublicKeyCredentialDescriptor[];
  extensions?: {
    /** 1 userVerificationOptional, 2 …WithCredentialIDList, 3 userVerificationRequired (CTAP 2.2 §12.1). */
    credProtect?: 1 | 2 | 3;
    hmacSecret?: boolean;
  };
  options?: { rk?: boolean; up?: boolean; uv?: boolean };
  pinUvAuthParam?: Uint8Array;
  pinUvAuthProtocol?: 1 | 2;
  enterpriseAttestation?: 1 | 2;
}

export interface MakeCredentialResponse {
  fmt: string;
  authData: Uint8Array;
  attStmt: CborMap;
  epAtt?: boolean;
  largeBlobKey?: Uint8Array;
  unsignedExtensionOutputs?: CborMap;
  /** authData parsed; always carries attested credential data. */
  authenticatorData: AuthenticatorData;
}

export interface GetAssertionRequest {
  rpId: string;
  clientDataHash: Uint8Array;
  allowList?: PublicKeyCredentialDescriptor[];
  extensions?: CborInput;
  options?: { up?: boolean; uv?: boolean };
  pinUvAuthParam?: Uint8Array;
  pinUvAuthProtocol?: 1 | 2;
}

export interface GetAssertionResponse {
  credential: PublicKeyCredentialDescriptor;
  authData: Uint8Array;
  authenticatorData: AuthenticatorData;
  signature: Uint8Array;
  user?: { id: Uint8Array; name?: string; displayName?: string };
  numberOfCredentials?: number;
  userSelected?: boolean;
  largeBlobKey?: Uint8Array;
}

/** Raw authenticatorClientPIN parameters (CTAP 2.2 §6.5.5). */
export interface ClientPinParams {
  pinUvAuthProtocol?: number;
  subCommand: number;
  keyAgreement?: CborInput;
  pinUvAuthParam?: Uint8Array;
  newPinEnc?: Uint8Array;
  pinHashEnc?: Uint8Array;
  permissions?: number;
  rpId?: string;
}

const RESPONSE_MAX_DEPTH = 8;

export interface Ctap2ClientOptions {
  /**
   * Reject responses that are not CTAP2 canonical CBOR (default true, like python-fido2). Switch off only for a key
   * known to send non-canonical but well-formed answers.
   */
  strictCbor?: boolean;
}

export class Ctap2Client {
  readonly #transport: CtapCborTransport;
  readonly #canonical: boolean;
  #info: AuthenticatorInfo | undefined;
  #rawInfo: Uint8Array | undefined;

  constructor(transport: CtapCborTransport, options: Ctap2ClientOptions = {}) {
    this.#transport = transport;
    this.#canonical = options.strictCbor ?? true;
  }

  /** The getInfo answer from the last `getInfo()` call, if any. */
  get cachedInfo(): AuthenticatorInfo | undefined {
    return this.#info;
  }

  /** The CBOR bytes of the last getInfo answer (without status byte), as a profile's `getInfo` can replay them. */
  get rawInfo(): Uint8Array | undefined {
    return this.#rawInfo;
  }

  /** Largest request the key accepts: getInfo maxMsgSize, or 1024 until getInfo has answered (python-fido2 does so). */
  get maxMsgSize(): number {
    return this.#info ? effectiveMaxMsgSize(this.#info) : DEFAULT_MAX_MSG_SIZE;
  }

  /**
   * Sends one CTAP2 command. Returns the decoded response map, or undefined for an empty success.
   * Refuses authenticatorReset.
   */
  async send(command: number, params?: ReadonlyMap<number, CborInput | undefined>, options: CallOptions = {}): Promise<CborMap | undefined> {
    return decodeCtapResponse(await this.sendRaw(command, params, options), this.#info?.minPINLength, this.#canonical);
  }

  /** Like `send`, but resolves to the undecoded `status ‖ CBOR` answer. */
  async sendRaw(command: number, params?: ReadonlyMap<number, CborInput | undefined>, options: CallOptions = {}): Promise<Uint8Array> {
    if (command === Ctap2Cmd.RESET) {
      throw new InvalidArgumentError('authenticatorReset is deliberately not available: it erases every credential on the key');
    }
    if (!Number.isInteger(command) || command < 0 || command > 0xff) throw new InvalidArgumentError(`CTAP2 command ${command} is not a byte`);
    const body = params === undefined ? new Uint8Array(0) : encodeCbor(params);
    const request = new Uint8Array(1 + body.length);
    request[0] = command;
    request.set(body, 1);
    if (request.length > this.maxMsgSize) throw new RequestTooLargeError(request.length, this.maxMsgSize);
    return this.#transport.cbor(request, options);
  }

  async getInfo(options: CallOptions = {}): Promise<AuthenticatorInfo> {
    const raw = await this.sendRaw(Ctap2Cmd.GET_INFO, undefined, options);
    const map = decodeCtapResponse(raw, undefined, this.#canonical);
    if (!map) throw new InvalidResponseError('getInfo response', 'empty');
    this.#info = decodeGetInfo(map);
    this.#rawInfo = raw.slice(1);
    return this.#info;
  }

  async makeCredential(request: MakeCredentialRequest, options: CallOptions = {}): Promise<MakeCredentialResponse> {
    checkHash(request.clientDataHash);
    if (request.user.id.length === 0 || request.user.id.length > 64) throw new InvalidArgumentError('user.id must be 1 to 64 bytes (WebAuthn L3 §5.4.3)');
    if (!request.rp.id) throw new InvalidArgumentError('rp.id is required');
    if (request.pubKeyCredParams.length === 0) throw new InvalidArgumentError('pubKeyCredParams must not be empty');
    const extensions = new Map<string, CborInput>();
    if (request.extensions?.credProtect !== undefined) extensions.set('credProtect', request.extensions.credProtect);
    if (request.extensions?.hmacSecret) extensions.set('hmac-secret', true);
    const params = new Map<number, CborInput | undefined>([
      [0x01, request.clientDataHash],
      [0x02, compact({ id: request.rp.id, name: request.rp.name })],
      [0x03, compact({ id: request.user.id, name: request.user.name, displayName: request.user.displayName })],
      [0x04, request.pubKeyCredParams.map((p) => ({ alg: p.alg, type: p.type }))],
      [0x05, request.excludeList?.length ? request.excludeList.map(descriptor) : undefined],
      [0x06, extensions.size ? extensions : undefined],
      [0x07, request.options && Object.keys(compact(request.options)).length ? compact(request.options) : undefined],
      [0x08, request.pinUvAuthParam],
      [0x09, request.pinUvAuthProtocol],
      [0x0a, request.enterpriseAttestation],
    ]);
    const map = await this.send(Ctap2Cmd.MAKE_CREDENTIAL, params, options);
    if (!map) throw new InvalidResponseError('makeCredential response', 'empty');
    return decodeMakeCredentialResponse(map, this.#canonical);
  }

  async getAssertion(request: GetAssertionRequest, options: CallOptions = {}): Promise<GetAssertionResponse> {
    checkHash(request.clientDataHash);
    const params = new Map<number, CborInput | undefined>([
      [0x01, request.rpId],
      [0x02, request.clientDataHash],
      [0x03, request.allowList?.length ? request.allowList.map(descriptor) : undefined],
      [0x04, request.extensions],
      [0x05, request.options && Object.keys(compact(request.options)).length ? compact(request.options) : undefined],
      [0x06, request.pinUvAuthParam],
      [0x07, request.pinUvAuthProtocol],
    ]);
    const map = await this.send(Ctap2Cmd.GET_ASSERTION, params, options);
    if (!map) throw new InvalidResponseError('getAssertion response', 'empty');
    return decodeAssertionResponse(map, request.allowList, this.#canonical);
  }

  async getNextAssertion(options: CallOptions = {}): Promise<GetAssertionResponse> {
    const map = await this.send(Ctap2Cmd.GET_NEXT_ASSERTION, undefined, options);
    if (!map) throw new InvalidResponseError('getNextAssertion response', 'empty');
    return decodeAssertionResponse(map, undefined, this.#canonical);
  }

  /** authenticatorSelection (CTAP 2.1+): waits for a touch, to pick one key among several. */
  async selection(options: CallOptions = {}): Promise<void> {
    await this.send(Ctap2Cmd.SELECTION, undefined, options);
  }

  async clientPin(p: ClientPinParams, options: CallOptions = {}): Promise<CborMap | undefined> {
    return this.send(
      Ctap2Cmd.CLIENT_PIN,
      new Map<number, CborInput | undefined>([
        [0x01, p.pinUvAuthProtocol],
        [0x02, p.subCommand],
        [0x03, p.keyAgreement],
        [0x04, p.pinUvAuthParam],
        [0x05, p.newPinEnc],
        [0x06, p.pinHashEnc],
        [0x09, p.permissions],
        [0x0a, p.rpId],
      ]),
      options,
    );
  }
}

/** Splits `status ‖ CBOR`; throws the typed error for a non-zero status, InvalidResponseError for bad CBOR. */
export function decodeCtapResponse(response: Uint8Array, minPINLength?: number, canonical = true): CborMap | undefined {
  if (response.length === 0) throw new InvalidResponseError('CTAP2 response', 'no status byte');
  const status = response[0]!;
  if (status !== 0) throw ctapErrorFromStatus(status, minPINLength === undefined ? {} : { minPINLength });
  if (response.length === 1) return undefined;
  let value;
  try {
    value = decodeCbor(response.subarray(1), { canonical, maxDepth: RESPONSE_MAX_DEPTH });
  } catch (err) {
    throw new InvalidResponseError('CTAP2 response', err instanceof CborError ? err.message : 'unreadable CBOR', err);
  }
  if (!(value instanceof Map)) throw new InvalidResponseError('CTAP2 response', 'not a CBOR map');
  return value;
}

export function decodeMakeCredentialResponse(map: CborMap, canonical = true): MakeCredentialResponse {
  const fail: Fail = (reason) => {
    throw new InvalidResponseError('makeCredential response', reason);
  };
  const r = readers(fail);
  const w = 'member';
  const authData = requiredField(map, 0x02, r.bytes, w, fail);
  const authenticatorData = parseAuthenticatorData(authData, { canonical });
  if (!authenticatorData.attestedCredentialData) fail('authenticator data lacks attested credential data');
  const out: MakeCredentialResponse = {
    fmt: requiredField(map, 0x01, r.text, w, fail),
    authData,
    attStmt: requiredField(map, 0x03, r.map, w, fail),
    authenticatorData,
  };
  const epAtt = optionalField(map, 0x04, r.bool, w);
  if (epAtt !== undefined) out.epAtt = epAtt;
  const lbk = optionalField(map, 0x05, r.bytes, w);
  if (lbk !== undefined) out.largeBlobKey = lbk;
  const unsigned = optionalField(map, 0x06, r.map, w);
  if (unsigned !== undefined) out.unsignedExtensionOutputs = unsigned;
  return out;
}

export function decodeAssertionResponse(map: CborMap, allowList: PublicKeyCredentialDescriptor[] | undefined, canonical = true): GetAssertionResponse {
  const fail: Fail = (reason) => {
    throw new InvalidResponseError('getAssertion response', reason);
  };
  const r = readers(fail);
  const w = 'member';
  // 0x01 may be omitted when the allow list had exactly one entry (CTAP 2.2 §6.2.3).
  const credMap = optionalField(map, 0x01, r.map, w);
  let credential: PublicKeyCredentialDescriptor;
  if (credMap) {
    credential = { type: 'public-key', id: requiredField(credMap, 'id', r.bytes, 'credential', fail) };
    const type = requiredField(credMap, 'type', r.text, 'credential', fail);
    if (type !== 'public-key') fail(`credential type "${type}"`);
  } else if (allowList?.length === 1) {
    credential = allowList[0]!;
  } else {
    return fail('credential member 0x01 is missing');
  }
  const authData = requiredField(map, 0x02, r.bytes, w, fail);
  const out: GetAssertionResponse = {
    credential,
    authData,
    authenticatorData: parseAuthenticatorData(authData, { canonical }),
    signature: requiredField(map, 0x03, r.bytes, w, fail),
  };
  const user = optionalField(map, 0x04, r.map, w);
  if (user) {
    const u: { id: Uint8Array; name?: string; displayName?: string } = { id: requiredField(user, 'id', r.bytes, 'user', fail) };
    const name = optionalField(user, 'name', r.text, 'user');
    const displayName = optionalField(user, 'displayName', r.text, 'user');
    if (name !== undefined) u.name = name;
    if (displayName !== undefined) u.displayName = displayName;
    out.user = u;
  }
  const n = optionalField(map, 0x05, r.uint, w);
  if (n !== undefined) out.numberOfCredentials = n;
  const selected = optionalField(map, 0x06, r.bool, w);
  if (selected !== undefined) out.userSelected = selected;
  const lbk = optionalField(map, 0x07, r.bytes, w);
  if (lbk !== undefined) out.largeBlobKey = lbk;
  return out;
}

function descriptor(d: PublicKeyCredentialDescriptor): CborInput {
  return { id: d.id, type: d.type };
}

function checkHash(hash: Uint8Array): void {
  if (hash.length !== 32) throw new InvalidArgumentError(`clientDataHash must be 32 bytes (SHA-256), got ${hash.length}`);
}

function compact<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
