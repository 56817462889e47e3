/**
 * Adding, replacing or removing the authenticator app (S12, S13): a new key and QR code, saved
 * only once a code from the app confirms it; both need a step-up, and removing is refused while
 * the policy needs the app.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RouteServices } from '../../../services.js';
import { signedIn } from '../../auth.js';
import { Code, errors, FlowToken, TotpEnrolment, TotpInfo } from '../../schemas.js';
import { origin } from '../origin.js';
import { iso, isoOrNull } from './time.js';

export function registerTotpRoutes(app: FastifyInstance, services: RouteServices): void {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['account security'];

  routes.post(
    '/api/v1/totp/start',
    {
      schema: {
        tags,
        summary:
          'Add or replace the authenticator app: a new key and QR code, saved only once a code confirms it',
        response: {
          200: Type.Object({ enrolment: TotpEnrolment }),
          ...errors('UNAUTHENTICATED', 'STEP_UP_REQUIRED', 'FACTOR_NOT_ALLOWED'),
        },
      },
    },
    async (request) => {
      const enrolment = await services.totp.start(signedIn(request));
      return { enrolment: { ...enrolment, expiresAt: iso(enrolment.expiresAt) } };
    },
  );

  routes.post(
    '/api/v1/totp/confirm',
    {
      schema: {
        tags,
        summary: 'Confirm the new authenticator app with a code it shows; only then is it saved',
        body: Type.Object({ flow: FlowToken, code: Code }, { additionalProperties: false }),
        response: {
          200: Type.Object({ totp: TotpInfo }),
          ...errors(
            'UNAUTHENTICATED',
            'STEP_UP_REQUIRED',
            'FLOW_NOT_FOUND',
            'CODE_INVALID',
            'TOO_MANY_ATTEMPTS',
          ),
        },
      },
    },
    async (request) => {
      const saved = await services.totp.confirm(
        signedIn(request),
        request.body.flow,
        request.body.code,
        origin(request),
      );
      return {
        totp: { addedAt: iso(saved.created_at), lastUsedAt: isoOrNull(saved.last_used_at) },
      };
    },
  );

  routes.delete(
    '/api/v1/totp',
    {
      schema: {
        tags,
        summary: 'Remove the authenticator app (needs a step-up; refused when the policy needs it)',
        response: {
          204: Type.Null(),
          ...errors('UNAUTHENTICATED', 'STEP_UP_REQUIRED', 'TOTP_NOT_FOUND', 'FACTOR_REQUIRED'),
        },
      },
    },
    async (request, reply) => {
      await services.totp.remove(signedIn(request), origin(request));
      return reply.code(204).send(null);
    },
  );
}
