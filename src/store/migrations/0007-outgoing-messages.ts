import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's types */
export async function up(db: Kysely<any>): Promise<void> {
  // The durable outbox (S32): every email, text and call, written with the change that causes
  // it and sent by whichever server process claims it first. The body (it may hold a code) is
  // sealed with the secret box; a row is deleted once sent.
  await db.schema
    .createTable('outgoing_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // A code's message is worth nothing once the code has expired: it is dropped then.
    .addColumn('not_after', 'bigint', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    // The claim of the process sending it: no other process takes the row before this time.
    .addColumn('claimed_until', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    // Set when it was given up (too many failed attempts, or past `not_after`).
    .addColumn('failed_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('outgoing_messages_due')
    .on('outgoing_messages')
    .columns(['failed_at', 'next_attempt_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('outgoing_messages').execute();
}
