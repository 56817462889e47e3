/** OpenAPI 3 from the route schemas, at /api/openapi.json, rendered at /api/docs. */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { PolicyDocument, PolicyOverrideDocument, PolicySchema } from '../policy/schema.js';
import { AnyRouteError, ErrorBody, ErrorCodeSchema } from './error-responses.js';
import { sharedSchemas } from './schemas.js';
import { CSRF_HEADER, docsCsp } from './security.js';

export async function registerOpenApi(
  app: FastifyInstance,
  opts: { publicUrl: URL; portalName: string },
): Promise<void> {
  // Every registered code, and the error body: named once in `components`.
  app.addSchema(ErrorCodeSchema);
  app.addSchema(ErrorBody);
  app.addSchema(AnyRouteError);
  // Shared by the admin routes (by reference), so the document names them once.
  for (const schema of [PolicyDocument, PolicyOverrideDocument, PolicySchema])
    app.addSchema(schema);
  // The shapes several routes answer (src/http/schemas.ts): routes hold references to them.
  for (const schema of sharedSchemas) app.addSchema(schema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Portcullis API',
        version: '1',
        description: `Identity and multi-factor sign-in for ${opts.portalName}. State-changing requests need the header \`X-Portcullis-CSRF: 1\`. Errors are \`{ "error": { "code", "message", "details" } }\`.`,
      },
      servers: [{ url: opts.publicUrl.origin }],
      components: {
        securitySchemes: {
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'portcullis_session',
            description: '`__Host-portcullis_session` over HTTPS.',
          },
          csrf: { type: 'apiKey', in: 'header', name: CSRF_HEADER },
        },
      },
    },
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`),
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    // Ours, not swagger-ui's (which allows framing by self and https: styles).
    transformStaticCSP: () => docsCsp,
    uiConfig: { docExpansion: 'list' },
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
