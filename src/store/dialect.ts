/**
 * The one place where SQLite and PostgreSQL differ: how to connect. Everything else (schema,
 * migrations, queries) is shared.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type KyselyConfig } from 'kysely';
import pg from 'pg';
import type { Database, Db } from './schema.js';

// PostgreSQL returns int8 as strings; our times are epoch ms, well inside 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));

export type DatabaseConfig =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; url: string; poolSize: number; schema?: string };

export interface Store {
  db: Db;
  kind: DatabaseConfig['kind'];
  /** PostgreSQL schema the store works in (set with `search_path`), if not the default. */
  schema?: string;
  /** Cheap round trip for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** Called with every SQL statement run (tests count them; benchmarks may too). */
  onQuery?: (sql: string) => void;
}

export function openStore(config: DatabaseConfig, options: StoreOptions = {}): Store {
  const log: KyselyConfig['log'] = options.onQuery
    ? (event) => {
        if (event.level === 'query') options.onQuery?.(event.query.sql);
      }
    : undefined;
  if (config.kind === 'sqlite') {
    if (config.file !== ':memory:') mkdirSync(dirname(config.file), { recursive: true });
    const sqlite = new SQLite(config.file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: sqlite }),
      ...(log ? { log } : {}),
    });
    return {
      db,
      kind: 'sqlite',
      ping: async () => void (await sql`select 1`.execute(db)),
      close: () => db.destroy(),
    };
  }
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize,
    ...(config.schema ? { options: `-c search_path=${config.schema}` } : {}),
  });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    ...(log ? { log } : {}),
  });
  return {
    db,
    kind: 'postgres',
    ...(config.schema ? { schema: config.schema } : {}),
    ping: async () => void (await sql`select 1`.execute(db)),
    close: () => db.destroy(),
  };
}

/** A unique-constraint violation, in either dialect's words. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
