/**
 * The admin console's actions on how a user signs in (seed 002: "update your phone number"): set
 * a pending phone number, reset a factor, ask for a new password, and (the deployment's
 * administrators only) make a member their organisation's administrator. What the user's policy
 * forbids is refused with ADMIN_ACTION_NOT_ALLOWED; the console hides it.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { anyAdmin, anyAdminSteppedUp, deploymentOnly } from '../../admin/access.js';
import { AppError } from '../../errors/app-error.js';
import type { RouteServices } from '../../services.js';
import { errors } from '../schemas.js';
import { actOf, Reason, tags, UserParams } from './admin-user-views.js';

const targetErrors = ['USER_NOT_FOUND', 'SELF_ADMIN_ACTION'] as const;

const literals = <T extends string>(values: readonly T[]) =>
  Type.Union(values.map((v) => Type.Literal(v)));

export function registerAdminUserFactorRoutes(app: FastifyInstance, s: RouteServices): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const actions = s.adminUsers.factorActions;

  r.post(
    '/api/v1/admin/users/:userId/phone',
    {
      schema: {
        ...anyAdminSteppedUp.declared,
        tags,
        summary:
          'Set a new phone number: pending until the user enters a code sent to it at their next sign-in',
        params: UserParams,
        body: Type.Object(
          {
            phone: Type.String({
              minLength: 1,
              maxLength: 64,
              description: 'E.164, e.g. +447546123456 (the same checks as the user’s own).',
            }),
            reason: Reason,
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ pendingPhone: Type.String({ description: 'Masked.' }) }),
          ...errors(
            ...anyAdminSteppedUp.errors,
            ...targetErrors,
            'ADMIN_ACTION_NOT_ALLOWED',
            'PHONE_INVALID',
            'PHONE_EXTENSION_NOT_ALLOWED',
            'PHONE_TYPE_NOT_SUPPORTED',
            'PHONE_COUNTRY_NOT_ALLOWED',
          ),
        },
      },
    },
    async (request) => {
      const { phone, reason } = request.body;
      return { pendingPhone: await actions.updatePhone(actOf(request, reason), phone) };
    },
  );

  r.post(
    '/api/v1/admin/users/:userId/factors/reset',
    {
      schema: {
        ...anyAdminSteppedUp.declared,
        tags,
        summary: 'Reset a factor: removed; the policy asks the user to add one at next sign-in',
        params: UserParams,
        body: Type.Object(
          {
            factor: literals(['phone', 'totp', 'passkey', 'recovery_code'] as const),
            passkeyId: Type.Optional(
              Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'For a passkey.' }),
            ),
            reason: Reason,
          },
          { additionalProperties: false },
        ),
        response: {
          204: Type.Null(),
          ...errors(
            ...anyAdminSteppedUp.errors,
            ...targetErrors,
            'ADMIN_ACTION_NOT_ALLOWED',
            'FACTOR_NOT_HELD',
            'VALIDATION_FAILED',
          ),
        },
      },
    },
    async (request, reply) => {
      const { factor, passkeyId, reason } = request.body;
      if (factor === 'passkey' && passkeyId === undefined)
        throw new AppError('VALIDATION_FAILED', { details: { field: 'passkeyId' } });
      await actions.resetFactor(actOf(request, reason), {
        factor,
        ...(passkeyId === undefined ? {} : { passkeyId }),
      });
      return reply.code(204).send(null);
    },
  );

  r.post(
    '/api/v1/admin/users/:userId/password-reset',
    {
      schema: {
        ...anyAdmin.declared,
        tags,
        summary: 'Email the user a way to set a new password themselves (never seen by an admin)',
        params: UserParams,
        body: Type.Optional(
          Type.Object({ reason: Type.Optional(Reason) }, { additionalProperties: false }),
        ),
        response: {
          204: Type.Null(),
          ...errors(...anyAdmin.errors, ...targetErrors, 'USER_CHANGED'),
        },
      },
    },
    async (request, reply) => {
      await actions.askForNewPassword(actOf(request, request.body?.reason ?? null));
      return reply.code(204).send(null);
    },
  );

  r.put(
    '/api/v1/admin/users/:userId/role',
    {
      schema: {
        ...deploymentOnly.declared,
        tags,
        summary: "Make a member their organisation's administrator, or a member again",
        params: UserParams,
        body: Type.Object(
          { role: literals(['org_admin', 'user'] as const), reason: Type.Optional(Reason) },
          { additionalProperties: false },
        ),
        response: {
          204: Type.Null(),
          ...errors(
            ...deploymentOnly.errors,
            ...targetErrors,
            'NOT_IN_ORGANISATION',
            'USER_CHANGED',
          ),
        },
      },
    },
    async (request, reply) => {
      const { role, reason } = request.body;
      await actions.setRole(actOf(request, reason ?? null), role);
      return reply.code(204).send(null);
    },
  );
}
