/**
 * The one Redis connection of a process, where `REDIS_URL` is set: shared counters (send limits,
 * per-IP limits) and readiness. Never ends the process (S31): connection errors are logged (once
 * per outage, not per retry) and reconnected by ioredis; a command waits at most 2 s and one
 * reconnection, then fails with `DependencyUnavailableError` (→ `503 REDIS_UNAVAILABLE`).
 */
import { Redis } from 'ioredis';
import { DependencyUnavailableError } from '../errors/unavailable.js';

export interface RedisLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export function openRedis(url: string, log?: RedisLog): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
    // Reconnect quickly, then every second: service resumes by itself once Redis is back.
    retryStrategy: (times) => Math.min(times * 100, 1_000),
  });
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    log?.warn({ err: { message: err.message } }, 'Redis connection lost');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    log?.info({}, 'Redis connection restored');
  });
  return redis;
}

/** Runs a Redis command, turning any failure to reach Redis into the registered 503. */
export async function redisCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw new DependencyUnavailableError('redis', err);
  }
}
