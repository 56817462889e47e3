/**
 * The two hot paths do only the work they must (structure, not timing: timing lives in
 * `npm run bench`). The session check is one indexed lookup; sign-in is one password hash plus a
 * handful of indexed statements.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { CompiledQuery } from 'kysely';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { openStore, type Store } from '../../src/store/dialect.js';
import { Client, PASSWORD, signedInClient } from '../helpers/client.js';
import { testConfig } from '../helpers/config.js';
import { appCode, enrolTotp, stepUpByEmail } from '../helpers/totp.js';

let queries: string[];
let store: Store;
let app: FastifyInstance;
let clock: FakeClock;

beforeEach(async () => {
  queries = [];
  clock = new FakeClock();
  store = openStore({ kind: 'sqlite', file: ':memory:' }, { onQuery: (q) => queries.push(q) });
  app = await build({ config: testConfig(), clock, store });
});
afterEach(async () => {
  await app.close();
  await store.close();
});

describe('the session check', () => {
  it('is one SQL statement', async () => {
    const c = await signedInClient(app, 'ann@clinic.org');
    queries.length = 0;
    expect((await c.get('/api/v1/session')).statusCode).toBe(200);
    expect(queries).toHaveLength(1);
    // The session first, held to its one row; a `select` (a connection found dead may rerun it).
    expect(queries[0]).toMatch(
      /^select .* from \(select \* from "sessions" where "token_hash" = \? limit 1\) as "found" inner join "accounts"/,
    );
  });

  it('adds at most one write a minute for the idle timer', async () => {
    const c = await signedInClient(app, 'ben@clinic.org');
    clock.advance(61_000);
    queries.length = 0;
    await c.get('/api/v1/session');
    expect(queries).toHaveLength(2);
    queries.length = 0;
    await c.get('/api/v1/session');
    expect(queries).toHaveLength(1);
  });

  it('finds the session through the unique index on token_hash, then its account by id', async () => {
    const c = await signedInClient(app, 'cy@clinic.org');
    queries.length = 0;
    await c.get('/api/v1/session');
    const plan = await store.db.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`explain query plan ${queries[0]!}`, ['x']),
    );
    const details = plan.rows.map((r) => r.detail).join(' | ');
    expect(details).toMatch(
      /SEARCH sessions USING INDEX sqlite_autoindex_sessions_2 \(token_hash=\?\)/,
    );
    expect(details).toMatch(/SEARCH accounts USING INDEX sqlite_autoindex_accounts_1 \(id=\?\)/);
    // The scan is of the one row found (the subquery's), never of a table.
    expect(details).not.toMatch(/SCAN (sessions|accounts)/);
  });
});

describe('sign-in', () => {
  it('runs a handful of statements around one password hash', async () => {
    await signedInClient(app, 'cal@clinic.org');
    queries.length = 0;
    const res = await new Client(app).post('/api/v1/sign-in', {
      email: 'cal@clinic.org',
      password: PASSWORD,
    });
    expect(res.json().status).toBe('signed_in');
    // the failure counter read (before the hash, S5), account lookup, the counter read again
    // (after: a right answer is refused when a burst used up the tries), what the account holds
    // (is a second factor owed?), its policy (one indexed read), then in one transaction (S25:
    // the session is never made unrecorded) session insert and audit insert
    expect(queries).toHaveLength(9);
    // An account with no failures to clear: no write to the counters at all.
    expect(
      queries.filter((q) => /^(insert|update|delete)/i.test(q) && /failure_counters/.test(q)),
    ).toEqual([]);
    expect(queries.filter((q) => /failure_counters/.test(q))).toHaveLength(2);
    expect(queries.slice(-4).map((q) => q.split(' ')[0]!.toLowerCase())).toEqual([
      'begin',
      'insert',
      'insert',
      'commit',
    ]);
  });
});

describe('a password + authenticator-app sign-in', () => {
  it('reads what the account holds and its policy once in the code step', async () => {
    const policy = 'examples/portal/portcullis-policy.json';
    await app.close();
    app = await build({ config: testConfig({ PORTCULLIS_POLICY: policy }), clock, store });
    const c = await signedInClient(app, 'dee@clinic.org');
    await stepUpByEmail(c, 'dee@clinic.org');
    const key = await enrolTotp(c, clock);
    const d = new Client(app);
    const first = await d.post('/api/v1/sign-in', { email: 'dee@clinic.org', password: PASSWORD });
    queries.length = 0;
    const done = await d.post('/api/v1/sign-in/verify-code', {
      flow: first.json().flow.flow,
      code: appCode(key, clock.now()),
    });
    expect(done.json().status).toBe('signed_in');
    const count = (part: string) => queries.filter((q) => q.includes(part)).length;
    expect(count('left join "phones"')).toBe(1); // what the account holds
    expect(count('left join "deployment_policies"')).toBe(1); // its policy
    expect(queries).toHaveLength(14);
  });
});
