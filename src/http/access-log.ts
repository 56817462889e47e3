/**
 * The access log (`ACCESS_LOG`), one place for what a request costs in log lines:
 *  - `security` (the default): every change (a method other than GET, HEAD or OPTIONS) when it
 *    arrives and when it is answered, and every answer of 400 or more — failures and changes,
 *    never a line for a successful read such as the session check every portal page makes;
 *  - `all`: every request, arriving and answered (Fastify's own request logging);
 *  - `off`: none (the application's own lines — audit, warnings, errors — stay).
 * The lines are Fastify's ("incoming request", "request completed"), through the redacting
 * serializers of `logging.ts`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config/load.js';

type AccessLogMode = Config['accessLog'];

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const isChange = (request: FastifyRequest) => !READS.has(request.method);

/** Fastify's own request logging is on only for `all`. */
export const fastifyRequestLogging = (mode: AccessLogMode): boolean => mode === 'all';

export function registerAccessLog(app: FastifyInstance, mode: AccessLogMode): void {
  if (mode !== 'security') return;
  app.addHook('onRequest', async (request) => {
    if (isChange(request)) request.log.info({ req: request }, 'incoming request');
  });
  app.addHook('onResponse', async (request, reply) => {
    if (!isChange(request) && reply.statusCode < 400) return;
    request.log.info(
      { res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime },
      'request completed',
    );
  });
}
