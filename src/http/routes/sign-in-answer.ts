/**
 * A sign-in result as the API answers it: another step of the flow, a restart, or — when the
 * flow is done — the user and session, with the session cookie set.
 */
import type { FastifyReply } from 'fastify';
import type { SignInResult } from '../../flows/sign-in/service.js';
import type { RouteServices } from '../../services.js';
import { presentFlow, presentSession, presentUser } from '../present.js';
import { setSessionCookie, type CookiePolicy } from '../session-cookie.js';

export function signInAnswer(services: RouteServices, cookie: CookiePolicy) {
  return (reply: FastifyReply, result: SignInResult) => {
    if (result.status === 'continue')
      return { status: 'continue' as const, flow: presentFlow(result.view) };
    if (result.status === 'restart') return { status: 'restart' as const, message: result.message };
    setSessionCookie(reply, cookie, result.token);
    return {
      status: 'signed_in' as const,
      user: presentUser(result.account, services.clock.now()),
      session: presentSession(result.session, services.config.sessionIdleMs),
    };
  };
}
