/**
 * Once per run, before any test file:
 * - with `CI=true`, refuses to start without PostgreSQL and Redis (`helpers/ci.ts`);
 * - names this run's PostgreSQL schemas (`TEST_SCHEMA_PREFIX`) for the `postgres` project, whose
 *   HTTP and flow suites build every app on a schema of its own (`helpers/config.ts`), and drops
 *   them all when the run ends (each project ends its run with this teardown; the first to end
 *   drops them, under the migration lock so nothing migrates meanwhile).
 */
import pg from 'pg';
import { MIGRATION_LOCK_ID } from '../src/store/migrate.js';
import { ciProblems } from './helpers/ci.js';

export default function setup(): () => Promise<void> {
  const problems = ciProblems(process.env);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const prefix = `t_app_${process.pid}_`;
  process.env.TEST_SCHEMA_PREFIX = prefix;
  return async () => {
    const url = process.env.TEST_DATABASE_URL;
    if (!url) return;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      // Under the migration lock: no file of the other project is migrating alongside.
      await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
      const { rows } = await client.query<{ nspname: string }>(
        "select nspname from pg_namespace where nspname like $1 || '%'",
        [prefix],
      );
      for (const { nspname } of rows) await client.query(`DROP SCHEMA "${nspname}" CASCADE`);
    } finally {
      await client.end();
    }
  };
}
