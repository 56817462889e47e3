/**
 * Admin routes: an admin with an AAL2 session (S23), checked by the admin context's guards for
 * every route registered here. Invitations; the deployment's policy and organisations
 * (admin-policy.ts, admin-organisations.ts); users (admin-user*.ts), the audit log, and the
 * OpenID Connect clients (admin-oidc-clients.ts).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { deploymentOnly } from '../../admin/access.js';
import type { RouteServices } from '../../services.js';
import { signedIn } from '../auth.js';
import { Email, errors, Timestamp } from '../schemas.js';
import { registerAdminAuditRoutes } from './admin-audit.js';
import { registerAdminOidcClientRoutes } from './admin-oidc-clients.js';
import { registerAdminOrganisationRoutes } from './admin-organisations.js';
import { registerAdminPolicyRoutes } from './admin-policy.js';
import { registerAdminInvitationRoutes } from './admin-user-invitations.js';
import { registerAdminUserFactorRoutes } from './admin-user-factors.js';
import { registerAdminUserRoutes } from './admin-users.js';

export function registerAdminRoutes(app: FastifyInstance, s: RouteServices): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  registerAdminPolicyRoutes(app, s);
  registerAdminOrganisationRoutes(app, s);
  registerAdminUserRoutes(app, s);
  registerAdminUserFactorRoutes(app, s);
  registerAdminInvitationRoutes(app, s);
  registerAdminAuditRoutes(app, s);
  registerAdminOidcClientRoutes(app, s);
  r.post(
    '/api/v1/admin/invitations',
    {
      schema: {
        ...deploymentOnly.declared,
        tags: ['admin'],
        summary: 'Invite someone by email',
        body: Type.Object(
          {
            email: Email,
            role: Type.Union([Type.Literal('user'), Type.Literal('admin')], { default: 'user' }),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            invitation: Type.Object({
              id: Type.String(),
              email: Type.String(),
              role: Type.String(),
              expiresAt: Timestamp,
            }),
            link: Type.String(),
          }),
          ...errors(...deploymentOnly.errors, 'INVALID_EMAIL'),
        },
      },
    },
    async (request, reply) => {
      const admin = signedIn(request);
      const inv = await s.accounts.invite({
        email: request.body.email,
        role: request.body.role,
        invitedBy: admin.account.id,
        send: true,
      });
      return reply.code(201).send({
        invitation: {
          id: inv.accountId,
          email: request.body.email.trim(),
          role: request.body.role,
          expiresAt: new Date(inv.expiresAt).toISOString(),
        },
        link: inv.link,
      });
    },
  );
}
