/**
 * Forward-auth for portals behind a reverse proxy on the same parent domain (nginx
 * `auth_request`, Traefik `forwardAuth`): the proxy asks with the browser's cookie, and hears 200
 * with who it is and at what assurance (in headers, for the proxy to pass on), 401 with where to
 * sign in, or 403 with where to step up when `?acr=` asks for more than the session reached.
 * `?redirect=1` answers those two with a 303 instead (Traefik passes it to the browser as is).
 * The page the user wanted is sent back only to an origin in RETURN_TO_ORIGINS.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import type { ErrorCode } from '../../errors/codes.js';
import { assuranceOf, meets, requiredAcr } from '../../oidc/assurance.js';
import { ACR_VALUES } from '../../oidc/clients.js';
import type { RouteServices } from '../../services.js';
import { errors } from '../schemas.js';
import { readSessionToken, type CookiePolicy } from '../session-cookie.js';

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** A header value as it is when printable ASCII, else percent-encoded (an address in Unicode). */
const headerSafe = (value: string) =>
  /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value);

/** The URL the user asked the portal for, as the proxy tells it, if it may be returned to. */
export function wantedUrl(request: FastifyRequest, allowed: readonly string[]): string | null {
  const h = request.headers;
  const original = single(h['x-original-url']);
  const host = single(h['x-forwarded-host']);
  const raw =
    original ??
    (host
      ? `${single(h['x-forwarded-proto']) ?? 'https'}://${host}${single(h['x-forwarded-uri']) ?? '/'}`
      : null);
  if (!raw) return null;
  try {
    const url = new URL(raw);
    return allowed.includes(url.origin) ? url.href : null;
  } catch {
    return null;
  }
}

export function registerForwardAuthRoute(
  app: FastifyInstance,
  s: RouteServices,
  cookie: CookiePolicy,
): void {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const base = s.config.publicUrl.origin;
  const turnAway = (
    reply: FastifyReply,
    redirect: boolean,
    code: ErrorCode,
    header: string,
    location: string,
  ) => {
    reply.header('cache-control', 'no-store');
    if (redirect) return reply.code(303).header('location', location).send();
    reply.header(header, location);
    throw new AppError(code);
  };
  routes.get(
    '/api/v1/forward-auth',
    {
      schema: {
        tags: ['portals'],
        summary:
          'For a reverse proxy in front of a portal: who the browser is signed in as, and at what assurance',
        querystring: Type.Object(
          {
            acr: Type.Optional(Type.Union(ACR_VALUES.map((v) => Type.Literal(v)))),
            redirect: Type.Optional(Type.Literal('1')),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            user: Type.Object({ id: Type.String(), email: Type.String() }),
            aal: Type.String(),
            acr: Type.String(),
            amr: Type.Array(Type.String()),
          }),
          303: Type.Null({ description: 'With ?redirect=1: to the sign-in or step-up page.' }),
          ...errors('UNAUTHENTICATED', 'AAL2_REQUIRED'),
        },
      },
    },
    async (request, reply) => {
      const wanted = wantedUrl(request, s.config.portals.returnToOrigins);
      const back = wanted ? `return_to=${encodeURIComponent(wanted)}` : '';
      const redirect = request.query.redirect === '1';
      const token = readSessionToken(request, cookie);
      const auth = token ? await s.sessions.authenticate(token) : undefined;
      if (!auth) {
        const signIn = `${base}/sign-in${back ? `?${back}` : ''}`;
        return turnAway(reply, redirect, 'UNAUTHENTICATED', 'x-portcullis-sign-in', signIn);
      }
      const assurance = assuranceOf(auth);
      const required = requiredAcr('urn:portcullis:aal1', request.query.acr);
      if (!meets(assurance.acr, required)) {
        const stepUp = `${base}/sign-in/step-up?${back ? `${back}&` : ''}acr=${encodeURIComponent(required)}`;
        return turnAway(reply, redirect, 'AAL2_REQUIRED', 'x-portcullis-step-up', stepUp);
      }
      reply.header('cache-control', 'no-store');
      reply.header('x-portcullis-user', auth.account.id);
      reply.header('x-portcullis-email', headerSafe(auth.account.email));
      reply.header('x-portcullis-aal', auth.session.aal);
      reply.header('x-portcullis-acr', assurance.acr);
      reply.header('x-portcullis-amr', assurance.amr.join(' '));
      return {
        user: { id: auth.account.id, email: auth.account.email },
        aal: auth.session.aal,
        acr: assurance.acr,
        amr: assurance.amr,
      };
    },
  );
}
