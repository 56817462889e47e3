/**
 * The recovery code (S14): "Get a new code" shows a new one once and ends the old one (after a
 * step-up); the user then confirms they saved it.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { formatRecoveryCode } from '../../../factors/recovery/code.js';
import type { IssuedRecoveryCode } from '../../../factors/recovery/service.js';
import type { RouteServices } from '../../../services.js';
import { signedIn } from '../../auth.js';
import { errors, RecoveryCodeShown } from '../../schemas.js';
import { origin } from '../origin.js';
import { iso } from './time.js';

const presentRecoveryCode = ({ code, record }: IssuedRecoveryCode) => ({
  code: formatRecoveryCode(code),
  digits: record.digits,
  createdAt: iso(record.created_at),
});

export function registerRecoveryCodeRoutes(app: FastifyInstance, services: RouteServices): void {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['account security'];

  routes.post(
    '/api/v1/recovery-code',
    {
      schema: {
        tags,
        summary:
          '"Get a new code": a new recovery code, shown once; the old one stops working (needs a step-up)',
        response: {
          200: Type.Object({ recoveryCode: RecoveryCodeShown() }),
          ...errors('UNAUTHENTICATED', 'STEP_UP_REQUIRED'),
        },
      },
    },
    async (request) => ({
      recoveryCode: presentRecoveryCode(
        await services.recovery.regenerate(signedIn(request), origin(request)),
      ),
    }),
  );

  routes.post(
    '/api/v1/recovery-code/saved',
    {
      schema: {
        tags,
        summary: 'The user confirms they saved the recovery code',
        response: {
          204: Type.Null(),
          ...errors('UNAUTHENTICATED', 'RECOVERY_CODE_NOT_FOUND'),
        },
      },
    },
    async (request, reply) => {
      await services.recovery.markSaved(signedIn(request).account, origin(request));
      return reply.code(204).send(null);
    },
  );
}
