/**
 * Per-IP limits on the public routes (S33). Per-account throttling alone let one address try 60
 * different accounts' passwords and make 30 accounts; now the address is stopped: a registered
 * 429 with Retry-After, the same for known and unknown accounts, until its window ends. A spoofed
 * X-Forwarded-For changes nothing without TRUST_PROXY; behind a trusted proxy each client is
 * counted on its own. With Redis the count is shared by every process, and Redis gone means a
 * registered 503 — never a request let through uncounted.
 */
import { randomInt } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, errorCode, JSON_CSRF, PASSWORD, signUp, type TestApp } from './support.js';

const redisUrl = process.env.TEST_REDIS_URL;
const LIMITS = {
  RATE_LIMIT_SIGN_IN_PER_MINUTE: '20',
  RATE_LIMIT_SIGN_UP_PER_HOUR: '10',
  RATE_LIMIT_PUBLIC_PER_MINUTE: '15',
};

/** An address of the documentation range of its own, so runs sharing Redis never meet. */
const someIp = () => `198.51.${randomInt(0, 256)}.${randomInt(1, 255)}`;

function from(t: TestApp, ip: string, url: string, body: unknown, headers = {}) {
  return t.app.inject({
    method: 'POST',
    url,
    remoteAddress: ip,
    headers: { ...JSON_CSRF, ...headers },
    payload: JSON.stringify(body),
  });
}

const signIn = (t: TestApp, ip: string, email: string, headers = {}) =>
  from(t, ip, '/api/v1/sign-in', { email, password: 'not the password at all' }, headers);

describe('per-IP limits', () => {
  const apps: TestApp[] = [];
  const start = async (env: Record<string, string> = {}) => {
    const t = await buildApp({ ...LIMITS, ...env });
    apps.push(t);
    return t;
  };
  afterEach(async () => {
    for (const t of apps.splice(0)) await t.app.close();
  });

  it('stops one address trying 60 accounts after 20 sign-ins a minute, known or not', async () => {
    const t = await start();
    await signUp(t.app, 'known@clinic.example');
    const ip = someIp();
    const answers = [];
    for (let i = 0; i < 60; i++) {
      // A few tries on a real account (its own throttle would slow more), the rest on others.
      const email = i === 1 || i === 21 ? 'known@clinic.example' : `nobody${i}@clinic.example`;
      answers.push(await signIn(t, ip, email));
    }
    expect(answers.slice(0, 20).map((r) => r.statusCode)).toEqual(Array(20).fill(401));
    for (const refused of answers.slice(20)) {
      expect(refused.statusCode).toBe(429);
      expect(errorCode(refused)).toBe('TOO_MANY_REQUESTS');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    }
    // Known and unknown accounts are refused alike (S6).
    expect(answers[21]!.body).toBe(answers[22]!.body);

    // Another address is not held up; the first is let in again once its window has ended.
    expect((await signIn(t, someIp(), 'known@clinic.example')).statusCode).toBe(401);
    t.clock.advance(Number(answers[59]!.headers['retry-after']) * 1000);
    expect((await signIn(t, ip, 'known@clinic.example')).statusCode).toBe(401);
  });

  it('stops one address at the OpenID Connect token endpoint after its limit, in the registry shape', async () => {
    const t = await start({ RATE_LIMIT_TOKEN_PER_MINUTE: '5' });
    const ip = someIp();
    const redeem = () =>
      t.app.inject({
        method: 'POST',
        url: '/oidc/token',
        remoteAddress: ip,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from('no-such-client:guess').toString('base64')}`,
        },
        payload: 'grant_type=authorization_code&code=guess&redirect_uri=https%3A%2F%2Fx.example%2F',
      });
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push(await redeem());
    // The provider answers the first five itself (an unknown client), then the limit does.
    expect(statuses.slice(0, 5).map((r) => r.statusCode)).toEqual(Array(5).fill(401));
    for (const refused of statuses.slice(5)) {
      expect(refused.statusCode).toBe(429);
      expect(errorCode(refused)).toBe('TOO_MANY_REQUESTS');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    }
  });

  it('stops one address making 30 accounts after 10 sign-ups an hour', async () => {
    const t = await start();
    const ip = someIp();
    const statuses = [];
    for (let i = 0; i < 30; i++) {
      const res = await from(t, ip, '/api/v1/sign-up', {
        email: `new${i}@clinic.example`,
        password: PASSWORD,
      });
      statuses.push(res.statusCode);
    }
    expect(statuses.filter((s) => s === 202)).toHaveLength(10);
    expect(statuses.slice(10)).toEqual(Array(20).fill(429));
    const accounts = await t.app.services.store.db.selectFrom('accounts').select('id').execute();
    expect(accounts).toHaveLength(10);
  });

  it('limits passkey options, invitations and every password-reset step as one group', async () => {
    const t = await start();
    const ip = someIp();
    const calls = [
      () => from(t, ip, '/api/v1/sign-in/passkey/options', {}),
      () => from(t, ip, '/api/v1/invitations/lookup', { token: 'x'.repeat(43) }),
      () => from(t, ip, '/api/v1/password-reset', { email: 'a@clinic.example', method: 'email' }),
      () => from(t, ip, '/api/v1/password-reset/flow', { flow: 'y'.repeat(43) }),
    ];
    const statuses = [];
    for (let i = 0; i < 20; i++) statuses.push((await calls[i % calls.length]!()).statusCode);
    expect(statuses.slice(0, 15)).not.toContain(429);
    expect(statuses.slice(15)).toEqual(Array(5).fill(429));
  });

  it('is not dodged by a spoofed X-Forwarded-For without TRUST_PROXY', async () => {
    const t = await start();
    const ip = someIp();
    const statuses = [];
    for (let i = 0; i < 25; i++) {
      const spoofed = { 'x-forwarded-for': `203.0.113.${i + 1}` };
      statuses.push((await signIn(t, ip, `s${i}@clinic.example`, spoofed)).statusCode);
    }
    expect(statuses.slice(20)).toEqual(Array(5).fill(429));
  });

  it('counts each client behind a trusted proxy on its own, and a spoofing client still once', async () => {
    const t = await start({ TRUST_PROXY: 'true' });
    const proxy = someIp();
    const alice = someIp();
    for (let i = 0; i < 20; i++) {
      const res = await signIn(t, proxy, `p${i}@clinic.example`, { 'x-forwarded-for': alice });
      expect(res.statusCode).toBe(401);
    }
    const limited = await signIn(t, proxy, 'p@clinic.example', { 'x-forwarded-for': alice });
    expect(limited.statusCode).toBe(429);
    // Another client of the same proxy is counted on its own.
    const bob = await signIn(t, proxy, 'q@clinic.example', { 'x-forwarded-for': someIp() });
    expect(bob.statusCode).toBe(401);
  });

  describe.runIf(redisUrl)('with Redis', () => {
    it('shares the count between two server processes', async () => {
      const one = await start({ REDIS_URL: redisUrl! });
      const two = await start({ REDIS_URL: redisUrl! });
      const ip = someIp();
      for (let i = 0; i < 20; i++) {
        const res = await signIn(i % 2 ? one : two, ip, `r${i}@clinic.example`);
        expect(res.statusCode).toBe(401);
      }
      expect((await signIn(one, ip, 'r@clinic.example')).statusCode).toBe(429);
      expect((await signIn(two, ip, 'r@clinic.example')).statusCode).toBe(429);
    });

    it('answers 503 REDIS_UNAVAILABLE, never an uncounted sign-in, while Redis cannot be reached', async () => {
      const t = await start({ REDIS_URL: 'redis://127.0.0.1:9' });
      const res = await signIn(t, someIp(), 'x@clinic.example');
      expect(res.statusCode).toBe(503);
      expect(errorCode(res)).toBe('REDIS_UNAVAILABLE');
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|ioredis/i);
    });
  });
});
