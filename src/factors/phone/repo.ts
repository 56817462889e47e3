/**
 * The one phone of an account (S11: E.164 only), and the number an administrator entered for it
 * (seed 002's "update your phone number"): pending until the user confirms it with a code sent to
 * it, when it replaces the saved one; the old number keeps working until then.
 */
import { newId } from '../../crypto/random.js';
import type { Db, PendingPhonesTable, Phone } from '../../store/schema.js';
import type { PhoneKind } from './numbers.js';

export interface NewPhone {
  e164: string;
  country: string;
  kind: PhoneKind;
}

export interface PhoneRepo {
  find(accountId: string): Promise<Phone | undefined>;
  /** Saves the confirmed number, replacing any earlier one; returns the one replaced. */
  save(accountId: string, phone: NewPhone, now: number): Promise<Phone | undefined>;
  remove(accountId: string): Promise<Phone | undefined>;
  touch(accountId: string, now: number): Promise<void>;
  findPending(accountId: string): Promise<PendingPhone | undefined>;
  /** Sets the pending number (one per account: a second replaces the first). */
  setPending(accountId: string, phone: NewPhone, setBy: string, now: number): Promise<void>;
  /** Drops the pending number; returns it, or undefined when there was none. */
  dropPending(accountId: string): Promise<PendingPhone | undefined>;
}

export type PendingPhone = PendingPhonesTable;

export function createPhoneRepo(db: Db): PhoneRepo {
  const find = (accountId: string) =>
    db.selectFrom('phones').selectAll().where('account_id', '=', accountId).executeTakeFirst();
  return {
    find,
    save: (accountId, phone, now) =>
      db.transaction().execute(async (tx) => {
        const previous = await tx
          .deleteFrom('phones')
          .where('account_id', '=', accountId)
          .returningAll()
          .executeTakeFirst();
        await tx
          .insertInto('phones')
          .values({
            id: newId(),
            account_id: accountId,
            ...phone,
            verified_at: now,
            created_at: now,
            last_used_at: null,
          })
          .execute();
        return previous;
      }),
    remove: (accountId) =>
      db.deleteFrom('phones').where('account_id', '=', accountId).returningAll().executeTakeFirst(),
    async touch(accountId, now) {
      await db
        .updateTable('phones')
        .set({ last_used_at: now })
        .where('account_id', '=', accountId)
        .execute();
    },
    findPending: (accountId) =>
      db
        .selectFrom('pending_phones')
        .selectAll()
        .where('account_id', '=', accountId)
        .executeTakeFirst(),
    async setPending(accountId, phone, setBy, now) {
      const row = { ...phone, set_by: setBy, created_at: now };
      await db
        .insertInto('pending_phones')
        .values({ account_id: accountId, ...row })
        .onConflict((oc) => oc.column('account_id').doUpdateSet(row))
        .execute();
    },
    dropPending: (accountId) =>
      db
        .deleteFrom('pending_phones')
        .where('account_id', '=', accountId)
        .returningAll()
        .executeTakeFirst(),
  };
}
