import { sql, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's types */
/**
 * The admin console (issue 13): a display name to search by, a temporary MFA exemption that
 * ends by itself (its expiry is read by every check: no job), a phone number an administrator
 * entered that waits for its owner's code, a lock-out's account (so the console can list locked
 * users), and the indexes the console's keyset paging walks with a million accounts.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('display_name', 'text').execute();
  // The name as searched: NFKC and lower case (`accounts/email.ts`'s folding).
  await db.schema.alterTable('accounts').addColumn('name_key', 'text').execute();
  await db.schema.alterTable('accounts').addColumn('mfa_exempt_until', 'bigint').execute();

  // Newest first, the whole deployment or one organisation; by email within one organisation.
  await db.schema
    .createIndex('accounts_created')
    .on('accounts')
    .columns(['created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('accounts_organisation_created')
    .on('accounts')
    .columns(['organisation_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('accounts_organisation_email')
    .on('accounts')
    .columns(['organisation_id', 'email_normalized'])
    .execute();
  await db.schema
    .createIndex('accounts_name')
    .on('accounts')
    .columns(['name_key', 'id'])
    .where(sql.ref('name_key'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('accounts_exempt')
    .on('accounts')
    .column('mfa_exempt_until')
    .where(sql.ref('mfa_exempt_until'), 'is not', null)
    .execute();

  // One pending number per account; it replaces the saved phone when its code is entered.
  await db.schema
    .createTable('pending_phones')
    .addColumn('account_id', 'text', (c) =>
      c.primaryKey().references('accounts.id').onDelete('cascade'),
    )
    .addColumn('e164', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('set_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // The account a locked counter belongs to (a password's counter is keyed by a hash of the
  // address, so it cannot be read back); the partial index lists the locked ones.
  await db.schema.alterTable('failure_counters').addColumn('account_id', 'text').execute();
  await db.schema
    .createIndex('failure_counters_locked')
    .on('failure_counters')
    .column('account_id')
    .where(sql.ref('locked_at'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('failure_counters_locked').execute();
  await db.schema.alterTable('failure_counters').dropColumn('account_id').execute();
  await db.schema.dropTable('pending_phones').execute();
  for (const index of [
    'accounts_exempt',
    'accounts_name',
    'accounts_organisation_email',
    'accounts_organisation_created',
    'accounts_created',
  ])
    await db.schema.dropIndex(index).execute();
  for (const column of ['mfa_exempt_until', 'name_key', 'display_name'])
    await db.schema.alterTable('accounts').dropColumn(column).execute();
}
