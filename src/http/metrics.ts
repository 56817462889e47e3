/** Prometheus metrics: request counts and latency by route, sign-in outcomes. One registry per app. */
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SignInOutcome } from '../flows/sign-in/service.js';

export interface Metrics {
  registry: Registry;
  signIn(outcome: SignInOutcome): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const signIns = new Counter({
    name: 'portcullis_sign_in_total',
    help: 'Sign-in attempts by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  return { registry, signIn: (outcome) => signIns.inc({ outcome }) };
}

export function registerRequestMetrics(app: FastifyInstance, metrics: Metrics): void {
  const requests = new Counter({
    name: 'portcullis_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [metrics.registry],
  });
  const latency = new Histogram({
    name: 'portcullis_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [metrics.registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
}
