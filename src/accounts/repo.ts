/**
 * The `accounts` table, like every other table, behind one repository: every read and write of
 * an account goes through here. Writes that must not race are one guarded statement each (an
 * email verified once, an organisation joined only from none, an address changed only from the
 * one the change started with) and say whether they took effect.
 */
import { compiledOnce } from '../store/compiled.js';
import type { Account, AccountState, Db, Role } from '../store/schema.js';

export interface NewAccount {
  id: string;
  email: string;
  emailKey: string;
  passwordHash: string | null;
  state: 'active' | 'invited';
  role: Role;
  now: number;
}

export interface AccountRepo {
  byId(id: string): Promise<Account | undefined>;
  /** By the address's key (`email_normalized`, see `email.ts`). */
  byEmailKey(key: string): Promise<Account | undefined>;
  /** False when the key is taken (the account is not made). */
  insert(account: NewAccount): Promise<boolean>;
  /** Whether any administrator who is not disabled exists (the first start's hint). */
  hasAdministrator(): Promise<boolean>;
  /** Members of an organisation, by address. */
  membersOf(organisationId: string): Promise<Pick<Account, 'id' | 'email'>[]>;
  setRole(id: string, role: Role, now: number): Promise<void>;
  /** Deactivated or active again, only from `from`; false when it was not (another change came first). */
  setState(id: string, from: AccountState, to: AccountState, now: number): Promise<boolean>;
  /** The account's role, only while it is still `from` (false: it changed meanwhile). */
  changeRole(id: string, from: Role, to: Role, now: number): Promise<boolean>;
  /** An administrator's MFA exemption until `until` (null: none). */
  setMfaExemptUntil(id: string, until: number | null, now: number): Promise<void>;
  /** A new password hash; `activate` ends an invitation's `invited` state. */
  setPassword(
    id: string,
    hash: string,
    now: number,
    options?: { activate?: boolean },
  ): Promise<void>;
  /** The same password under stronger parameters (no change the user made: `updated_at` kept). */
  rehashPassword(id: string, hash: string): Promise<void>;
  /** Marks the address verified, once; false when it already was. */
  markEmailVerified(id: string, now: number): Promise<boolean>;
  /** Records the address (still `normalized`) as verified now, verified before or not. */
  reverifyEmail(id: string, normalized: string, now: number): Promise<boolean>;
  /** "Skip for Now" remembered. */
  dismissMinimumOffer(id: string, now: number): Promise<void>;
  /**
   * A new address (verified, since its code was entered), only while the account still has
   * `fromKey`; false when another change came first. Throws a unique violation when it is taken.
   */
  changeEmail(
    id: string,
    to: { email: string; key: string },
    fromKey: string,
    now: number,
  ): Promise<boolean>;
  /** Joins an organisation from none; false when it belongs to one already. */
  joinOrganisation(id: string, organisationId: string, now: number): Promise<boolean>;
  /** Leaves `organisationId`; false when it was not a member. */
  leaveOrganisation(id: string, organisationId: string, now: number): Promise<boolean>;
}

const changed = (r: { numUpdatedRows: bigint }) => Number(r.numUpdatedRows) === 1;

export function createAccountRepo(db: Db): AccountRepo {
  // Every password sign-in's lookup: compiled once.
  const byEmailKey = compiledOnce(db, (key: string) =>
    db.selectFrom('accounts').selectAll().where('email_normalized', '=', key),
  );
  return {
    byId: (id) => db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst(),

    byEmailKey: async (key) => (await byEmailKey(key))[0],

    async insert(a) {
      const inserted = await db
        .insertInto('accounts')
        .values({
          id: a.id,
          email: a.email,
          email_normalized: a.emailKey,
          email_verified_at: null,
          password_hash: a.passwordHash,
          state: a.state,
          role: a.role,
          created_at: a.now,
          updated_at: a.now,
        })
        .onConflict((oc) => oc.column('email_normalized').doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted !== undefined;
    },

    async hasAdministrator() {
      const admin = await db
        .selectFrom('accounts')
        .select('id')
        .where('role', '=', 'admin')
        .where('state', '!=', 'disabled')
        .executeTakeFirst();
      return admin !== undefined;
    },

    membersOf: (organisationId) =>
      db
        .selectFrom('accounts')
        .select(['id', 'email'])
        .where('organisation_id', '=', organisationId)
        .orderBy('email_normalized')
        .execute(),

    async setRole(id, role, now) {
      await db
        .updateTable('accounts')
        .set({ role, updated_at: now })
        .where('id', '=', id)
        .execute();
    },

    async setState(id, from, to, now) {
      const r = await db
        .updateTable('accounts')
        .set({ state: to, updated_at: now })
        .where('id', '=', id)
        .where('state', '=', from)
        .executeTakeFirst();
      return changed(r);
    },

    async changeRole(id, from, to, now) {
      const r = await db
        .updateTable('accounts')
        .set({ role: to, updated_at: now })
        .where('id', '=', id)
        .where('role', '=', from)
        .executeTakeFirst();
      return changed(r);
    },

    async setMfaExemptUntil(id, until, now) {
      await db
        .updateTable('accounts')
        .set({ mfa_exempt_until: until, updated_at: now })
        .where('id', '=', id)
        .execute();
    },

    async setPassword(id, hash, now, options = {}) {
      await db
        .updateTable('accounts')
        .set({
          password_hash: hash,
          updated_at: now,
          ...(options.activate ? { state: 'active' as const } : {}),
        })
        .where('id', '=', id)
        .execute();
    },

    async rehashPassword(id, hash) {
      await db.updateTable('accounts').set({ password_hash: hash }).where('id', '=', id).execute();
    },

    async markEmailVerified(id, now) {
      const result = await db
        .updateTable('accounts')
        .set({ email_verified_at: now, updated_at: now })
        .where('id', '=', id)
        .where('email_verified_at', 'is', null)
        .executeTakeFirst();
      return changed(result);
    },

    async reverifyEmail(id, normalized, now) {
      const result = await db
        .updateTable('accounts')
        .set({ email_verified_at: now, updated_at: now })
        .where('id', '=', id)
        .where('email_normalized', '=', normalized)
        .executeTakeFirst();
      return changed(result);
    },

    async dismissMinimumOffer(id, now) {
      await db
        .updateTable('accounts')
        .set({ phone_offer_dismissed_at: now })
        .where('id', '=', id)
        .execute();
    },

    async changeEmail(id, to, fromKey, now) {
      const result = await db
        .updateTable('accounts')
        .set({ email: to.email, email_normalized: to.key, email_verified_at: now, updated_at: now })
        .where('id', '=', id)
        .where('email_normalized', '=', fromKey)
        .executeTakeFirst();
      return changed(result);
    },

    async joinOrganisation(id, organisationId, now) {
      const result = await db
        .updateTable('accounts')
        .set({ organisation_id: organisationId, updated_at: now })
        .where('id', '=', id)
        .where('organisation_id', 'is', null)
        .executeTakeFirst();
      return changed(result);
    },

    async leaveOrganisation(id, organisationId, now) {
      const result = await db
        .updateTable('accounts')
        .set({ organisation_id: null, updated_at: now })
        .where('id', '=', id)
        .where('organisation_id', '=', organisationId)
        .executeTakeFirst();
      return changed(result);
    },
  };
}
