/**
 * What Portcullis is read against, on the same pinned core: a bare `node:http` hello (the most a
 * Node server can answer there) and the raw argon2id rate at the benchmark's concurrency (the
 * most a password sign-in can reach).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pinnedTo } from './proc.js';
import { SERVER_CORE, startPinned, type Running } from './server.js';

const HELLO = `require('node:http').createServer((q, s) => s.end('hello')).listen(Number(process.argv[1]), '127.0.0.1')`;

export function startHello(port: number): Promise<Running> {
  const url = `http://127.0.0.1:${port}`;
  return startPinned('node:http hello', ['node', '-e', HELLO, String(port)], {
    env: { PATH: process.env.PATH },
    url,
    ready: url,
  });
}

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
