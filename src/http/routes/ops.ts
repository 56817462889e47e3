/**
 * Health, readiness and metrics (outside /api/v1: for load balancers and Prometheus).
 * `/readyz` answers 503 while the database, or Redis where it is configured, cannot be reached
 * (S31), naming which; each check waits at most `READY_TIMEOUT_MS`.
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { RouteServices } from '../../services.js';

const READY_TIMEOUT_MS = 2_000;

type Check = 'up' | 'down';

async function check(name: string, probe: () => Promise<unknown>, log: FastifyInstance['log']) {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer in ${READY_TIMEOUT_MS} ms`)),
          READY_TIMEOUT_MS,
        );
      }),
    ]);
    return 'up' as const;
  } catch (err) {
    log.warn({ err: { message: (err as Error).message }, check: name }, `${name} not reachable`);
    return 'down' as const;
  } finally {
    clearTimeout(timer);
  }
}

export function registerOpsRoutes(
  app: FastifyInstance,
  services: RouteServices,
  registry: Registry,
): void {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (request, reply) => {
    const checks: Record<string, Check> = {};
    for (const dependency of services.dependencies)
      checks[dependency.name] = await check(dependency.name, dependency.ping, request.log);
    const ready = Object.values(checks).every((c) => c === 'up');
    reply.header('cache-control', 'no-store');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}
