/**
 * Passkeys (WebAuthn, S15). Options go to navigator.credentials (via @simplewebauthn/browser's
 * JSON forms); credentials come back in the same JSON form, base64url throughout. Re-exported by
 * `schemas.ts`, where routes import them.
 */
import { Type } from '@sinclair/typebox';
import { Timestamp } from './common-schemas.js';
import { shared } from './shared-schemas.js';

const b64url = (maxLength: number, description?: string) =>
  Type.String({
    minLength: 1,
    maxLength,
    pattern: '^[A-Za-z0-9_-]+={0,2}$',
    ...(description ? { description } : {}),
  });
const Transports = Type.Array(Type.String({ maxLength: 32 }), { maxItems: 16 });
const CredentialDescriptor = Type.Object({
  id: Type.String(),
  type: Type.Literal('public-key'),
  transports: Type.Optional(Type.Array(Type.String())),
});

export const PasskeyName = Type.String({
  minLength: 1,
  maxLength: 64,
  // At least one visible character, no control characters.
  pattern: '^[^\\u0000-\\u001f\\u007f]*[^\\s\\u0000-\\u001f\\u007f][^\\u0000-\\u001f\\u007f]*$',
  description: 'What the user calls the passkey ("Work laptop"), 1 to 64 characters.',
});

export const PasskeyRequestOptions = shared(
  Type.Object(
    {
      challenge: Type.String({ description: 'base64url; 32 random bytes, answered once.' }),
      rpId: Type.String(),
      timeout: Type.Integer({ description: 'Milliseconds; the challenge expires with it.' }),
      userVerification: Type.Union([Type.Literal('required'), Type.Literal('preferred')]),
      allowCredentials: Type.Optional(Type.Array(CredentialDescriptor)),
    },
    {
      $id: 'PasskeyRequestOptions',
      description: 'PublicKeyCredentialRequestOptionsJSON, for navigator.credentials.get.',
    },
  ),
);

export const PasskeyCreationOptions = shared(
  Type.Object(
    {
      challenge: Type.String({ description: 'base64url; 32 random bytes, answered once.' }),
      rp: Type.Object({ id: Type.String(), name: Type.String() }),
      user: Type.Object({
        id: Type.String({ description: 'The user handle: base64url of the account id.' }),
        name: Type.String(),
        displayName: Type.String(),
      }),
      pubKeyCredParams: Type.Array(
        Type.Object({ alg: Type.Integer(), type: Type.Literal('public-key') }),
      ),
      timeout: Type.Integer(),
      attestation: Type.Literal('none'),
      excludeCredentials: Type.Array(CredentialDescriptor, {
        description: "The account's passkeys, so a device is not registered twice.",
      }),
      authenticatorSelection: Type.Object({
        residentKey: Type.Literal('required'),
        requireResidentKey: Type.Boolean(),
        userVerification: Type.Literal('required'),
      }),
      extensions: Type.Object({ credProps: Type.Boolean() }),
      hints: Type.Array(Type.String()),
    },
    {
      $id: 'PasskeyCreationOptions',
      description: 'PublicKeyCredentialCreationOptionsJSON, for navigator.credentials.create.',
    },
  ),
);

const ClientExtensionResults = Type.Object({}, { additionalProperties: true });
const Attachment = Type.Union([Type.Literal('platform'), Type.Literal('cross-platform')]);

export const PasskeyAssertion = Type.Object(
  {
    id: b64url(1400, 'The credential id.'),
    rawId: b64url(1400),
    type: Type.Literal('public-key'),
    response: Type.Object(
      {
        clientDataJSON: b64url(4096),
        authenticatorData: b64url(4096),
        signature: b64url(2048),
        userHandle: Type.Optional(b64url(256)),
      },
      { additionalProperties: false },
    ),
    clientExtensionResults: ClientExtensionResults,
    authenticatorAttachment: Type.Optional(Attachment),
  },
  {
    additionalProperties: false,
    description: 'The AuthenticationResponseJSON of navigator.credentials.get (a passkey used).',
  },
);

export const PasskeyAttestation = Type.Object(
  {
    id: b64url(1400, 'The credential id.'),
    rawId: b64url(1400),
    type: Type.Literal('public-key'),
    response: Type.Object(
      {
        clientDataJSON: b64url(4096),
        attestationObject: b64url(8192),
        authenticatorData: Type.Optional(b64url(4096)),
        transports: Type.Optional(Transports),
        publicKeyAlgorithm: Type.Optional(Type.Integer()),
        publicKey: Type.Optional(b64url(4096)),
      },
      { additionalProperties: false },
    ),
    clientExtensionResults: ClientExtensionResults,
    authenticatorAttachment: Type.Optional(Attachment),
  },
  {
    additionalProperties: false,
    description: 'The RegistrationResponseJSON of navigator.credentials.create (a new passkey).',
  },
);

/** An authentication ceremony: options for the browser and when its challenge expires. */
export const PasskeyRequest = shared(
  Type.Object(
    {
      options: PasskeyRequestOptions,
      expiresAt: Timestamp,
    },
    { $id: 'PasskeyRequest' },
  ),
);

export const PasskeyInfo = shared(
  Type.Object(
    {
      id: Type.String(),
      name: Type.String(),
      createdAt: Timestamp,
      lastUsedAt: Type.Union([Timestamp, Type.Null()]),
      synced: Type.Boolean({
        description:
          "Backed up by its provider (backup state), so it works on the user's other devices.",
      }),
      deviceBound: Type.Boolean({
        description: 'Not eligible for backup: it lives on one device or security key only.',
      }),
      flagged: Type.Boolean({
        description:
          'Its signature counter went backwards (it may have been copied): it is refused until removed.',
      }),
      removable: Type.Boolean({
        description: 'Whether the policy lets the account do without it.',
      }),
    },
    { $id: 'PasskeyInfo' },
  ),
);
