/**
 * The schemas every part of the API uses: ids, tokens, codes and times as the API takes and gives
 * them, a user and a session, the channels a code goes over, a pending code, a recovery code shown
 * once. Re-exported by `schemas.ts`, where routes import them.
 */
import { Type } from '@sinclair/typebox';
import { shared } from './shared-schemas.js';

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

/**
 * One of a few strings, as `enum` rather than TypeBox's `anyOf` of literals: the serializer
 * (fast-json-stringify) writes a string at once where an `anyOf` makes it validate the value
 * against each branch first (the session check answers with these at every portal page).
 */
export function StringEnum<const T extends readonly string[]>(values: T, options: object = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** A time or null, as OpenAPI 3.0's `nullable` (not an `anyOf`, for the reason above). */
export function NullableTimestamp(options: { description?: string } = {}) {
  return Type.Unsafe<string | null>({
    type: 'string',
    format: 'date-time',
    nullable: true,
    ...options,
  });
}

export const User = shared(
  Type.Object(
    {
      id: Type.String(),
      email: Type.String(),
      emailVerified: Type.Boolean(),
      role: StringEnum(['user', 'admin', 'org_admin']),
      state: Type.String(),
      createdAt: Timestamp,
      mfaExemptUntil: NullableTimestamp({
        description:
          'Until when an administrator turned multi-factor authentication off for the user: sign-in asks for the password alone until then. Null: not exempt now.',
      }),
    },
    { $id: 'User' },
  ),
);

export const Amr = Type.Array(Type.Object({ method: Type.String(), at: Timestamp }));

export const SessionInfo = shared(
  Type.Object(
    {
      id: Type.String(),
      aal: StringEnum(['aal1', 'aal2']),
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

export const Message = Type.Object({ message: Type.String() });
