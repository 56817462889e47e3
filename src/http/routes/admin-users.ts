/**
 * The admin console's users (seed 002's help desk): find users, read one, and act on one — turn
 * MFA off for a while or back on, unlock, end every session, deactivate and reactivate. Who may
 * call each route is declared on it (`admin/access.ts`) and checked before its input is read.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { anyAdmin, anyAdminSteppedUp } from '../../admin/access.js';
import type { RouteServices } from '../../services.js';
import { adminScopeOf, adminTargetOf } from '../auth.js';
import { errors, Timestamp } from '../schemas.js';
import {
  actOf,
  iso,
  Nullable,
  present,
  Reason,
  tags,
  UserParams,
  UserQuery,
  UserSummary,
  UserView,
} from './admin-user-views.js';

export function registerAdminUserRoutes(app: FastifyInstance, s: RouteServices): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/v1/admin/users',
    {
      schema: {
        ...anyAdmin.declared,
        tags,
        summary: 'Find users: by email or name prefix, organisation, state, factor; keyset paging',
        querystring: UserQuery,
        response: {
          200: Type.Object({ users: Type.Array(UserSummary), nextCursor: Nullable(Type.String()) }),
          ...errors(...anyAdmin.errors, 'INVALID_CURSOR'),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await s.adminUsers.search(adminScopeOf(request), {
        ...(q.q === undefined ? {} : { q: q.q }),
        ...(q.organisationId === undefined ? {} : { organisationId: q.organisationId }),
        ...(q.state === undefined ? {} : { state: q.state as never }),
        ...(q.holds === undefined ? {} : { holds: q.holds as never }),
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
        sort: q.sort ?? 'newest',
        limit: q.limit ?? 25,
      });
      return {
        users: page.users.map((u) => ({ ...u, createdAt: iso(u.createdAt) })),
        nextCursor: page.nextCursor,
      };
    },
  );

  r.get(
    '/api/v1/admin/users/:userId',
    {
      schema: {
        ...anyAdmin.declared,
        tags,
        summary: 'One user: account, factors (masked), sessions, recent events, allowed actions',
        params: UserParams,
        response: {
          200: UserView,
          ...errors(...anyAdmin.errors, 'USER_NOT_FOUND', 'SELF_ADMIN_ACTION'),
        },
      },
    },
    async (request) => present(await s.adminUsers.detail(adminTargetOf(request)), s.clock.now()),
  );

  r.post(
    '/api/v1/admin/users/:userId/mfa-exemption',
    {
      schema: {
        ...anyAdminSteppedUp.declared,
        tags,
        summary:
          "Turn MFA off for a while (the user's policy allows and caps it); it ends by itself",
        params: UserParams,
        body: Type.Object(
          {
            reason: Reason,
            hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 720, default: 24 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ mfaOffUntil: Timestamp }),
          ...errors(
            ...anyAdminSteppedUp.errors,
            'USER_NOT_FOUND',
            'SELF_ADMIN_ACTION',
            'ADMIN_ACTION_NOT_ALLOWED',
            'EXEMPTION_TOO_LONG',
          ),
        },
      },
    },
    async (request) => {
      const { reason, hours } = request.body;
      const until = await s.adminUsers.actions.exemptFromMfa(actOf(request, reason), hours ?? 24);
      return { mfaOffUntil: iso(until) };
    },
  );

  r.delete(
    '/api/v1/admin/users/:userId/mfa-exemption',
    {
      schema: {
        ...anyAdmin.declared,
        tags,
        summary: 'Turn MFA back on before the exemption ends',
        params: UserParams,
        response: {
          204: Type.Null(),
          ...errors(...anyAdmin.errors, 'USER_NOT_FOUND', 'SELF_ADMIN_ACTION', 'NOT_EXEMPT'),
        },
      },
    },
    async (request, reply) => {
      await s.adminUsers.actions.endExemption(actOf(request));
      return reply.code(204).send(null);
    },
  );

  const simple = [
    {
      path: 'unlock',
      summary: 'Unlock: clear the lock-out and its failure counters (S5)',
      act: 'unlock',
      access: anyAdmin,
    },
    {
      path: 'sessions/end',
      summary: "End every one of the user's sessions",
      act: 'endSessions',
      access: anyAdmin,
    },
    {
      path: 'deactivate',
      summary: 'Deactivate: no sign-in, every session ends at once',
      act: 'deactivate',
      access: anyAdminSteppedUp,
    },
    {
      path: 'reactivate',
      summary: 'Reactivate a deactivated user',
      act: 'reactivate',
      access: anyAdmin,
    },
  ] as const;
  for (const route of simple)
    r.post(
      `/api/v1/admin/users/:userId/${route.path}`,
      {
        schema: {
          ...route.access.declared,
          tags,
          summary: route.summary,
          params: UserParams,
          body: Type.Optional(
            Type.Object({ reason: Type.Optional(Reason) }, { additionalProperties: false }),
          ),
          response: {
            204: Type.Null(),
            ...errors(
              ...route.access.errors,
              'USER_NOT_FOUND',
              'SELF_ADMIN_ACTION',
              'USER_CHANGED',
            ),
          },
        },
      },
      async (request, reply) => {
        await s.adminUsers.actions[route.act](actOf(request, request.body?.reason ?? null));
        return reply.code(204).send(null);
      },
    );
}
