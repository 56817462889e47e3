/**
 * The session cookie (S16): `__Host-` prefixed, Secure, HttpOnly, SameSite=Lax, Path=/. Only on
 * plain-http localhost in development is the prefix (which requires Secure) dropped. With
 * `COOKIE_DOMAIN` (portals behind a proxy on the parent domain, forward-auth) it carries that
 * Domain and is `__Secure-` prefixed instead, since `__Host-` forbids a Domain.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface CookiePolicy {
  name: string;
  secure: boolean;
  /** The parent domain every portal host shares, or undefined for a host-only cookie. */
  domain?: string;
}

export function cookiePolicy(publicUrl: URL, domain: string | null = null): CookiePolicy {
  const secure = publicUrl.protocol === 'https:';
  if (domain === null)
    return { name: secure ? '__Host-portcullis_session' : 'portcullis_session', secure };
  return { name: secure ? '__Secure-portcullis_session' : 'portcullis_session', secure, domain };
}

const attributes = (policy: CookiePolicy) => ({
  httpOnly: true,
  secure: policy.secure,
  sameSite: 'lax' as const,
  path: '/',
  ...(policy.domain ? { domain: policy.domain } : {}),
});

export function readSessionToken(
  request: FastifyRequest,
  policy: CookiePolicy,
): string | undefined {
  return request.cookies[policy.name];
}

export function setSessionCookie(reply: FastifyReply, policy: CookiePolicy, token: string): void {
  reply.setCookie(policy.name, token, attributes(policy));
}

export function clearSessionCookie(reply: FastifyReply, policy: CookiePolicy): void {
  reply.clearCookie(policy.name, attributes(policy));
}
