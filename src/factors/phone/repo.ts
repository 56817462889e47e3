/** The one phone of an account (S11: E.164 only). */
import { newId } from '../../crypto/random.js';
import type { Db, Phone } from '../../store/schema.js';
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
}

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
  };
}
