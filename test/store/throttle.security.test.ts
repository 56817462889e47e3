/**
 * Attack: a burst of concurrent wrong passwords must not get more guesses than S5 allows
 * (lock-out at 100 consecutive failures). Driven through the sign-in service, which is where
 * the throttle's check and count meet the password check.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { createPasswordHasher } from '../../src/factors/password/hashing.js';
import type { SignInService } from '../../src/flows/sign-in/service.js';
import type { TestStore } from '../helpers/stores.js';
import {
  expectAppError,
  insertAccount,
  origin,
  rejectionCodes,
  servicesFor,
  signInServiceFor,
  storeDialects,
} from './fixtures.js';

const EMAIL = 'ann@example.org';
const RIGHT = 'lilac tundra quiver 87';
const FIFTEEN_MINUTES = 15 * 60_000;
// Cheap parameters: this file tests counting, not hashing.
const passwords = createPasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

describe.each(storeDialects)('password guessing bursts on %s', (_name, open) => {
  let t: TestStore;
  let clock: FakeClock;
  let signIn: SignInService;

  const guess = () => signIn.start({ email: EMAIL, password: 'not the password at all', origin });

  beforeEach(async () => {
    t = await open();
    clock = new FakeClock();
    const { db } = t.store;
    await insertAccount(db, clock, {
      email: EMAIL,
      password_hash: await passwords.hash(RIGHT),
    });
    signIn = signInServiceFor(t.store, clock, { memoryCost: 1024, timeCost: 1, parallelism: 1 });
  });
  afterEach(async () => {
    await t.close();
  });

  it('locks the account after 100 wrong passwords made one at a time', async () => {
    for (let i = 0; i < 100; i++) {
      clock.advance(FIFTEEN_MINUTES);
      await expectAppError(guess(), 'INVALID_CREDENTIALS');
    }
    clock.advance(FIFTEEN_MINUTES);
    await expectAppError(guess(), 'ACCOUNT_LOCKED');
  });

  it('evaluates at most one guess of a concurrent burst made at 99 failures', async () => {
    for (let i = 0; i < 99; i++) {
      clock.advance(FIFTEEN_MINUTES);
      await expectAppError(guess(), 'INVALID_CREDENTIALS');
    }
    clock.advance(FIFTEEN_MINUTES);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => guess()));
    const codes = rejectionCodes(results);
    expect(codes).toHaveLength(10);
    // Each INVALID_CREDENTIALS is one password actually checked: S5 allows 100 in all.
    expect(
      codes.filter((c) => c === 'INVALID_CREDENTIALS').length,
      `a burst got ${codes.filter((c) => c === 'INVALID_CREDENTIALS').length} guesses past 99 failures`,
    ).toBeLessThanOrEqual(1);
  });

  // The password is checked before it is counted (no write for an account with no failures):
  // an answer whose check ends after its burst used up the tries must not tell right from wrong.
  it('refuses the right password whose check ends after the wrong ones of its burst locked the account', async () => {
    for (let i = 0; i < 99; i++) {
      clock.advance(FIFTEEN_MINUTES);
      await expectAppError(guess(), 'INVALID_CREDENTIALS');
    }
    clock.advance(FIFTEEN_MINUTES);
    const services = servicesFor(t.store, clock, { memoryCost: 1024, timeCost: 1, parallelism: 1 });
    const { passwords: checker } = services;
    const verify = checker.verify.bind(checker);
    let release!: () => void;
    const wrongOnesDone = new Promise<void>((resolve) => (release = resolve));
    // The right answer's check ends last.
    checker.verify = async (stored, password) => {
      const ok = await verify(stored, password);
      if (ok) await wrongOnesDone;
      return ok;
    };
    const right = services.signIn.start({ email: EMAIL, password: RIGHT, origin });
    const wrong = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        services.signIn.start({ email: EMAIL, password: 'not the password at all', origin }),
      ),
    );
    release();
    await expectAppError(right, 'ACCOUNT_LOCKED');
    const codes = rejectionCodes(wrong);
    expect(codes.filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(1);
    expect(codes.filter((c) => c === 'ACCOUNT_LOCKED')).toHaveLength(4);
    // And it stays locked: the right password later is refused too.
    clock.advance(FIFTEEN_MINUTES);
    await expectAppError(
      services.signIn.start({ email: EMAIL, password: RIGHT, origin }),
      'ACCOUNT_LOCKED',
    );
  });

  it('lets the right password in at 99 failures when it comes alone, and clears the count', async () => {
    for (let i = 0; i < 99; i++) {
      clock.advance(FIFTEEN_MINUTES);
      await expectAppError(guess(), 'INVALID_CREDENTIALS');
    }
    clock.advance(FIFTEEN_MINUTES);
    await signIn.start({ email: EMAIL, password: RIGHT, origin });
    const left = await t.store.db.selectFrom('failure_counters').selectAll().execute();
    expect(left).toEqual([]);
  });
});
