/**
 * The session cookie (S16): `__Host-` prefixed, Secure, HttpOnly, SameSite=Lax, Path=/. Only on
 * plain-http localhost in development is the prefix (which requires Secure) dropped.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface CookiePolicy {
  name: string;
  secure: boolean;
}

export function cookiePolicy(publicUrl: URL): CookiePolicy {
  const secure = publicUrl.protocol === 'https:';
  return { name: secure ? '__Host-portcullis_session' : 'portcullis_session', secure };
}

export function readSessionToken(
  request: FastifyRequest,
  policy: CookiePolicy,
): string | undefined {
  return request.cookies[policy.name];
}

export function setSessionCookie(reply: FastifyReply, policy: CookiePolicy, token: string): void {
  reply.setCookie(policy.name, token, {
    httpOnly: true,
    secure: policy.secure,
    sameSite: 'lax',
    path: '/',
  });
}

export function clearSessionCookie(reply: FastifyReply, policy: CookiePolicy): void {
  reply.clearCookie(policy.name, {
    httpOnly: true,
    secure: policy.secure,
    sameSite: 'lax',
    path: '/',
  });
}
