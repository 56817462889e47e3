/**
 * Store conformance for the authenticator app and recovery codes, on every dialect: of
 * concurrent uses of one TOTP code or one recovery code exactly one succeeds (S13, S14), one
 * live recovery code per account, and nothing but a sealed secret or a hash at rest (S12).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { loadFactors } from '../../src/factors/account-factors.js';
import { base32Of, codeForStep, newTotpSecret, stepAt } from '../../src/factors/totp/totp.js';
import { createTotpVerifier, factorAad } from '../../src/factors/totp/verifier.js';
import { createServices, type Services } from '../../src/services.js';
import { isUniqueViolation } from '../../src/store/dialect.js';
import type { Account } from '../../src/store/schema.js';
import { testConfig } from '../helpers/config.js';
import type { TestStore } from '../helpers/stores.js';
import {
  fulfilled,
  insertAccount,
  origin,
  rejectionCodes,
  rowsAsText,
  storeDialects,
} from './fixtures.js';

describe.each(storeDialects)('second factors on %s', (_name, open) => {
  let t: TestStore;
  let clock: FakeClock;
  let s: Services;
  let account: Account;

  beforeEach(async () => {
    t = await open();
    clock = new FakeClock();
    s = createServices(testConfig({ PORTCULLIS_POLICY: 'strong-mfa' }), t.store, clock, {
      argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 },
    });
    account = await insertAccount(t.store.db, clock);
  });
  afterEach(() => t.close());

  async function addTotp(secret: Buffer) {
    const id = `totp-${account.id}`;
    await s.totps.save(account.id, { id, ...s.box.seal(secret, factorAad(id)) }, 0, clock.now());
  }

  // Five: the account's free tries (S5); a sixth concurrent guess would wait its turn.
  it('lets exactly one of five concurrent uses of one TOTP code through', async () => {
    const secret = newTotpSecret();
    await addTotp(secret);
    const verifier = createTotpVerifier({ ...s, totps: s.totps });
    const code = codeForStep(secret, stepAt(clock.now()));
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        verifier.verify({ accountId: account.id, code, purpose: 'second_factor', origin }),
      ),
    );
    expect(fulfilled(results)).toBe(1);
    expect(rejectionCodes(results)).toEqual(Array(4).fill('CODE_ALREADY_USED'));
    const row = await t.store.db.selectFrom('totp_factors').selectAll().executeTakeFirstOrThrow();
    expect(row.last_step).toBe(stepAt(clock.now()));
  });

  it('keeps the secret sealed: no stored form of it appears in any column', async () => {
    const secret = newTotpSecret();
    await addTotp(secret);
    const text = (await rowsAsText(t.store.db, 'totp_factors')).join('\n');
    for (const form of [
      secret.toString('hex'),
      secret.toString('base64'),
      base32Of(secret).replace(/ /g, ''),
    ])
      expect(text).not.toContain(form);
    const factors = await loadFactors(t.store.db, account.id);
    expect(factors.totp).toMatchObject({ addedAt: clock.now(), lastUsedAt: null });
  });

  it('lets exactly one of five concurrent uses of one recovery code through', async () => {
    const { code } = await s.recovery.issue(account, 'requested', origin);
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => s.recovery.use({ account, code, origin })),
    );
    expect(fulfilled(results)).toBe(1);
    expect(rejectionCodes(results)).toEqual(Array(4).fill('RECOVERY_CODE_INVALID'));
    expect(await s.recovery.live(account.id)).toBeUndefined();
  });

  it('holds one live recovery code per account, as a hash only', async () => {
    const first = await s.recovery.issue(account, 'requested', origin);
    const second = await s.recovery.issue(account, 'requested', origin);
    const live = await s.recovery.live(account.id);
    expect(live?.id).toBe(second.record.id);
    const text = (await rowsAsText(t.store.db, 'recovery_codes')).join('\n');
    expect(text).not.toContain(first.code);
    expect(text).not.toContain(second.code);

    const duplicate = t.store.db
      .insertInto('recovery_codes')
      .values({ ...second.record, id: 'another-live-one' })
      .execute();
    const error = await duplicate.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isUniqueViolation(error)).toBe(true);
  });
});
