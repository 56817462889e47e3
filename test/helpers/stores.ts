/**
 * The databases a conformance test runs against: SQLite always; PostgreSQL when
 * TEST_DATABASE_URL is set, each store in a fresh schema of its own so runs never collide.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type DatabaseConfig, type Store } from '../../src/store/dialect.js';
import { MIGRATION_LOCK_ID, migrateToLatest } from '../../src/store/migrate.js';

export const postgresUrl = process.env.TEST_DATABASE_URL;

if (!postgresUrl) {
  console.warn(
    'PostgreSQL suites are skipped: set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run them (CI does).',
  );
}

export interface TestStore {
  store: Store;
  config: DatabaseConfig;
  close(): Promise<void>;
}

/**
 * Schema DDL (create + migrate, drop) from parallel test files is serialised by the advisory lock
 * migrations take (`MIGRATION_LOCK_ID`): Kysely's migrator lists every table of the database,
 * which fails if another file drops its schema at that moment. Stores live and run in parallel;
 * only their set-up and tear-down wait. (`migrateToLatest` takes the lock itself: never call it
 * inside this.)
 */
export async function withDdlLock<T>(url: string, fn: () => Promise<T>): Promise<T> {
  const lock = new pg.Client({ connectionString: url });
  await lock.connect();
  await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
  try {
    return await fn();
  } finally {
    await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    await lock.end();
  }
}

async function dropSchema(url: string, schema: string): Promise<void> {
  await withDdlLock(url, async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  });
}

export async function openPostgresStore(url: string): Promise<TestStore> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const config: DatabaseConfig = { kind: 'postgres', url, poolSize: 5, schema };
  const store = openStore(config);
  try {
    await migrateToLatest(store); // creates the schema, under the migration lock
  } catch (err) {
    await store.close();
    await dropSchema(url, schema); // never leave a half-migrated schema behind
    throw err;
  }
  return {
    store,
    config,
    async close() {
      await store.close();
      await dropSchema(url, schema);
    },
  };
}

/**
 * Runs `fn` under the DDL lock on PostgreSQL (anything that migrates, or introspects every
 * schema of the database, must not overlap another file dropping its schema); directly on SQLite.
 */
export function underDdlLock<T>(t: TestStore, fn: () => Promise<T>): Promise<T> {
  return t.config.kind === 'postgres' ? withDdlLock(t.config.url, fn) : fn();
}

export async function openSqliteStore(file = ':memory:'): Promise<TestStore> {
  const config: DatabaseConfig = { kind: 'sqlite', file };
  const store = openStore(config);
  await migrateToLatest(store);
  return { store, config, close: () => store.close() };
}

/** [name, opener] pairs for `describe.each`. */
export const dialects: [string, () => Promise<TestStore>][] = [
  ['sqlite', () => openSqliteStore()],
  ...(postgresUrl
    ? [['postgres', () => openPostgresStore(postgresUrl)] as [string, () => Promise<TestStore>]]
    : []),
];
