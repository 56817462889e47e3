/**
 * Counters for limits shared by every server process: fixed windows aligned on the epoch (so an
 * hour window is the clock hour), counted atomically before they are compared. In the database
 * (`rate_counters`) by default, in Redis where `REDIS_URL` is set. Used by the spend guard (S10),
 * the reset and email-change limits, and the per-IP limits of the public routes (S33).
 */
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import { DependencyUnavailableError } from '../errors/unavailable.js';
import { openRedis, redisCall } from './redis.js';
import type { Db } from './schema.js';

const HOUR = 3_600_000;

export interface CounterStore {
  /** Atomically counts one hit in the fixed window containing `now`; returns the new count and when the window ends. */
  hit(key: string, windowMs: number, now: number): Promise<{ count: number; resetAt: number }>;
  close(): Promise<void>;
}

const windowStartOf = (now: number, windowMs: number) => Math.floor(now / windowMs) * windowMs;

/**
 * Counters in the `rate_counters` table: one upsert per hit, atomic on SQLite and PostgreSQL.
 * A hit from a process whose clock is a little behind (an earlier window than the stored
 * one) counts in the stored window rather than resetting it.
 */
export function createDbCounterStore(db: Db): CounterStore {
  return {
    async hit(key, windowMs, now) {
      const start = windowStartOf(now, windowMs);
      const newer = sql<boolean>`excluded.window_start > ${sql.ref('rate_counters.window_start')}`;
      const row = await db
        .insertInto('rate_counters')
        .values({ key, window_start: start, count: 1 })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            count: sql<number>`CASE WHEN ${newer} THEN 1 ELSE ${sql.ref('rate_counters.count')} + 1 END`,
            window_start: sql<number>`CASE WHEN ${newer} THEN excluded.window_start ELSE ${sql.ref('rate_counters.window_start')} END`,
          }),
        )
        .returning(['count', 'window_start'])
        .executeTakeFirstOrThrow();
      return { count: Number(row.count), resetAt: Number(row.window_start) + windowMs };
    },
    async close() {
      // The database belongs to the caller.
    },
  };
}

/** Deletes counters whose window ended before `before` (for housekeeping; windows are ≤ 1 h). */
export async function purgeRateCounters(db: Db, before: number): Promise<number> {
  const r = await db
    .deleteFrom('rate_counters')
    .where('window_start', '<', before - HOUR)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/**
 * Counters in Redis, shared by every process: one key per window (`<prefix><key>:<window
 * start>`), `INCR` and `PEXPIRE` in one `MULTI`. The window comes from the caller's clock, not
 * Redis's; keys expire a full window after their last hit. A Redis failure rejects with the
 * registered 503 (the request is refused, never let through uncounted). Given a URL, the store
 * opens (and closes) its own connection; given a connection, it leaves it to its owner.
 */
export function createRedisCounterStore(
  redis: Redis | string,
  options: { prefix?: string } = {},
): CounterStore {
  const prefix = options.prefix ?? 'portcullis:rate:';
  const own = typeof redis === 'string';
  const client = typeof redis === 'string' ? openRedis(redis) : redis;
  return {
    async hit(key, windowMs, now) {
      const start = windowStartOf(now, windowMs);
      const k = `${prefix}${key}:${start}`;
      const results = await redisCall(() =>
        client
          .multi()
          .incr(k)
          .pexpire(k, 2 * windowMs)
          .exec(),
      );
      const [incr] = results ?? [];
      if (!incr || incr[0])
        throw new DependencyUnavailableError('redis', incr?.[0] ?? 'transaction aborted');
      return { count: Number(incr[1]), resetAt: start + windowMs };
    },
    async close() {
      if (own) await client.quit().catch(() => client.disconnect());
    },
  };
}

/**
 * Counters in this process's memory: for SQLite, where one process serves (nothing to share),
 * so that the per-IP limits cost no database write. Windows that have ended are dropped as new
 * ones open.
 */
export function createMemoryCounterStore(): CounterStore {
  const windows = new Map<string, { start: number; count: number; end: number }>();
  let sweepAt = 0;
  return {
    async hit(key, windowMs, now) {
      if (now >= sweepAt) {
        for (const [k, w] of windows) if (w.end <= now) windows.delete(k);
        sweepAt = now + 60_000;
      }
      const start = windowStartOf(now, windowMs);
      const current = windows.get(key);
      const w =
        current && current.start >= start ? current : { start, count: 0, end: start + windowMs };
      w.count += 1;
      windows.set(key, w);
      return { count: w.count, resetAt: w.start + windowMs };
    },
    async close() {
      windows.clear();
    },
  };
}
