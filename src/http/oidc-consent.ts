/**
 * The consent page's JSON routes, under the interaction's own path so the provider's interaction
 * cookie (scoped to it) binds the answer to the browser that started the sign-in:
 * `GET /oidc/interaction/:uid/consent` (what the application asks for) and `POST` (the answer;
 * CSRF-checked like every state-changing request, `{ redirectTo }` back to the application).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Provider } from 'oidc-provider';
import { answerConsent, consentView } from '../oidc/consent.js';
import type { InteractionDeps } from '../oidc/interaction.js';
import { errors } from './schemas.js';

const tags = ['openid connect'];
const Params = Type.Object({ uid: Type.String({ minLength: 1, maxLength: 100 }) });
const consentErrors = () => errors('OIDC_INTERACTION_NOT_FOUND', 'OIDC_INTERACTION_MOVED');

export function registerOidcConsentRoutes(
  app: FastifyInstance,
  provider: () => Promise<Provider>,
  deps: InteractionDeps,
): void {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  routes.get(
    '/oidc/interaction/:uid/consent',
    {
      schema: {
        tags,
        summary: 'What an application signing in through Portcullis asks the user to allow',
        params: Params,
        response: {
          200: Type.Object({
            client: Type.Object({ name: Type.String() }),
            scopes: Type.Array(Type.Object({ scope: Type.String(), description: Type.String() })),
          }),
          ...consentErrors(),
        },
      },
    },
    async (request, reply) => consentView(await provider(), deps, request.raw, reply.raw),
  );
  routes.post(
    '/oidc/interaction/:uid/consent',
    {
      schema: {
        tags,
        summary: 'Allow or decline what the application asks for; where the browser goes next',
        params: Params,
        body: Type.Object({ allow: Type.Boolean() }, { additionalProperties: false }),
        response: {
          200: Type.Object({ redirectTo: Type.String() }),
          ...consentErrors(),
        },
      },
    },
    async (request, reply) => ({
      redirectTo: await answerConsent(
        await provider(),
        deps,
        request.raw,
        reply.raw,
        request.body.allow,
      ),
    }),
  );
}
