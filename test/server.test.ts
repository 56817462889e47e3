/**
 * The real process: `src/server.ts` starts with no configuration in development, prints how to
 * create the first administrator, serves requests, and on SIGTERM finishes what is in flight,
 * closes the database and exits 0.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from './helpers/processes.js';

describe('the server process', () => {
  it('starts with defaults, tells how to create the first admin, and shuts down gracefully on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-server-'));
    const port = String(20000 + Math.floor(Math.random() * 20000));
    const { child, output, ready } = startServer({
      DATA_DIR: dataDir,
      PORT: port,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: 'info',
    });
    await ready;
    expect(output()).toContain('npm run cli -- create-admin --email');
    expect(existsSync(join(dataDir, 'portcullis.db'))).toBe(true);
    expect(existsSync(join(dataDir, 'secret-key'))).toBe(true);

    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    // A sign-in is in flight (an argon2id hash) when SIGTERM arrives: it still gets its answer.
    const inFlight = fetch(`${base}/api/v1/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-portcullis-csrf': '1' },
      body: JSON.stringify({
        email: 'nobody@clinic.org',
        password: 'correct horse battery staple',
      }),
    });
    // Wait until the server has logged the request's arrival (no sleeps).
    await new Promise<void>((resolve) => {
      const check = () => (output().includes('"url":"/api/v1/sign-in"') ? resolve() : undefined);
      child.stdout!.on('data', check);
      check();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect((await inFlight).status).toBe(401);
    expect(await exited).toBe(0);
    // The database was closed cleanly: SQLite removes its write-ahead log on the last close.
    expect(existsSync(join(dataDir, 'portcullis.db-wal'))).toBe(false);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('refuses to start on a bad variable and names it', async () => {
    const { child, ready } = startServer({
      DATA_DIR: mkdtempSync(join(tmpdir(), 'portcullis-server-')),
      PORT: 'eighty',
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    await expect(ready).rejects.toThrow(/PORT must be a whole number \(got "eighty"\)/);
    expect(code).toBe(78);
  });
});
