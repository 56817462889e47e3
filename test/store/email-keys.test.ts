/**
 * Migration 0008 on both dialects: accounts stored before email keys were NFKC-case-folded get
 * today's key, so their owners still sign in with the address they type; two accounts whose
 * addresses now read alike are never merged (neither is given the other's key) and the audit log
 * names them for an administrator.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { createPasswordHasher } from '../../src/factors/password/hashing.js';
import { up } from '../../src/store/migrations/0008-email-keys.js';
import type { TestStore } from '../helpers/stores.js';
import { insertAccount, origin, signInServiceFor, storeDialects } from './fixtures.js';

const PASSWORD = 'lilac tundra quiver 87';
const cheap = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const passwords = createPasswordHasher(cheap);

describe.each(storeDialects)('re-keying stored email addresses on %s', (_name, open) => {
  let t: TestStore;
  let clock: FakeClock;
  beforeEach(async () => {
    t = await open();
    clock = new FakeClock();
  });
  afterEach(async () => {
    await t.close();
  });

  /** An account as the old rule stored it: the key was the address lower-cased. */
  const legacy = async (email: string) =>
    insertAccount(t.store.db, clock, {
      email,
      email_normalized: email.toLowerCase(),
      phone_offer_dismissed_at: clock.now(), // seed 000's phone offer was skipped once
      password_hash: await passwords.hash(PASSWORD),
    });

  const keys = async () =>
    Object.fromEntries(
      (await t.store.db.selectFrom('accounts').select(['email', 'email_normalized']).execute()).map(
        (r) => [r.email, r.email_normalized],
      ),
    );

  it('gives a stored ⅴic@ the key vic@, and its owner signs in typing either form', async () => {
    await legacy('\u2174ic@example.test');
    await legacy('ann@example.test');
    await up(t.store.db);
    expect(await keys()).toEqual({
      '\u2174ic@example.test': 'vic@example.test',
      'ann@example.test': 'ann@example.test',
    });
    const signIn = signInServiceFor(t.store, clock, cheap);
    for (const typed of ['\u2174ic@example.test', 'VIC@example.test', 'ann@example.test']) {
      const result = await signIn.start({ email: typed, password: PASSWORD, origin });
      expect(result.status).toBe('signed_in');
    }
  });

  it('merges nothing: a key held already, or wanted by two, goes to no one, and each is audited', async () => {
    const bob = await legacy('bob@example.test');
    const fullwidthBob = await legacy('\uff42ob@example.test');
    const dan1 = await legacy('\uff44an@example.test');
    const dan2 = await legacy('\u217ean@example.test'); // ⅾ, SMALL ROMAN NUMERAL FIVE HUNDRED
    await up(t.store.db);
    expect(await keys()).toEqual({
      'bob@example.test': 'bob@example.test',
      '\uff42ob@example.test': '\uff42ob@example.test',
      '\uff44an@example.test': '\uff44an@example.test',
      '\u217ean@example.test': '\u217ean@example.test',
    });
    const events = await t.store.db
      .selectFrom('audit_events')
      .select(['action', 'target_id', 'details'])
      .execute();
    const conflicts = Object.fromEntries(
      events
        .filter((e) => e.action === 'account.email_key_conflict')
        .map((e) => [e.target_id, JSON.parse(e.details).conflictsWith]),
    );
    expect(conflicts).toEqual({
      [fullwidthBob.id]: bob.id,
      [dan1.id]: dan2.id,
      [dan2.id]: dan1.id,
    });
    // The holder is untouched and signs in as before; the lookalike's address finds the holder.
    const signIn = signInServiceFor(t.store, clock, cheap);
    const typed = await signIn.start({
      email: '\uff42ob@example.test',
      password: PASSWORD,
      origin,
    });
    expect(typed.status === 'signed_in' && typed.session.account_id).toBe(bob.id);
  });
});
