/**
 * Which relying parties a Portcullis session signed in to (issue 14, back-channel logout): one
 * row per (session, client) with the provider's `sid` for that client and its grant, written when
 * the client is given a code. When the session ends, the grant's tokens are revoked and each
 * client with a back-channel URI is told by a logout token.
 */
import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's types */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('oidc_logins')
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('sid', 'text', (c) => c.notNull())
    /** The grant the client's tokens hang from: revoked with the session. */
    .addColumn('grant_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    /** The session's own end: a row past it is swept with the expired sessions. */
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('oidc_logins_pk', ['session_id', 'client_id'])
    .execute();
  await db.schema
    .createIndex('oidc_logins_account')
    .on('oidc_logins')
    .column('account_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('oidc_logins').execute();
}
