/**
 * A server under test as a child process of the benchmark, pinned to the server's core: started,
 * waited for (its ready URL answers), measured by pid, stopped by that pid alone. Its output goes
 * to a file, as a deployment's goes to its log store: a pipe the busy load generator drains late
 * would hold up the server's log writes, which a real deployment never sees.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pinnedTo } from './proc.js';

export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

export interface Running {
  name: string;
  url: string;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

export async function startPinned(
  name: string,
  command: string[],
  options: { env: Record<string, string | undefined>; cwd?: string; url: string; ready: string },
): Promise<Running> {
  const [program, ...args] = [...pinnedTo(SERVER_CORE), ...command];
  const logFile = join(mkdtempSync(join(tmpdir(), 'bench-server-')), 'output.log');
  const fd = openSync(logFile, 'a');
  const child: ChildProcess = spawn(program!, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const output = () => readFileSync(logFile, 'utf8').slice(-20_000);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited: ${output()}`);
    try {
      if ((await fetch(options.ready)).status < 500) break;
    } catch {
      // not listening yet
    }
    await sleep(250);
    if (i === 239) throw new Error(`${name} did not answer at ${options.ready}: ${output()}`);
  }
  return {
    name,
    url: options.url,
    pid: child.pid!,
    output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
