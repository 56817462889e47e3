/** The signed-in user's own account: the password, recent security activity (issue 6). */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { recentActivity } from '../../accounts/activity.js';
import type { Services } from '../../services.js';
import { signedIn } from '../auth.js';
import { errors, Password, Timestamp } from '../schemas.js';
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

  r.get(
    '/api/v1/account/activity',
    {
      schema: {
        tags,
        summary: 'Recent security activity: sign-ins, failed attempts, changes, resets',
        response: {
          200: Type.Object({
            events: Type.Array(
              Type.Object({
                action: Type.String({ description: 'The audit action (`sign_in.succeeded`, …).' }),
                description: Type.String({ description: 'In plain words, for the page.' }),
                at: Timestamp,
                ip: Type.Union([Type.String(), Type.Null()]),
                userAgent: Type.Union([Type.String(), Type.Null()]),
                methods: Type.Union([Type.String(), Type.Null()], {
                  description: 'For a sign-in: the methods used (`pwd+otp`).',
                }),
              }),
            ),
          }),
          ...errors('UNAUTHENTICATED'),
        },
      },
    },
    async (request) => {
      const events = await recentActivity(s.store.db, signedIn(request).account.id);
      return { events: events.map((e) => ({ ...e, at: new Date(e.at).toISOString() })) };
    },
  );
}
