// Graph-shaped types for the resources the Directory port reads and writes. Property names are Graph's own (v1.0
// unless marked beta), so the simulator, fixtures and adapter share one vocabulary and a real tenant's JSON loads
// as-is. Only the fields breakglass relies on are required; Graph adds more, so every type keeps an index signature
// free of secrets. Sources: graph.md §1–§6 and the msgraph-metadata slice in test/fixtures/graph/.

/** `@odata.type` discriminators used below. */
export const ODATA_TYPE = {
  tap: '#microsoft.graph.temporaryAccessPassAuthenticationMethod',
  fido2: '#microsoft.graph.fido2AuthenticationMethod',
  password: '#microsoft.graph.passwordAuthenticationMethod',
  tapConfiguration: '#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration',
  fido2Configuration: '#microsoft.graph.fido2AuthenticationMethodConfiguration',
  user: '#microsoft.graph.user',
  group: '#microsoft.graph.group',
  directoryRole: '#microsoft.graph.directoryRole',
} as const;

/** `signInActivity` (v1.0, needs Entra ID P1). graph.md §4.2. */
export interface GraphSignInActivity {
  lastSignInDateTime?: string | null;
  lastSignInRequestId?: string | null;
  lastNonInteractiveSignInDateTime?: string | null;
  lastNonInteractiveSignInRequestId?: string | null;
  lastSuccessfulSignInDateTime?: string | null;
  lastSuccessfulSignInRequestId?: string | null;
}

export interface GraphUser {
  id: string;
  userPrincipalName: string;
  displayName?: string | null;
  accountEnabled?: boolean | null;
  userType?: string | null;
  mail?: string | null;
  /** null/false for cloud-only accounts; true when synced from on-premises AD. */
  onPremisesSyncEnabled?: boolean | null;
  createdDateTime?: string | null;
  signInActivity?: GraphSignInActivity | null;
  [extra: string]: unknown;
}

/** TAP method (v1.0). `temporaryAccessPass` is non-null only in the 201 create response. graph.md §1.3. */
export interface GraphTemporaryAccessPassMethod {
  '@odata.type'?: typeof ODATA_TYPE.tap;
  id: string;
  temporaryAccessPass?: string | null;
  createdDateTime: string;
  startDateTime: string;
  lifetimeInMinutes: number;
  isUsableOnce: boolean;
  isUsable: boolean;
  methodUsabilityReason: TapUsabilityReason | string;
}

export type TapUsabilityReason = 'EnabledByPolicy' | 'DisabledByPolicy' | 'Expired' | 'NotYetValid' | 'OneTimeUsed';

/** The TAP value is a secret: this is the one type that carries it, and only the create call returns it. */
export interface IssuedTemporaryAccessPass {
  method: GraphTemporaryAccessPassMethod & { temporaryAccessPass: string };
}

/** FIDO2 / passkey method (v1.0). graph.md §2.1. */
export interface GraphFido2Method {
  '@odata.type'?: typeof ODATA_TYPE.fido2;
  id: string;
  displayName?: string | null;
  createdDateTime?: string | null;
  aaGuid?: string | null;
  model?: string | null;
  attestationCertificates?: string[] | null;
  attestationLevel?: 'attested' | 'notAttested' | 'unknownFutureValue' | string | null;
  passkeyType?: 'deviceBound' | 'synced' | 'unknownFutureValue' | string | null;
}

/** Any method from `/authentication/methods` (polymorphic; `@odata.type` discriminates). */
export interface GraphAuthenticationMethod {
  '@odata.type': string;
  id: string;
  createdDateTime?: string | null;
  [extra: string]: unknown;
}

export interface GraphAuthenticationMethodTarget {
  id: string;
  targetType: 'user' | 'group' | 'unknownFutureValue' | string;
  isRegistrationRequired?: boolean;
  /** passkeyAuthenticationMethodTarget (FIDO2 policy include targets): profile ids allowed for this target. */
  allowedPasskeyProfiles?: string[] | null;
}

export interface GraphExcludeTarget {
  id: string;
  targetType: 'user' | 'group' | 'unknownFutureValue' | string;
}

/** TAP policy (`authenticationMethodConfigurations/TemporaryAccessPass`). graph.md §1.7. */
export interface GraphTapPolicy {
  '@odata.type'?: typeof ODATA_TYPE.tapConfiguration;
  id: 'TemporaryAccessPass' | string;
  state: 'enabled' | 'disabled' | string;
  defaultLifetimeInMinutes: number;
  minimumLifetimeInMinutes: number;
  maximumLifetimeInMinutes: number;
  isUsableOnce: boolean;
  defaultLength: number;
  includeTargets: GraphAuthenticationMethodTarget[];
  excludeTargets: GraphExcludeTarget[];
}

export interface GraphFido2KeyRestrictions {
  isEnforced: boolean;
  enforcementType: 'allow' | 'block' | 'unknownFutureValue' | string;
  aaGuids: string[];
}

/** passkeyProfile (v1.0). `passkeyTypes` is a flags enum serialised as "deviceBound,synced". graph.md §3. */
export interface GraphPasskeyProfile {
  id: string;
  name: string;
  passkeyTypes: string;
  attestationEnforcement: 'disabled' | 'registrationOnly' | 'unknownFutureValue' | string;
  keyRestrictions: GraphFido2KeyRestrictions;
}

/** FIDO2 / passkey policy (`authenticationMethodConfigurations/Fido2`). graph.md §3. */
export interface GraphFido2Policy {
  '@odata.type'?: typeof ODATA_TYPE.fido2Configuration;
  id: 'Fido2' | string;
  state: 'enabled' | 'disabled' | string;
  isSelfServiceRegistrationAllowed: boolean;
  isAttestationEnforced: boolean;
  keyRestrictions: GraphFido2KeyRestrictions;
  includeTargets: GraphAuthenticationMethodTarget[];
  excludeTargets: GraphExcludeTarget[];
  passkeyProfiles?: GraphPasskeyProfile[] | null;
  defaultPasskeyProfile?: string | null;
}

/** `webauthnCredentialCreationOptions` (v1.0; beta wraps it in `value`, parsed tolerantly). graph.md §2.2. */
export interface GraphWebauthnCreationOptions {
  challengeTimeoutDateTime: string;
  publicKey: {
    challenge: string;
    timeout?: number;
    attestation?: string;
    rp: { id: string; name?: string };
    user: { id: string; name: string; displayName?: string };
    pubKeyCredParams: { type: string; alg: number }[];
    excludeCredentials?: { id: string; type: string; transports?: string[] }[];
    authenticatorSelection?: {
      authenticatorAttachment?: string;
      requireResidentKey?: boolean;
      userVerification?: string;
    };
    extensions?: Record<string, unknown>;
  };
}

/** `webauthnPublicKeyCredential`, the body of the passkey creation POST. All binary fields base64url, no padding. */
export interface GraphWebauthnPublicKeyCredential {
  id: string;
  response: { clientDataJSON: string; attestationObject: string };
  clientExtensionResults?: Record<string, unknown>;
}

export interface GraphSignInStatus {
  errorCode: number;
  failureReason?: string | null;
  additionalDetails?: string | null;
}

/** beta `authenticationDetail`: one step of a sign-in's authentication. graph.md §4.1. */
export interface GraphAuthenticationDetail {
  authenticationMethod?: string | null;
  authenticationMethodDetail?: string | null;
  authenticationStepDateTime?: string | null;
  authenticationStepRequirement?: string | null;
  authenticationStepResultDetail?: string | null;
  succeeded?: boolean | null;
}

/** Sign-in record as `/beta/auditLogs/signIns` returns it (beta-only fields marked). */
export interface GraphSignIn {
  id: string;
  createdDateTime: string;
  userId: string;
  userPrincipalName: string;
  userDisplayName?: string | null;
  appId?: string | null;
  appDisplayName?: string | null;
  ipAddress?: string | null;
  clientAppUsed?: string | null;
  correlationId?: string | null;
  conditionalAccessStatus?: string | null;
  isInteractive?: boolean | null;
  status: GraphSignInStatus;
  /** beta only */
  authenticationDetails?: GraphAuthenticationDetail[];
  /** beta only */
  authenticationRequirement?: string | null;
  /** beta only */
  authenticationMethodsUsed?: string[] | null;
  /** beta only */
  signInEventTypes?: string[] | null;
  [extra: string]: unknown;
}

export interface GraphAuditIdentity {
  user?: { id?: string | null; displayName?: string | null; userPrincipalName?: string | null; ipAddress?: string | null } | null;
  app?: { appId?: string | null; displayName?: string | null; servicePrincipalId?: string | null; servicePrincipalName?: string | null } | null;
}

/** `directoryAudit` (v1.0). graph.md §4.3. */
export interface GraphDirectoryAudit {
  id: string;
  activityDateTime: string;
  activityDisplayName: string;
  category: string;
  correlationId?: string | null;
  loggedByService?: string | null;
  operationType?: string | null;
  result: string;
  resultReason?: string | null;
  initiatedBy: GraphAuditIdentity;
  targetResources: {
    id?: string | null;
    displayName?: string | null;
    type?: string | null;
    userPrincipalName?: string | null;
    modifiedProperties?: { displayName?: string | null; oldValue?: string | null; newValue?: string | null }[];
  }[];
  additionalDetails?: { key: string; value: string }[];
}

export interface GraphConditionalAccessUsers {
  includeUsers: string[];
  excludeUsers: string[];
  includeGroups: string[];
  excludeGroups: string[];
  includeRoles: string[];
  excludeRoles: string[];
  [extra: string]: unknown;
}

/** `conditionalAccessPolicy` (v1.0). graph.md §5.1. */
export interface GraphConditionalAccessPolicy {
  id: string;
  displayName: string;
  state: 'enabled' | 'disabled' | 'enabledForReportingButNotEnforced' | string;
  createdDateTime?: string | null;
  modifiedDateTime?: string | null;
  templateId?: string | null;
  description?: string | null;
  conditions: { users: GraphConditionalAccessUsers; [extra: string]: unknown };
  grantControls?: {
    operator: string;
    builtInControls: string[];
    authenticationStrength?: { id: string; displayName?: string; allowedCombinations?: string[]; [extra: string]: unknown } | null;
    [extra: string]: unknown;
  } | null;
  sessionControls?: unknown;
}

export interface GraphDirectoryRole {
  '@odata.type'?: typeof ODATA_TYPE.directoryRole;
  id: string;
  displayName: string;
  description?: string | null;
  roleTemplateId: string;
}

export interface GraphGroup {
  '@odata.type'?: typeof ODATA_TYPE.group;
  id: string;
  displayName: string;
  description?: string | null;
  securityEnabled?: boolean | null;
  mailEnabled?: boolean | null;
  isAssignableToRole?: boolean | null;
  [extra: string]: unknown;
}

/** `unifiedRoleAssignment` (v1.0, `/roleManagement/directory/roleAssignments`). */
export interface GraphRoleAssignment {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string;
}

/** A mail message for `sendMail` (v1.0). graph.md §6.1. */
export interface GraphMailMessage {
  subject: string;
  body: { contentType: 'Text' | 'HTML'; content: string };
  toRecipients: { emailAddress: { address: string; name?: string } }[];
  ccRecipients?: { emailAddress: { address: string; name?: string } }[];
  attachments?: { '@odata.type': '#microsoft.graph.fileAttachment'; name: string; contentType: string; contentBytes: string }[];
  internetMessageHeaders?: { name: string; value: string }[];
}

/** Well-known role template ids (Entra built-in roles). */
export const ROLE_TEMPLATE = {
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  privilegedAuthenticationAdministrator: '7be44c8a-adaf-4e2a-84d6-ab2649e08a13',
  authenticationAdministrator: 'c4e39bd9-1100-46d3-8c65-fb160da0071f',
  globalReader: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
  securityAdministrator: '194ae4cb-b126-40b2-bd5b-6091b380977d',
} as const;
