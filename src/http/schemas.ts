/**
 * Shared TypeBox schemas: they validate requests, shape responses (only declared fields are
 * serialised, so nothing secret leaks by accident) and feed the OpenAPI document.
 */
import { Type } from '@sinclair/typebox';
import { Factor } from '../policy/schema.js';
import { shared } from './shared-schemas.js';

export { sharedSchemas } from './shared-schemas.js';
export {
  codeSendErrors,
  ErrorBody,
  errors,
  oneTimeCodeErrors,
  passwordRuleErrors,
  phoneNumberErrors,
} from './error-responses.js';

export const Email = Type.String({ minLength: 3, maxLength: 254, description: 'Email address.' });
export const Password = Type.String({
  minLength: 1,
  maxLength: 1024,
  description: 'Password (12 to 128 characters once normalised).',
});
/**
 * An id the API gave out (a session, a passkey, an organisation, an account): base64url. Anything
 * else is refused by the schema, before it reaches a query (PostgreSQL refuses a NUL in text).
 */
export const ResourceId = Type.String({
  pattern: '^[A-Za-z0-9_-]{1,64}$',
  description: 'An id as the API gave it.',
});
/** Any length is accepted: a wrong or truncated token gets the same answer as an unknown one. */
export const FlowToken = Type.String({
  minLength: 1,
  maxLength: 200,
  description: 'Opaque flow token from the step that started the flow.',
});
export const InvitationToken = Type.String({
  minLength: 1,
  maxLength: 200,
  description: 'The token from the invitation link.',
});
export const Code = Type.String({
  minLength: 1,
  maxLength: 40,
  description:
    'The code as the user typed it: a one-time code, a code from the authenticator app, or a recovery code (spaces and dashes allowed).',
});
export const PhoneNumber = Type.String({
  minLength: 1,
  maxLength: 64,
  description:
    'Phone number in international format (+447546123456), or national with the default country.',
});
export const Timestamp = Type.String({ format: 'date-time' });

export const User = shared(
  Type.Object(
    {
      id: Type.String(),
      email: Type.String(),
      emailVerified: Type.Boolean(),
      role: Type.Union([Type.Literal('user'), Type.Literal('admin')]),
      state: Type.String(),
      createdAt: Timestamp,
    },
    { $id: 'User' },
  ),
);

export const Amr = Type.Array(Type.Object({ method: Type.String(), at: Timestamp }));

export const SessionInfo = shared(
  Type.Object(
    {
      id: Type.String(),
      aal: Type.Union([Type.Literal('aal1'), Type.Literal('aal2')]),
      amr: Amr,
      createdAt: Timestamp,
      lastSeenAt: Timestamp,
      idleExpiresAt: Timestamp,
      expiresAt: Timestamp,
    },
    { $id: 'SessionInfo' },
  ),
);

const RecoveryCode = shared(
  Type.Object(
    {
      code: Type.String({ description: 'The code, in groups of four digits. Shown once.' }),
      digits: Type.Integer(),
      createdAt: Timestamp,
    },
    { $id: 'RecoveryCodeShown' },
  ),
);
/** A recovery code as shown once to its owner. */
export function RecoveryCodeShown() {
  return RecoveryCode;
}

const Channel = Type.Union([Type.Literal('email'), Type.Literal('sms'), Type.Literal('voice')]);
export const PhoneChannel = Type.Union([Type.Literal('sms'), Type.Literal('voice')], {
  description: '`sms` ("Text me") or `voice` ("Call me"); landlines get `voice` only.',
});
export const ChannelChoice = Channel;
export const StepUpMethod = Type.Union([Type.Literal('passkey'), Type.Literal('totp'), Channel], {
  description:
    '`passkey`, `totp` (a code from the authenticator app) or a channel a code is sent over.',
});

// ---------------------------------------------------------------------------------------------
// Passkeys (WebAuthn, S15). Options go to navigator.credentials (via @simplewebauthn/browser's
// JSON forms); credentials come back in the same JSON form, base64url throughout.

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

export const CodeView = shared(
  Type.Union(
    [
      Type.Object({
        channel: Channel,
        length: Type.Integer(),
        validForSeconds: Type.Integer(),
        issuedAt: Timestamp,
        expiresAt: Timestamp,
        resendAvailableAt: Timestamp,
        attemptsLeft: Type.Integer(),
      }),
      Type.Null(),
    ],
    { $id: 'CodeView', description: 'The pending code, or null when none is pending yet.' },
  ),
);

export const FlowView = shared(
  Type.Object(
    {
      flow: FlowToken,
      step: Type.Union(
        [
          Type.Literal('verify_email'),
          Type.Literal('second_factor'),
          Type.Literal('choose_mfa'),
          Type.Literal('enrol_phone'),
          Type.Literal('confirm_phone'),
          Type.Literal('enrol_totp'),
          Type.Literal('enrol_passkey'),
          Type.Literal('save_recovery_code'),
        ],
        {
          description:
            'What the user must do now. `choose_mfa`, `enrol_phone`, `confirm_phone`, `enrol_totp` and `enrol_passkey` meet the policy minimum (see `minimum`).',
        },
      ),
      expiresAt: Timestamp,
      serverTime: Type.String({
        format: 'date-time',
        description: 'The server clock when this answer was made, for countdowns.',
      }),
      destination: Type.Union([Type.String(), Type.Null()], {
        description: 'Masked email or phone the pending code went to.',
      }),
      channels: Type.Array(Channel, {
        description: 'Channels the user may choose in this step, the current one first.',
      }),
      skippable: Type.Boolean({ description: 'Whether "Skip for Now" is offered.' }),
      phoneDefaultCountry: Type.Union([Type.String(), Type.Null()], {
        description:
          'When entering a number: the country assumed for numbers typed without a country code.',
      }),
      code: CodeView,
      secondFactor: Type.Union(
        [
          Type.Object({
            method: Type.Union([
              Type.Literal('passkey'),
              Type.Literal('code'),
              Type.Literal('totp'),
              Type.Literal('recovery_code'),
            ]),
            alternatives: Type.Array(
              Type.Union([
                Type.Literal('passkey'),
                Type.Literal('totp'),
                Type.Literal('recovery_code'),
              ]),
              {
                description:
                  'Other ways to pass this step (besides the code channels in `channels`): a passkey, the authenticator app, the recovery code.',
              },
            ),
          }),
          Type.Null(),
        ],
        {
          description:
            'In the second_factor step: what the user is entering now (`code`: a code sent over the current channel).',
        },
      ),
      recoveryCode: Type.Union([RecoveryCodeShown(), Type.Null()], {
        description: 'In the save_recovery_code step: the new code, to save before going on.',
      }),
      passkey: Type.Union([PasskeyRequest, Type.Null()], {
        description:
          'In the second_factor step with `method: "passkey"`: the ceremony to answer with navigator.credentials.get, then `verify-passkey`.',
      }),
      minimum: Type.Union(
        [
          Type.Object({
            ways: Type.Array(
              Type.Object({
                factors: Type.Array(Factor),
                missing: Type.Array(Factor, { description: 'What this way still lacks.' }),
                available: Type.Boolean({
                  description:
                    'Whether it can be taken: sign-in can add what it lacks (a password cannot be added), or it is complete already.',
                }),
              }),
              {
                description:
                  "The policy's minimum: one way is enough (seed 001: passkey; authenticator + phone; password + phone). Choose one with `sign-in/minimum`.",
              },
            ),
            chosen: Type.Union([Type.Integer(), Type.Null()], {
              description: 'The way chosen in this flow (an index into `ways`).',
            }),
            deadline: Type.Union([Timestamp, Type.Null()], {
              description: 'When the minimum binds (null: it has no date).',
            }),
            enforced: Type.Boolean({
              description: 'Sign-in cannot go on until the minimum is met (no "Skip for Now").',
            }),
          }),
          Type.Null(),
        ],
        { description: 'In the steps that meet the policy minimum: its ways and deadline.' },
      ),
      totp: Type.Union(
        [
          Type.Object({
            key: Type.String({ description: 'The key for typing into the app (base32).' }),
            uri: Type.String({ description: 'otpauth:// URI (what the QR code holds).' }),
            qrSvg: Type.String({ description: 'The QR code, an SVG document.' }),
          }),
          Type.Null(),
        ],
        {
          description:
            'In enrol_totp: the new key; confirm with a code from the app (`sign-in/totp`).',
        },
      ),
      passkeyRegistration: Type.Union(
        [Type.Object({ options: PasskeyCreationOptions, expiresAt: Timestamp }), Type.Null()],
        {
          description:
            'In enrol_passkey: the options for navigator.credentials.create; answer with `sign-in/passkey-registration`.',
        },
      ),
    },
    { $id: 'FlowView' },
  ),
);

export const StepUpView = shared(
  Type.Object(
    {
      flow: FlowToken,
      method: StepUpMethod,
      destination: Type.Union([Type.String(), Type.Null()], {
        description: 'Masked phone or email the code went to; null for the authenticator app.',
      }),
      channels: Type.Array(StepUpMethod, { description: 'Methods the user may switch to.' }),
      code: CodeView,
      passkey: Type.Union([PasskeyRequest, Type.Null()], {
        description: 'With `method: "passkey"`: the ceremony to answer, then `verify-passkey`.',
      }),
    },
    { $id: 'StepUpView' },
  ),
);

export const TotpEnrolment = Type.Object({
  flow: FlowToken,
  key: Type.String({
    description: 'The secret key for typing into the app (base32). Shown now and never again.',
  }),
  uri: Type.String({ description: 'otpauth:// URI (what the QR code holds).' }),
  qrSvg: Type.String({ description: 'The QR code, an SVG document.' }),
  expiresAt: Timestamp,
});

export const TotpInfo = shared(
  Type.Object(
    {
      addedAt: Timestamp,
      lastUsedAt: Type.Union([Timestamp, Type.Null()]),
    },
    { $id: 'TotpInfo' },
  ),
);

export const EnrolmentView = shared(
  Type.Object(
    {
      flow: FlowToken,
      destination: Type.String(),
      channels: Type.Array(PhoneChannel),
      code: CodeView,
    },
    { $id: 'EnrolmentView' },
  ),
);

export const SignInResult = shared(
  Type.Union(
    [
      Type.Object({ status: Type.Literal('signed_in'), user: User, session: SessionInfo }),
      Type.Object({ status: Type.Literal('continue'), flow: FlowView }),
      Type.Object(
        { status: Type.Literal('restart'), message: Type.String() },
        {
          description:
            'The flow ended without a session: sign in again (seed 002, after registering a phone).',
        },
      ),
    ],
    { $id: 'SignInResult' },
  ),
);

export const Message = Type.Object({ message: Type.String() });
