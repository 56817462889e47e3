/**
 * `GET /api/v1/config`: what the hosted pages need to know about this deployment — its name, the
 * preset that sets their wording and the account page's title, whether anyone may sign up, how a password may be reset and
 * its length rules. The policy is read at every request (an administrator may change it).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { PASSWORD_MAX_LENGTH } from '../../../factors/password/rules.js';
import type { PolicyName } from '../../../policy/presets.js';
import type { RouteServices } from '../../../services.js';

/** The account page's title when ACCOUNT_PAGE_TITLE is unset: what each preset's guide calls it. */
const accountPageTitles: Record<PolicyName, string> = {
  'email-first': 'Account Management',
  'strong-mfa': 'Manage My Account',
  'sms-required': 'My Details',
};

export function registerConfigRoute(app: FastifyInstance, services: RouteServices): void {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['public'];

  routes.get(
    '/api/v1/config',
    {
      schema: {
        tags,
        summary: 'What the hosted pages need to know about this deployment',
        response: {
          200: Type.Object({
            portalName: Type.String(),
            accountPageTitle: Type.String({
              description:
                "The account page's title (ACCOUNT_PAGE_TITLE, or the preset's own: seed 000's Account Management, seed 002's My Details).",
            }),
            policy: Type.String({
              description:
                "The preset the policy is or extends (email-first, strong-mfa or sms-required): it sets the pages' wording.",
            }),
            selfSignUp: Type.Boolean(),
            passwordReset: Type.Array(
              Type.Union([Type.Literal('email'), Type.Literal('recovery_code')]),
              {
                description:
                  'How a forgotten password may be reset, in the order offered (see /api/v1/password-reset).',
              },
            ),
            passwordMinLength: Type.Integer(),
            passwordMaxLength: Type.Integer(),
            devOutbox: Type.Boolean(),
            returnToOrigins: Type.Array(Type.String(), {
              description:
                'Origins a sign-in may send the browser back to (RETURN_TO_ORIGINS), beside this site.',
            }),
          }),
        },
      },
    },
    async () => {
      // The deployment's policy as it is now (an administrator may have changed it).
      const policy = await services.policies.deployment();
      return {
        portalName: services.config.portalName,
        accountPageTitle: services.config.accountPageTitle ?? accountPageTitles[policy.preset],
        policy: policy.preset,
        selfSignUp: services.config.selfSignUp,
        passwordReset: policy.passwordReset,
        passwordMinLength: services.config.passwordMinLength,
        passwordMaxLength: PASSWORD_MAX_LENGTH,
        devOutbox: services.devOutbox,
        returnToOrigins: services.config.portals.returnToOrigins,
      };
    },
  );
}
