/**
 * The policy source on every dialect: an account with no organisation gets the deployment's
 * policy (configured, or the document an administrator stored); a member gets it tightened by
 * the organisation's override; a change made through another source (another server process)
 * is seen at the next call; and an account's policy costs one query.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { newId } from '../../src/crypto/random.js';
import { presets } from '../../src/policy/presets.js';
import { createPolicySource } from '../../src/policy/source.js';
import { tighten } from '../../src/policy/tighten.js';
import { openStore } from '../../src/store/dialect.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import type { Account, Db } from '../../src/store/schema.js';
import type { TestStore } from '../helpers/stores.js';
import { insertAccount, storeDialects } from './fixtures.js';

const configured = presets['email-first'];
const override = { emailStepUp: false, codeLength: 8, emailCodeFallback: true };

async function insertOrganisation(db: Db, policy: object | null): Promise<string> {
  const id = newId();
  await db
    .insertInto('organisations')
    .values({
      id,
      name: `Clinic ${id}`,
      policy: policy === null ? null : JSON.stringify(policy),
      created_at: 1,
      updated_at: 1,
    })
    .execute();
  return id;
}

describe.each(storeDialects)('the policy source on %s', (_name, open) => {
  let t: TestStore;
  let db: Db;
  const clock = new FakeClock();
  let outsider: Account;
  let member: Account;

  beforeEach(async () => {
    t = await open();
    db = t.store.db;
    const org = await insertOrganisation(db, override);
    outsider = await insertAccount(db, clock);
    member = await insertAccount(db, clock, { organisation_id: org });
  });
  afterEach(async () => {
    await t.close();
  });

  it('gives an account with no organisation the configured policy, a member its tightened one', async () => {
    const source = createPolicySource(db, configured);
    expect(await source.deployment()).toBe(configured);
    expect(await source.forAccount(outsider.id)).toBe(configured);
    expect(await source.forAccount('no-such-account')).toBe(configured);
    const mine = await source.forAccount(member.id);
    expect(mine).toEqual(tighten(configured, override));
    expect(mine).toMatchObject({ emailStepUp: false, codeLength: 8, emailCodeFallback: true });
  });

  it('uses the document an administrator stored, and sees every change at the next call', async () => {
    const one = createPolicySource(db, configured);
    const other = createPolicySource(db, configured); // another server process
    expect((await one.forAccount(member.id)).preset).toBe('email-first');
    await db
      .insertInto('deployment_policies')
      .values({
        id: 'current',
        document: JSON.stringify({ extends: 'strong-mfa', codeLength: 7 }),
        updated_at: clock.now(),
        updated_by: null,
      })
      .execute();
    const strong = { ...presets['strong-mfa'], codeLength: 7 };
    expect(await other.deployment()).toEqual(strong);
    expect(await other.forAccount(outsider.id)).toEqual(strong);
    // strong-mfa forbids the email fallback: the member's override cannot bring it back.
    expect(await one.forAccount(member.id)).toEqual(tighten(strong, override));
    expect((await one.forAccount(member.id)).emailCodeFallback).toBe(false);

    await db
      .updateTable('accounts')
      .set({ organisation_id: null })
      .where('id', '=', member.id)
      .execute();
    expect(await other.forAccount(member.id)).toEqual(strong);
    await db.deleteFrom('deployment_policies').execute();
    expect(await one.forAccount(member.id)).toBe(configured);
  });

  it('treats an organisation with no override as none', async () => {
    const plain = await insertOrganisation(db, null);
    const account = await insertAccount(db, clock, { organisation_id: plain });
    expect(await createPolicySource(db, configured).forAccount(account.id)).toBe(configured);
  });

  it('allows one stored deployment policy only', async () => {
    const row = { document: '{"extends":"email-first"}', updated_at: 1, updated_by: null };
    await db
      .insertInto('deployment_policies')
      .values({ id: 'current', ...row })
      .execute();
    await expect(
      db
        .insertInto('deployment_policies')
        .values({ id: 'current', ...row })
        .execute(),
    ).rejects.toThrow();
    await expect(
      db
        .insertInto('deployment_policies')
        .values({ id: 'other' as 'current', ...row })
        .execute(),
    ).rejects.toThrow();
  });
});

describe("an account's policy", () => {
  it('costs one query (the organisation and the stored document, by indexed keys)', async () => {
    const queries: string[] = [];
    const store = openStore(
      { kind: 'sqlite', file: ':memory:' },
      { onQuery: (q) => queries.push(q) },
    );
    try {
      await migrateToLatest(store);
      const clock = new FakeClock();
      const org = await insertOrganisation(store.db, override);
      const member = await insertAccount(store.db, clock, { organisation_id: org });
      const source = createPolicySource(store.db, configured);
      queries.length = 0;
      await source.forAccount(member.id);
      expect(queries).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});
