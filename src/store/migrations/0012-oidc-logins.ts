/**
 * How a client authenticates and how its ID tokens are signed (issue 14): `auth_method`
 * (`client_secret_basic`, `private_key_jwt` with the client's public `jwks`, or `none` for a
 * public client) and `id_token_alg` (ES256, or RS256 for a client that needs it).
 *
 * Which relying parties a Portcullis session signed in to (issue 14, back-channel logout): one
 * row per (session, client) with the provider's `sid` for that client and its grant, written when
 * the client is given a code. When the session ends, the grant's tokens are revoked and each
 * client with a back-channel URI is told by a logout token.
 */
import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's types */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('oidc_clients')
    .addColumn('auth_method', 'text', (c) => c.notNull().defaultTo('client_secret_basic'))
    .execute();
  await db
    .updateTable('oidc_clients')
    .set({ auth_method: 'none' })
    .where('kind', '=', 'public')
    .execute();
  await db.schema.alterTable('oidc_clients').addColumn('jwks', 'text').execute();
  await db.schema
    .alterTable('oidc_clients')
    .addColumn('id_token_alg', 'text', (c) => c.notNull().defaultTo('ES256'))
    .execute();
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
  for (const column of ['id_token_alg', 'jwks', 'auth_method'])
    await db.schema.alterTable('oidc_clients').dropColumn(column).execute();
}
