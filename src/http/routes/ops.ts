/** Health, readiness and metrics (outside /api/v1: for load balancers and Prometheus). */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Services } from '../../services.js';

export function registerOpsRoutes(app: FastifyInstance, s: Services, registry: Registry): void {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (request, reply) => {
    try {
      await s.store.ping();
      return { status: 'ready' };
    } catch (err) {
      request.log.error({ err }, 'database not reachable');
      return reply.code(503).send({ status: 'unavailable' });
    }
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}
