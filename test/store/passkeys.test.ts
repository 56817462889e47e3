/**
 * Store conformance for passkeys, on every dialect (S15): one credential id across all accounts;
 * of concurrent answers to one challenge exactly one signs in; of concurrent uses at one counter
 * exactly one is recorded; a flagged passkey stops counting as a factor.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { newId } from '../../src/crypto/random.js';
import { loadFactors } from '../../src/factors/account-factors.js';
import { userHandleOf } from '../../src/factors/passkey/ceremony.js';
import { createServices, type Services } from '../../src/services.js';
import type { Account } from '../../src/store/schema.js';
import { testConfig } from '../helpers/config.js';
import { ORIGIN } from '../helpers/passkeys.js';
import type { TestStore } from '../helpers/stores.js';
import { coseKey, SoftwareAuthenticator, type SoftwareCredential } from '../helpers/webauthn.js';
import {
  expectAppError,
  fulfilled,
  insertAccount,
  origin,
  rejectionCodes,
  storeDialects,
} from './fixtures.js';

describe.each(storeDialects)('passkeys on %s', (_name, open) => {
  let t: TestStore;
  let clock: FakeClock;
  let s: Services;
  let account: Account;

  beforeEach(async () => {
    t = await open();
    clock = new FakeClock();
    s = createServices(testConfig(), t.store, clock, {
      argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 },
    });
    // Nothing owed at sign-in (the phone offer was dismissed): a passkey leads to a session.
    account = await insertAccount(t.store.db, clock, { phone_offer_dismissed_at: clock.now() });
  });
  afterEach(() => t.close());

  /** A passkey of `owner` made by a software authenticator, saved as a registration would. */
  async function registered(owner: Account): Promise<SoftwareCredential> {
    const laptop = new SoftwareAuthenticator(ORIGIN);
    const { credential } = laptop.create({
      challenge: 'x',
      rp: { id: 'localhost' },
      user: { id: userHandleOf(owner.id) },
    });
    await s.passkeys.insert({
      id: newId(),
      accountId: owner.id,
      credentialId: credential.id,
      publicKey: coseKey(credential.privateKey).toString('base64url'),
      signCount: 0,
      transports: ['internal'],
      name: 'Laptop',
      aaguid: '00000000-0000-0000-0000-000000000000',
      backupEligible: false,
      backedUp: false,
      createdAt: clock.now(),
    });
    return credential;
  }

  it('holds a credential id for one account only', async () => {
    const credential = await registered(account);
    const other = await insertAccount(t.store.db, clock);
    const again = s.passkeys.insert({
      id: newId(),
      accountId: other.id,
      credentialId: credential.id,
      publicKey: 'AA',
      signCount: 0,
      transports: [],
      name: 'Stolen id',
      aaguid: '00000000-0000-0000-0000-000000000000',
      backupEligible: false,
      backedUp: false,
      createdAt: clock.now(),
    });
    await expectAppError(again, 'PASSKEY_ALREADY_REGISTERED');
    expect(await s.passkeys.list(other.id)).toEqual([]);
  });

  it('lets exactly one of five concurrent answers to one challenge sign in', async () => {
    const credential = await registered(account);
    const { flow, options } = await s.signIn.passkeyOptions();
    const laptop = new SoftwareAuthenticator(ORIGIN);
    const response = laptop.get(options, { credential });
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        s.signIn.signInWithPasskey({ token: flow, response, origin }),
      ),
    );
    expect(fulfilled(results)).toBe(1);
    for (const code of rejectionCodes(results))
      expect(['FLOW_STATE_CONFLICT', 'CEREMONY_EXPIRED']).toContain(code);
    const sessions = await t.store.db.selectFrom('sessions').selectAll().execute();
    expect(sessions).toHaveLength(1);
  });

  it('records exactly one of concurrent uses at the same counter, and never a lower one', async () => {
    await registered(account);
    const [passkey] = await s.passkeys.list(account.id);
    const accepted = await Promise.all(
      Array.from({ length: 5 }, () => s.passkeys.accept(passkey!.id, 7, false, clock.now())),
    );
    expect(accepted.filter(Boolean)).toHaveLength(1);
    expect(await s.passkeys.accept(passkey!.id, 6, false, clock.now())).toBe(false);
    expect(await s.passkeys.accept(passkey!.id, 8, true, clock.now())).toBe(true);
    const row = await s.passkeys.byId(passkey!.id);
    expect(row).toMatchObject({ sign_count: 8, backed_up: 1, last_used_at: clock.now() });
  });

  it('stops counting a flagged passkey as a factor, and never records a use of it', async () => {
    await registered(account);
    await registered(account);
    expect((await loadFactors(t.store.db, account.id)).passkeys).toBe(2);
    const [first] = await s.passkeys.list(account.id);
    expect(await s.passkeys.flag(first!.id, clock.now())).toBe(true);
    expect(await s.passkeys.flag(first!.id, clock.now())).toBe(false);
    expect((await loadFactors(t.store.db, account.id)).passkeys).toBe(1);
    expect(await s.passkeys.usableCount(account.id)).toBe(1);
    expect(await s.passkeys.accept(first!.id, 100, false, clock.now())).toBe(false);
  });
});
