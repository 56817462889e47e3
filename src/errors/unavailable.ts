/**
 * Something Portcullis depends on cannot serve now (S31): the database, or Redis where it keeps
 * the shared counters. Raised where the dependency is reached (`store/dialect.ts`,
 * `store/redis.ts`), answered by the error handler as a registered 503 with `Retry-After`,
 * never a crash and never a 500.
 */
export type Dependency = 'database' | 'redis';

/** Seconds a client is told to wait before trying again. */
export const RETRY_AFTER_SECONDS = 5;

export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: Dependency,
    cause?: unknown,
  ) {
    super(`The ${dependency} is not available`, { cause });
    this.name = 'DependencyUnavailableError';
  }
}
