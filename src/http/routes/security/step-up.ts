/**
 * Step-up (S20): verify your identity again with a factor you already have — the authenticator
 * app, a passkey or a code sent to you — before changing the account's security. A verified
 * step-up gives the session a new token.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { StepUpView as StepUpViewData } from '../../../flows/step-up/service.js';
import type { RouteServices } from '../../../services.js';
import { signedIn } from '../../auth.js';
import { presentCeremony, presentCode } from '../../present.js';
import {
  Code,
  codeSendErrors,
  errors,
  oneTimeCodeErrors,
  FlowToken,
  StepUpMethod,
  StepUpView,
  Timestamp,
} from '../../schemas.js';
import { setSessionCookie, type CookiePolicy } from '../../session-cookie.js';
import { origin } from '../origin.js';
import { iso } from './time.js';

const presentStepUp = (view: StepUpViewData) => ({
  ...view,
  code: presentCode(view.code),
  passkey: presentCeremony(view.passkey),
});

export function registerStepUpRoutes(
  app: FastifyInstance,
  services: RouteServices,
  cookie: CookiePolicy,
): void {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['account security'];

  routes.post(
    '/api/v1/step-up/start',
    {
      schema: {
        tags,
        summary:
          'Verify your identity again with a factor you already have: the authenticator app, or a code sent to you',
        body: Type.Object({ channel: StepUpMethod }, { additionalProperties: false }),
        response: {
          200: Type.Object({ flow: StepUpView }),
          // A phone whose country the allow-list dropped after it was confirmed.
          ...errors(
            'UNAUTHENTICATED',
            'METHOD_NOT_AVAILABLE',
            'PHONE_COUNTRY_NOT_ALLOWED',
            ...codeSendErrors,
          ),
        },
      },
    },
    async (request) => ({
      flow: presentStepUp(
        await services.stepUp.start(signedIn(request), request.body.channel, origin(request)),
      ),
    }),
  );

  routes.post(
    '/api/v1/step-up/resend',
    {
      schema: {
        tags,
        summary: 'Send a new step-up code, or switch method',
        body: Type.Object(
          { flow: FlowToken, channel: Type.Optional(StepUpMethod) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ flow: StepUpView }),
          // A resend (or a switch of method) sends as the start does.
          ...errors(
            'UNAUTHENTICATED',
            'FLOW_NOT_FOUND',
            'METHOD_NOT_AVAILABLE',
            'PHONE_COUNTRY_NOT_ALLOWED',
            ...codeSendErrors,
          ),
        },
      },
    },
    async (request) => ({
      flow: presentStepUp(
        await services.stepUp.resend(
          signedIn(request),
          request.body.flow,
          request.body.channel,
          origin(request),
        ),
      ),
    }),
  );

  routes.post(
    '/api/v1/step-up/verify',
    {
      schema: {
        tags,
        summary: 'Enter the step-up code; the session gets a new token',
        body: Type.Object({ flow: FlowToken, code: Code }, { additionalProperties: false }),
        response: {
          200: Type.Object({ validUntil: Timestamp }),
          ...errors(
            'UNAUTHENTICATED',
            'FLOW_NOT_FOUND',
            'FLOW_STATE_CONFLICT',
            ...oneTimeCodeErrors,
            'CODE_ALREADY_USED',
            'TOTP_NOT_FOUND',
            'TOO_MANY_ATTEMPTS',
            'ACCOUNT_LOCKED',
          ),
        },
      },
    },
    async (request, reply) => {
      const { token, session } = await services.stepUp.verify(
        signedIn(request),
        request.body.flow,
        request.body.code,
        origin(request),
      );
      setSessionCookie(reply, cookie, token);
      return {
        validUntil: iso((await services.stepUp.validUntil(session)) ?? services.clock.now()),
      };
    },
  );
}
