/**
 * Consecutive-failure throttling (S5). One counter per subject ("password:<email hash>",
 * "code:<account id>"): per account and authenticator, never per IP, so spreading guesses over
 * addresses does not help. Keyed by the email hash for passwords, so unknown and known emails
 * behave the same (S6).
 *
 * - up to `freeFailures` failures: no delay;
 * - then a delay that doubles with each failure (1 s, 2 s, 4 s … capped at 15 minutes);
 * - at `lockAfter` (100) consecutive failures: locked until reset by a recovery or an admin.
 * A success resets the counter; sending a new code never does.
 *
 * Two ways to count, both keeping a burst of concurrent guesses to the tries sequential ones get:
 * - `attempt` before the secret is checked (and `reset` after a success): a code, a recovery code;
 * - `check` before and `attempt` / `admit` after, for the password: a wrong answer is counted (or
 *   refused, when the failures counted meanwhile used up the tries), and a right one is refused
 *   the same way, so an answer past the tries never tells right from wrong. A sign-in with no
 *   failures to clear writes nothing here (the password is the hot path).
 */
import type { Clock } from '../clock.js';
import { AppError, rateLimited } from '../errors/app-error.js';
import { compiledOnce } from '../store/compiled.js';
import type { Db } from '../store/schema.js';

export interface ThrottleOptions {
  freeFailures: number;
  lockAfter: number;
  maxDelayMs: number;
}

export const defaultThrottle: ThrottleOptions = {
  freeFailures: 5,
  lockAfter: 100,
  maxDelayMs: 15 * 60_000,
};

export interface Throttle {
  /** Read-only: throws TOO_MANY_ATTEMPTS (with Retry-After) or ACCOUNT_LOCKED when the subject must wait. */
  check(subject: string): Promise<void>;
  /**
   * Counts one attempt *before* the secret is checked, atomically (compare-and-swap on the
   * count), and throws like `check` when the subject must wait. A burst of concurrent guesses
   * therefore gets no more tries than sequential ones. Returns the new count.
   */
  attempt(subject: string, owner?: string): Promise<number>;
  /**
   * Names the account a counter belongs to, where the subject does not say it (a password's is
   * keyed by a hash of the address): the admin console lists locked users by it. Failures only;
   * null (an unknown address) runs the same statement and changes nothing (S6: the same work).
   */
  own(subject: string, accountId: string | null): Promise<void>;
  /** After a success. */
  reset(subject: string): Promise<void>;
  /**
   * After a right answer that was not counted before it was checked: throws like `check` when
   * the subject must wait (wrong answers of the same burst counted meanwhile), else clears the
   * subject's failures — without a write when it has none.
   */
  admit(subject: string): Promise<void>;
  /** An administrator's unlock (S5): every counter of the account, its lock-out with them. */
  unlockAccount(accountId: string, subjects: string[]): Promise<void>;
}

export function delayAfter(failures: number, o: ThrottleOptions): number {
  if (failures < o.freeFailures) return 0;
  return Math.min(1000 * 2 ** (failures - o.freeFailures), o.maxDelayMs);
}

/** Lost compare-and-swap rounds before a request is told to retry (only under heavy contention). */
const MAX_ROUNDS = 10;

export function createThrottle(
  db: Db,
  clock: Clock,
  o: ThrottleOptions = defaultThrottle,
): Throttle {
  // Read before and after every password's hash: compiled once.
  const readRows = compiledOnce(db, (subject: string) =>
    db
      .selectFrom('failure_counters')
      .select(['failures', 'last_failure_at', 'locked_at'])
      .where('subject', '=', subject),
  );
  const read = async (subject: string) => (await readRows(subject))[0];

  function refuse(row: {
    failures: number;
    last_failure_at: number;
    locked_at: number | null;
  }): void {
    if (row.locked_at !== null) throw new AppError('ACCOUNT_LOCKED');
    const wait = row.last_failure_at + delayAfter(row.failures, o) - clock.now();
    if (wait > 0) throw rateLimited('TOO_MANY_ATTEMPTS', wait);
  }

  return {
    async check(subject) {
      const row = await read(subject);
      if (row) refuse(row);
    },

    async attempt(subject, owner) {
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const now = clock.now();
        const row = await read(subject);
        if (!row) {
          const inserted = await db
            .insertInto('failure_counters')
            .values({
              subject,
              failures: 1,
              last_failure_at: now,
              locked_at: null,
              account_id: owner ?? null,
            })
            .onConflict((oc) => oc.column('subject').doNothing())
            .returning('failures')
            .executeTakeFirst();
          if (inserted) return 1;
          continue;
        }
        refuse(row);
        const next = row.failures + 1;
        const counted = await db
          .updateTable('failure_counters')
          .set({
            failures: next,
            last_failure_at: now,
            locked_at: next >= o.lockAfter ? now : null,
          })
          .where('subject', '=', subject)
          .where('failures', '=', row.failures)
          .where('locked_at', 'is', null)
          .returning('failures')
          .executeTakeFirst();
        if (counted) return next;
      }
      throw rateLimited('TOO_MANY_ATTEMPTS', 1000);
    },

    async own(subject, accountId) {
      await db
        .updateTable('failure_counters')
        .set({ account_id: accountId })
        .where('subject', '=', subject)
        .where('account_id', 'is', null)
        .execute();
    },

    async reset(subject) {
      await db.deleteFrom('failure_counters').where('subject', '=', subject).execute();
    },

    async admit(subject) {
      const row = await read(subject);
      if (!row) return;
      refuse(row);
      await this.reset(subject);
    },

    async unlockAccount(accountId, subjects) {
      await db
        .deleteFrom('failure_counters')
        .where((eb) => eb.or([eb('account_id', '=', accountId), eb('subject', 'in', subjects)]))
        .execute();
    },
  };
}
