/**
 * Finishing a reset: choosing the new password (optionally ending every session; never signing
 * in, S22), then, where a recovery code was used, confirming the new one was saved.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RouteServices } from '../../../services.js';
import { ipLimit } from '../../rate-limit.js';
import { errors, passwordRuleErrors, FlowToken, Password } from '../../schemas.js';
import { origin } from '../origin.js';
import { answer, flowErrors, Result } from './view.js';

export function registerResetFinishRoutes(app: FastifyInstance, services: RouteServices): void {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['password reset'];

  routes.post(
    '/api/v1/password-reset/password',
    {
      config: { rateLimit: ipLimit(services.config, 'public') },
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
        await services.passwordReset.setPassword({
          token: request.body.flow,
          password: request.body.password,
          endSessions: request.body.endSessions,
          origin: origin(request),
        }),
      ),
  );

  routes.post(
    '/api/v1/password-reset/recovery-code-saved',
    {
      config: { rateLimit: ipLimit(services.config, 'public') },
      schema: {
        tags,
        summary: 'The user saved the new recovery code; the reset is complete',
        body: Type.Object({ flow: FlowToken }, { additionalProperties: false }),
        response: { 200: Result, ...errors(...flowErrors, 'RECOVERY_CODE_NOT_FOUND') },
      },
    },
    async (request) =>
      answer(
        await services.passwordReset.recoveryCodeSaved({
          token: request.body.flow,
          origin: origin(request),
        }),
      ),
  );
}
