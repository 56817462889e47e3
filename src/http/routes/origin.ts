/** Where a request came from, as the services record it (audit events, notices, limits). */
import type { FastifyRequest } from 'fastify';

export function origin(request: FastifyRequest) {
  return { ip: request.ip ?? null, userAgent: request.headers['user-agent'] ?? null };
}
