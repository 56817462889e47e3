/**
 * Prometheus metrics: request counts and latency by route, sign-in outcomes, and the durable
 * outbox (sent and failed by channel; queued, given up and the oldest waiting message's age,
 * read from the database at each scrape). One registry per app.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { OutboxEvents, OutboxStats } from '../delivery/outbox.js';
import type { SignInOutcome } from '../flows/sign-in/service.js';

export interface Metrics {
  registry: Registry;
  signIn(outcome: SignInOutcome): void;
  outbox: OutboxEvents;
  /** Reads the outbox's queue at each scrape. */
  watchOutbox(stats: () => Promise<OutboxStats>): void;
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
  const sent = new Counter({
    name: 'portcullis_outbox_sent_total',
    help: 'Messages sent from the outbox by this process, by channel',
    labelNames: ['channel'],
    registers: [registry],
  });
  const failed = new Counter({
    name: 'portcullis_outbox_failed_total',
    help: 'Failed send attempts by this process, by channel and whether the message was given up',
    labelNames: ['channel', 'gave_up'],
    registers: [registry],
  });
  return {
    registry,
    signIn: (outcome) => signIns.inc({ outcome }),
    outbox: {
      sent: (channel) => sent.inc({ channel }),
      failed: (channel, gaveUp) => failed.inc({ channel, gave_up: String(gaveUp) }),
    },
    watchOutbox(stats) {
      // One read per scrape for the three gauges; a database that cannot answer leaves the last values.
      let last: Promise<OutboxStats | undefined> | undefined;
      const read = () => {
        last ??= stats().then(
          (s) => s,
          () => undefined,
        );
        return last;
      };
      const gauge = (name: string, help: string, pick: (s: OutboxStats) => number) =>
        new Gauge({
          name,
          help,
          registers: [registry],
          async collect() {
            const s = await read();
            last = undefined;
            if (s) this.set(pick(s));
          },
        });
      gauge('portcullis_outbox_queued', 'Messages waiting to be sent', (s) => s.queued);
      gauge(
        'portcullis_outbox_given_up',
        'Messages given up after failed attempts',
        (s) => s.failed,
      );
      gauge(
        'portcullis_outbox_oldest_age_seconds',
        'Age of the oldest message waiting to be sent',
        (s) => s.oldestAgeSeconds,
      );
    },
  };
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
  // One child per label set, kept: prom-client hashes a label object at every call otherwise.
  // Routes and methods are the app's own and statuses few, so the map stays small; an unmatched
  // URL is one route ('unmatched').
  const series = new Map<
    string,
    { count: ReturnType<typeof requests.labels>; time: ReturnType<typeof latency.labels> }
  >();
  const seriesOf = (method: string, route: string, status: number) => {
    const key = `${method} ${route} ${status}`;
    let found = series.get(key);
    if (!found) {
      found = {
        count: requests.labels(method, route, String(status)),
        time: latency.labels(method, route),
      };
      series.set(key, found);
    }
    return found;
  };
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const { count, time } = seriesOf(request.method, route, reply.statusCode);
    count.inc();
    time.observe(reply.elapsedTime / 1000);
    done();
  });
}
