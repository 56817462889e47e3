/**
 * Public passkey routes (S15): password-less sign-in (a ceremony, then its answer) and the
 * passkey as the second factor of a sign-in flow. Answers are sign-in results, as after a password.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RouteServices } from '../../services.js';
import { presentCeremony } from '../present.js';
import {
  errors,
  FlowToken,
  PasskeyAssertion,
  PasskeyRequestOptions,
  SignInResult,
  Timestamp,
} from '../schemas.js';
import type { CookiePolicy } from '../session-cookie.js';
import { origin, signInAnswer } from './public.js';
import { ipLimit } from '../rate-limit.js';

export function registerPasskeySignInRoutes(
  app: FastifyInstance,
  s: RouteServices,
  cookie: CookiePolicy,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['public'];
  const answer = signInAnswer(s, cookie);
  const passkeyErrors = [
    'FLOW_NOT_FOUND',
    'FLOW_STATE_CONFLICT',
    'CEREMONY_EXPIRED',
    'PASSKEY_INVALID',
    'PASSKEY_USER_NOT_VERIFIED',
    'PASSKEY_BLOCKED',
  ] as const;

  r.post(
    '/api/v1/sign-in/passkey/options',
    {
      config: { rateLimit: ipLimit(s.config, 'public') },
      schema: {
        tags,
        summary:
          '"Sign in with a passkey" (or passkey autofill): a ceremony any of your passkeys may answer',
        response: {
          200: Type.Object({
            flow: FlowToken,
            options: PasskeyRequestOptions,
            expiresAt: Timestamp,
          }),
          ...errors(),
        },
      },
    },
    async () => presentCeremony(await s.signIn.passkeyOptions()),
  );

  r.post(
    '/api/v1/sign-in/passkey',
    {
      config: { rateLimit: ipLimit(s.config, 'signIn') },
      schema: {
        tags,
        summary:
          'Sign in with the passkey that answered the ceremony (user verification required; no password)',
        body: Type.Object(
          { flow: FlowToken, credential: PasskeyAssertion },
          { additionalProperties: false },
        ),
        response: {
          200: SignInResult,
          ...errors(...passkeyErrors, 'ACCOUNT_DISABLED', 'DELIVERY_FAILED'),
        },
      },
    },
    async (request, reply) =>
      answer(
        reply,
        await s.signIn.signInWithPasskey({
          token: request.body.flow,
          response: request.body.credential,
          origin: origin(request),
        }),
      ),
  );

  r.post(
    '/api/v1/sign-in/verify-passkey',
    {
      schema: {
        tags,
        summary: "In the second-factor step: the passkey's answer to the flow's ceremony",
        body: Type.Object(
          { flow: FlowToken, credential: PasskeyAssertion },
          { additionalProperties: false },
        ),
        response: {
          200: SignInResult,
          ...errors(...passkeyErrors, 'TOO_MANY_ATTEMPTS', 'ACCOUNT_LOCKED'),
        },
      },
    },
    async (request, reply) =>
      answer(
        reply,
        await s.signIn.verifyPasskey({
          token: request.body.flow,
          response: request.body.credential,
          origin: origin(request),
        }),
      ),
  );
}
