/**
 * A server under test as a child process of the benchmark, pinned to the server's core: started,
 * waited for (its ready URL answers), measured by pid, stopped by that pid alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
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
  const child: ChildProcess = spawn(program!, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited: ${out}`);
    try {
      if ((await fetch(options.ready)).status < 500) break;
    } catch {
      // not listening yet
    }
    await sleep(250);
    if (i === 239) throw new Error(`${name} did not answer at ${options.ready}: ${out}`);
  }
  return {
    name,
    url: options.url,
    pid: child.pid!,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
