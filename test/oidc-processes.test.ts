/**
 * Two Portcullis processes on one database serve one OpenID Connect issuer (issue 14): an
 * authorization code issued by one is redeemed at the other, and only once — of two redemptions
 * racing at the two processes, one gets the tokens and the other `invalid_grant` — and the
 * tokens issued at one introspect active at the other. On a shared SQLite file, and on
 * PostgreSQL (a database of the test's own, dropped afterwards).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/clock.js';
import { loadConfig } from '../src/config/load.js';
import { cookiePolicy } from '../src/http/session-cookie.js';
import { createServices } from '../src/services.js';
import { openStore } from '../src/store/dialect.js';
import { Jar } from './helpers/oidc-rp.js';
import { freePort, ownDatabase, startServer, type ServerProcess } from './helpers/processes.js';

const REDIRECT = 'https://portal.example/callback';
const SECRET_KEY = 'two-processes-secret-key-of-more-than-32-characters';
const running: ServerProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const p of running) p.child.kill('SIGTERM');
  await Promise.all(running.map((p) => p.exited));
  for (const cleanup of cleanups) await cleanup();
});

const databases: [string, () => Promise<Record<string, string>>][] = [
  ['a shared SQLite file', async () => ({})],
  ...(process.env.TEST_DATABASE_URL
    ? [
        [
          'PostgreSQL',
          async () => {
            const own = await ownDatabase(process.env.TEST_DATABASE_URL!, 'oidc_procs');
            cleanups.push(own.drop);
            return { DATABASE_URL: own.url };
          },
        ] as [string, () => Promise<Record<string, string>>],
      ]
    : []),
];

/** Follows redirects as a browser would while they stay on either process, until they leave. */
async function walk(origins: string[], start: URL, jar: Jar): Promise<URL> {
  let url = start;
  for (let i = 0; i < 10; i++) {
    if (!origins.includes(url.origin)) return url;
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header } });
    jar.absorb(res);
    const location = res.headers.get('location');
    if (!location) return url;
    url = new URL(location, url);
  }
  throw new Error('too many redirects');
}

describe.each(databases)('two processes on %s', (_name, database) => {
  it('redeem a code issued by either once, and read each other’s tokens', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-oidc-procs-'));
    const [portA, portB] = [await freePort(), await freePort()];
    // One issuer: both say PUBLIC_URL is the first one's address.
    const env = {
      DATA_DIR: dataDir,
      SECRET_KEY,
      PUBLIC_URL: `http://127.0.0.1:${portA}`,
      ...(await database()),
    };
    const a = startServer({ ...env, PORT: String(portA) });
    running.push(a);
    await a.ready; // the first migrates; the second finds it done
    const b = startServer({ ...env, PORT: String(portB) });
    running.push(b);
    await b.ready;
    const urlB = `http://127.0.0.1:${portB}`;

    // A client and a signed-in user, made in the shared database.
    const config = loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'silent', ...env });
    const store = openStore(config.database);
    const services = createServices(config, store, new FakeClock(Date.now()));
    cleanups.push(() => services.close());
    const { client, clientSecret } = await services.oidcClients.register(
      { name: 'Claims app', kind: 'confidential', redirectUris: [REDIRECT], firstParty: true },
      null,
      { ip: null, userAgent: 'test' },
    );
    const { accountId } = await services.accounts.invite({
      email: 'procs@clinic.org',
      role: 'user',
      invitedBy: null,
      send: false,
    });
    await store.db
      .updateTable('accounts')
      .set({ state: 'active', email_verified_at: Date.now() })
      .where('id', '=', accountId)
      .execute();
    const now = Date.now();
    const { token } = await services.sessions.create({
      accountId,
      aal: 'aal1',
      amr: [{ method: 'pwd', at: now }],
      origin: { ip: null, userAgent: 'test' },
    });
    const jar = new Jar(`${cookiePolicy(config.publicUrl).name}=${token}`);

    // The code is issued by the first process…
    const authorize = new URL(`${a.url}/oidc/auth`);
    authorize.search = new URLSearchParams({
      client_id: client.clientId,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: REDIRECT,
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      state: 'state-1',
    }).toString();
    const landed = await walk([a.url, urlB], authorize, jar);
    const code = landed.searchParams.get('code');
    expect(code).toEqual(expect.any(String));

    // …and redeemed at both at once: one wins.
    const redeem = (base: string) =>
      fetch(`${base}/oidc/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${client.clientId}:${clientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: code!,
          redirect_uri: REDIRECT,
          code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
        }),
      }).then(async (res) => ({ status: res.status, body: (await res.json()) as never }));
    const answers = await Promise.all([redeem(urlB), redeem(a.url)]);
    const won = answers.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    expect(answers.filter((r) => r.status === 400)).toEqual([
      expect.objectContaining({ body: expect.objectContaining({ error: 'invalid_grant' }) }),
    ]);

    // The second redemption revoked the grant: the winner's token is inactive at both.
    const introspect = (base: string, accessToken: string) =>
      fetch(`${base}/oidc/token/introspection`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${client.clientId}:${clientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ token: accessToken }),
      }).then(async (res) => ((await res.json()) as { active: boolean }).active);
    const accessToken = (won[0]!.body as { access_token: string }).access_token;
    expect(await introspect(a.url, accessToken)).toBe(false);
    expect(await introspect(urlB, accessToken)).toBe(false);

    // A fresh code from the second process, redeemed at the first alone: its token is seen by both.
    const again = await walk([a.url, urlB], new URL(authorize.href.replace(a.url, urlB)), jar);
    const second = await fetch(`${a.url}/oidc/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.clientId}:${clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: again.searchParams.get('code')!,
        redirect_uri: REDIRECT,
        code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
      }),
    });
    expect(second.status).toBe(200);
    const { access_token } = (await second.json()) as { access_token: string };
    expect(await introspect(a.url, access_token)).toBe(true);
    expect(await introspect(urlB, access_token)).toBe(true);
  }, 90_000);
});
