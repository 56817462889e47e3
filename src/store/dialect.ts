/**
 * The one place where SQLite and PostgreSQL differ: how to connect, and how each says it cannot
 * be reached. Everything else (schema, migrations, queries) is shared.
 *
 * Losing the database never ends the process (S31):
 * - every pooled PostgreSQL connection, idle or checked out, has an `error` listener (a backend
 *   ended by a restart, a fail-over, `pg_terminate_backend` or an idle timeout is logged and
 *   dropped from the pool; the next query opens a new one);
 * - no query waits longer than `timeoutMs` for a connection or for its answer;
 * - a failure to reach the database (no connection, a connection lost, the server shutting down,
 *   a statement over its time, SQLite busy past its timeout) becomes `DependencyUnavailableError`,
 *   which the API answers `503 DATABASE_UNAVAILABLE` with `Retry-After`. SQL errors (a unique
 *   violation, …) pass through unchanged.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  Kysely,
  PostgresDialect,
  SqliteDialect,
  sql,
  type KyselyConfig,
  type PostgresPool,
} from 'kysely';
import pg from 'pg';
import { DependencyUnavailableError } from '../errors/unavailable.js';
import type { Database, Db } from './schema.js';
import { createUnitOfWork, type UnitOfWork } from './unit-of-work.js';

// PostgreSQL returns int8 as strings; our times are epoch ms, well inside 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));

export type DatabaseConfig =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; url: string; poolSize: number; schema?: string };

export interface Store {
  /** Outside a unit of work the database; inside one, that unit's transaction. */
  db: Db;
  /** Transactions spanning several repositories (a change, its audit event, its messages). */
  units: UnitOfWork;
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
  /** The longest a query may wait for a connection, and then for its answer (default 5 s). */
  timeoutMs?: number;
  /** Where lost connections are reported (they never throw). */
  log?: { warn(obj: object, msg: string): void };
}

const DEFAULT_TIMEOUT_MS = 5_000;

export function openStore(config: DatabaseConfig, options: StoreOptions = {}): Store {
  const log: KyselyConfig['log'] = options.onQuery
    ? (event) => {
        if (event.level === 'query') options.onQuery?.(event.query.sql);
      }
    : undefined;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (config.kind === 'sqlite') {
    if (config.file !== ':memory:') mkdirSync(dirname(config.file), { recursive: true });
    const sqlite = new SQLite(config.file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma(`busy_timeout = ${timeoutMs}`);
    const raw = new Kysely<Database>({
      dialect: new SqliteDialect({ database: guardedSqlite(sqlite) }),
      ...(log ? { log } : {}),
    });
    return finish(raw, { kind: 'sqlite' });
  }
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize,
    connectionTimeoutMillis: timeoutMs,
    // The server ends a statement at the limit (the connection stays usable); the client gives
    // up a little later in case the server cannot even say so.
    query_timeout: timeoutMs + 1_000,
    keepAlive: true,
    ...(config.schema
      ? { options: `-c search_path=${config.schema} -c statement_timeout=${timeoutMs}` }
      : { options: `-c statement_timeout=${timeoutMs}` }),
  });
  const lost = (err: Error) =>
    options.log?.warn({ err: { message: err.message } }, 'database connection lost');
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
  const raw = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: guardedPool(pool, config.poolSize) }),
    ...(log ? { log } : {}),
  });
  return finish(raw, { kind: 'postgres', ...(config.schema ? { schema: config.schema } : {}) });
}

function finish(raw: Db, about: Pick<Store, 'kind' | 'schema'>): Store {
  const { view, units } = createUnitOfWork(raw);
  return {
    db: view,
    units,
    ...about,
    ping: async () => void (await sql`select 1`.execute(raw)),
    close: () => raw.destroy(),
  };
}

/**
 * PostgreSQL: a failure to connect, or a lost connection, is the database being unavailable.
 * A pooled connection the server has just ended may still be handed out before the pool hears
 * of it (several may have died at once); the first statement of a checkout, when it only reads
 * (`select`, `begin`), is then run again on the next connection, at most once per pooled one:
 * the server never ran it, and nothing else was sent on that connection.
 */
function guardedPool(pool: pg.Pool, size: number): PostgresPool {
  const connect = async () => {
    try {
      return await pool.connect();
    } catch (err) {
      throw new DependencyUnavailableError('database', err);
    }
  };
  return {
    async connect() {
      // The connection held, or none: one that died was given back (destroyed) and the next
      // could not be had, so there is nothing left to release.
      let client: pg.PoolClient | undefined = await connect();
      // A connection that failed under a query (lost, or silent past the timeout) may still
      // owe that query's answer: it is destroyed on release, never handed to the next query.
      let broken = false;
      let first = true;
      const run = async (text: string, parameters: unknown[], tries = 0): Promise<unknown> => {
        if (!client) throw new DependencyUnavailableError('database', new Error('no connection'));
        const retryable = first && tries < size && READ_ONLY_START.test(text);
        first = false;
        try {
          return await client.query(text, parameters);
        } catch (err) {
          if (!postgresUnavailable(err)) throw err;
          if (retryable && endedConnection(err)) {
            client.release(true);
            client = undefined;
            client = await connect();
            first = true;
            return run(text, parameters, tries + 1);
          }
          broken = true;
          throw new DependencyUnavailableError('database', err);
        }
      };
      return {
        query: run as never,
        release: () => {
          client?.release(broken);
          client = undefined;
        },
      };
    },
    end: () => pool.end(),
  };
}

const READ_ONLY_START = /^\s*(select|begin)\b/i;

/** The connection was gone before the statement ran: ended by the server, or its socket closed. */
function endedConnection(err: unknown): boolean {
  if (err instanceof pg.DatabaseError) return ['57P01', '57P02', '57P03'].includes(err.code ?? '');
  return !(err instanceof Error && /timeout/i.test(err.message));
}

/**
 * SQLSTATE classes and codes that mean "the database cannot serve now", not "this query is
 * wrong": connection exceptions (08), shutting down or starting (57P01–57P03), too many
 * connections (53300), a statement ended by `statement_timeout` (57014). An error the server did
 * not send (no SQLSTATE: a socket closed, a client timeout) is the connection's.
 */
function postgresUnavailable(err: unknown): boolean {
  if (!(err instanceof pg.DatabaseError)) return true;
  const code = err.code ?? '';
  return code.startsWith('08') || ['57P01', '57P02', '57P03', '53300', '57014'].includes(code);
}

const SQLITE_UNAVAILABLE = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_FULL']);

/** Prepared statements kept per SQL text: compiling one costs more than running it. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * SQLite: a database busy past `busy_timeout`, or a disk that fails, is unavailability. A
 * statement once prepared is kept and used again for the same SQL (the session check's lookup
 * is prepared once, not at every request), unless it is busy (a stream still reading it), when
 * a new one is prepared for this use.
 */
function guardedSqlite(sqlite: SQLite.Database): SQLite.Database {
  const prepareNew = sqlite.prepare.bind(sqlite);
  const kept = new Map<string, SQLite.Statement>();
  const guard =
    <A extends unknown[], R>(run: (...args: A) => R) =>
    (...args: A): R => {
      try {
        return run(...args);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        // Extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_WRITE) belong to their primary code.
        const primary = typeof code === 'string' ? code.split('_').slice(0, 2).join('_') : '';
        if (SQLITE_UNAVAILABLE.has(primary)) throw new DependencyUnavailableError('database', err);
        throw err;
      }
    };
  const prepare = (source: string) => {
    const statement = guard(prepareNew)(source);
    statement.all = guard(statement.all.bind(statement)) as typeof statement.all;
    statement.run = guard(statement.run.bind(statement)) as typeof statement.run;
    return statement;
  };
  sqlite.prepare = ((source: string) => {
    const held = kept.get(source);
    if (held && !held.busy) return held;
    const statement = prepare(source);
    if (held) return statement; // the kept one is reading a stream: this one is for now only
    if (kept.size >= STATEMENT_CACHE_SIZE) kept.delete(kept.keys().next().value!);
    kept.set(source, statement);
    return statement;
  }) as typeof sqlite.prepare;
  return sqlite;
}

/** A unique-constraint violation, in either dialect's words. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
