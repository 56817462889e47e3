/**
 * Benchmarks of the two hot paths, through the whole HTTP stack (app.inject):
 *  - the session check (GET /api/v1/session): every portal page calls it;
 *  - sign-in (POST /api/v1/sign-in) for a verified user: its cost should be the password hash.
 * Also times one bare argon2id verification, so the sign-in figure can be read against it.
 *
 * Then the admin console's user search at a million accounts (`admin-search.ts`), with plans,
 * and the OpenID Connect code exchange and token introspection over a socket (`oidc.ts`).
 *
 *   npm run bench                      # SQLite in memory
 *   BENCH_DATABASE_URL=postgres://…    # the same against PostgreSQL
 *   BENCH_ACCOUNTS=100000              # fewer accounts for the search (default 1,000,000)
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { build } from '../src/app.js';
import { benchAdminSearch } from './admin-search.js';
import { benchOidc } from './oidc.js';
import { createPasswordHasher } from '../src/factors/password/hashing.js';
import { openStore, type DatabaseConfig } from '../src/store/dialect.js';
import { Client, PASSWORD, signedInClient } from '../test/helpers/client.js';
import { testConfig } from '../test/helpers/config.js';

async function measure(
  name: string,
  iterations: number,
  fn: () => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < Math.min(50, iterations); i++) await fn();
  const times: number[] = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const total = Number(process.hrtime.bigint() - start) / 1e9;
  times.sort((a, b) => a - b);
  const pct = (p: number) =>
    times[Math.min(times.length - 1, Math.floor(times.length * p))]!.toFixed(3);
  console.log(
    `${name.padEnd(34)} ${String(iterations).padStart(6)} runs  ${(iterations / total).toFixed(0).padStart(6)} ops/s  p50 ${pct(0.5)} ms  p99 ${pct(0.99)} ms`,
  );
}

async function main(): Promise<void> {
  const pgUrl = process.env.BENCH_DATABASE_URL;
  let database: DatabaseConfig = { kind: 'sqlite', file: ':memory:' };
  let dropSchema: (() => Promise<void>) | undefined;
  if (pgUrl) {
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    await c.query(`CREATE SCHEMA ${schema}`);
    await c.end();
    database = { kind: 'postgres', url: pgUrl, poolSize: 10, schema };
    dropSchema = async () => {
      const d = new pg.Client({ connectionString: pgUrl });
      await d.connect();
      await d.query(`DROP SCHEMA ${schema} CASCADE`);
      await d.end();
    };
  }
  const store = openStore(database);
  const app = await build({ config: testConfig(), store });
  console.log(`Portcullis benchmarks — ${database.kind}, Node ${process.version}\n`);

  const user = await signedInClient(app, 'bench@clinic.org');
  await measure('session check (GET /api/v1/session)', 5000, () => user.get('/api/v1/session'));

  const hasher = createPasswordHasher();
  const stored = await hasher.hash(PASSWORD);
  await measure('argon2id verify alone', 100, () => hasher.verify(stored, PASSWORD));
  await measure('sign-in (POST /api/v1/sign-in)', 100, () =>
    new Client(app).post('/api/v1/sign-in', { email: 'bench@clinic.org', password: PASSWORD }),
  );
  // The same without HTTP (routing, schemas, cookies), to tell the stack's share from the service's.
  const origin = { ip: '127.0.0.1', userAgent: 'bench' };
  await measure('sign-in service alone (no HTTP)', 100, () =>
    app.services.signIn.start({ email: 'bench@clinic.org', password: PASSWORD, origin }),
  );
  await measure('sign-in, unknown email', 100, () =>
    new Client(app).post('/api/v1/sign-in', {
      email: `nobody-${randomBytes(4).toString('hex')}@clinic.org`,
      password: PASSWORD,
    }),
  );

  await benchAdminSearch(store, measure);
  await benchOidc(measure);

  await app.close();
  await store.close();
  await dropSchema?.();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
