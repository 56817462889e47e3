/**
 * The OpenID Connect relying parties, registered by the deployment's administrators (issue 14):
 * register one (a confidential client's secret is in the answer, once), list them, remove one
 * (its codes and tokens stop with it, as nothing can authenticate as it any more).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { deploymentOnly } from '../../admin/access.js';
import {
  ACR_VALUES,
  CONFIDENTIAL_AUTH_METHODS,
  ID_TOKEN_ALGS,
  OIDC_SCOPES,
  type ClientView,
} from '../../oidc/clients.js';
import type { RouteServices } from '../../services.js';
import { signedIn } from '../auth.js';
import { errors, Timestamp } from '../schemas.js';
import { origin } from './origin.js';

const tags = ['admin'];
const literals = <T extends string>(values: readonly T[]) =>
  Type.Union(values.map((v) => Type.Literal(v)));
const Uri = Type.String({ minLength: 1, maxLength: 2000 });

const Client = Type.Object({
  clientId: Type.String(),
  name: Type.String(),
  kind: literals(['confidential', 'public'] as const),
  redirectUris: Type.Array(Type.String()),
  postLogoutRedirectUris: Type.Array(Type.String()),
  scopes: Type.Array(Type.String()),
  minAcr: Type.String(),
  firstParty: Type.Boolean(),
  backchannelLogoutUri: Type.Union([Type.String(), Type.Null()]),
  authMethod: literals(['client_secret_basic', 'private_key_jwt', 'none'] as const),
  idTokenAlg: literals(ID_TOKEN_ALGS),
  createdAt: Timestamp,
});

const present = (c: ClientView) => ({ ...c, createdAt: new Date(c.createdAt).toISOString() });

export function registerAdminOidcClientRoutes(app: FastifyInstance, s: RouteServices): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/api/v1/admin/oidc/clients',
    {
      schema: {
        ...deploymentOnly.declared,
        tags,
        summary:
          'Register an OpenID Connect client (a confidential one’s secret, if it has one, is shown once)',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            kind: literals(['confidential', 'public'] as const),
            redirectUris: Type.Array(Uri, { minItems: 1, maxItems: 20 }),
            postLogoutRedirectUris: Type.Optional(Type.Array(Uri, { maxItems: 20 })),
            scopes: Type.Optional(Type.Array(literals(OIDC_SCOPES), { maxItems: 10 })),
            minAcr: Type.Optional(literals(ACR_VALUES)),
            firstParty: Type.Optional(Type.Boolean()),
            backchannelLogoutUri: Type.Optional(Type.Union([Uri, Type.Null()])),
            authMethod: Type.Optional(literals(CONFIDENTIAL_AUTH_METHODS)),
            jwks: Type.Optional(
              Type.Object(
                { keys: Type.Array(Type.Record(Type.String(), Type.Unknown()), { maxItems: 10 }) },
                { additionalProperties: false },
              ),
            ),
            idTokenAlg: Type.Optional(literals(ID_TOKEN_ALGS)),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            client: Client,
            clientSecret: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors(...deploymentOnly.errors, 'OIDC_CLIENT_INVALID'),
        },
      },
    },
    async (request, reply) => {
      const { client, clientSecret } = await s.oidcClients.register(
        request.body,
        signedIn(request).account.id,
        origin(request),
      );
      return reply.code(201).send({ client: present(client), clientSecret });
    },
  );

  r.get(
    '/api/v1/admin/oidc/clients',
    {
      schema: {
        ...deploymentOnly.declared,
        tags,
        summary: 'The registered OpenID Connect clients, by name',
        response: {
          200: Type.Object({ clients: Type.Array(Client) }),
          ...errors(...deploymentOnly.errors),
        },
      },
    },
    async () => ({ clients: (await s.oidcClients.list()).map(present) }),
  );

  r.delete(
    '/api/v1/admin/oidc/clients/:clientId',
    {
      schema: {
        ...deploymentOnly.declared,
        tags,
        summary: 'Remove an OpenID Connect client: nothing can authenticate as it any more',
        params: Type.Object(
          { clientId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) },
          { additionalProperties: false },
        ),
        response: {
          204: Type.Null(),
          ...errors(...deploymentOnly.errors, 'OIDC_CLIENT_NOT_FOUND'),
        },
      },
    },
    async (request, reply) => {
      await s.oidcClients.remove(
        request.params.clientId,
        signedIn(request).account.id,
        origin(request),
      );
      return reply.code(204).send(null);
    },
  );
}
