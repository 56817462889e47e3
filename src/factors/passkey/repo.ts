/**
 * The passkeys of accounts (S15). A credential id is unique across every account (the unique
 * constraint turns a second registration into PASSKEY_ALREADY_REGISTERED). `accept` records a
 * use with one conditional UPDATE: the counter must move forward (or stay 0 for authenticators
 * without one) and the passkey must not be flagged, so a regression can never be written over.
 */
import { AppError } from '../../errors/app-error.js';
import { isUniqueViolation } from '../../store/dialect.js';
import type { Db, Passkey } from '../../store/schema.js';

export interface NewPasskey {
  id: string;
  accountId: string;
  credentialId: string;
  publicKey: string;
  signCount: number;
  transports: string[];
  name: string;
  aaguid: string;
  backupEligible: boolean;
  backedUp: boolean;
  createdAt: number;
}

export interface PasskeyRepo {
  /** The account's passkeys, oldest first. */
  list(accountId: string): Promise<Passkey[]>;
  /** Passkeys that may be used (not flagged). */
  usableCount(accountId: string): Promise<number>;
  find(accountId: string, id: string): Promise<Passkey | undefined>;
  byCredentialId(credentialId: string): Promise<Passkey | undefined>;
  byId(id: string): Promise<Passkey | undefined>;
  /** Throws PASSKEY_ALREADY_REGISTERED when the credential id exists (on any account). */
  insert(passkey: NewPasskey): Promise<Passkey>;
  rename(accountId: string, id: string, name: string): Promise<Passkey | undefined>;
  remove(accountId: string, id: string): Promise<Passkey | undefined>;
  /**
   * Records a use: true when `signCount` is after the stored count (or both are 0) and the
   * passkey is not flagged; false when nothing was written (regressed, flagged or removed).
   */
  accept(id: string, signCount: number, backedUp: boolean, now: number): Promise<boolean>;
  /** Marks a passkey whose counter went backwards; true if this call flagged it. */
  flag(id: string, now: number): Promise<boolean>;
}

export function createPasskeyRepo(db: Db): PasskeyRepo {
  const byId = (id: string) =>
    db.selectFrom('passkeys').selectAll().where('id', '=', id).executeTakeFirst();
  return {
    list: (accountId) =>
      db
        .selectFrom('passkeys')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('created_at')
        .orderBy('id')
        .execute(),

    async usableCount(accountId) {
      const row = await db
        .selectFrom('passkeys')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('account_id', '=', accountId)
        .where('flagged_at', 'is', null)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    find: (accountId, id) =>
      db
        .selectFrom('passkeys')
        .selectAll()
        .where('id', '=', id)
        .where('account_id', '=', accountId)
        .executeTakeFirst(),

    byCredentialId: (credentialId) =>
      db
        .selectFrom('passkeys')
        .selectAll()
        .where('credential_id', '=', credentialId)
        .executeTakeFirst(),

    byId,

    async insert(p) {
      const row: Passkey = {
        id: p.id,
        account_id: p.accountId,
        credential_id: p.credentialId,
        public_key: p.publicKey,
        sign_count: p.signCount,
        transports: JSON.stringify(p.transports),
        name: p.name,
        aaguid: p.aaguid,
        backup_eligible: p.backupEligible ? 1 : 0,
        backed_up: p.backedUp ? 1 : 0,
        created_at: p.createdAt,
        last_used_at: null,
        flagged_at: null,
      };
      try {
        await db.insertInto('passkeys').values(row).execute();
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('PASSKEY_ALREADY_REGISTERED');
        throw err;
      }
      return row;
    },

    rename: (accountId, id, name) =>
      db
        .updateTable('passkeys')
        .set({ name })
        .where('id', '=', id)
        .where('account_id', '=', accountId)
        .returningAll()
        .executeTakeFirst(),

    remove: (accountId, id) =>
      db
        .deleteFrom('passkeys')
        .where('id', '=', id)
        .where('account_id', '=', accountId)
        .returningAll()
        .executeTakeFirst(),

    async accept(id, signCount, backedUp, now) {
      const result = await db
        .updateTable('passkeys')
        .set({ sign_count: signCount, backed_up: backedUp ? 1 : 0, last_used_at: now })
        .where('id', '=', id)
        .where('flagged_at', 'is', null)
        .where((eb) =>
          signCount === 0 ? eb('sign_count', '=', 0) : eb('sign_count', '<', signCount),
        )
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async flag(id, now) {
      const result = await db
        .updateTable('passkeys')
        .set({ flagged_at: now })
        .where('id', '=', id)
        .where('flagged_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
