// TypeBox schemas shared by the sign-in, officer and profile routes: the WebAuthn JSON wire shapes (WebAuthn L3
// §5.1.8 / §5.1.9 toJSON forms, as @simplewebauthn/browser sends them) and the views the API returns. Response
// schemas strip anything undeclared, so a field added to a view by mistake never leaves the server.
import { Type, type Static } from 'typebox';

const B64URL = { pattern: '^[A-Za-z0-9_-]*$' };
const b64 = (maxLength: number, description?: string) => Type.String({ ...B64URL, minLength: 1, maxLength, ...(description ? { description } : {}) });

export const RoleSchema = Type.Union([Type.Literal('admin'), Type.Literal('officer'), Type.Literal('auditor')]);
export const CeremonyId = Type.String({ minLength: 20, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'Ceremony id returned with the options (single use)' });

const Extensions = Type.Record(Type.String(), Type.Unknown(), { description: 'Client extension results' });

export const RegistrationResponse = Type.Object(
  {
    id: b64(1024),
    rawId: b64(1024),
    type: Type.Literal('public-key'),
    authenticatorAttachment: Type.Optional(Type.String({ maxLength: 32 })),
    clientExtensionResults: Extensions,
    response: Type.Object({
      clientDataJSON: b64(8192),
      attestationObject: b64(65_536),
      authenticatorData: Type.Optional(b64(65_536)),
      transports: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 8 })),
      publicKeyAlgorithm: Type.Optional(Type.Integer()),
      publicKey: Type.Optional(b64(8192)),
    }),
  },
  { description: 'RegistrationResponseJSON (WebAuthn L3 §5.1.8)' },
);

export const AuthenticationResponse = Type.Object(
  {
    id: b64(1024),
    rawId: b64(1024),
    type: Type.Literal('public-key'),
    authenticatorAttachment: Type.Optional(Type.String({ maxLength: 32 })),
    clientExtensionResults: Extensions,
    response: Type.Object({
      clientDataJSON: b64(8192),
      authenticatorData: b64(65_536),
      signature: b64(4096),
      userHandle: Type.Optional(Type.String({ ...B64URL, maxLength: 256 })),
    }),
  },
  { description: 'AuthenticationResponseJSON (WebAuthn L3 §5.1.9)' },
);

const Descriptor = Type.Object({ id: Type.String(), type: Type.String(), transports: Type.Optional(Type.Array(Type.String())) });

export const CreationOptions = Type.Object(
  {
    rp: Type.Object({ name: Type.String(), id: Type.Optional(Type.String()) }),
    user: Type.Object({ id: Type.String(), name: Type.String(), displayName: Type.String() }),
    challenge: Type.String(),
    pubKeyCredParams: Type.Array(Type.Object({ alg: Type.Integer(), type: Type.String() })),
    timeout: Type.Optional(Type.Integer()),
    excludeCredentials: Type.Optional(Type.Array(Descriptor)),
    authenticatorSelection: Type.Optional(
      Type.Object({
        authenticatorAttachment: Type.Optional(Type.String()),
        requireResidentKey: Type.Optional(Type.Boolean()),
        residentKey: Type.Optional(Type.String()),
        userVerification: Type.Optional(Type.String()),
      }),
    ),
    hints: Type.Optional(Type.Array(Type.String())),
    attestation: Type.Optional(Type.String()),
    extensions: Type.Optional(Type.Object({ credProps: Type.Optional(Type.Boolean()) })),
  },
  { description: 'PublicKeyCredentialCreationOptionsJSON' },
);

export const RequestOptions = Type.Object(
  {
    challenge: Type.String(),
    timeout: Type.Optional(Type.Integer()),
    rpId: Type.Optional(Type.String()),
    allowCredentials: Type.Optional(Type.Array(Descriptor)),
    userVerification: Type.Optional(Type.String()),
    hints: Type.Optional(Type.Array(Type.String())),
  },
  { description: 'PublicKeyCredentialRequestOptionsJSON' },
);

export const RegistrationStart = Type.Object({ ceremonyId: CeremonyId, options: CreationOptions });
export const AuthenticationStart = Type.Object({ ceremonyId: CeremonyId, options: RequestOptions });

export const Username = Type.String({ minLength: 2, maxLength: 64, description: 'Sign-in name: lower-case letters, digits, . _ @ -' });
export const DisplayName = Type.String({ minLength: 1, maxLength: 100 });
export const PasskeyName = Type.String({ minLength: 1, maxLength: 60, description: 'A name you will recognise, e.g. "YubiKey in the safe"' });

export const OfficerSchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  createdAt: Type.String(),
});

export const OfficerSummarySchema = Type.Object({
  ...OfficerSchema.properties,
  passkeys: Type.Integer(),
  lastSignInAt: Type.Union([Type.String(), Type.Null()]),
});

export const PasskeySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  aaguid: Type.String(),
  fmt: Type.String(),
  deviceType: Type.String(),
  backedUp: Type.Boolean(),
  transports: Type.Array(Type.String()),
  createdAt: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
});

export const SessionSchema = Type.Object({
  officer: OfficerSchema,
  permissions: Type.Array(Type.String()),
  csrfToken: Type.String({ description: 'Send as x-csrf-token on every state-changing request' }),
  createdAt: Type.String(),
  expiresAt: Type.String({ description: 'Absolute end of the session' }),
  idleExpiresAt: Type.String({ description: 'End of the session if no request comes before' }),
  stepUpValidUntil: Type.Union([Type.String(), Type.Null()]),
  passkeyId: Type.String({ description: 'The passkey this session signed in with' }),
  tenant: Type.Union([Type.Object({ kind: Type.Union([Type.Literal('simulated'), Type.Literal('graph')]), label: Type.String(), tenantId: Type.String() }), Type.Null()], {
    description: 'The directory in use (simulated tenant or real Microsoft Graph); null when none is connected',
  }),
});
export type SessionBody = Static<typeof SessionSchema>;

export const InviteSchema = Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
  createdBy: Type.String(),
  createdAt: Type.String(),
  expiresAt: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('used'), Type.Literal('expired'), Type.Literal('revoked')]),
  usedAt: Type.Union([Type.String(), Type.Null()]),
  usedBy: Type.Union([Type.String(), Type.Null()]),
});

export const Ok = Type.Object({ ok: Type.Literal(true) });
