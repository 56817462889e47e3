import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's types */
export async function up(db: Kysely<any>): Promise<void> {
  // One phone per account (the seeds' portals hold one); stored in E.164 only (S11).
  await db.schema
    .createTable('phones')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) =>
      c.notNull().unique().references('accounts.id').onDelete('cascade'),
    )
    .addColumn('e164', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('verified_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();

  // Fixed-window send counters (S10) when Redis is not configured.
  await db.schema
    .createTable('rate_counters')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .execute();

  // Seed 000: "Skip for Now" on the phone offer at sign-in is remembered.
  await db.schema.alterTable('accounts').addColumn('phone_offer_dismissed_at', 'bigint').execute();

  // When the session last passed a step-up (S20).
  await db.schema.alterTable('sessions').addColumn('step_up_at', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('step_up_at').execute();
  await db.schema.alterTable('accounts').dropColumn('phone_offer_dismissed_at').execute();
  await db.schema.dropTable('rate_counters').ifExists().execute();
  await db.schema.dropTable('phones').ifExists().execute();
}
