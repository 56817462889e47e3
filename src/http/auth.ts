/**
 * Route contexts' guards. The signed-in and admin contexts add these as hooks to every route
 * they hold (STYLE §7: structure, not URL checks).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { accessOf, type AdminScope } from '../admin/access.js';
import { AppError } from '../errors/app-error.js';
import { aal2Required } from '../flows/step-up/raise.js';
import type { AuthenticatedSession, SessionService } from '../sessions/sessions.js';
import type { Account } from '../store/schema.js';
import { clearSessionCookie, readSessionToken, type CookiePolicy } from './session-cookie.js';

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthenticatedSession | null;
    /** On admin routes: what the acting administrator may reach. */
    adminScope: AdminScope | null;
    /** On admin routes with a `:userId`: that user, checked to be in scope and not the actor. */
    adminTarget: Account | null;
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
 * Admin routes, before their input is even read (S23): an administrator (or an organisation
 * administrator, where the route's declared access allows one: `admin/access.ts`), signed in
 * with two factors — an AAL1 session is told which step-up would raise it — then the user the
 * route acts on, in scope and not the actor, then a fresh step-up where the route asks for one.
 * A route with no declared access is refused (fail closed).
 */
export async function requireAdmin(request: FastifyRequest): Promise<void> {
  const auth = request.auth;
  if (!auth) throw new AppError('UNAUTHENTICATED');
  const { role, organisation_id: organisationId } = auth.account;
  const access = accessOf(request.routeOptions.schema);
  const orgAdmin = role === 'org_admin' && organisationId !== null;
  if (!access || (role !== 'admin' && !orgAdmin)) throw new AppError('ADMIN_REQUIRED');
  if (orgAdmin && access.scope === 'deployment') throw new AppError('DEPLOYMENT_ADMIN_REQUIRED');
  const services = request.server.services;
  if (auth.session.aal !== 'aal2') throw aal2Required(await services.stepUp.methods(auth.account));
  const scope: AdminScope = { organisationId: role === 'admin' ? null : organisationId };
  request.adminScope = scope;
  const { userId } = request.params as { userId?: unknown };
  if (typeof userId === 'string')
    request.adminTarget = await services.adminUsers.target(scope, auth.account, userId);
  if (access.stepUp) await services.stepUp.require(auth);
}

/** The acting administrator's scope (set by `requireAdmin`). */
export function adminScopeOf(request: FastifyRequest): AdminScope {
  if (!request.adminScope) throw new AppError('ADMIN_REQUIRED');
  return request.adminScope;
}

/** The user an admin route acts on (set by `requireAdmin` from `:userId`). */
export function adminTargetOf(request: FastifyRequest): Account {
  if (!request.adminTarget) throw new AppError('USER_NOT_FOUND');
  return request.adminTarget;
}

export function signedIn(request: FastifyRequest): AuthenticatedSession {
  if (!request.auth) throw new AppError('UNAUTHENTICATED');
  return request.auth;
}

/** An organisation's routes (`:id`): an organisation administrator reaches their own only. */
export async function organisationInScope(request: FastifyRequest): Promise<void> {
  const { id } = request.params as { id?: unknown };
  const scope = adminScopeOf(request);
  if (scope.organisationId !== null && id !== scope.organisationId)
    throw new AppError('ORGANISATION_NOT_FOUND');
}
