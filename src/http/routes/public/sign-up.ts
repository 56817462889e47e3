/**
 * Joining: sign-up (where the deployment allows it; the same answer whether or not the email is
 * taken), and invitations — checking a link and accepting it by setting a password. Each is
 * limited per IP.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../errors/app-error.js';
import type { RouteServices } from '../../../services.js';
import { ipLimit } from '../../rate-limit.js';
import {
  Email,
  errors,
  passwordRuleErrors,
  InvitationToken,
  Message,
  Password,
  Timestamp,
} from '../../schemas.js';
import { origin } from '../origin.js';

export function registerSignUpRoutes(app: FastifyInstance, services: RouteServices): void {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['public'];

  routes.post(
    '/api/v1/sign-up',
    {
      config: { rateLimit: ipLimit(services.config, 'signUp') },
      schema: {
        tags,
        summary: 'Create an account (answers the same whether or not the email is taken)',
        body: Type.Object({ email: Email, password: Password }, { additionalProperties: false }),
        response: {
          202: Message,
          ...errors('INVALID_EMAIL', ...passwordRuleErrors, 'SIGN_UP_DISABLED'),
        },
      },
    },
    async (request, reply) => {
      if (!services.config.selfSignUp) throw new AppError('SIGN_UP_DISABLED');
      await services.accounts.signUp({ ...request.body, origin: origin(request) });
      return reply.code(202).send({
        message:
          'Your account is ready unless this email already has one — then we emailed you. Sign in to continue; we will ask you to verify your email address.',
      });
    },
  );

  routes.post(
    '/api/v1/invitations/lookup',
    {
      config: { rateLimit: ipLimit(services.config, 'public') },
      schema: {
        tags,
        summary: 'Check an invitation link and show whose it is',
        body: Type.Object({ token: InvitationToken }, { additionalProperties: false }),
        response: {
          200: Type.Object({ email: Type.String(), expiresAt: Timestamp }),
          ...errors('INVITATION_INVALID'),
        },
      },
    },
    async (request) => {
      const invitation = await services.accounts.lookupInvitation(request.body.token);
      return { email: invitation.email, expiresAt: new Date(invitation.expiresAt).toISOString() };
    },
  );

  routes.post(
    '/api/v1/invitations/accept',
    {
      config: { rateLimit: ipLimit(services.config, 'public') },
      schema: {
        tags,
        summary: 'Accept an invitation by setting a password',
        body: Type.Object(
          { token: InvitationToken, password: Password },
          { additionalProperties: false },
        ),
        response: { 200: Message, ...errors('INVITATION_INVALID', ...passwordRuleErrors) },
      },
    },
    async (request) => {
      await services.accounts.acceptInvitation({ ...request.body, origin: origin(request) });
      return { message: 'Your password is set. Sign in to continue.' };
    },
  );
}
