/**
 * Forgotten password ("Forgot your password?"): public routes, answering the same for addresses
 * with and without an account (S6). A finished reset never sets a session cookie (S22).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ResetResult, ResetView } from '../../flows/password-reset/service.js';
import type { RouteServices } from '../../services.js';
import { presentCeremony, presentCode } from '../present.js';
import {
  Code,
  CodeView,
  Email,
  errors,
  oneTimeCodeErrors,
  passwordRuleErrors,
  FlowToken,
  PasskeyAssertion,
  PasskeyRequest,
  Password,
  RecoveryCodeShown,
  Timestamp,
} from '../schemas.js';
import { origin } from './public.js';
import { ipLimit } from '../rate-limit.js';

const iso = (ms: number) => new Date(ms).toISOString();

const ResetMethod = Type.Union([Type.Literal('email'), Type.Literal('recovery_code')], {
  description:
    '`email`: a code sent to the account email; `recovery_code`: the saved recovery code, then a passkey, a code from the authenticator app or a code sent to the phone. The policy says which are offered (`passwordReset` in /api/v1/config).',
});
const SecondFactor = Type.Union([
  Type.Literal('passkey'),
  Type.Literal('totp'),
  Type.Literal('sms'),
  Type.Literal('voice'),
]);

const ResetFlowView = Type.Object({
  flow: FlowToken,
  step: Type.Union(
    [
      Type.Literal('email_code'),
      Type.Literal('recovery_code'),
      Type.Literal('second_factor'),
      Type.Literal('new_password'),
      Type.Literal('save_recovery_code'),
    ],
    { description: 'What the user must do now.' },
  ),
  method: ResetMethod,
  email: Type.String({ description: 'The address as the user typed it.' }),
  expiresAt: Timestamp,
  serverTime: Type.String({ format: 'date-time' }),
  destination: Type.Union([Type.String(), Type.Null()], {
    description: 'Where the pending code went: the address as typed, or the masked phone.',
  }),
  code: CodeView,
  secondFactor: Type.Union(
    [Type.Object({ current: SecondFactor, choices: Type.Array(SecondFactor) }), Type.Null()],
    {
      description:
        'In second_factor: what is being used now (`passkey`, `totp`, or a code sent by `sms`/`voice`) and every way the account offers, the strongest first.',
    },
  ),
  passkey: Type.Union([PasskeyRequest, Type.Null()], {
    description:
      'In second_factor with `current: "passkey"`: the ceremony to answer with navigator.credentials.get, then `verify-passkey`.',
  }),
  recoveryCode: Type.Union([RecoveryCodeShown(), Type.Null()], {
    description: 'In save_recovery_code: the new recovery code, to save before going on.',
  }),
});

const Continue = Type.Object({ status: Type.Literal('continue'), flow: ResetFlowView });
const Result = Type.Union([
  Continue,
  Type.Object({
    status: Type.Literal('completed'),
    message: Type.String({ description: 'Sign in with the new password; no session is made.' }),
  }),
]);

function presentReset(v: ResetView) {
  return {
    ...v,
    expiresAt: iso(v.expiresAt),
    serverTime: iso(v.serverTime),
    code: presentCode(v.code),
    passkey: presentCeremony(v.passkey),
    recoveryCode: v.recoveryCode && { ...v.recoveryCode, createdAt: iso(v.recoveryCode.createdAt) },
  };
}

const proceed = (view: ResetView) => ({ status: 'continue' as const, flow: presentReset(view) });
const answer = (result: ResetResult) =>
  result.status === 'continue' ? proceed(result.view) : result;

export function registerPasswordResetRoutes(app: FastifyInstance, s: RouteServices): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['password reset'];
  const flowErrors = ['RESET_NOT_FOUND', 'FLOW_STATE_CONFLICT'] as const;

  r.post(
    '/api/v1/password-reset',
    {
      config: { rateLimit: ipLimit(s.config, 'public') },
      schema: {
        tags,
        summary: 'Forgot your password: start a reset (the same answer for any address)',
        body: Type.Object({ email: Email, method: ResetMethod }, { additionalProperties: false }),
        response: {
          200: Continue,
          ...errors('INVALID_EMAIL', 'RESET_METHOD_NOT_ALLOWED', 'SEND_LIMIT_REACHED'),
        },
      },
    },
    async (request) =>
      proceed(await s.passwordReset.start({ ...request.body, origin: origin(request) })),
  );

  r.post(
    '/api/v1/password-reset/flow',
    {
      config: { rateLimit: ipLimit(s.config, 'public') },
      schema: {
        tags,
        summary: 'The current step of a password reset',
        body: Type.Object({ flow: FlowToken }, { additionalProperties: false }),
        response: { 200: Continue, ...errors(...flowErrors) },
      },
    },
    async (request) => proceed(await s.passwordReset.view(request.body.flow)),
  );

  r.post(
    '/api/v1/password-reset/verify-code',
    {
      config: { rateLimit: ipLimit(s.config, 'public') },
      schema: {
        tags,
        summary: 'Enter the emailed code, or the app or phone code that confirms a recovery code',
        body: Type.Object({ flow: FlowToken, code: Code }, { additionalProperties: false }),
        response: {
          200: Continue,
          ...errors(
            ...flowErrors,
            ...oneTimeCodeErrors,
            'CODE_ALREADY_USED',
            'TOO_MANY_ATTEMPTS',
            'ACCOUNT_LOCKED',
          ),
        },
      },
    },
    async (request) =>
      proceed(
        await s.passwordReset.verifyCode({
          token: request.body.flow,
          code: request.body.code,
          origin: origin(request),
        }),
      ),
  );

  r.post(
    '/api/v1/password-reset/recovery-code',
    {
      config: { rateLimit: ipLimit(s.config, 'public') },
      schema: {
        tags,
        summary: 'Enter the saved recovery code (it is spent only when the new password is set)',
        body: Type.Object({ flow: FlowToken, code: Code }, { additionalProperties: false }),
        response: {
          200: Continue,
          ...errors(
            ...flowErrors,
            'RECOVERY_CODE_INVALID',
            'TOO_MANY_ATTEMPTS',
            'RESET_NEEDS_SECOND_FACTOR',
          ),
        },
      },
    },
    async (request) =>
      proceed(
        await s.passwordReset.recoveryCode({
          token: request.body.flow,
          code: request.body.code,
          origin: origin(request),
        }),
      ),
  );

  r.post(
    '/api/v1/password-reset/verify-passkey',
    {
      config: { rateLimit: ipLimit(s.config, 'public') },
      schema: {
        tags,
        summary:
          "Confirm the recovery code with a passkey: the answer to the flow's ceremony (spent whatever the outcome)",
        body: Type.Object(
          { flow: FlowToken, credential: PasskeyAssertion },
          { additionalProperties: false },
        ),
        response: {
          200: Continue,
          ...errors(
            ...flowErrors,
            'CEREMONY_EXPIRED',
            'PASSKEY_INVALID',
            'PASSKEY_BLOCKED',
            'TOO_MANY_ATTEMPTS',
            'ACCOUNT_LOCKED',
          ),
        },
      },
    },
    async (request) =>
      proceed(
        await s.passwordReset.verifyPasskey({
          token: request.body.flow,
          response: request.body.credential,
          origin: origin(request),
        }),
      ),
  );

  r.post(
    '/api/v1/password-reset/second-factor',
    {
      config: { rateLimit: ipLimit(s.config, 'public') },
      schema: {
        tags,
        summary:
          'Confirm the recovery code with a passkey (a new ceremony), the authenticator app, or a code sent by text or call',
        body: Type.Object(
          { flow: FlowToken, factor: SecondFactor },
          { additionalProperties: false },
        ),
        response: {
          200: Continue,
          ...errors(
            ...flowErrors,
            'METHOD_NOT_AVAILABLE',
            'RESEND_TOO_SOON',
            'SEND_LIMIT_REACHED',
            'DELIVERY_FAILED',
          ),
        },
      },
    },
    async (request) =>
      proceed(
        await s.passwordReset.chooseSecondFactor({
          token: request.body.flow,
          factor: request.body.factor,
          origin: origin(request),
        }),
      ),
  );

  r.post(
    '/api/v1/password-reset/resend-code',
    {
      config: { rateLimit: ipLimit(s.config, 'public') },
      schema: {
        tags,
        summary: 'Send a new code (the old one stops working)',
        body: Type.Object({ flow: FlowToken }, { additionalProperties: false }),
        response: {
          200: Continue,
          ...errors(...flowErrors, 'RESEND_TOO_SOON', 'SEND_LIMIT_REACHED', 'DELIVERY_FAILED'),
        },
      },
    },
    async (request) =>
      proceed(
        await s.passwordReset.resendCode({ token: request.body.flow, origin: origin(request) }),
      ),
  );

  r.post(
    '/api/v1/password-reset/password',
    {
      config: { rateLimit: ipLimit(s.config, 'public') },
      schema: {
        tags,
        summary: 'Choose the new password; optionally sign out everywhere. Never signs in.',
        body: Type.Object(
          {
            flow: FlowToken,
            password: Password,
            endSessions: Type.Boolean({
              description: 'End every session of the account ("Sign me out everywhere").',
            }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Result,
          ...errors(...flowErrors, ...passwordRuleErrors, 'RECOVERY_CODE_INVALID'),
        },
      },
    },
    async (request) =>
      answer(
        await s.passwordReset.setPassword({
          token: request.body.flow,
          password: request.body.password,
          endSessions: request.body.endSessions,
          origin: origin(request),
        }),
      ),
  );

  r.post(
    '/api/v1/password-reset/recovery-code-saved',
    {
      config: { rateLimit: ipLimit(s.config, 'public') },
      schema: {
        tags,
        summary: 'The user saved the new recovery code; the reset is complete',
        body: Type.Object({ flow: FlowToken }, { additionalProperties: false }),
        response: { 200: Result, ...errors(...flowErrors, 'RECOVERY_CODE_NOT_FOUND') },
      },
    },
    async (request) =>
      answer(
        await s.passwordReset.recoveryCodeSaved({
          token: request.body.flow,
          origin: origin(request),
        }),
      ),
  );
}
