/**
 * Losing Redis (where `REDIS_URL` keeps the shared counters) never ends the process and never
 * lets a request through uncounted (S31). Before, a phone code answered 500 INTERNAL_ERROR while
 * Redis was down. Now: a registered 503 REDIS_UNAVAILABLE with Retry-After, quickly; /readyz
 * reports Redis; and once Redis is back (a private one, on its own port, stopped by its pid)
 * the same requests succeed with no restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, latestCode, PASSWORD } from '../helpers/client.js';
import { privateRedis, until, type PrivateRedis } from '../helpers/processes.js';
import { buildApp, errorCode, type TestApp } from '../http/support.js';

describe('Redis goes away and comes back', () => {
  let redis: PrivateRedis;
  let t: TestApp;

  beforeAll(async () => {
    redis = await privateRedis();
    t = await buildApp({
      REDIS_URL: redis.url,
      PORTCULLIS_POLICY: 'sms-required',
      PHONE_DEFAULT_COUNTRY: 'GB',
    });
  });
  afterAll(async () => {
    await t?.app.close();
    await redis?.stop();
  });

  it('answers a phone code 503 REDIS_UNAVAILABLE while Redis is down, and sends it once it is back', async () => {
    const email = 'ola@clinic.co.uk';
    const c = new Client(t.app);
    await c.post('/api/v1/sign-up', { email, password: PASSWORD });
    const started = await c.post('/api/v1/sign-in', { email, password: PASSWORD });
    const flow = started.json().flow.flow as string;
    await c.post('/api/v1/sign-in/verify-email', { flow, code: await latestCode(t.app, email) });

    await redis.stop();
    const sendCode = () =>
      c.post('/api/v1/sign-in/phone', { flow, phone: '+447546123456', channel: 'sms' });
    const started503 = Date.now();
    const refused = await sendCode();
    expect(refused.statusCode).toBe(503);
    expect(errorCode(refused)).toBe('REDIS_UNAVAILABLE');
    expect(refused.headers['retry-after']).toBe('5');
    expect(Date.now() - started503).toBeLessThan(5_000);
    expect(refused.body).not.toMatch(/ioredis|ECONNREFUSED|127\.0\.0\.1/);

    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({
      status: 'unavailable',
      checks: { database: 'up', redis: 'down' },
    });

    await redis.start();
    await until(
      async () => (await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode === 200,
      { what: 'Redis to be ready again' },
    );
    const sent = await sendCode();
    expect(sent.statusCode).toBe(200);
    expect(sent.json().flow.step).toBe('confirm_phone');
  });
});
