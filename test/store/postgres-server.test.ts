/**
 * The whole app on PostgreSQL, over real HTTP: sign-up → sign-in → email code → session check
 * → sign-out, against a database created for this run and dropped after it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { postgresUrl } from '../helpers/stores.js';

const EMAIL = 'dana@example.org';
const PASSWORD = 'lilac tundra quiver 87';

async function admin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

// Needs a PostgreSQL server: CI sets TEST_DATABASE_URL (so it always runs there); elsewhere it
// skips, and test/helpers/stores.ts prints how to run it.
describe.runIf(postgresUrl)('the whole app on PostgreSQL', () => {
  const baseUrl = postgresUrl ?? '';
  const database = `portcullis_t_${randomBytes(6).toString('hex')}`;
  let server: TestServer;
  let cookie = '';

  async function post(path: string, body: unknown): Promise<Response> {
    return fetch(server.url + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-portcullis-csrf': '1',
        ...(cookie ? { cookie } : {}),
      },
      body: JSON.stringify(body),
    });
  }

  function sessionCookie(res: Response): string {
    const set = res.headers.getSetCookie().find((c) => c.startsWith('portcullis_session='));
    if (!set) throw new Error('no session cookie was set');
    return set.split(';')[0] ?? '';
  }

  beforeAll(async () => {
    await admin(baseUrl, (c) => c.query(`CREATE DATABASE ${database}`));
    const url = new URL(baseUrl);
    url.pathname = `/${database}`;
    server = await startTestServer({ env: { DATABASE_URL: url.toString() } });
  });

  afterAll(async () => {
    await server?.close();
    await admin(baseUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  });

  it('runs on PostgreSQL in a database of its own', async () => {
    expect(server.app.services.store.kind).toBe('postgres');
    const rows = await admin(baseUrl, (c) =>
      c.query<{ datname: string }>('select datname from pg_database where datname = $1', [
        database,
      ]),
    );
    expect(rows.rows).toHaveLength(1);
  });

  it('signs a new user up, in with an email code, checks the session and signs out', async () => {
    const signUp = await post('/api/v1/sign-up', { email: EMAIL, password: PASSWORD });
    expect(signUp.status).toBe(202);

    const signIn = await post('/api/v1/sign-in', { email: EMAIL, password: PASSWORD });
    expect(signIn.status).toBe(200);
    const started = (await signIn.json()) as {
      status: string;
      flow: { flow: string; step: string };
    };
    expect(started).toMatchObject({ status: 'continue', flow: { step: 'verify_email' } });

    const code = await server.latestCode(EMAIL);
    const verified = await post('/api/v1/sign-in/verify-email', {
      flow: started.flow.flow,
      code,
    });
    expect(verified.status).toBe(200);
    // Seed 000's Two-Factor Authentication page offers a phone: "Skip for Now".
    expect(await verified.json()).toMatchObject({
      status: 'continue',
      flow: { step: 'enrol_phone' },
    });
    const done = await post('/api/v1/sign-in/skip', { flow: started.flow.flow });
    expect(await done.json()).toMatchObject({
      status: 'signed_in',
      user: { email: EMAIL, emailVerified: true },
      session: { aal: 'aal1' },
    });
    cookie = sessionCookie(done);

    const session = await fetch(`${server.url}/api/v1/session`, { headers: { cookie } });
    expect(session.status).toBe(200);
    expect(session.headers.get('cache-control')).toBe('no-store');
    const body = (await session.json()) as { user: { email: string }; session: { id: string } };
    expect(body.user.email).toBe(EMAIL);

    const row = await server.app.services.store.db
      .selectFrom('sessions')
      .select(['id', 'token_hash'])
      .executeTakeFirstOrThrow();
    expect(row.id).toBe(body.session.id);
    expect(cookie).not.toContain(row.token_hash);

    const signOut = await post('/api/v1/sign-out', {});
    expect(signOut.status).toBe(204);

    const after = await fetch(`${server.url}/api/v1/session`, { headers: { cookie } });
    expect(after.status).toBe(401);
    expect(await server.app.services.store.db.selectFrom('sessions').selectAll().execute()).toEqual(
      [],
    );
  });

  it('signs a user with a verified email straight in next time', async () => {
    const signIn = await post('/api/v1/sign-in', { email: EMAIL, password: PASSWORD });
    // The email is verified now, so sign-in completes at once.
    expect(signIn.status).toBe(200);
    expect(await signIn.json()).toMatchObject({ status: 'signed_in' });
  });
});
