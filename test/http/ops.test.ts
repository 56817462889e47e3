/**
 * Operations endpoints: liveness, readiness (which follows the database), Prometheus metrics
 * with route labels and sign-in outcomes, the OpenAPI document and its rendered docs, and the
 * development outbox's absence in production.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productionEnv } from '../helpers/config.js';
import { openStore } from '../../src/store/dialect.js';
import {
  buildApp,
  CSRF,
  errorCode,
  PASSWORD,
  post,
  signedInUser,
  type TestApp,
} from './support.js';

const PRODUCTION = productionEnv;

/** The value of one sample line (`name{labels} value`) of a Prometheus exposition. */
function sample(metrics: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.indexOf('}'));
    const found = Object.fromEntries(
      [...body.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => found[k] === v))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('health and readiness', () => {
  it('answers /healthz with 200', async () => {
    const t = await buildApp();
    try {
      const res = await t.app.inject({ method: 'GET', url: '/healthz' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ok' });
    } finally {
      await t.app.close();
    }
  });

  it('answers /readyz with 200 while the database is reachable and 503 once it is not', async () => {
    const store = openStore({ kind: 'sqlite', file: ':memory:' });
    const t = await buildApp({}, { store });
    try {
      const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'up' } });

      await store.close();
      const gone = await t.app.inject({ method: 'GET', url: '/readyz' });
      expect(gone.statusCode).toBe(503);
      expect(gone.json()).toEqual({ status: 'unavailable', checks: { database: 'down' } });
      expect(gone.body).not.toMatch(/destroyed|kysely|sqlite|\bat /i);
      // Liveness does not depend on the database.
      expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await t.app.close();
    }
  });
});

describe('metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildApp();
  });
  afterAll(() => t.app.close());

  it('counts requests by route template and sign-ins by outcome', async () => {
    const user = await signedInUser(t.app, 'metrics@example.com');
    const wrong = await post(t.app, '/api/v1/sign-in', {
      email: user.email,
      password: 'not the right password at all',
    });
    expect(wrong.statusCode).toBe(401);
    const sessionId = (
      await t.app.inject({
        method: 'GET',
        url: '/api/v1/session',
        headers: { cookie: user.cookie.header },
      })
    ).json<{ session: { id: string } }>().session.id;
    await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/sessions/${sessionId}`,
      headers: { ...CSRF, cookie: user.cookie.header },
    });
    await t.app.inject({ method: 'GET', url: '/no-such-thing-7f3a9c' });

    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    expect(text).toContain('# TYPE portcullis_http_requests_total counter');
    expect(
      sample(text, 'portcullis_http_requests_total', {
        method: 'POST',
        route: '/api/v1/sign-in',
        status: '200',
      }),
    ).toBe(1);
    expect(
      sample(text, 'portcullis_http_requests_total', {
        method: 'POST',
        route: '/api/v1/sign-in',
        status: '401',
      }),
    ).toBe(1);
    expect(
      sample(text, 'portcullis_http_requests_total', {
        method: 'POST',
        route: '/api/v1/sign-in/verify-email',
        status: '200',
      }),
    ).toBe(1);
    // Path parameters and unknown URLs never become label values (unbounded cardinality).
    expect(
      sample(text, 'portcullis_http_requests_total', {
        method: 'DELETE',
        route: '/api/v1/sessions/:id',
        status: '204',
      }),
    ).toBe(1);
    expect(text).not.toContain(sessionId);
    expect(text).not.toContain('no-such-thing-7f3a9c');

    expect(sample(text, 'portcullis_sign_in_total', { outcome: 'success' })).toBe(1);
    expect(sample(text, 'portcullis_sign_in_total', { outcome: 'invalid_credentials' })).toBe(1);
    expect(text).toContain('portcullis_http_request_duration_seconds_bucket');
  });

  it('shows the outbox: sent and failed by channel, what waits and for how long', async () => {
    const failing = await buildApp(
      {},
      {
        senders: [
          {
            channel: 'sms',
            provider: 'down',
            send: () => Promise.reject(new Error('provider down')),
          },
        ],
      },
    );
    try {
      const { outbox } = failing.app.services;
      await outbox.enqueue({ channel: 'email', to: 'ada@clinic.example', text: 'Hello' });
      await outbox.enqueue({ channel: 'sms', to: '+447546123456', text: 'Your number changed' });
      await outbox.flush();
      failing.clock.advance(90_000);
      const text = (await failing.app.inject({ method: 'GET', url: '/metrics' })).body;
      const plain = (name: string) =>
        Number(
          /^(\S+) (\S+)$/m.exec(text.split('\n').find((l) => l.startsWith(`${name} `)) ?? '')?.[2],
        );
      expect(sample(text, 'portcullis_outbox_sent_total', { channel: 'email' })).toBe(1);
      expect(
        sample(text, 'portcullis_outbox_failed_total', { channel: 'sms', gave_up: 'false' }),
      ).toBe(1);
      expect(plain('portcullis_outbox_queued')).toBe(1);
      expect(plain('portcullis_outbox_given_up')).toBe(0);
      expect(plain('portcullis_outbox_oldest_age_seconds')).toBe(90);
    } finally {
      await failing.app.close();
    }
  });

  it('counts another success after a second sign-in', async () => {
    const before = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    const start = sample(before, 'portcullis_sign_in_total', { outcome: 'success' }) ?? 0;
    const again = await post(t.app, '/api/v1/sign-in', {
      email: 'metrics@example.com',
      password: PASSWORD,
    });
    expect(again.json<{ status: string }>().status).toBe('signed_in');
    const after = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(sample(after, 'portcullis_sign_in_total', { outcome: 'success' })).toBe(start + 1);
  });
});

describe('API description', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildApp();
  });
  afterAll(() => t.app.close());

  it('serves an OpenAPI 3 document at /api/openapi.json', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const doc = res.json<{
      openapi: string;
      info: { title: string };
      paths: Record<string, unknown>;
    }>();
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/sign-in', '/api/v1/sign-up', '/api/v1/session']),
    );
  });

  it('renders the docs at /api/docs as HTML', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toMatch(/<html/i);
    expect(res.body).toMatch(/swagger/i);
    // Its scripts are files that load.
    for (const src of [...res.body.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]!)) {
      const url = src.startsWith('/') ? src : `/api/docs/${src.replace(/^\.\//, '')}`;
      expect((await t.app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    }
  });
});

describe('development outbox in production', () => {
  it('answers 404 NOT_FOUND and the config says it is off', async () => {
    const t = await buildApp(PRODUCTION);
    try {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/dev/outbox' });
      expect(res.statusCode).toBe(404);
      expect(errorCode(res)).toBe('NOT_FOUND');
      const config = await t.app.inject({ method: 'GET', url: '/api/v1/config' });
      expect(config.json<{ devOutbox: boolean }>().devOutbox).toBe(false);
    } finally {
      await t.app.close();
    }
  });
});
