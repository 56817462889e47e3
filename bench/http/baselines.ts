/**
 * What Portcullis is read against, on the same pinned core: a bare `node:http` hello (the most a
 * Node server can answer there), a bare Fastify hello (Portcullis's own framework with nothing
 * on it: what any route costs before its work) and the raw argon2id rate at the benchmark's
 * concurrency (the most a password sign-in can reach).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pinnedTo } from './proc.js';
import { SERVER_CORE, startPinned, type Running } from './server.js';

const HELLO = `require('node:http').createServer((q, s) => s.end('hello')).listen(Number(process.argv[1]), '127.0.0.1')`;

const FASTIFY_HELLO = `require('fastify')().get('/', async () => 'hello').listen({ port: Number(process.argv[1]), host: '127.0.0.1' })`;

function startBaseline(name: string, script: string, port: number): Promise<Running> {
  const url = `http://127.0.0.1:${port}`;
  return startPinned(name, ['node', '-e', script, String(port)], {
    env: { PATH: process.env.PATH, NODE_ENV: 'production' },
    url,
    ready: url,
  });
}

export const startHello = (port: number) => startBaseline('node:http hello', HELLO, port);
export const startFastifyHello = (port: number) =>
  startBaseline('Fastify hello', FASTIFY_HELLO, port);

export async function argon2Rate(
  concurrency: number,
  seconds: number,
): Promise<{ perSecond: number; cpuMsPerHash: number }> {
  const [program, ...args] = [
    ...pinnedTo(SERVER_CORE),
    process.execPath,
    '--import',
    'tsx',
    'bench/http/argon2-rate.ts',
    String(concurrency),
    String(seconds),
  ];
  const { stdout } = await promisify(execFile)(program!, args, { env: process.env });
  return JSON.parse(stdout) as { perSecond: number; cpuMsPerHash: number };
}
