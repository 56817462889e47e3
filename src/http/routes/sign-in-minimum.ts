/**
 * Meeting the policy's minimum inside sign-in (seed 001: "you're required to have 1 of the
 * following verified on your account"): choose a way, then add each factor it lacks — a phone
 * (`sign-in/phone`, then the code), the authenticator app (its key is in the flow; a code from
 * the app confirms it) or a passkey (a registration ceremony held by the flow). "Skip for Now" is
 * `sign-in/skip`, while the policy allows it. Answers are sign-in results.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RouteServices } from '../../services.js';
import {
  Code,
  errors,
  FlowToken,
  PasskeyAttestation,
  PasskeyName,
  SignInResult,
} from '../schemas.js';
import type { CookiePolicy } from '../session-cookie.js';
import { origin, signInAnswer } from './public.js';

export function registerSignInMinimumRoutes(
  app: FastifyInstance,
  s: RouteServices,
  cookie: CookiePolicy,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['public'];
  const answer = signInAnswer(s, cookie);

  r.post(
    '/api/v1/sign-in/minimum',
    {
      schema: {
        tags,
        summary:
          "Choose a way to meet the policy's minimum (an index into `flow.minimum.ways`): on to the first factor it lacks",
        body: Type.Object(
          { flow: FlowToken, choice: Type.Integer({ minimum: 0, maximum: 20 }) },
          { additionalProperties: false },
        ),
        response: {
          200: SignInResult,
          ...errors('FLOW_NOT_FOUND', 'FLOW_STATE_CONFLICT', 'METHOD_NOT_AVAILABLE'),
        },
      },
    },
    async (request, reply) =>
      answer(
        reply,
        await s.signIn.chooseMinimum({
          token: request.body.flow,
          choice: request.body.choice,
          origin: origin(request),
        }),
      ),
  );

  r.post(
    '/api/v1/sign-in/totp',
    {
      schema: {
        tags,
        summary: 'Confirm the new authenticator app with a code from it (enrol_totp step)',
        body: Type.Object({ flow: FlowToken, code: Code }, { additionalProperties: false }),
        response: {
          200: SignInResult,
          ...errors(
            'FLOW_NOT_FOUND',
            'FLOW_STATE_CONFLICT',
            'CODE_INVALID',
            'TOO_MANY_ATTEMPTS',
            'ACCOUNT_LOCKED',
          ),
        },
      },
    },
    async (request, reply) =>
      answer(
        reply,
        await s.signIn.addFactor({
          token: request.body.flow,
          factor: 'totp',
          answer: { code: request.body.code },
          origin: origin(request),
        }),
      ),
  );

  r.post(
    '/api/v1/sign-in/passkey-registration',
    {
      schema: {
        tags,
        summary:
          "Save a new passkey from the answer to the flow's registration ceremony (enrol_passkey step). To try again, choose the way again (a new ceremony).",
        body: Type.Object(
          { flow: FlowToken, name: PasskeyName, credential: PasskeyAttestation },
          { additionalProperties: false },
        ),
        response: {
          200: SignInResult,
          ...errors(
            'FLOW_NOT_FOUND',
            'FLOW_STATE_CONFLICT',
            'CEREMONY_EXPIRED',
            'PASSKEY_INVALID',
            'PASSKEY_USER_NOT_VERIFIED',
            'PASSKEY_ALREADY_REGISTERED',
          ),
        },
      },
    },
    async (request, reply) =>
      answer(
        reply,
        await s.signIn.addFactor({
          token: request.body.flow,
          factor: 'passkey',
          answer: { name: request.body.name, response: request.body.credential },
          origin: origin(request),
        }),
      ),
  );
}
