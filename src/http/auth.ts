/**
 * Route contexts' guards. The signed-in and admin contexts add these as hooks to every route
 * they hold (STYLE §7: structure, not URL checks).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { aal2Required } from '../flows/step-up/raise.js';
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

/**
 * Admin routes: an admin, signed in with two factors (S23). An admin whose session is AAL1 is
 * told which step-up would raise it (`details.stepUp`, `details.methods`).
 */
export async function requireAdmin(request: FastifyRequest): Promise<void> {
  const auth = request.auth;
  if (!auth || auth.account.role !== 'admin') throw new AppError('ADMIN_REQUIRED');
  if (auth.session.aal !== 'aal2')
    throw aal2Required(await request.server.services.stepUp.methods(auth.account));
}

export function signedIn(request: FastifyRequest): AuthenticatedSession {
  if (!request.auth) throw new AppError('UNAUTHENTICATED');
  return request.auth;
}
