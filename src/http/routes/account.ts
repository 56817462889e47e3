/** The signed-in user's own account details: the password (issue 6). */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';
import { signedIn } from '../auth.js';
import { errors, Password } from '../schemas.js';
import { origin } from './public.js';

export function registerAccountRoutes(app: FastifyInstance, s: Services): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['account'];

  r.post(
    '/api/v1/account/password',
    {
      schema: {
        tags,
        summary: 'Change the password (a fresh step-up and the current password)',
        body: Type.Object(
          {
            currentPassword: Password,
            newPassword: Password,
            endOtherSessions: Type.Boolean({
              description:
                'End every other session of the account ("Sign out of my other devices").',
            }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            sessionsEnded: Type.Integer({ description: 'Other sessions ended.' }),
          }),
          ...errors(
            'UNAUTHENTICATED',
            'STEP_UP_REQUIRED',
            'CURRENT_PASSWORD_INVALID',
            'TOO_MANY_ATTEMPTS',
            'ACCOUNT_LOCKED',
          ),
        },
      },
    },
    async (request) => s.changePassword(signedIn(request), request.body, origin(request)),
  );
}
