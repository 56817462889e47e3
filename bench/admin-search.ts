/**
 * The admin console's user search at a million accounts (issue 13): seeds BENCH_ACCOUNTS accounts
 * (default 1,000,000; 1 in 50 in one of 200 organisations, 1 in 1,000 exempted from MFA), then times
 * each page shape the Users page asks for and prints the plan the database chose for it, so an
 * index that stops being used shows here as a SCAN / Seq Scan and a slower page.
 */
import { sql } from 'kysely';
import { userSearchQuery, type UserQuery } from '../src/admin/user-search.js';
import type { AdminScope } from '../src/admin/access.js';
import type { Store } from '../src/store/dialect.js';

type Measure = (name: string, iterations: number, fn: () => Promise<unknown>) => Promise<void>;

const ORGANISATIONS = 200;

export async function seed(store: Store, count: number, now: number): Promise<void> {
  const { db } = store;
  const orgs = Array.from({ length: ORGANISATIONS }, (_, i) => ({
    id: `org${String(i).padStart(4, '0')}`,
    name: `Clinic ${i}`,
    policy: null,
    created_at: now,
    updated_at: now,
  }));
  await db.insertInto('organisations').values(orgs).execute();
  const batch = 500;
  for (let start = 0; start < count; start += batch) {
    const rows = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const email = `user${String(i).padStart(7, '0')}@clinic${i % 97}.example`;
      rows.push({
        id: `acct${String(i).padStart(9, '0')}`,
        email,
        email_normalized: email,
        email_verified_at: now,
        password_hash: null,
        state: i % 40 === 0 ? ('invited' as const) : ('active' as const),
        role: 'user' as const,
        created_at: now - (count - i) * 1000,
        updated_at: now,
        phone_offer_dismissed_at: null,
        organisation_id: i % 50 === 0 ? orgs[i % ORGANISATIONS]!.id : null,
        display_name: `Person ${i}`,
        name_key: `person ${i}`,
        mfa_exempt_until: i % 1000 === 0 ? now + 86_400_000 : null,
      });
    }
    await db.insertInto('accounts').values(rows).execute();
  }
  if (store.kind === 'postgres') await sql`ANALYZE accounts`.execute(db);
  else await sql`ANALYZE`.execute(db);
}

/** The database's plan for a query, one line per step. */
export async function planOf(
  store: Store,
  query: ReturnType<typeof userSearchQuery>,
): Promise<string> {
  const { sql: text, parameters } = query.compile();
  const explain = store.kind === 'postgres' ? 'EXPLAIN ' : 'EXPLAIN QUERY PLAN ';
  const raw = sql.raw(explain + text);
  const compiled = { ...raw.compile(store.db), parameters };
  const { rows } = await store.db.executeQuery<Record<string, unknown>>(compiled);
  return rows.map((r) => String(r['QUERY PLAN'] ?? r.detail ?? JSON.stringify(r))).join('\n      ');
}

export async function benchAdminSearch(store: Store, measure: Measure): Promise<void> {
  const count = Number(process.env.BENCH_ACCOUNTS ?? 1_000_000);
  const now = Date.now();
  const started = Date.now();
  await seed(store, count, now);
  console.log(
    `\nadmin user search, ${count.toLocaleString('en')} accounts (seeded in ${((Date.now() - started) / 1000).toFixed(0)} s)`,
  );
  const deployment: AdminScope = { organisationId: null };
  const page = (q: Omit<UserQuery, 'limit'>): UserQuery => ({ limit: 25, ...q });
  const second = await userSearchQuery(store.db, deployment, page({ sort: 'newest' }), now)
    .execute()
    .then((rows) => rows[24]!);
  const cursor = Buffer.from(JSON.stringify({ k: second.created_at, id: second.id })).toString(
    'base64url',
  );
  const shapes: [string, AdminScope, UserQuery][] = [
    ['newest first', deployment, page({ sort: 'newest' })],
    ['newest first, page 2', deployment, page({ sort: 'newest', cursor })],
    ['email prefix', deployment, page({ sort: 'email', q: 'user0500' })],
    ['broad prefix "user" (every account)', deployment, page({ sort: 'email', q: 'user' })],
    ['name prefix', deployment, page({ sort: 'newest', q: 'person 4242' })],
    ['one organisation, newest', deployment, page({ sort: 'newest', organisationId: 'org0100' })],
    ['organisation admin, by email', { organisationId: 'org0100' }, page({ sort: 'email' })],
    ['MFA off', deployment, page({ sort: 'newest', state: 'mfa_off' })],
  ];
  for (const [name, scope, query] of shapes) {
    await measure(`search: ${name}`, 200, () =>
      userSearchQuery(store.db, scope, query, now).execute(),
    );
    console.log(`      ${await planOf(store, userSearchQuery(store.db, scope, query, now))}`);
  }
}
