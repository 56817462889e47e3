import { defineConfig } from 'vitest/config';

/**
 * Two projects: every test on SQLite, and — where PostgreSQL is at hand (always in CI, see
 * test/helpers/ci.ts) — the HTTP and flow suites again with every app on a PostgreSQL schema of
 * its own, so flows and their concurrency tests meet a real pool.
 */
const postgres = process.env.TEST_DATABASE_URL;

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'sqlite', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
      },
      ...(postgres
        ? [
            {
              extends: true as const,
              test: {
                name: 'postgres',
                include: ['test/http/**/*.test.ts', 'test/flows/**/*.test.ts'],
                env: { TEST_DIALECT: 'postgres' },
              },
            },
          ]
        : []),
    ],
  },
});
