/**
 * Shared TypeBox schemas: they validate requests, shape responses (only declared fields are
 * serialised, so nothing secret leaks by accident) and feed the OpenAPI document.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { errorCodes, type ErrorCode } from '../errors/codes.js';

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable UPPER_SNAKE code from the error registry.' }),
      message: Type.String({ description: 'Safe to show to the user.' }),
      details: Type.Optional(Type.Object({}, { additionalProperties: true })),
    }),
  },
  { $id: 'ErrorBody', description: 'Every error answer has this shape.' },
);

/** Response entries for the error statuses a route may answer with. */
export function errors(...codes: ErrorCode[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = { 400: Type.Ref('ErrorBody'), 403: Type.Ref('ErrorBody') };
  for (const c of codes) out[errorCodes[c].status] = Type.Ref('ErrorBody');
  return out;
}

export const Email = Type.String({ minLength: 3, maxLength: 254, description: 'Email address.' });
export const Password = Type.String({
  minLength: 1,
  maxLength: 1024,
  description: 'Password (12 to 128 characters once normalised).',
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
  maxLength: 20,
  description: 'The one-time code as the user typed it.',
});
export const PhoneNumber = Type.String({
  minLength: 1,
  maxLength: 64,
  description:
    'Phone number in international format (+447546123456), or national with the default country.',
});
export const Timestamp = Type.String({ format: 'date-time' });

export const User = Type.Object({
  id: Type.String(),
  email: Type.String(),
  emailVerified: Type.Boolean(),
  role: Type.Union([Type.Literal('user'), Type.Literal('admin')]),
  state: Type.String(),
  createdAt: Timestamp,
});

export const Amr = Type.Array(Type.Object({ method: Type.String(), at: Timestamp }));

export const SessionInfo = Type.Object({
  id: Type.String(),
  aal: Type.Union([Type.Literal('aal1'), Type.Literal('aal2')]),
  amr: Amr,
  createdAt: Timestamp,
  lastSeenAt: Timestamp,
  idleExpiresAt: Timestamp,
  expiresAt: Timestamp,
});

const Channel = Type.Union([Type.Literal('email'), Type.Literal('sms'), Type.Literal('voice')]);
export const PhoneChannel = Type.Union([Type.Literal('sms'), Type.Literal('voice')], {
  description: '`sms` ("Text me") or `voice` ("Call me"); landlines get `voice` only.',
});
export const ChannelChoice = Channel;

export const CodeView = Type.Union(
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
  { description: 'The pending code, or null when none is pending yet.' },
);

export const FlowView = Type.Object({
  flow: FlowToken,
  step: Type.Union(
    [
      Type.Literal('verify_email'),
      Type.Literal('second_factor'),
      Type.Literal('enrol_phone'),
      Type.Literal('confirm_phone'),
    ],
    { description: 'What the user must do now.' },
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
});

export const StepUpView = Type.Object({
  flow: FlowToken,
  destination: Type.String(),
  channels: Type.Array(Channel),
  code: CodeView,
});

export const EnrolmentView = Type.Object({
  flow: FlowToken,
  destination: Type.String(),
  channels: Type.Array(PhoneChannel),
  code: CodeView,
});

export const SignInResult = Type.Union([
  Type.Object({ status: Type.Literal('signed_in'), user: User, session: SessionInfo }),
  Type.Object({ status: Type.Literal('continue'), flow: FlowView }),
  Type.Object(
    { status: Type.Literal('restart'), message: Type.String() },
    {
      description:
        'The flow ended without a session: sign in again (seed 002, after registering a phone).',
    },
  ),
]);

export const Message = Type.Object({ message: Type.String() });
