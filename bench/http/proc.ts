/**
 * What the benchmark reads of a process and of the machine, from /proc: a process's CPU time
 * (user + system, in ms; its main thread's alone too) and its resident set (now and its peak),
 * the machine's busy share between two moments; and how to pin a process to one core (`taskset`,
 * where it exists).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time the process has used so far, in ms (its threads included). */
export const cpuMs = (pid: number): number => statCpuMs(`/proc/${pid}/stat`);

/**
 * CPU time of the process's main thread alone (the event loop: everything but the hash threads
 * and V8's helpers), in ms.
 */
export const mainThreadCpuMs = (pid: number): number => statCpuMs(`/proc/${pid}/task/${pid}/stat`);

function statCpuMs(file: string): number {
  const stat = readFileSync(file, 'utf8');
  // Fields after the command (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}

/** CPU ms of each process still running (one that has ended is left out). */
export function cpuByPid(pids: number[]): Map<number, number> {
  const used = new Map<number, number>();
  for (const pid of pids) {
    try {
      used.set(pid, cpuMs(pid));
    } catch {
      // ended between the listing and the reading
    }
  }
  return used;
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const line = status.split('\n').find((l) => l.startsWith(`${field}:`));
  return line ? Number(line.split(/\s+/)[1]) : 0;
}
export const rssMiB = (pid: number) => statusKb(pid, 'VmRSS') / 1024;
export const peakRssMiB = (pid: number) => statusKb(pid, 'VmHWM') / 1024;

/** The machine's CPU counters: busy and total jiffies, all cores. */
export function machineTicks(): { busy: number; total: number } {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const n = values.map(Number);
  const idle = (n[3] ?? 0) + (n[4] ?? 0);
  const total = n.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}
export const busyPercent = (
  before: ReturnType<typeof machineTicks>,
  after: ReturnType<typeof machineTicks>,
) => (100 * (after.busy - before.busy)) / Math.max(1, after.total - before.total);

export const cores = (() => {
  try {
    return Number(execFileSync('nproc').toString().trim());
  } catch {
    return 1;
  }
})();

const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** The command prefix that runs a program on one core (none without taskset or a second core). */
export const pinnedTo = (core: number): string[] =>
  hasTaskset && cores > 1 ? ['taskset', '-c', String(core)] : [];

/** Pins this process (the load generator) to a core. */
export function pinSelf(core: number): boolean {
  if (!hasTaskset || cores < 2) return false;
  execFileSync('taskset', ['-pc', String(core), String(process.pid)], { stdio: 'ignore' });
  return true;
}
