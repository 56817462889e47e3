/**
 * Losing PostgreSQL never ends the process (S31). Before, a backend ended under the pool
 * (`pg_terminate_backend`, a restart, a fail-over, an idle timeout) killed every Portcullis
 * process with "Unhandled 'error' event … on BoundPool". Now:
 * - on the shared server: the app's own backends are terminated, idle and mid-request; every
 *   answer is a success or a registered 503, and the next requests succeed with no restart;
 * - a pooled connection that died unseen (the pool learns only when it writes) costs a read
 *   nothing: it runs again on a new connection; a write is never run twice (503 instead);
 * - with the network to it gone silent (a TCP proxy that stops forwarding), no request waits
 *   past `DATABASE_TIMEOUT_MS` (plus the client's one-second margin): each answers 503;
 * - on a private cluster (initdb in a temporary folder, its own port) stopped and started under a
 *   small load, a real server process answers 503 DATABASE_UNAVAILABLE with Retry-After within
 *   its timeout, /readyz says so, and service comes back by itself; the times are printed.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../../src/errors/unavailable.js';
import { openStore } from '../../src/store/dialect.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { postgresUrl } from '../helpers/stores.js';
import {
  freePort,
  privatePostgres,
  startServer,
  tcpProxy,
  until,
  type PrivatePostgres,
  type ServerProcess,
  type TcpProxy,
} from '../helpers/processes.js';

async function query(url: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

function databaseUrl(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A session check with a token no session has: one indexed read, then 401. */
const BOGUS = { cookie: `portcullis_session=${'x'.repeat(43)}` };

describe.runIf(postgresUrl)('the shared server ends our backends', () => {
  const base = postgresUrl ?? '';
  const database = `portcullis_out_${randomBytes(5).toString('hex')}`;
  let server: TestServer;

  beforeAll(async () => {
    await query(base, `CREATE DATABASE ${database}`);
    server = await startTestServer({ env: { DATABASE_URL: databaseUrl(base, database) } });
  });
  afterAll(async () => {
    await server?.close();
    await query(base, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  const terminate = () =>
    query(
      base,
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [database],
    );
  const check = () => fetch(`${server.url}/api/v1/session`, { headers: BOGUS });

  it('keeps serving when its idle connections are ended', async () => {
    // Fill the pool, then end every connection it holds.
    await Promise.all(Array.from({ length: 8 }, check));
    const ended = await terminate();
    expect(ended.length).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) expect((await check()).status).toBe(401);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it('answers every request in flight with a success or a registered 503, then recovers', async () => {
    const inFlight = Array.from({ length: 40 }, async (_, i) => {
      if (i === 20) await terminate();
      return check();
    });
    const answers = await Promise.all(inFlight);
    for (const res of answers) {
      expect([401, 503]).toContain(res.status);
      if (res.status === 503) {
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
          'DATABASE_UNAVAILABLE',
        );
        expect(res.headers.get('retry-after')).toBe('5');
      }
    }
    expect((await check()).status).toBe(401);
  });
});

describe.runIf(postgresUrl)('a pooled connection died while it sat idle', () => {
  const base = postgresUrl ?? '';
  const database = `portcullis_unseen_${randomBytes(5).toString('hex')}`;
  let proxy: TcpProxy;
  let url: string;
  let server: TestServer;

  beforeAll(async () => {
    await query(base, `CREATE DATABASE ${database}`);
    proxy = await tcpProxy(Number(new URL(base).port || 5432));
    const through = new URL(databaseUrl(base, database));
    through.port = String(proxy.port);
    url = through.toString();
    server = await startTestServer({ env: { DATABASE_URL: url } });
  });
  afterAll(async () => {
    await server?.close();
    await proxy?.close();
    await query(base, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  it('runs a read once more on a new connection, so the request never sees it', async () => {
    const check = () => fetch(`${server.url}/api/v1/session`, { headers: BOGUS });
    await Promise.all(Array.from({ length: 4 }, check));
    proxy.endUnseen(); // the pool still holds them, and learns only when it writes
    for (let i = 0; i < 6; i++) expect((await check()).status).toBe(401);
  });

  it('never runs a write twice: one that met a dead connection is a 503 to retry', async () => {
    const store = openStore({ kind: 'postgres', url, poolSize: 1 });
    try {
      await sql`select 1`.execute(store.db);
      proxy.endUnseen();
      const write = sql`delete from oidc_payloads where expires_at < 0`.execute(store.db);
      await expect(write).rejects.toBeInstanceOf(DependencyUnavailableError);
      await sql`select 1`.execute(store.db); // and the pool recovers
    } finally {
      await store.close();
    }
  });
});

describe.runIf(postgresUrl)('the network to the database goes silent', () => {
  const base = postgresUrl ?? '';
  const database = `portcullis_hole_${randomBytes(5).toString('hex')}`;
  const TIMEOUT_MS = 500;
  let proxy: TcpProxy;
  let server: TestServer;

  beforeAll(async () => {
    await query(base, `CREATE DATABASE ${database}`);
    proxy = await tcpProxy(Number(new URL(base).port || 5432));
    const url = new URL(databaseUrl(base, database));
    url.port = String(proxy.port);
    server = await startTestServer({
      env: { DATABASE_URL: url.toString(), DATABASE_TIMEOUT_MS: String(TIMEOUT_MS) },
    });
  });
  afterAll(async () => {
    await server?.close();
    await proxy?.close();
    await query(base, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  it('answers 503 within its timeout instead of waiting, and serves again once packets flow', async () => {
    const check = () => fetch(`${server.url}/api/v1/session`, { headers: BOGUS });
    await Promise.all(Array.from({ length: 4 }, check)); // connections in the pool
    proxy.blackHole();
    const answers = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const started = Date.now();
        const res = await check();
        return { status: res.status, ms: Date.now() - started };
      }),
    );
    for (const a of answers) {
      expect(a.status).toBe(503);
      // A statement the server never sees is given up a second after the timeout.
      expect(a.ms).toBeLessThan(TIMEOUT_MS + 1_000 + 1_000);
    }
    proxy.restore();
    await until(async () => (await check()).status === 401, { what: 'service to resume' });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });
});

const havePostgresTools = existsSync('/usr/lib/postgresql');

describe.runIf(havePostgresTools || process.env.CI === 'true')(
  'a private PostgreSQL cluster stopped and started under load',
  () => {
    let cluster: PrivatePostgres;
    let server: ServerProcess;
    const TIMEOUT_MS = 1_000;

    beforeAll(async () => {
      cluster = await privatePostgres();
      const port = await freePort();
      server = startServer({
        PORT: String(port),
        DATABASE_URL: cluster.url,
        DATABASE_TIMEOUT_MS: String(TIMEOUT_MS),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        DATA_DIR: `/tmp/portcullis-outage-${port}`,
      });
      await server.ready;
    }, 60_000);
    afterAll(async () => {
      server?.child.kill('SIGTERM');
      await server?.exited;
      await cluster?.destroy();
    });

    it('answers 503 quickly while the database is gone, and resumes by itself', async () => {
      const statuses = new Map<number, number>();
      const slowest = { ms: 0 };
      let running = true;
      // A small load: one session check after another, for as long as the test runs.
      const load = (async () => {
        while (running) {
          const started = Date.now();
          const res = await fetch(`${server.url}/api/v1/session`, { headers: BOGUS });
          slowest.ms = Math.max(slowest.ms, Date.now() - started);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status === 503) {
            const body = (await res.json()) as { error: { code: string } };
            expect(body.error.code).toBe('DATABASE_UNAVAILABLE');
            expect(res.headers.get('retry-after')).toBe('5');
          } else await res.arrayBuffer();
        }
      })();
      const answers = async (status: number) =>
        (await fetch(`${server.url}/api/v1/session`, { headers: BOGUS })).status === status;
      try {
        await until(() => answers(401), { what: 'a first answer' });
        // Timed from the moment the shutdown begins; the load runs on meanwhile.
        const stopping = Date.now();
        const stopped = cluster.stop();
        await until(() => answers(503), { what: 'a 503' });
        const toFirst503 = Date.now() - stopping;
        await stopped;
        const ready = await fetch(`${server.url}/readyz`);
        expect(ready.status).toBe(503);
        expect(await ready.json()).toEqual({
          status: 'unavailable',
          checks: { database: 'down' },
        });

        const starting = Date.now();
        await cluster.start();
        const started = Date.now() - starting;
        const toRecovery = started + (await until(() => answers(401), { what: 'recovery' }));
        expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
        console.warn(
          `PostgreSQL outage: first 503 ${toFirst503} ms after the shutdown began; ` +
            `served again ${toRecovery} ms after the start began (the server took ${started} ms to accept connections); slowest answer ${slowest.ms} ms; ` +
            `answers ${JSON.stringify(Object.fromEntries(statuses))}`,
        );
        expect(toFirst503).toBeLessThan(2 * TIMEOUT_MS + 1_000);
        expect(toRecovery - started).toBeLessThan(5_000);
      } finally {
        running = false;
        await load;
      }
      // Never a 500, never a crash, and no answer held past the timeout (plus a margin).
      if (statuses.has(500)) console.warn(`server output:\n${server.output()}`);
      expect([...statuses.keys()].sort()).toEqual([401, 503]);
      expect(slowest.ms).toBeLessThan(TIMEOUT_MS + 2_000);
      expect(server.child.exitCode).toBeNull();
    }, 60_000);
  },
);
