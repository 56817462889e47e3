/**
 * Recovery codes at rest (S14): argon2id hashes, at most one live code per account (a partial
 * unique index). `consume` is the single-use guard: one conditional UPDATE marks the code used
 * only while it is live, so of two concurrent uses exactly one changes a row.
 */
import { newId } from '../../crypto/random.js';
import type { Db, RecoveryCode } from '../../store/schema.js';

export interface RecoveryCodeRepo {
  live(accountId: string): Promise<RecoveryCode | undefined>;
  /** Revokes the live code (if any) and stores the new hash, in one transaction. */
  replace(accountId: string, codeHash: string, digits: number, now: number): Promise<RecoveryCode>;
  consume(id: string, now: number): Promise<boolean>;
  markSaved(id: string, now: number): Promise<boolean>;
  /** Revokes the live code (an administrator's reset); false when there was none. */
  revoke(accountId: string, now: number): Promise<boolean>;
}

export function createRecoveryCodeRepo(db: Db): RecoveryCodeRepo {
  const live = (accountId: string) =>
    db
      .selectFrom('recovery_codes')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();

  return {
    live,

    replace: (accountId, codeHash, digits, now) =>
      db.transaction().execute(async (tx) => {
        await tx
          .updateTable('recovery_codes')
          .set({ revoked_at: now })
          .where('account_id', '=', accountId)
          .where('used_at', 'is', null)
          .where('revoked_at', 'is', null)
          .execute();
        const row: RecoveryCode = {
          id: newId(),
          account_id: accountId,
          code_hash: codeHash,
          digits,
          created_at: now,
          saved_at: null,
          used_at: null,
          revoked_at: null,
        };
        await tx.insertInto('recovery_codes').values(row).execute();
        return row;
      }),

    async consume(id, now) {
      const result = await db
        .updateTable('recovery_codes')
        .set({ used_at: now })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async markSaved(id, now) {
      const result = await db
        .updateTable('recovery_codes')
        .set({ saved_at: now })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async revoke(accountId, now) {
      const result = await db
        .updateTable('recovery_codes')
        .set({ revoked_at: now })
        .where('account_id', '=', accountId)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}
