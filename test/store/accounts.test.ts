/**
 * Store conformance: accounts — one account per email whatever its case (a second sign-up gets
 * an email, never an error: S6), invitations accepted once only even under concurrency, expired
 * invitations refused, and passwords stored as argon2id with the S1 parameters.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountService } from '../../src/accounts/accounts.js';
import { FakeClock } from '../../src/clock.js';
import type { Services } from '../../src/services.js';
import type { TestStore } from '../helpers/stores.js';
import {
  expectAppError,
  fulfilled,
  servicesFor,
  origin,
  rejectionCodes,
  rowsAsText,
  storeDialects,
} from './fixtures.js';

const PASSWORD = 'lilac tundra quiver 87';
const INVITATION_VALIDITY_MS = 72 * 3_600_000;

/** The token of an invitation link. */
function tokenOf(link: string): string {
  const token = new URL(link).searchParams.get('token');
  if (!token) throw new Error(`No token in ${link}`);
  return token;
}

describe.each(storeDialects)('accounts on %s', (_name, open) => {
  let t: TestStore;
  let clock: FakeClock;
  let accounts: AccountService;

  let services: Services;
  /** What was sent: the outbox sends after the answer, so it is flushed first. */
  const outbox = async () => {
    await services.outbox.flush();
    return t.store.db.selectFrom('outbox_messages').selectAll().execute();
  };
  const accountRows = () => t.store.db.selectFrom('accounts').selectAll().execute();

  beforeEach(async () => {
    t = await open();
    clock = new FakeClock();
    services = servicesFor(t.store, clock);
    accounts = services.accounts;
  });
  afterEach(async () => {
    await t.close();
  });

  describe('sign-up', () => {
    it('creates an active, unverified user and sends nothing', async () => {
      await accounts.signUp({ email: 'Ann@Example.org', password: PASSWORD, origin });
      const [row, ...rest] = await accountRows();
      expect(rest).toEqual([]);
      expect(row).toMatchObject({
        email: 'Ann@example.org',
        email_normalized: 'ann@example.org',
        email_verified_at: null,
        state: 'active',
        role: 'user',
        created_at: clock.now(),
      });
      expect(await outbox()).toEqual([]);
    });

    it('keeps one account for the same email in another case and emails its owner', async () => {
      await accounts.signUp({ email: 'ann@example.org', password: PASSWORD, origin });
      const before = await accountRows();
      await expect(
        accounts.signUp({ email: 'ANN@EXAMPLE.ORG', password: `${PASSWORD} other`, origin }),
      ).resolves.toBeUndefined();
      expect(await accountRows()).toEqual(before);
      const messages = await outbox();
      expect(messages).toHaveLength(1);
      // At the owner's own address, not the one typed.
      expect(messages[0]).toMatchObject({ channel: 'email', recipient: 'ann@example.org' });
      expect(messages[0]?.body).toContain('http://localhost:3000/sign-in');
      expect(messages[0]?.body).not.toContain(PASSWORD);
    });

    it('keeps one account when the same email signs up twice at once', async () => {
      const results = await Promise.allSettled([
        accounts.signUp({ email: 'ann@example.org', password: PASSWORD, origin }),
        accounts.signUp({ email: 'Ann@example.org', password: PASSWORD, origin }),
      ]);
      expect(fulfilled(results)).toBe(2);
      expect(await accountRows()).toHaveLength(1);
      expect(await outbox()).toHaveLength(1);
    });

    it('stores the password as argon2id m=19456,t=2,p=1, never the password', async () => {
      await accounts.signUp({ email: 'ann@example.org', password: PASSWORD, origin });
      const account = await accounts.findByEmail('ANN@example.org');
      const stored = account?.password_hash ?? '';
      expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
      expect(stored).not.toContain(PASSWORD);
      expect(await services.passwords.verify(stored, PASSWORD)).toBe(true);
      for (const text of await rowsAsText(t.store.db, 'accounts')) {
        expect(text).not.toContain(PASSWORD);
      }
    });

    it('salts every hash: two users with the same password get different hashes', async () => {
      await accounts.signUp({ email: 'ann@example.org', password: PASSWORD, origin });
      await accounts.signUp({ email: 'bob@example.org', password: PASSWORD, origin });
      const hashes = (await accountRows()).map((r) => r.password_hash);
      expect(new Set(hashes).size).toBe(2);
    });
  });

  describe('invitations', () => {
    const invite = (email = 'carol@example.org') =>
      accounts.invite({ email, role: 'user', invitedBy: null, send: true });

    it('creates an invited account without a password and emails the link', async () => {
      const { link, accountId, expiresAt } = await invite();
      expect(expiresAt).toBe(clock.now() + INVITATION_VALIDITY_MS);
      const [row] = await accountRows();
      expect(row).toMatchObject({ id: accountId, state: 'invited', password_hash: null });
      const messages = await outbox();
      expect(messages).toHaveLength(1);
      expect(messages[0]?.body).toContain(link);
    });

    it('stores only a keyed hash of the invitation token', async () => {
      const { link } = await invite();
      const token = tokenOf(link);
      for (const text of await rowsAsText(t.store.db, 'invitations')) {
        expect(text).not.toContain(token);
      }
    });

    it('accepts an invitation once and activates the account with the password', async () => {
      const { link, accountId } = await invite();
      expect(await accounts.lookupInvitation(tokenOf(link))).toEqual({
        email: 'carol@example.org',
        expiresAt: clock.now() + INVITATION_VALIDITY_MS,
      });
      await accounts.acceptInvitation({ token: tokenOf(link), password: PASSWORD, origin });
      const account = await accounts.findByEmail('carol@example.org');
      expect(account).toMatchObject({ id: accountId, state: 'active' });
      expect(account?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(account?.password_hash).not.toContain(PASSWORD);
      expect(await services.passwords.verify(account?.password_hash ?? null, PASSWORD)).toBe(true);
    });

    it('refuses a second acceptance of the same invitation', async () => {
      const { link } = await invite();
      await accounts.acceptInvitation({ token: tokenOf(link), password: PASSWORD, origin });
      const stored = (await accounts.findByEmail('carol@example.org'))?.password_hash;
      await expectAppError(
        accounts.acceptInvitation({ token: tokenOf(link), password: `${PASSWORD} 2`, origin }),
        'INVITATION_INVALID',
      );
      await expectAppError(accounts.lookupInvitation(tokenOf(link)), 'INVITATION_INVALID');
      expect((await accounts.findByEmail('carol@example.org'))?.password_hash).toBe(stored);
    });

    it('lets exactly one of two concurrent acceptances through', async () => {
      const { link } = await invite();
      const token = tokenOf(link);
      const results = await Promise.allSettled([
        accounts.acceptInvitation({ token, password: `${PASSWORD} first`, origin }),
        accounts.acceptInvitation({ token, password: `${PASSWORD} second`, origin }),
      ]);
      expect(fulfilled(results)).toBe(1);
      expect(rejectionCodes(results)).toEqual(['INVITATION_INVALID']);
      const winner = results[0]?.status === 'fulfilled' ? 'first' : 'second';
      const stored = (await accounts.findByEmail('carol@example.org'))?.password_hash ?? null;
      expect(await services.passwords.verify(stored, `${PASSWORD} ${winner}`)).toBe(true);
    });

    it('refuses an invitation at exactly its expiry time', async () => {
      const { link, expiresAt } = await invite();
      clock.set(expiresAt);
      await expectAppError(accounts.lookupInvitation(tokenOf(link)), 'INVITATION_INVALID');
      await expectAppError(
        accounts.acceptInvitation({ token: tokenOf(link), password: PASSWORD, origin }),
        'INVITATION_INVALID',
      );
      const [row] = await accountRows();
      expect(row).toMatchObject({ state: 'invited', password_hash: null });
    });

    it('voids the earlier invitation when the person is invited again', async () => {
      const first = await invite();
      clock.advance(1000);
      const second = await invite();
      expect(second.accountId).toBe(first.accountId);
      await expectAppError(accounts.lookupInvitation(tokenOf(first.link)), 'INVITATION_INVALID');
      await accounts.acceptInvitation({ token: tokenOf(second.link), password: PASSWORD, origin });
    });

    it('refuses an unknown invitation token', async () => {
      await invite();
      await expectAppError(accounts.lookupInvitation('a'.repeat(43)), 'INVITATION_INVALID');
    });

    it('refuses to invite an email that already has an account', async () => {
      await accounts.signUp({ email: 'ann@example.org', password: PASSWORD, origin });
      await expectAppError(invite('ANN@example.org'), 'VALIDATION_FAILED');
    });
  });
});
