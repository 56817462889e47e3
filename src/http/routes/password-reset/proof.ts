/**
 * Proving who resets: the emailed code, or the saved recovery code confirmed by a second factor
 * (a passkey, the authenticator app, or a code sent by text or call), and sending a new code.
 * The recovery code is spent only when the new password is set. Limited per IP.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RouteServices } from '../../../services.js';
import { ipLimit } from '../../rate-limit.js';
import { Code, errors, oneTimeCodeErrors, FlowToken, PasskeyAssertion } from '../../schemas.js';
import { origin } from '../origin.js';
import { Continue, flowErrors, proceed, SecondFactor } from './view.js';

export function registerResetProofRoutes(app: FastifyInstance, services: RouteServices): void {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['password reset'];

  routes.post(
    '/api/v1/password-reset/verify-code',
    {
      config: { rateLimit: ipLimit(services.config, 'public') },
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
            'TOTP_NOT_FOUND',
            'TOO_MANY_ATTEMPTS',
            'ACCOUNT_LOCKED',
          ),
        },
      },
    },
    async (request) =>
      proceed(
        await services.passwordReset.verifyCode({
          token: request.body.flow,
          code: request.body.code,
          origin: origin(request),
        }),
      ),
  );

  routes.post(
    '/api/v1/password-reset/recovery-code',
    {
      config: { rateLimit: ipLimit(services.config, 'public') },
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
        await services.passwordReset.recoveryCode({
          token: request.body.flow,
          code: request.body.code,
          origin: origin(request),
        }),
      ),
  );

  routes.post(
    '/api/v1/password-reset/verify-passkey',
    {
      config: { rateLimit: ipLimit(services.config, 'public') },
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
        await services.passwordReset.verifyPasskey({
          token: request.body.flow,
          response: request.body.credential,
          origin: origin(request),
        }),
      ),
  );

  routes.post(
    '/api/v1/password-reset/second-factor',
    {
      config: { rateLimit: ipLimit(services.config, 'public') },
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
        await services.passwordReset.chooseSecondFactor({
          token: request.body.flow,
          factor: request.body.factor,
          origin: origin(request),
        }),
      ),
  );

  routes.post(
    '/api/v1/password-reset/resend-code',
    {
      config: { rateLimit: ipLimit(services.config, 'public') },
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
        await services.passwordReset.resendCode({
          token: request.body.flow,
          origin: origin(request),
        }),
      ),
  );
}
