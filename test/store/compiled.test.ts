/**
 * The hot paths' statements are compiled once and then only bound (`store/compiled.ts`): each
 * run must get its own arguments in the right places, keep the statement's constants, run in the
 * unit of work it is called in, and a builder that does anything with an argument but pass it on
 * must be refused.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compiledOnce } from '../../src/store/compiled.js';
import type { Db } from '../../src/store/schema.js';
import { dialects, type TestStore } from '../helpers/stores.js';

describe.each(dialects)('a statement compiled once, on %s', (_name, open) => {
  let t: TestStore;
  let db: Db;

  beforeEach(async () => {
    t = await open();
    db = t.store.db;
    await db
      .insertInto('failure_counters')
      .values([
        { subject: 'a', failures: 1, last_failure_at: 10, locked_at: null, account_id: null },
        { subject: 'b', failures: 2, last_failure_at: 20, locked_at: 25, account_id: null },
        { subject: 'c', failures: 3, last_failure_at: 30, locked_at: null, account_id: null },
      ])
      .execute();
  });
  afterEach(() => t.close());

  it('binds each run its own arguments, wherever they stand, and keeps its constants', async () => {
    const between = compiledOnce(db, (low: number, high: number, not: string) =>
      db
        .selectFrom('failure_counters')
        .select('subject')
        .where('failures', '>=', low)
        .where('locked_at', 'is', null) // no parameter
        .where('subject', '!=', not)
        .where('failures', '<=', high)
        .where('subject', '!=', 'z') // a constant parameter, between the arguments
        .orderBy('subject'),
    );
    expect((await between(1, 3, 'x')).map((r) => r.subject)).toEqual(['a', 'c']);
    expect((await between(2, 3, 'c')).map((r) => r.subject)).toEqual([]);
    expect((await between(1, 1, 'c')).map((r) => r.subject)).toEqual(['a']);
  });

  it('uses an argument twice when the statement does', async () => {
    const either = compiledOnce(db, (s: string) =>
      db
        .selectFrom('failure_counters')
        .select('subject')
        .where((eb) => eb.or([eb('subject', '=', s), eb('account_id', '=', s)])),
    );
    expect(await either('b')).toEqual([{ subject: 'b' }]);
    expect(await either('d')).toEqual([]);
  });

  it('runs in the unit of work it is called in', async () => {
    const failuresOf = compiledOnce(db, (s: string) =>
      db.selectFrom('failure_counters').select('failures').where('subject', '=', s),
    );
    await expect(
      t.store.units.transaction(async () => {
        await db
          .updateTable('failure_counters')
          .set({ failures: 9 })
          .where('subject', '=', 'a')
          .execute();
        expect(await failuresOf('a')).toEqual([{ failures: 9 }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await failuresOf('a')).toEqual([{ failures: 1 }]);
  });

  it('refuses a builder that tests an argument, or makes another value of it', async () => {
    const tested = compiledOnce(db, (s: string) =>
      db
        .selectFrom('failure_counters')
        .select('subject')
        .where('subject', '=', s === 'a' ? 'a' : 'b'),
    );
    await expect(tested('a')).rejects.toThrow(/argument 0 does not reach/);
    const joined = compiledOnce(db, (s: string) =>
      db.selectFrom('failure_counters').select('subject').where('subject', 'like', `${s}%`),
    );
    await expect(joined('a')).rejects.toThrow(/changed before it reached/);
  });
});
