/**
 * The OpenID Connect provider's storage (issue 14): every `oidc-provider` model (sessions,
 * grants, authorization codes, tokens, interactions…) as one row per (kind, id) with its JSON
 * payload and expiry, indexed for the adapter's lookups; the provider's signing keys, sealed
 * under ENCRYPTION_KEYS, with when each starts and stops signing; and the relying parties an
 * administrator registered, their secrets as keyed hashes.
 */
import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's types */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('oidc_payloads')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('user_code', 'text')
    .addColumn('uid', 'text')
    .addColumn('expires_at', 'bigint')
    .addColumn('consumed_at', 'bigint')
    .addPrimaryKeyConstraint('oidc_payloads_pk', ['kind', 'id'])
    .execute();
  await db.schema
    .createIndex('oidc_payloads_grant')
    .on('oidc_payloads')
    .column('grant_id')
    .execute();
  await db.schema
    .createIndex('oidc_payloads_uid')
    .on('oidc_payloads')
    .columns(['kind', 'uid'])
    .execute();
  await db.schema
    .createIndex('oidc_payloads_user_code')
    .on('oidc_payloads')
    .columns(['kind', 'user_code'])
    .execute();
  await db.schema
    .createIndex('oidc_payloads_expires')
    .on('oidc_payloads')
    .column('expires_at')
    .execute();

  await db.schema
    .createTable('oidc_signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('alg', 'text', (c) => c.notNull())
    /** The private JWK, sealed (AES-256-GCM under ENCRYPTION_KEYS, its key id inside). */
    .addColumn('sealed_jwk', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    /** From when it signs (published before: relying parties fetch it first). */
    .addColumn('signs_from', 'bigint', (c) => c.notNull())
    /** When it stopped signing (a newer key took over); published until every token expired. */
    .addColumn('retired_at', 'bigint')
    .execute();

  await db.schema
    .createTable('oidc_clients')
    .addColumn('client_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    /** `confidential` (a secret, `client_secret_basic`) or `public` (PKCE alone, no secret). */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text')
    /** JSON arrays: exact redirect URIs, post-logout redirect URIs, allowed scopes. */
    .addColumn('redirect_uris', 'text', (c) => c.notNull())
    .addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('min_acr', 'text', (c) => c.notNull())
    /** 1: consent is skipped (the deployment's own portal); 0: the user is asked. */
    .addColumn('first_party', 'integer', (c) => c.notNull())
    .addColumn('backchannel_logout_uri', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('oidc_clients').execute();
  await db.schema.dropTable('oidc_signing_keys').execute();
  await db.schema.dropTable('oidc_payloads').execute();
}
