/**
 * Spend protection for texts and calls (S10), against every counter store: the database on
 * each dialect, and Redis when TEST_REDIS_URL is set. Per number, prefix, IP and account
 * limits refuse with Retry-After to the end of their window; the hourly budget refuses with
 * one alert per hour; a refused country is refused before anything is counted; concurrent
 * sends and several processes sharing the counters never get past a limit.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import {
  createSpendGuard,
  type SendRequest,
  type SpendLimits,
} from '../../src/delivery/spend-guard.js';
import {
  createDbCounterStore,
  createRedisCounterStore,
  purgeRateCounters,
  type CounterStore,
} from '../../src/store/counters.js';
import { AppError } from '../../src/errors/app-error.js';
import type { ErrorCode } from '../../src/errors/codes.js';
import { openStore } from '../../src/store/dialect.js';
import { dialects, openSqliteStore, type TestStore } from '../helpers/stores.js';

const redisUrl = process.env.TEST_REDIS_URL;
if (!redisUrl) {
  console.warn(
    'Redis spend-guard suites are skipped: set TEST_REDIS_URL=redis://127.0.0.1:6379 to run them.',
  );
}

const MINUTE = 60_000;
/** FakeClock starts on a whole hour: 2026-11-22 12:00:00 UTC. */
const START = Date.UTC(2026, 10, 22, 12, 0, 0);

const defaults: SpendLimits = {
  perNumber: 5,
  perPrefix: 20,
  perIp: 10,
  perAccount: 10,
  hourlyBudget: 1000,
  allowedCountries: ['GB', 'US'],
};

/** Counter stores over one backing service; `another()` is a second "process" sharing it. */
interface Backend {
  store: CounterStore;
  another(): CounterStore;
  close(): Promise<void>;
}

function dbBackend(t: TestStore): Backend {
  const extra: { close(): Promise<void> }[] = [];
  return {
    store: createDbCounterStore(t.store.db),
    another() {
      const second = openStore(t.config); // its own connection(s) to the same database
      extra.push(second);
      return createDbCounterStore(second.db);
    },
    async close() {
      for (const s of extra) await s.close();
      await t.close();
    },
  };
}

/** SQLite in a file, so a second connection (a second "process") can share it. */
async function openSqliteFile(): Promise<TestStore> {
  const file = join(tmpdir(), `portcullis-spend-${randomBytes(6).toString('hex')}.db`);
  const t = await openSqliteStore(file);
  return {
    ...t,
    async close() {
      await t.close();
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    },
  };
}

const backends: [string, () => Promise<Backend>][] = [
  ...dialects.map(([name, open]): [string, () => Promise<Backend>] => [
    name,
    async () => dbBackend(await (name === 'sqlite' ? openSqliteFile() : open())),
  ]),
  ...(redisUrl
    ? [
        [
          'redis',
          async () => {
            // A prefix of our own, so runs never collide and clean-up touches only our keys.
            const prefix = `portcullis:rate:test-${randomBytes(6).toString('hex')}:`;
            const stores = [createRedisCounterStore(redisUrl, { prefix })];
            return {
              store: stores[0],
              another() {
                const s = createRedisCounterStore(redisUrl, { prefix });
                stores.push(s);
                return s;
              },
              async close() {
                for (const s of stores) await s.close();
                const admin = new Redis(redisUrl);
                for await (const keys of admin.scanStream({ match: `${prefix}*`, count: 500 })) {
                  if ((keys as string[]).length > 0) await admin.del(...(keys as string[]));
                }
                await admin.quit();
              },
            } as Backend;
          },
        ] as [string, () => Promise<Backend>],
      ]
    : []),
];

async function refusedWith(p: Promise<unknown>, code: ErrorCode): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected ${code}`).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  return err as AppError;
}

function expectRetryAfter(err: AppError, seconds: number): void {
  expect(err.status).toBe(429);
  expect(err.headers).toEqual({ 'retry-after': String(seconds) });
  expect(err.details).toEqual({ retryAfterSeconds: seconds });
}

/** A UK mobile per `n`, each in a prefix block of its own. */
const mobile = (n: number) => `+4475${String(n).padStart(4, '0')}0000`;
const send = (to: string, extra: Partial<SendRequest> = {}): SendRequest => ({
  to,
  country: 'GB',
  ip: null,
  accountId: null,
  ...extra,
});

describe.each(backends)('spend guard on %s', (_name, open) => {
  let backend: Backend;
  let clock: FakeClock;
  const log = { error: vi.fn() };
  const guard = (limits: Partial<SpendLimits> = {}, store?: CounterStore) =>
    createSpendGuard(store ?? backend.store, { ...defaults, ...limits }, clock, log);

  beforeEach(async () => {
    backend = await open();
    clock = new FakeClock(START);
    log.error.mockReset();
  });
  afterEach(async () => {
    await backend.close();
  });

  it('lets 5 sends to a number through, refuses the 6th until the window ends', async () => {
    const g = guard();
    for (let i = 0; i < 5; i++) await g.admit(send(mobile(1)));
    expectRetryAfter(await refusedWith(g.admit(send(mobile(1))), 'SEND_LIMIT_REACHED'), 600);

    clock.advance(4 * MINUTE);
    expectRetryAfter(await refusedWith(g.admit(send(mobile(1))), 'SEND_LIMIT_REACHED'), 360);
    await g.admit(send(mobile(2))); // another number is not affected

    clock.set(START + 10 * MINUTE); // the next window
    for (let i = 0; i < 5; i++) await g.admit(send(mobile(1)));
    await refusedWith(g.admit(send(mobile(1))), 'SEND_LIMIT_REACHED');
    expect(log.error).not.toHaveBeenCalled();
  });

  it('limits a prefix across different numbers in it', async () => {
    const g = guard({ perPrefix: 3 });
    for (const last4 of ['0001', '0002', '0003']) await g.admit(send(`+44754612${last4}`));
    const err = await refusedWith(g.admit(send('+447546129999')), 'SEND_LIMIT_REACHED');
    expectRetryAfter(err, 600);
    await g.admit(send('+447546130001')); // the next block
  });

  it('limits an IP across numbers, and skips the check without an IP', async () => {
    const g = guard({ perIp: 3 });
    const ip = '203.0.113.7';
    for (let n = 1; n <= 3; n++) await g.admit(send(mobile(n), { ip }));
    expectRetryAfter(
      await refusedWith(g.admit(send(mobile(4), { ip })), 'SEND_LIMIT_REACHED'),
      600,
    );
    await g.admit(send(mobile(5), { ip: '198.51.100.9' }));
    for (let n = 6; n <= 9; n++) await g.admit(send(mobile(n)));
  });

  it('limits an account per hour', async () => {
    const g = guard({ perAccount: 3 });
    const accountId = 'acct-1';
    for (let n = 1; n <= 3; n++) await g.admit(send(mobile(n), { accountId }));
    expectRetryAfter(
      await refusedWith(g.admit(send(mobile(4), { accountId })), 'SEND_LIMIT_REACHED'),
      3600,
    );
    clock.advance(30 * MINUTE); // still the same hour
    expectRetryAfter(
      await refusedWith(g.admit(send(mobile(5), { accountId })), 'SEND_LIMIT_REACHED'),
      1800,
    );
    await g.admit(send(mobile(6), { accountId: 'acct-2' }));
    clock.set(START + 60 * MINUTE);
    await g.admit(send(mobile(7), { accountId }));
  });

  it('stops all sends when the hourly budget is spent, alerting once per hour', async () => {
    const g = guard({ hourlyBudget: 3 });
    for (let n = 1; n <= 3; n++) await g.admit(send(mobile(n)));
    clock.advance(45 * MINUTE);
    for (let n = 4; n <= 8; n++) {
      const err = await refusedWith(g.admit(send(mobile(n))), 'SEND_BUDGET_EXHAUSTED');
      expectRetryAfter(err, 900);
    }
    expect(log.error).toHaveBeenCalledTimes(1);
    const [fields, message] = log.error.mock.calls[0] as [object, string];
    expect(fields).toMatchObject({ alert: 'sms_budget_exhausted', budget: 3 });
    expect(JSON.stringify(fields) + message).not.toMatch(/\+44|7500/);

    clock.set(START + 60 * MINUTE); // the next clock hour
    for (let n = 11; n <= 13; n++) await g.admit(send(mobile(n)));
    await refusedWith(g.admit(send(mobile(14))), 'SEND_BUDGET_EXHAUSTED');
    await refusedWith(g.admit(send(mobile(15))), 'SEND_BUDGET_EXHAUSTED');
    expect(log.error).toHaveBeenCalledTimes(2);
  });

  it('refuses a country that is not allowed before counting anything', async () => {
    const hits = vi.fn();
    const counting: CounterStore = {
      hit: (...args) => (hits(...args), backend.store.hit(...args)),
      close: () => backend.store.close(),
    };
    const g = guard({ perNumber: 1 }, counting);
    const france = { to: '+33612345678', country: 'FR', ip: '203.0.113.7', accountId: 'a' };
    for (let i = 0; i < 3; i++) {
      const err = await refusedWith(g.admit(france), 'PHONE_COUNTRY_NOT_ALLOWED');
      expect(err.message).toBe('Numbers from France (FR) are not accepted here.');
    }
    expect(hits).not.toHaveBeenCalled();
    // The same store, with France allowed: its first send is still the first.
    await guard({ perNumber: 1, allowedCountries: '*' }).admit(france);
  });

  it('lets exactly 5 of 20 concurrent sends to one number through', async () => {
    const g = guard();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => g.admit(send(mobile(1)))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    for (const r of results) {
      if (r.status === 'rejected') expect((r.reason as AppError).code).toBe('SEND_LIMIT_REACHED');
    }
  });

  it('shares counts between two processes', async () => {
    const a = guard();
    const b = guard({}, backend.another());
    for (let i = 0; i < 3; i++) await a.admit(send(mobile(1)));
    for (let i = 0; i < 2; i++) await b.admit(send(mobile(1)));
    await refusedWith(a.admit(send(mobile(1))), 'SEND_LIMIT_REACHED');
    await refusedWith(b.admit(send(mobile(1))), 'SEND_LIMIT_REACHED');
  });

  it('shares one budget between two processes under concurrency, with one alert', async () => {
    const logB = { error: vi.fn() };
    const a = guard({ hourlyBudget: 4 });
    const b = createSpendGuard(backend.another(), { ...defaults, hourlyBudget: 4 }, clock, logB);
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, n) => (n % 2 ? a : b).admit(send(mobile(n)))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(4);
    expect(log.error.mock.calls.length + logB.error.mock.calls.length).toBe(1);
  });
});

describe.each(dialects)('database counters on %s', (_name, open) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await open();
  });
  afterEach(async () => {
    await t.close();
  });

  it('counts in fixed windows and starts again in the next one', async () => {
    const store = createDbCounterStore(t.store.db);
    const w = 10 * MINUTE;
    expect(await store.hit('k', w, START + 1)).toEqual({ count: 1, resetAt: START + w });
    expect(await store.hit('k', w, START + w - 1)).toEqual({ count: 2, resetAt: START + w });
    expect(await store.hit('k', w, START + w)).toEqual({ count: 1, resetAt: START + 2 * w });
    // A process whose clock lags a little counts in the current window, never resets it.
    expect(await store.hit('k', w, START + w - 5)).toEqual({ count: 2, resetAt: START + 2 * w });
  });

  it('purges counters whose window has ended', async () => {
    const store = createDbCounterStore(t.store.db);
    await store.hit('old', 60 * MINUTE, START);
    await store.hit('new', 10 * MINUTE, START + 60 * MINUTE);
    expect(await purgeRateCounters(t.store.db, START + 61 * MINUTE)).toBe(1);
    const keys = await t.store.db.selectFrom('rate_counters').select('key').execute();
    expect(keys.map((r) => r.key)).toEqual(['new']);
  });
});

describe('counter keys', () => {
  it('holds no number or IP when a key hash is given', async () => {
    const keys: string[] = [];
    const memory: CounterStore = {
      async hit(key, windowMs, now) {
        keys.push(key);
        return { count: 1, resetAt: Math.floor(now / windowMs) * windowMs + windowMs };
      },
      async close() {},
    };
    const g = createSpendGuard(
      memory,
      defaults,
      new FakeClock(START),
      { error: vi.fn() },
      {
        hashKey: (v) => `h(${v.length})`,
      },
    );
    await g.admit(send('+447546123456', { ip: '203.0.113.7', accountId: 'acct-1' }));
    expect(keys).toHaveLength(5);
    expect(keys.join(' ')).not.toMatch(/7546|203\.0|acct/);
  });
});
