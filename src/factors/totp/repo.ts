/**
 * The authenticator app of an account: the sealed secret and the last accepted step. `accept`
 * is the replay guard (S13): one conditional UPDATE moves `last_step` forward only if the step is
 * newer, so of two concurrent submissions of one code exactly one changes a row.
 */
import type { Sealed } from '../../crypto/secret-box.js';
import type { Db, TotpFactor } from '../../store/schema.js';

export interface TotpRepo {
  find(accountId: string): Promise<TotpFactor | undefined>;
  /** Saves a confirmed secret, replacing any earlier one (which stops working at once). */
  save(
    accountId: string,
    sealed: Sealed & { id: string },
    acceptedStep: number,
    now: number,
  ): Promise<TotpFactor | undefined>;
  /** True when `step` is newer than the last accepted step and is now recorded as it. */
  accept(factorId: string, step: number, now: number): Promise<boolean>;
  remove(accountId: string): Promise<TotpFactor | undefined>;
  /** Rows sealed under another key than `currentKeyId` (for re-encryption). */
  sealedWithOtherKeys(currentKeyId: string): Promise<TotpFactor[]>;
  /** Replaces a row's ciphertext, if it still holds `previous` (a concurrent change wins). */
  reseal(id: string, previous: string, sealed: Sealed): Promise<boolean>;
}

export function createTotpRepo(db: Db): TotpRepo {
  return {
    find: (accountId) =>
      db
        .selectFrom('totp_factors')
        .selectAll()
        .where('account_id', '=', accountId)
        .executeTakeFirst(),

    save: (accountId, sealed, acceptedStep, now) =>
      db.transaction().execute(async (tx) => {
        const previous = await tx
          .deleteFrom('totp_factors')
          .where('account_id', '=', accountId)
          .returningAll()
          .executeTakeFirst();
        await tx
          .insertInto('totp_factors')
          .values({
            id: sealed.id,
            account_id: accountId,
            secret_ciphertext: sealed.ciphertext,
            key_id: sealed.keyId,
            last_step: acceptedStep,
            created_at: now,
            last_used_at: null,
          })
          .execute();
        return previous;
      }),

    async accept(factorId, step, now) {
      const result = await db
        .updateTable('totp_factors')
        .set({ last_step: step, last_used_at: now })
        .where('id', '=', factorId)
        .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    remove: (accountId) =>
      db
        .deleteFrom('totp_factors')
        .where('account_id', '=', accountId)
        .returningAll()
        .executeTakeFirst(),

    sealedWithOtherKeys: (currentKeyId) =>
      db.selectFrom('totp_factors').selectAll().where('key_id', '!=', currentKeyId).execute(),

    async reseal(id, previous, sealed) {
      const result = await db
        .updateTable('totp_factors')
        .set({ secret_ciphertext: sealed.ciphertext, key_id: sealed.keyId })
        .where('id', '=', id)
        .where('secret_ciphertext', '=', previous)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
