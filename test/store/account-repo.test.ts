/**
 * Store conformance: the accounts repository's guarded writes, on each dialect — an address
 * verified once, a key taken once, an organisation joined only from none (of two concurrent joins
 * one wins), an address changed only from the one the change started with.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAccountRepo, type AccountRepo } from '../../src/accounts/repo.js';
import { FakeClock } from '../../src/clock.js';
import { isUniqueViolation } from '../../src/store/dialect.js';
import type { TestStore } from '../helpers/stores.js';
import { fulfilled, insertAccount, storeDialects } from './fixtures.js';

describe.each(storeDialects)('the accounts repository on %s', (_name, open) => {
  let t: TestStore;
  let clock: FakeClock;
  let accounts: AccountRepo;

  beforeEach(async () => {
    t = await open();
    clock = new FakeClock();
    accounts = createAccountRepo(t.store.db);
  });
  afterEach(() => t.close());

  const fresh = (id: string, key: string) => ({
    id,
    email: key,
    emailKey: key,
    passwordHash: null,
    state: 'active' as const,
    role: 'user' as const,
    now: clock.now(),
  });

  it('makes an account once per key', async () => {
    expect(await accounts.insert(fresh('a1', 'ann@example.org'))).toBe(true);
    expect(await accounts.insert(fresh('a2', 'ann@example.org'))).toBe(false);
    expect((await accounts.byEmailKey('ann@example.org'))?.id).toBe('a1');
    expect(await accounts.byId('a2')).toBeUndefined();
  });

  it('verifies an address once', async () => {
    const ann = await insertAccount(t.store.db, clock, { email_verified_at: null });
    expect(await accounts.markEmailVerified(ann.id, clock.now())).toBe(true);
    expect(await accounts.markEmailVerified(ann.id, clock.now() + 1)).toBe(false);
    expect((await accounts.byId(ann.id))?.email_verified_at).toBe(clock.now());
  });

  it('lets one of two concurrent organisations have a member', async () => {
    const ann = await insertAccount(t.store.db, clock);
    for (const id of ['org-a', 'org-b'])
      await t.store.db
        .insertInto('organisations')
        .values({ id, name: id, policy: null, created_at: clock.now(), updated_at: clock.now() })
        .execute();
    const results = await Promise.allSettled(
      ['org-a', 'org-b'].map((org) => accounts.joinOrganisation(ann.id, org, clock.now())),
    );
    expect(fulfilled(results)).toBe(2);
    const joined = results.map((r) => r.status === 'fulfilled' && r.value);
    expect(joined.filter(Boolean)).toHaveLength(1);
    const member = await accounts.byId(ann.id);
    expect(await accounts.leaveOrganisation(ann.id, 'org-c', clock.now())).toBe(false);
    expect(await accounts.leaveOrganisation(ann.id, member!.organisation_id!, clock.now())).toBe(
      true,
    );
    expect(await accounts.membersOf(member!.organisation_id!)).toEqual([]);
  });

  it('changes an address only from the one the change began with, never onto a taken one', async () => {
    const ann = await insertAccount(t.store.db, clock, { email: 'ann@example.org' });
    await insertAccount(t.store.db, clock, { email: 'bob@example.org' });
    const to = { email: 'Ann@New.example', key: 'ann@new.example' };
    expect(await accounts.changeEmail(ann.id, to, 'stale@example.org', clock.now())).toBe(false);
    const taken = { email: 'bob@example.org', key: 'bob@example.org' };
    const err = await accounts.changeEmail(ann.id, taken, 'ann@example.org', clock.now()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isUniqueViolation(err)).toBe(true);
    expect(await accounts.changeEmail(ann.id, to, 'ann@example.org', clock.now())).toBe(true);
    expect(await accounts.byEmailKey('ann@new.example')).toMatchObject({
      id: ann.id,
      email: 'Ann@New.example',
      email_verified_at: clock.now(),
    });
  });
});
