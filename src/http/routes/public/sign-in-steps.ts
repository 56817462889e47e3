/**
 * The sign-in steps that are not a code: registering a phone, choosing another second factor
 * (a passkey, the authenticator app, the recovery code), confirming the recovery code shown was
 * saved, "Skip for Now" while the policy allows it, and another way than the number an
 * administrator entered.
 */
import { AppError } from '../../../errors/app-error.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RouteServices } from '../../../services.js';
import { presentFlow } from '../../present.js';
import {
  errors,
  FlowToken,
  FlowView,
  PhoneChannel,
  PhoneNumber,
  phoneNumberErrors,
  SignInResult,
} from '../../schemas.js';
import type { CookiePolicy } from '../../session-cookie.js';
import { origin } from '../origin.js';
import { signInAnswer } from '../sign-in-answer.js';

export function registerSignInStepRoutes(
  app: FastifyInstance,
  services: RouteServices,
  cookie: CookiePolicy,
): void {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['public'];
  const answer = signInAnswer(services, cookie);

  routes.post(
    '/api/v1/sign-in/phone',
    {
      schema: {
        tags,
        summary: 'Register a phone at sign-in ("Send Verification Code"); a code goes to it',
        body: Type.Object(
          { flow: FlowToken, phone: PhoneNumber, channel: PhoneChannel },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ status: Type.Literal('continue'), flow: FlowView }),
          ...errors(
            'FLOW_NOT_FOUND',
            'FLOW_STATE_CONFLICT',
            ...phoneNumberErrors,
            'RESEND_TOO_SOON',
            'SEND_LIMIT_REACHED',
            'SEND_BUDGET_EXHAUSTED',
            'DELIVERY_FAILED',
          ),
        },
      },
    },
    async (request) => {
      const result = await services.signIn.addFactor({
        token: request.body.flow,
        factor: 'phone',
        answer: { phone: request.body.phone, channel: request.body.channel },
        origin: origin(request),
      });
      // A number entered always leads to its code (never a session).
      if (result.status !== 'continue') throw new AppError('FLOW_STATE_CONFLICT');
      return { status: 'continue' as const, flow: presentFlow(result.view) };
    },
  );

  routes.post(
    '/api/v1/sign-in/method',
    {
      schema: {
        tags,
        summary:
          'In the second-factor step: use a passkey (a new ceremony), the authenticator app or the recovery code instead',
        body: Type.Object(
          {
            flow: FlowToken,
            method: Type.Union([
              Type.Literal('passkey'),
              Type.Literal('totp'),
              Type.Literal('recovery_code'),
            ]),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ status: Type.Literal('continue'), flow: FlowView }),
          ...errors('FLOW_NOT_FOUND', 'FLOW_STATE_CONFLICT', 'METHOD_NOT_AVAILABLE'),
        },
      },
    },
    async (request) => ({
      status: 'continue' as const,
      flow: presentFlow(
        await services.signIn.chooseMethod({
          token: request.body.flow,
          method: request.body.method,
          origin: origin(request),
        }),
      ),
    }),
  );

  routes.post(
    '/api/v1/sign-in/recovery-code-saved',
    {
      schema: {
        tags,
        summary: 'The user saved the recovery code shown in this sign-in; go on',
        body: Type.Object({ flow: FlowToken }, { additionalProperties: false }),
        response: { 200: SignInResult, ...errors('FLOW_NOT_FOUND', 'FLOW_STATE_CONFLICT') },
      },
    },
    async (request, reply) =>
      answer(
        reply,
        await services.signIn.recoveryCodeSaved({
          token: request.body.flow,
          origin: origin(request),
        }),
      ),
  );

  routes.post(
    '/api/v1/sign-in/pending-phone/decline',
    {
      schema: {
        tags,
        summary:
          'In confirm_pending_phone: verify another way (the current phone, another factor); the number the administrator entered stays pending for the next sign-in',
        body: Type.Object({ flow: FlowToken }, { additionalProperties: false }),
        response: {
          200: SignInResult,
          ...errors(
            'FLOW_NOT_FOUND',
            'FLOW_STATE_CONFLICT',
            'RESEND_TOO_SOON',
            'SEND_LIMIT_REACHED',
            'SEND_BUDGET_EXHAUSTED',
            'DELIVERY_FAILED',
          ),
        },
      },
    },
    async (request, reply) =>
      answer(
        reply,
        await services.signIn.declinePendingPhone({
          token: request.body.flow,
          origin: origin(request),
        }),
      ),
  );

  routes.post(
    '/api/v1/sign-in/skip',
    {
      schema: {
        tags,
        summary:
          '"Skip for Now": go on without meeting the policy minimum (a phone, an app, a passkey), while the policy allows it',
        body: Type.Object({ flow: FlowToken }, { additionalProperties: false }),
        response: { 200: SignInResult, ...errors('FLOW_NOT_FOUND', 'FLOW_STATE_CONFLICT') },
      },
    },
    async (request, reply) =>
      answer(
        reply,
        await services.signIn.skip({ token: request.body.flow, origin: origin(request) }),
      ),
  );
}
