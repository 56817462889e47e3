/**
 * Route contexts' guards. The signed-in and admin contexts add these as hooks to every route
 * they hold (STYLE §7: structure, not URL checks).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.js';
import type { AuthenticatedSession, SessionService } from '../sessions/sessions.js';
import { clearSessionCookie, readSessionToken, type CookiePolicy } from './session-cookie.js';

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthenticatedSession | null;
  }
}

export function requireSession(sessions: SessionService, policy: CookiePolicy) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = readSessionToken(request, policy);
    const auth = token ? await sessions.authenticate(token) : undefined;
    if (!auth) {
      if (token) clearSessionCookie(reply, policy);
      throw new AppError('UNAUTHENTICATED');
    }
    request.auth = auth;
  };
}

/** Admin routes: an admin, signed in with two factors (S23). */
export async function requireAdmin(request: FastifyRequest): Promise<void> {
  const auth = request.auth;
  if (!auth || auth.account.role !== 'admin') throw new AppError('ADMIN_REQUIRED');
  if (auth.session.aal !== 'aal2') throw new AppError('AAL2_REQUIRED');
}

export function signedIn(request: FastifyRequest): AuthenticatedSession {
  if (!request.auth) throw new AppError('UNAUTHENTICATED');
  return request.auth;
}
