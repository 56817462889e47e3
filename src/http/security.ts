/**
 * Transport-level protections for every response and request:
 * - S26 security headers (CSP without inline scripts, frame-ancestors 'none', no-referrer,
 *   nosniff, HSTS in production, `Cache-Control: no-store` on every API answer);
 * - S18 CSRF: state-changing requests need the `X-Portcullis-CSRF` header (a non-simple header
 *   that a cross-site page cannot send without a CORS preflight we never grant), and the
 *   browser's Origin / Sec-Fetch-Site must point at our own origin.
 */
import { isOidcProtocolRequest } from './oidc.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.js';

export const CSRF_HEADER = 'x-portcullis-csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const pageCsp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Swagger UI at /api/docs: its scripts are files (staticCSP), but it styles elements inline. */
export const docsCsp = pageCsp.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");

/** Sets the S26 headers on one answer (also used where Fastify's hooks do not run). */
export function applySecurityHeaders(url: string, reply: FastifyReply, production: boolean): void {
  reply.header('content-security-policy', url.startsWith('/api/docs') ? docsCsp : pageCsp);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('x-frame-options', 'DENY');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cross-origin-opener-policy', 'same-origin');
  reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
  if (production) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
  if (url.startsWith('/api/') || !reply.hasHeader('cache-control')) {
    reply.header('cache-control', 'no-store');
  }
}

export function registerSecurityHeaders(app: FastifyInstance, opts: { production: boolean }): void {
  // Callback hooks, here and below: every answer passes them, and an async hook costs a promise.
  app.addHook('onSend', (request, reply, payload, done) => {
    applySecurityHeaders(request.url, reply, opts.production);
    done(null, payload);
  });
}

export function checkCsrf(request: FastifyRequest, allowedOrigin: string): void {
  if (SAFE_METHODS.has(request.method)) return;
  // OpenID Connect's endpoints are called by relying parties (a client's credentials, PKCE),
  // never with a browser's cookie for a change of ours.
  if (isOidcProtocolRequest(request.url)) return;
  if (request.headers[CSRF_HEADER] !== '1') {
    throw new AppError('CSRF_CHECK_FAILED', {
      message: `Send the header X-Portcullis-CSRF: 1 with every state-changing request.`,
    });
  }
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== allowedOrigin) throw new AppError('CSRF_CHECK_FAILED');
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    throw new AppError('CSRF_CHECK_FAILED');
}

export function registerCsrf(app: FastifyInstance, allowedOrigin: string): void {
  app.addHook('onRequest', (request, _reply, done) => {
    try {
      checkCsrf(request, allowedOrigin);
    } catch (err) {
      done(err as Error);
      return;
    }
    done();
  });
}
