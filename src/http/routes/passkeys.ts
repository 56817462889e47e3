/**
 * Passkeys on the account security page (signed-in context; S15, S20, S21): add one (a
 * registration ceremony, then its answer with a name), rename or remove one — each after a
 * step-up — and step up with a passkey.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RouteServices } from '../../services.js';
import { signedIn } from '../auth.js';
import { presentCeremony, presentPasskey } from '../present.js';
import {
  errors,
  FlowToken,
  PasskeyAssertion,
  PasskeyAttestation,
  PasskeyCreationOptions,
  PasskeyInfo,
  PasskeyName,
  ResourceId,
  Timestamp,
} from '../schemas.js';
import { setSessionCookie, type CookiePolicy } from '../session-cookie.js';
import { origin } from './public.js';

const PasskeyId = Type.Object({ id: ResourceId }, { additionalProperties: false });

export function registerPasskeyRoutes(
  app: FastifyInstance,
  s: RouteServices,
  cookie: CookiePolicy,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['account security'];

  r.post(
    '/api/v1/passkeys/start',
    {
      schema: {
        tags,
        summary:
          'Add a passkey: a registration ceremony (discoverable, user verification, your passkeys excluded)',
        response: {
          200: Type.Object({
            registration: Type.Object({
              flow: FlowToken,
              options: PasskeyCreationOptions,
              expiresAt: Timestamp,
            }),
          }),
          ...errors('UNAUTHENTICATED', 'STEP_UP_REQUIRED'),
        },
      },
    },
    async (request) => ({
      registration: presentCeremony(await s.passkey.start(signedIn(request))),
    }),
  );

  r.post(
    '/api/v1/passkeys/finish',
    {
      schema: {
        tags,
        summary: "Save the new passkey under the name you gave it, from the ceremony's answer",
        body: Type.Object(
          { flow: FlowToken, name: PasskeyName, credential: PasskeyAttestation },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ passkey: PasskeyInfo }),
          ...errors(
            'UNAUTHENTICATED',
            'STEP_UP_REQUIRED',
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
    async (request) => {
      const auth = signedIn(request);
      const saved = await s.passkey.finish(
        auth,
        { flow: request.body.flow, name: request.body.name, response: request.body.credential },
        origin(request),
      );
      return { passkey: presentPasskey(saved, await s.passkey.removable(auth.account, saved)) };
    },
  );

  r.patch(
    '/api/v1/passkeys/:id',
    {
      schema: {
        tags,
        summary: 'Rename a passkey (needs a step-up)',
        params: PasskeyId,
        body: Type.Object({ name: PasskeyName }, { additionalProperties: false }),
        response: {
          200: Type.Object({ passkey: PasskeyInfo }),
          ...errors('UNAUTHENTICATED', 'STEP_UP_REQUIRED', 'PASSKEY_NOT_FOUND'),
        },
      },
    },
    async (request) => {
      const auth = signedIn(request);
      const renamed = await s.passkey.rename(
        auth,
        request.params.id,
        request.body.name,
        origin(request),
      );
      return {
        passkey: presentPasskey(renamed, await s.passkey.removable(auth.account, renamed)),
      };
    },
  );

  r.delete(
    '/api/v1/passkeys/:id',
    {
      schema: {
        tags,
        summary:
          'Remove a passkey: it stops working at once (needs a step-up; refused when the policy needs it)',
        params: PasskeyId,
        response: {
          204: Type.Null(),
          ...errors('UNAUTHENTICATED', 'STEP_UP_REQUIRED', 'PASSKEY_NOT_FOUND', 'FACTOR_REQUIRED'),
        },
      },
    },
    async (request, reply) => {
      await s.passkey.remove(signedIn(request), request.params.id, origin(request));
      return reply.code(204).send(null);
    },
  );

  r.post(
    '/api/v1/step-up/verify-passkey',
    {
      schema: {
        tags,
        summary:
          "Step up with a passkey: the answer to the step-up's ceremony; a new session token",
        body: Type.Object(
          { flow: FlowToken, credential: PasskeyAssertion },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ validUntil: Timestamp }),
          ...errors(
            'UNAUTHENTICATED',
            'FLOW_NOT_FOUND',
            'FLOW_STATE_CONFLICT',
            'CEREMONY_EXPIRED',
            'PASSKEY_INVALID',
            'PASSKEY_BLOCKED',
            'TOO_MANY_ATTEMPTS',
          ),
        },
      },
    },
    async (request, reply) => {
      const { token, session } = await s.stepUp.verifyPasskey(
        signedIn(request),
        request.body.flow,
        request.body.credential,
        origin(request),
      );
      setSessionCookie(reply, cookie, token);
      const until = (await s.stepUp.validUntil(session)) ?? s.clock.now();
      return { validUntil: new Date(until).toISOString() };
    },
  );
}
