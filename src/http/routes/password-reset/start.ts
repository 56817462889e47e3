/**
 * Starting a forgotten-password reset (the same answer for any address, S6) and reading its
 * current step. Limited per IP.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RouteServices } from '../../../services.js';
import { ipLimit } from '../../rate-limit.js';
import { Email, errors, FlowToken } from '../../schemas.js';
import { origin } from '../origin.js';
import { Continue, flowErrors, proceed, ResetMethod } from './view.js';

export function registerResetStartRoutes(app: FastifyInstance, services: RouteServices): void {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['password reset'];

  routes.post(
    '/api/v1/password-reset',
    {
      config: { rateLimit: ipLimit(services.config, 'public') },
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
      proceed(await services.passwordReset.start({ ...request.body, origin: origin(request) })),
  );

  routes.post(
    '/api/v1/password-reset/flow',
    {
      config: { rateLimit: ipLimit(services.config, 'public') },
      schema: {
        tags,
        summary: 'The current step of a password reset',
        body: Type.Object({ flow: FlowToken }, { additionalProperties: false }),
        response: { 200: Continue, ...errors(...flowErrors) },
      },
    },
    async (request) => proceed(await services.passwordReset.view(request.body.flow)),
  );
}
