/**
 * The admin console's user search stays an index walk (issue 13): every page shape the Users page
 * asks for is planned by SQLite on an index of `accounts` — never a full scan of the table, and
 * only the prefix and MFA-off shapes sort (their matches, never every account). The timings at a
 * million accounts, with the same plans on PostgreSQL, are `npm run bench`'s (docs/performance.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planOf, seed } from '../../bench/admin-search.js';
import type { AdminScope } from '../../src/admin/access.js';
import { userSearchQuery, type UserQuery } from '../../src/admin/user-search.js';
import { openStore, type Store } from '../../src/store/dialect.js';
import { migrateToLatest } from '../../src/store/migrate.js';

let store: Store;
const now = Date.UTC(2026, 11, 3);
beforeAll(async () => {
  store = openStore({ kind: 'sqlite', file: ':memory:' });
  await migrateToLatest(store);
  await seed(store, 5000, now);
});
afterAll(() => store.close());

const deployment: AdminScope = { organisationId: null };
const shapes: [string, AdminScope, Omit<UserQuery, 'limit'>, { sorts: boolean }][] = [
  ['newest first', deployment, { sort: 'newest' }, { sorts: false }],
  ['by email', deployment, { sort: 'email' }, { sorts: false }],
  ['newest, a page on', deployment, { sort: 'newest', cursor: cursorAt(now) }, { sorts: false }],
  ['an email prefix', deployment, { sort: 'email', q: 'user0042' }, { sorts: true }],
  ['a name prefix', deployment, { sort: 'newest', q: 'person 42' }, { sorts: true }],
  ['one organisation', deployment, { sort: 'newest', organisationId: 'org0007' }, { sorts: false }],
  ['an organisation admin', { organisationId: 'org0007' }, { sort: 'newest' }, { sorts: false }],
  ['MFA off', deployment, { sort: 'newest', state: 'mfa_off' }, { sorts: true }],
];

function cursorAt(k: number): string {
  return Buffer.from(JSON.stringify({ k, id: 'acct000002500' })).toString('base64url');
}

describe('the user search plans', () => {
  it.each(shapes)('walks an index for %s', async (_name, scope, query, { sorts }) => {
    const plan = await planOf(
      store,
      userSearchQuery(store.db, scope, { ...query, limit: 25 }, now),
    );
    // Every step on `accounts` names an index: a SCAN without one reads every account.
    for (const step of plan.split('\n').map((s) => s.trim()))
      if (/^(SCAN|SEARCH) a\b/.test(step)) expect(step).toMatch(/USING (COVERING )?INDEX/);
    if (!sorts) expect(plan).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
  });
});
