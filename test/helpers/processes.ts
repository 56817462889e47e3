/**
 * Real processes for the tests that need them: a Portcullis server (`src/server.ts`), a private
 * PostgreSQL cluster in a temporary folder on a port of its own, and a private Redis, each of
 * which a test may stop and start again. Only what was started here is stopped, by its pid.
 * Nothing here touches the shared PostgreSQL and Redis servers.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  /** Resolves once the server listens; rejects if it exits first. */
  ready: Promise<void>;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<number | string>;
}

/** `node --import tsx src/server.ts` with exactly `env` (and PATH; `LOG_LEVEL` warn unless set). */
export function startServer(env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('Portcullis is listening')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`exited with ${code}: ${out}`)));
  });
  ready.catch(() => undefined);
  return { child, url: `http://127.0.0.1:${env.PORT ?? 3000}`, output: () => out, ready, exited };
}

const pgBin = (tool: string) => {
  const versions = readdirSync('/usr/lib/postgresql').sort();
  return join('/usr/lib/postgresql', versions[versions.length - 1]!, 'bin', tool);
};

/**
 * Runs a PostgreSQL tool as the `postgres` user (the server refuses to run as root), without
 * holding up the event loop (a load running meanwhile goes on).
 */
async function asPostgres(tool: string, args: string[]): Promise<void> {
  const run = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  const [cmd, ...rest] = [...run, pgBin(tool), ...args];
  await promisify(execFile)(cmd!, rest);
}

export interface PrivatePostgres {
  url: string;
  start(): Promise<void>;
  /** A fast shutdown: every connection is ended, as in a restart or a fail-over. */
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

/** `initdb` into a temporary folder, listening on 127.0.0.1 at a free port, trust auth. */
export async function privatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-pg-'));
  if (process.getuid?.() === 0) chownSync(dir, uidOf('postgres'), gidOf('postgres'));
  const data = join(dir, 'data');
  const port = await freePort();
  await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  let running = false;
  const cluster: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      await asPostgres('pg_ctl', [
        '-D',
        data,
        '-o',
        options,
        '-l',
        join(dir, 'log'),
        '-w',
        'start',
      ]);
      running = true;
    },
    async stop() {
      await asPostgres('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      running = false;
    },
    async destroy() {
      if (running) await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user]).toString().trim());
}
function gidOf(user: string): number {
  return Number(execFileSync('id', ['-g', user]).toString().trim());
}

export interface PrivateRedis {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A Redis of the test's own on a free port (nothing kept on disk), stopped by its pid. */
export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const redis: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const started = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: ['ignore', 'pipe', 'ignore'] },
      );
      child = started;
      await new Promise<void>((resolve, reject) => {
        let out = '';
        started.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('Ready to accept connections')) resolve();
        });
        started.on('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
      });
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      const gone = new Promise((resolve) => running.on('exit', resolve));
      running.kill('SIGKILL');
      await gone;
    },
  };
  await redis.start();
  return redis;
}

/** Polls `probe` every 50 ms until it answers true; resolves with the time it took. */
export async function until(
  probe: () => Promise<boolean>,
  { timeoutMs = 20_000, what = 'condition' } = {},
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await probe().catch(() => false)) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not happen in ${timeoutMs} ms`);
}

export interface TcpProxy {
  port: number;
  /** From now on nothing crosses: open connections stall, new ones are accepted and ignored. */
  blackHole(): void;
  /** New connections are forwarded again (stalled ones stay stalled until their owner gives up). */
  restore(): void;
  /**
   * Ends every open connection on the database's side only: each client still thinks its
   * connection is open until it next writes on it, and is then closed (a backend that died
   * while the pool held it idle). New connections are forwarded as before.
   */
  endUnseen(): void;
  close(): Promise<void>;
}

/** A TCP proxy to 127.0.0.1:`targetPort` that a test can turn into a black hole. */
export async function tcpProxy(targetPort: number): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const pairs = new Map<Socket, Socket>();
  let hole = false;
  const server = createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    if (hole) return; // accepted, never answered
    const upstream = connect(targetPort, '127.0.0.1');
    open.add(upstream);
    upstream.on('close', () => open.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('data', (d) => !hole && upstream.write(d));
    upstream.on('data', (d) => !hole && client.write(d));
    client.on('close', () => upstream.destroy());
    pairs.set(client, upstream);
    client.on('close', () => pairs.delete(client));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    blackHole: () => void (hole = true),
    restore: () => void (hole = false),
    endUnseen() {
      for (const [client, upstream] of pairs) {
        upstream.removeAllListeners('close');
        upstream.removeAllListeners('error');
        upstream.on('error', () => undefined);
        upstream.destroy();
        client.removeAllListeners('data');
        client.on('data', () => client.destroy());
      }
      pairs.clear();
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * A PostgreSQL database of the caller's own on a shared server (never the shared one itself),
 * and how to drop it (with its connections) when done.
 */
export async function ownDatabase(
  url: string,
  prefix: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const run = async (statement: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(statement);
    await c.end();
  };
  await run(`CREATE DATABASE ${name}`);
  const own = new URL(url);
  own.pathname = `/${name}`;
  return { url: own.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
