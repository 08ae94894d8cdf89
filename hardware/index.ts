// Public API of breakglass's hardware layer: FIDO2 security keys over USB HID (CTAPHID + CTAP2) with node-hid, a
// virtual authenticator behind the same device interface, and the key pre-check. It is a standalone library: it
// imports nothing from server/, and everything below can be used without the breakglass server.
//
// Reading a key (no PIN, no touch):
//
//   import { SecurityKey } from './hardware/index.ts';
//   const key = await SecurityKey.openOnly();          // the one FIDO key attached (node-hid)
//   try {
//     const report = await key.report();               // model, AAGUID, versions, options, PIN retries, firmware …
//   } finally {
//     await key.close();
//   }
//
// Registering a credential on behalf of an account (direct mode), with the key's PIN and a touch:
//
//   const response = await createCredential(key, creationOptionsFromGraph.publicKey, {
//     origin: 'https://login.microsoft.com',
//     pin,                                             // used for one token request, never kept or logged
//     onKeepalive: (s) => s === KeepaliveStatus.UPNEEDED && console.log('touch your key'),
//   });
//
// The same code against the virtual authenticator (tests, demos, drills):
//
//   const virtualKey = await VirtualSecurityKey.load('breakglass-virtual', { pin: '123456' });
//   const key = await SecurityKey.open(virtualKey.open(), { descriptor: virtualKey.descriptor });
//
// Errors are HardwareError subclasses with a stable `code` and a message a person can act on; see errors.ts.

// Errors
export * from './errors.ts';
export { CtapStatus, CTAP_STATUS_NAMES, ctapStatusName, ctapErrorFromStatus } from './ctap-status.ts';

// Devices and transport
export { type HidDevice, type HidDeviceInfo, FIDO_USAGE_PAGE, FIDO_USAGE_CTAPHID, isFidoDevice } from './hid-device.ts';
export { type HidBackend, type NodeHidBackendOptions, nodeHidBackend } from './node-hid-backend.ts';
export {
  CtapHidConnection,
  type CtapHidOptions,
  type CtapHidInitInfo,
  type CtapCborTransport,
  type TransactOptions,
} from './ctaphid-connection.ts';
export {
  HID_REPORT_SIZE,
  MAX_MESSAGE_SIZE,
  BROADCAST_CID,
  CtapHidCmd,
  CtapHidErrorCode,
  KeepaliveStatus,
  type KeepaliveStatusValue,
  Capability,
  encodeFrames,
  decodeFrame,
  frameCount,
  MessageAssembler,
  type Frame,
} from './ctaphid-framing.ts';

// CTAP2
export {
  Ctap2Client,
  Ctap2Cmd,
  type Ctap2ClientOptions,
  type CallOptions,
  type MakeCredentialRequest,
  type MakeCredentialResponse,
  type GetAssertionRequest,
  type GetAssertionResponse,
  type PublicKeyCredentialDescriptor,
  type ClientPinParams,
} from './ctap2-client.ts';
export {
  type AuthenticatorInfo,
  type AlgorithmDescriptor,
  GetInfoKey,
  decodeGetInfo,
  encodeGetInfo,
  effectiveOptions,
  effectiveMaxMsgSize,
  preferredPinProtocol,
  getInfoToJson,
  formatFirmwareVersion,
} from './get-info.ts';
export { ClientPin, PinUvAuthToken, Permission, ClientPinSubcommand, pinHashLeft16, type PinRetries } from './client-pin.ts';
export { PinProtocolV1, PinProtocolV2, pinProtocol, type PinUvAuthProtocol, type PinProtocolVersion } from './pin-protocol.ts';
export { CoseAlg, type CoseEc2PublicKey, encodeCoseEc2Key, decodeCoseEc2Key, coseKeyToKeyObject } from './cose-key.ts';
export { parseAuthenticatorData, encodeAuthenticatorData, describeFlags, AuthDataFlag, type AuthenticatorData } from './auth-data.ts';
export {
  buildAttestationObject,
  parseAttestationObject,
  verifyPackedAttestation,
  summarizeCertificate,
  findAaguidExtension,
  certificateToPem,
  type CertificateSummary,
  type ParsedAttestationObject,
} from './attestation.ts';
export { encodeCbor, decodeCbor, decodeCborPrefix, cborToJson, type CborValue, type CborMap, type CborInput } from './cbor.ts';

// Keys, WebAuthn ceremonies and inspection
export { SecurityKey, listKeys, AAGUID_SELF_DECLARED_NOTE, type KeyReport, type OpenKeyOptions } from './security-key.ts';
export {
  createCredential,
  getAssertion,
  type CreationOptionsJSON,
  type RequestOptionsJSON,
  type RegistrationResponseJSON,
  type AuthenticationResponseJSON,
  type CeremonyOptions,
} from './webauthn-client.ts';
export {
  inspectRegistration,
  parseRegistrationFile,
  loadRegistrationFile,
  type RegistrationFile,
  type RegistrationInspection,
} from './registration-inspect.ts';

// AAGUIDs and the key pre-check
export {
  AAGUID_CATALOGUE,
  VIRTUAL_AUTHENTICATOR_AAGUID,
  ZERO_AAGUID,
  lookupAaguid,
  describeAaguid,
  formatAaguid,
  normalizeAaguid,
  type AaguidEntry,
} from './aaguids.ts';
export {
  checkKey,
  parseAllowList,
  parseTenantPolicy,
  loadAllowList,
  loadTenantPolicy,
  CTAP_VERSION_ORDER,
  type KeyCheckInput,
  type KeyCheckResult,
  type KeyCheckFinding,
  type KeyVerdict,
  type LocalAllowList,
  type AllowListEntry,
  type TenantKeyPolicy,
} from './key-check.ts';

// Virtual authenticator and key profiles
export {
  type KeyProfile,
  parseKeyProfile,
  loadKeyProfile,
  loadBuiltinProfile,
  listBuiltinProfiles,
  resolveKeyProfile,
  DEFAULT_VIRTUAL_PROFILE,
} from './key-profile.ts';
export { VirtualSecurityKey, type VirtualSecurityKeyOptions } from './virtual/virtual-security-key.ts';
export { VirtualAuthenticator, type VirtualAttestation, type VirtualAuthenticatorState, type VirtualCredentialRecord } from './virtual/virtual-authenticator.ts';
export { VirtualHidDevice } from './virtual/virtual-hid-device.ts';
export { UserPresence, type UserPresenceMode, type PresenceOutcome } from './virtual/user-presence.ts';
export { testAttestationRootPem, testAttestationFor, type AttestationIdentity } from './virtual/test-attestation.ts';
