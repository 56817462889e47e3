/**
 * Sign-in with email and password, and its code steps: the flow's current step, entering a code
 * (any code step, or only the email's) and sending a new one. Answers go through `signInAnswer`:
 * another step, a restart, or a session cookie.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RouteServices } from '../../../services.js';
import { presentFlow } from '../../present.js';
import { ipLimit } from '../../rate-limit.js';
import {
  ChannelChoice,
  Code,
  Email,
  errors,
  FlowToken,
  FlowView,
  oneTimeCodeErrors,
  Password,
  SignInResult,
} from '../../schemas.js';
import type { CookiePolicy } from '../../session-cookie.js';
import { origin } from '../origin.js';
import { signInAnswer } from '../sign-in-answer.js';

export function registerSignInRoutes(
  app: FastifyInstance,
  services: RouteServices,
  cookie: CookiePolicy,
): void {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['public'];
  const answer = signInAnswer(services, cookie);

  routes.post(
    '/api/v1/sign-in',
    {
      config: { rateLimit: ipLimit(services.config, 'signIn') },
      schema: {
        tags,
        summary: 'Sign in with email and password',
        body: Type.Object({ email: Email, password: Password }, { additionalProperties: false }),
        response: {
          200: SignInResult,
          ...errors(
            'INVALID_CREDENTIALS',
            'TOO_MANY_ATTEMPTS',
            'ACCOUNT_LOCKED',
            'ACCOUNT_DISABLED',
            'DELIVERY_FAILED',
          ),
        },
      },
    },
    async (request, reply) =>
      answer(reply, await services.signIn.start({ ...request.body, origin: origin(request) })),
  );

  routes.post(
    '/api/v1/sign-in/flow',
    {
      schema: {
        tags,
        summary: 'The current step of a sign-in flow',
        body: Type.Object({ flow: FlowToken }, { additionalProperties: false }),
        response: {
          200: Type.Object({ status: Type.Literal('continue'), flow: FlowView }),
          ...errors('FLOW_NOT_FOUND', 'FLOW_STATE_CONFLICT'),
        },
      },
    },
    async (request) => ({
      status: 'continue' as const,
      flow: presentFlow(await services.signIn.view(request.body.flow)),
    }),
  );

  // One handler for every code step; /verify-email is the same, limited to the email step.
  const codeSteps = [
    {
      url: '/api/v1/sign-in/verify-code',
      only: undefined,
      summary: 'Enter the code of the current step ("Verify Code")',
    },
    {
      url: '/api/v1/sign-in/verify-email',
      only: 'verify_email' as const,
      summary: 'Verify the email address with the code sent to it',
    },
  ];
  for (const step of codeSteps) {
    routes.post(
      step.url,
      {
        schema: {
          tags,
          summary: step.summary,
          body: Type.Object({ flow: FlowToken, code: Code }, { additionalProperties: false }),
          response: {
            200: SignInResult,
            ...errors(
              'FLOW_NOT_FOUND',
              'FLOW_STATE_CONFLICT',
              ...oneTimeCodeErrors,
              'CODE_ALREADY_USED',
              'TOTP_NOT_FOUND',
              'RECOVERY_CODE_INVALID',
              'TOO_MANY_ATTEMPTS',
              'ACCOUNT_LOCKED',
            ),
          },
        },
      },
      async (request, reply) =>
        answer(
          reply,
          await services.signIn.verifyCode({
            token: request.body.flow,
            code: request.body.code,
            origin: origin(request),
            ...(step.only ? { only: step.only } : {}),
          }),
        ),
    );
  }

  routes.post(
    '/api/v1/sign-in/resend-code',
    {
      schema: {
        tags,
        summary: 'Send a new code (the old one stops working)',
        body: Type.Object(
          { flow: FlowToken, channel: Type.Optional(ChannelChoice) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ status: Type.Literal('continue'), flow: FlowView }),
          ...errors(
            'FLOW_NOT_FOUND',
            'FLOW_STATE_CONFLICT',
            'CHANNEL_NOT_AVAILABLE',
            'RESEND_TOO_SOON',
            'SEND_LIMIT_REACHED',
            'SEND_BUDGET_EXHAUSTED',
            'DELIVERY_FAILED',
          ),
        },
      },
    },
    async (request) => ({
      status: 'continue' as const,
      flow: presentFlow(
        await services.signIn.resendCode({
          token: request.body.flow,
          ...(request.body.channel ? { channel: request.body.channel } : {}),
          origin: origin(request),
        }),
      ),
    }),
  );
}
