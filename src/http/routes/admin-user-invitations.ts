/**
 * An invited user's invitation, from the admin console: send it again (a new link; the old one
 * stops) or revoke it (no link works; sending again makes a new one). Only for a user still
 * invited: one who accepted is answered NOT_INVITED.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { anyAdmin } from '../../admin/access.js';
import { AppError } from '../../errors/app-error.js';
import type { RouteServices } from '../../services.js';
import { adminTargetOf, signedIn } from '../auth.js';
import { errors, Timestamp } from '../schemas.js';
import { iso, Reason, tags, UserParams } from './admin-user-views.js';
import { origin } from './origin.js';

const codes = [...anyAdmin.errors, 'USER_NOT_FOUND', 'SELF_ADMIN_ACTION', 'NOT_INVITED'] as const;

/** The target, while they are still invited. */
function invited(request: FastifyRequest) {
  const target = adminTargetOf(request);
  if (target.state !== 'invited') throw new AppError('NOT_INVITED');
  return target;
}

export function registerAdminInvitationRoutes(app: FastifyInstance, s: RouteServices): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/api/v1/admin/users/:userId/invitation/resend',
    {
      schema: {
        ...anyAdmin.declared,
        tags,
        summary: 'Send the invitation again: a new link by email; the old one stops',
        params: UserParams,
        response: { 200: Type.Object({ expiresAt: Timestamp }), ...errors(...codes) },
      },
    },
    async (request) => {
      const target = invited(request);
      const { expiresAt } = await s.accounts.invite({
        email: target.email,
        role: target.role,
        invitedBy: signedIn(request).account.id,
        send: true,
      });
      return { expiresAt: iso(expiresAt) };
    },
  );

  r.delete(
    '/api/v1/admin/users/:userId/invitation',
    {
      schema: {
        ...anyAdmin.declared,
        tags,
        summary: 'Revoke the invitation: its link stops working',
        params: UserParams,
        body: Type.Optional(
          Type.Object({ reason: Type.Optional(Reason) }, { additionalProperties: false }),
        ),
        response: { 204: Type.Null(), ...errors(...codes) },
      },
    },
    async (request, reply) => {
      const target = invited(request);
      const revoked = await s.accounts.revokeInvitation({
        accountId: target.id,
        actorId: signedIn(request).account.id,
        organisationId: target.organisation_id,
        reason: request.body?.reason ?? null,
        origin: origin(request),
      });
      if (!revoked) throw new AppError('NOT_INVITED');
      return reply.code(204).send(null);
    },
  );
}
