/**
 * What a CI run must have (issue 11, item 10): with `CI=true`, a missing PostgreSQL or Redis
 * fails the run instead of skipping the suites that need them, so CI can never pass on SQLite
 * alone. Checked once by the global set-up (`test/global-setup.ts`).
 */
export function ciProblems(env: Record<string, string | undefined>): string[] {
  if (env.CI !== 'true') return [];
  const needed = {
    TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test (the PostgreSQL suites)',
    TEST_REDIS_URL: 'redis://127.0.0.1:6379 (the Redis suites)',
  };
  return Object.entries(needed)
    .filter(([name]) => !env[name])
    .map(([name, what]) => `CI=true but ${name} is not set: set it, e.g. ${name}=${what}`);
}
