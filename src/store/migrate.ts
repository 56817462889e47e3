/**
 * One set of migrations for both dialects, registered in order here (no directory scanning,
 * so the built and the source trees behave the same).
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Store } from './dialect.js';
import type { Database } from './schema.js';
import * as m0001 from './migrations/0001-foundation.js';
import * as m0002 from './migrations/0002-phones.js';
import * as m0003 from './migrations/0003-totp-recovery.js';
import * as m0004 from './migrations/0004-passkeys.js';
import * as m0005 from './migrations/0005-organisations.js';
import * as m0006 from './migrations/0006-session-limits.js';
import * as m0007 from './migrations/0007-outgoing-messages.js';
import * as m0008 from './migrations/0008-email-keys.js';
import * as m0009 from './migrations/0009-admin-console.js';
import * as m0010 from './migrations/0010-audit-console.js';
import * as m0011 from './migrations/0011-oidc.js';
import * as m0012 from './migrations/0012-oidc-logins.js';

const migrations: Record<string, Migration> = {
  '0001-foundation': m0001,
  '0002-phones': m0002,
  '0003-totp-recovery': m0003,
  '0004-passkeys': m0004,
  '0005-organisations': m0005,
  '0006-session-limits': m0006,
  '0007-outgoing-messages': m0007,
  '0008-email-keys': m0008,
  '0009-admin-console': m0009,
  '0010-audit-console': m0010,
  '0011-oidc': m0011,
  '0012-oidc-logins': m0012,
};

/** In the order they run. */
export const migrationNames = Object.keys(migrations);

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * On PostgreSQL, migrations (and the schema they fill, when one is configured) are made under one
 * advisory lock, so several processes starting at once migrate one after another, and nothing
 * else holding the lock (a test dropping its schema) runs alongside.
 */
export const MIGRATION_LOCK_ID = 7402311;

/**
 * Kysely's own bookkeeping tables live in the store's schema too: otherwise, on PostgreSQL, a
 * `kysely_migration` table in another schema of the same database would be taken for ours.
 */
export async function migrateToLatest(store: Pick<Store, 'db' | 'schema' | 'kind'>): Promise<void> {
  if (store.kind !== 'postgres') return migrate(store.db, store.schema);
  await store.db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`.execute(conn);
    try {
      if (store.schema)
        await sql`create schema if not exists ${sql.id(store.schema)}`.execute(conn);
      await migrate(conn, store.schema);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.execute(conn);
    }
  });
}

async function migrate(db: Kysely<Database>, schema: string | undefined): Promise<void> {
  const migrator = new Migrator({
    db,
    provider,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Database migration ${failed?.migrationName ?? '(setup)'} failed`, {
      cause: error,
    });
  }
}
