/**
 * The views of a flow in progress: sign-in (its step, and what the step offers), its result, a
 * step-up, a phone or an authenticator app being added. Re-exported by `schemas.ts`, where routes
 * import them.
 */
import { Type } from '@sinclair/typebox';
import { Factor } from '../policy/schema.js';
import {
  ChannelChoice as Channel,
  CodeView,
  FlowToken,
  PhoneChannel,
  RecoveryCodeShown,
  SessionInfo,
  StepUpMethod,
  Timestamp,
  User,
} from './common-schemas.js';
import { PasskeyCreationOptions, PasskeyRequest } from './passkey-schemas.js';
import { shared } from './shared-schemas.js';

export const FlowView = shared(
  Type.Object(
    {
      flow: FlowToken,
      step: Type.Union(
        [
          Type.Literal('verify_email'),
          Type.Literal('second_factor'),
          Type.Literal('confirm_pending_phone'),
          Type.Literal('choose_mfa'),
          Type.Literal('enrol_phone'),
          Type.Literal('confirm_phone'),
          Type.Literal('enrol_totp'),
          Type.Literal('enrol_passkey'),
          Type.Literal('save_recovery_code'),
        ],
        {
          description:
            'What the user must do now. `choose_mfa`, `enrol_phone`, `confirm_phone`, `enrol_totp` and `enrol_passkey` meet the policy minimum (see `minimum`). `confirm_pending_phone`: an administrator updated the phone number; the code sent to it (`destination`) confirms it and counts as the second factor.',
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
