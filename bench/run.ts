/**
 * `npm run bench` (issue 15): Portcullis over real sockets as a portal's users load it — the
 * session check, a password sign-in, a password + authenticator-app sign-in, a password + SMS
 * code sign-in (through the outbox to a Twilio-shaped sink on loopback), the OpenID Connect code
 * exchange and token introspection — against the built server in production mode, pinned to one
 * core and loaded from the other, beside a bare node:http hello, a bare Fastify hello, the raw
 * argon2id rate and better-auth (`peer/`, installed on first use) on the same core, round by
 * round (`http/`); then the admin console's user search at a million accounts
 * (`admin-search.ts`).
 *
 *   npm run bench                                  # SQLite, 10,000 accounts, 3 rounds of 10 s
 *   npm run bench -- --accounts 1000000            # rows inserted directly, one shared hash
 *   npm run bench -- --db postgres                 # BENCH_DATABASE_URL (a database made and dropped)
 *   npm run bench -- --rounds 5 --seconds 15 --connections 10
 *   npm run bench -- --only http                   # the socket benchmark alone
 *   npm run bench -- --without-peer                # Portcullis and the baselines, no better-auth
 *   npm run bench -- --server-node-options=--max-old-space-size=128   # Node flags for the server
 *   BENCH_ACCOUNTS=100000 npm run bench            # fewer accounts for the search (default 1,000,000)
 */
import { parseArgs } from 'node:util';
import { benchAdminSearch } from './admin-search.js';
import { benchHttp } from './http/run.js';
import { openStore } from '../src/store/dialect.js';
import { migrateToLatest } from '../src/store/migrate.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite' },
    accounts: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    only: { type: 'string' },
    'without-peer': { type: 'boolean', default: false },
    'server-node-options': { type: 'string', default: '' },
  },
});

/** Times `fn` sequentially (the in-process part: the search). */
async function measure(name: string, iterations: number, fn: () => Promise<unknown>) {
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
    `${name.padEnd(44)} ${String(iterations).padStart(6)} runs  ${(iterations / total).toFixed(0).padStart(6)} ops/s  p50 ${pct(0.5)} ms  p99 ${pct(0.99)} ms`,
  );
}

async function main(): Promise<void> {
  const db = values.db === 'postgres' ? 'postgres' : 'sqlite';
  if (values.only === undefined || values.only === 'http')
    await benchHttp({
      db,
      accounts: Number(values.accounts),
      rounds: Number(values.rounds),
      seconds: Number(values.seconds),
      connections: Number(values.connections),
      peer: !values['without-peer'],
      serverNodeOptions: values['server-node-options'].split(/\s+/).filter(Boolean),
    });
  if (values.only === undefined || values.only === 'search') {
    const store = openStore({ kind: 'sqlite', file: ':memory:' });
    await migrateToLatest(store);
    await benchAdminSearch(store, measure);
    await store.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
