/**
 * Store conformance: consecutive-failure throttling (S5) — free tries, then delays that double,
 * a lock at 100 failures that time does not lift, a reset on success, and attempts counted
 * before the secret is checked, so concurrent bursts get no more tries than sequential ones.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createThrottle, defaultThrottle, type Throttle } from '../../src/accounts/throttle.js';
import { FakeClock } from '../../src/clock.js';
import type { TestStore } from '../helpers/stores.js';
import { expectAppError, storeDialects } from './fixtures.js';

const subject = 'password:subject-a';

describe.each(storeDialects)('throttle on %s', (_name, open) => {
  let t: TestStore;
  let clock: FakeClock;
  let throttle: Throttle;

  /** `n` failed attempts, each made once any delay has passed. */
  async function failTimes(n: number, who = subject): Promise<void> {
    for (let i = 0; i < n; i++) {
      await throttle.attempt(who);
      if (i < n - 1) clock.advance(defaultThrottle.maxDelayMs);
    }
  }
  const settle = (n: number) =>
    Promise.allSettled(Array.from({ length: n }, () => throttle.attempt(subject)));

  beforeEach(async () => {
    t = await open();
    clock = new FakeClock();
    throttle = createThrottle(t.store.db, clock);
  });
  afterEach(async () => {
    await t.close();
  });

  it('lets a subject with no failures through', async () => {
    await expect(throttle.check(subject)).resolves.toBeUndefined();
  });

  it('adds no delay for the first four failures', async () => {
    for (let n = 1; n <= 4; n++) {
      expect(await throttle.attempt(subject)).toBe(n);
      await expect(throttle.check(subject)).resolves.toBeUndefined();
    }
  });

  it('asks to wait one second after the fifth failure, with Retry-After', async () => {
    await failTimes(5);
    const error = await expectAppError(throttle.check(subject), 'TOO_MANY_ATTEMPTS');
    expect(error.status).toBe(429);
    expect(error.headers).toEqual({ 'retry-after': '1' });
  });

  it('doubles the delay with each further failure and lets the subject in once it has passed', async () => {
    await failTimes(4);
    for (const seconds of [1, 2, 4, 8, 16, 32, 64]) {
      await throttle.attempt(subject);
      const error = await expectAppError(throttle.check(subject), 'TOO_MANY_ATTEMPTS');
      await expectAppError(throttle.attempt(subject), 'TOO_MANY_ATTEMPTS'); // not counted
      expect(error.headers?.['retry-after']).toBe(String(seconds));
      clock.advance(seconds * 1000 - 1);
      await expectAppError(throttle.check(subject), 'TOO_MANY_ATTEMPTS');
      clock.advance(1);
      await expect(throttle.check(subject)).resolves.toBeUndefined();
    }
  });

  it('caps the delay at fifteen minutes', async () => {
    await failTimes(40);
    const error = await expectAppError(throttle.check(subject), 'TOO_MANY_ATTEMPTS');
    expect(error.headers?.['retry-after']).toBe(String(defaultThrottle.maxDelayMs / 1000));
    clock.advance(defaultThrottle.maxDelayMs);
    await expect(throttle.check(subject)).resolves.toBeUndefined();
  });

  it('is not locked at 99 consecutive failures', async () => {
    await failTimes(99);
    clock.advance(defaultThrottle.maxDelayMs);
    await expect(throttle.check(subject)).resolves.toBeUndefined();
  });

  it('locks at 100 consecutive failures and stays locked as time passes', async () => {
    await failTimes(100);
    const error = await expectAppError(throttle.check(subject), 'ACCOUNT_LOCKED');
    expect(error.status).toBe(423);
    clock.advance(30 * 24 * 3_600_000);
    await expectAppError(throttle.check(subject), 'ACCOUNT_LOCKED');
    const row = await t.store.db
      .selectFrom('failure_counters')
      .selectAll()
      .where('subject', '=', subject)
      .executeTakeFirstOrThrow();
    expect(row.locked_at).not.toBeNull();
  });

  it('clears delays and the lock on reset', async () => {
    await failTimes(100);
    await throttle.reset(subject);
    await expect(throttle.check(subject)).resolves.toBeUndefined();
    expect(await throttle.attempt(subject)).toBe(1);
    await expect(throttle.check(subject)).resolves.toBeUndefined();
  });

  it('counts each subject apart', async () => {
    await failTimes(5, 'password:subject-a');
    await expect(throttle.check('password:subject-b')).resolves.toBeUndefined();
    await expect(throttle.check('code:subject-a')).resolves.toBeUndefined();
  });

  it('lets a burst of twenty concurrent attempts have the five free tries and no more', async () => {
    const results = await settle(20);
    const counts = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(counts.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    for (const r of results) {
      if (r.status === 'rejected')
        expect((r.reason as { code: string }).code).toBe('TOO_MANY_ATTEMPTS');
    }
    const row = await t.store.db
      .selectFrom('failure_counters')
      .select('failures')
      .where('subject', '=', subject)
      .executeTakeFirstOrThrow();
    expect(row.failures).toBe(5);
  });

  it('lets only one attempt of a concurrent burst through at 99 failures, then locks', async () => {
    await failTimes(99);
    clock.advance(defaultThrottle.maxDelayMs);
    const results = await settle(20);
    expect(
      results
        .filter((r) => r.status === 'fulfilled')
        .map((r) => (r as PromiseFulfilledResult<number>).value),
    ).toEqual([100]);
    await expectAppError(throttle.check(subject), 'ACCOUNT_LOCKED');
  });
});
