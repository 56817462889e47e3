/** Routes for a signed-in user: their session, their sessions, sign-out (S17, S19). */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RouteServices } from '../../services.js';
import { signedIn } from '../auth.js';
import { presentSession, presentUser } from '../present.js';
import { errors, ResourceId, SessionInfo, Timestamp, User } from '../schemas.js';
import { clearSessionCookie, type CookiePolicy } from '../session-cookie.js';
import { origin } from './public.js';

export function registerSignedInRoutes(
  app: FastifyInstance,
  s: RouteServices,
  cookie: CookiePolicy,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['signed-in'];
  const iso = (ms: number) => new Date(ms).toISOString();

  r.get(
    '/api/v1/session',
    {
      schema: {
        tags,
        summary: 'The signed-in user and their session (the session check)',
        response: {
          200: Type.Object({ user: User, session: SessionInfo }),
          ...errors('UNAUTHENTICATED'),
        },
      },
    },
    async (request) => {
      const auth = signedIn(request);
      return {
        user: presentUser(auth.account, s.clock.now()),
        session: presentSession(auth.session, s.config.sessionIdleMs, auth.amr),
      };
    },
  );

  r.post(
    '/api/v1/sign-out',
    {
      schema: {
        tags,
        summary: 'End this session',
        response: { 204: Type.Null(), ...errors('UNAUTHENTICATED') },
      },
    },
    async (request, reply) => {
      const auth = signedIn(request);
      await s.ownSessions.signOut(auth.account.id, auth.session.id, origin(request));
      clearSessionCookie(reply, cookie);
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/api/v1/sessions',
    {
      schema: {
        tags,
        summary: 'Every active session of the signed-in user',
        response: {
          200: Type.Object({
            sessions: Type.Array(
              Type.Object({
                id: Type.String(),
                current: Type.Boolean(),
                createdAt: Timestamp,
                lastSeenAt: Timestamp,
                ip: Type.Union([Type.String(), Type.Null()]),
                userAgent: Type.Union([Type.String(), Type.Null()]),
                aal: Type.String(),
              }),
            ),
          }),
          ...errors('UNAUTHENTICATED'),
        },
      },
    },
    async (request) => {
      const auth = signedIn(request);
      const list = await s.sessions.list(auth.account.id);
      return {
        sessions: list.map((x) => ({
          id: x.id,
          current: x.id === auth.session.id,
          createdAt: iso(x.created_at),
          lastSeenAt: iso(x.last_seen_at),
          ip: x.ip,
          userAgent: x.user_agent,
          aal: x.aal,
        })),
      };
    },
  );

  r.delete(
    '/api/v1/sessions/:id',
    {
      schema: {
        tags,
        summary: 'End one of your sessions',
        params: Type.Object({ id: ResourceId }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errors('UNAUTHENTICATED', 'SESSION_NOT_FOUND') },
      },
    },
    async (request, reply) => {
      const auth = signedIn(request);
      await s.ownSessions.endOne(auth.account.id, request.params.id, origin(request));
      if (request.params.id === auth.session.id) clearSessionCookie(reply, cookie);
      return reply.code(204).send(null);
    },
  );

  r.post(
    '/api/v1/sessions/end-others',
    {
      schema: {
        tags,
        summary: 'End every session but this one',
        response: { 200: Type.Object({ ended: Type.Integer() }), ...errors('UNAUTHENTICATED') },
      },
    },
    async (request) => {
      const auth = signedIn(request);
      const ended = await s.ownSessions.endOthers(
        auth.account.id,
        auth.session.id,
        origin(request),
      );
      return { ended };
    },
  );
}
