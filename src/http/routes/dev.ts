/** Development-only routes; never registered in production. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RouteServices } from '../../services.js';
import { errors, Timestamp } from '../schemas.js';

export function registerDevRoutes(app: FastifyInstance, s: RouteServices): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/v1/dev/outbox',
    {
      schema: {
        tags: ['development'],
        summary: 'Messages the development outbox holds, newest first',
        querystring: Type.Object(
          {
            to: Type.Optional(Type.String({ maxLength: 254 })),
            limit: Type.Optional(
              Type.String({ pattern: '^[0-9]{1,3}$', description: '1 to 200; default 50' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            messages: Type.Array(
              Type.Object({
                id: Type.String(),
                channel: Type.String(),
                to: Type.String(),
                subject: Type.Union([Type.String(), Type.Null()]),
                text: Type.String(),
                createdAt: Timestamp,
              }),
            ),
          }),
          ...errors(),
        },
      },
    },
    async (request) => {
      const limit = Math.min(200, Math.max(1, Number(request.query.limit ?? 50)));
      // Messages sent after their answer (a password-reset email) are sent first.
      await s.outbox.flush();
      return {
        messages: await s.devMessages({
          ...(request.query.to ? { to: request.query.to } : {}),
          limit,
        }),
      };
    },
  );
}
