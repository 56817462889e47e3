/**
 * One measured phase: autocannon over loopback (from the load core) against a server pinned to
 * its own core, with what the server spent on it read from /proc: ok requests per second,
 * p50/p99 latency, answers other than 2xx, the server's CPU ms per ok request (its main thread's
 * part too; and, on PostgreSQL, its database backends' — another process's work the request
 * caused), its resident set (peak during the phase) and how busy the machine was.
 */
import autocannon from 'autocannon';
import { busyPercent, cpuByPid, cpuMs, machineTicks, mainThreadCpuMs, rssMiB } from './proc.js';

export interface Phase {
  scenario: string;
  target: string;
  okPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  cpuMsPerOk: number;
  /** Of that, the main thread's (the event loop; the rest is hash threads and V8's helpers). */
  mainThreadCpuMsPerOk: number;
  /** The target's database processes (PostgreSQL backends), per ok request; NaN: none. */
  databaseCpuMsPerOk: number;
  peakRssMiB: number;
  machineBusyPercent: number;
}

export type Requests = autocannon.Request[];

export async function phase(
  target: { name: string; url: string; pid: number; databasePids?: () => Promise<number[]> },
  scenario: string,
  load: {
    requests: Requests;
    connections: number;
    seconds: number;
    /** Stop after this many requests instead of after `seconds` (secrets good once each). */
    amount?: number;
    headers?: Record<string, string>;
  },
): Promise<Phase> {
  let peak = rssMiB(target.pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(target.pid))), 200);
  const databaseBefore = cpuByPid(target.databasePids ? await target.databasePids() : []);
  const cpuBefore = cpuMs(target.pid);
  const mainBefore = mainThreadCpuMs(target.pid);
  const ticksBefore = machineTicks();
  // Timed here: autocannon's own duration is in whole seconds.
  const started = performance.now();
  const result = await autocannon({
    url: target.url,
    connections: load.connections,
    // With a set amount autocannon ends at its next sample (every second by default): sampled
    // often, the phase ends when its last answer comes.
    ...(load.amount === undefined
      ? { duration: load.seconds }
      : { amount: load.amount, sampleInt: 50 }),
    requests: load.requests,
    headers: load.headers ?? {},
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuMs(target.pid) - cpuBefore;
  const main = mainThreadCpuMs(target.pid) - mainBefore;
  // Backends the pool opened during the phase count whole; those it closed are lost (rare: the
  // pool keeps its connections while busy).
  const databaseAfter = cpuByPid(target.databasePids ? await target.databasePids() : []);
  let databaseCpu = 0;
  for (const [pid, ms] of databaseAfter) databaseCpu += ms - (databaseBefore.get(pid) ?? 0);
  const busy = busyPercent(ticksBefore, machineTicks());
  clearInterval(sampler);
  peak = Math.max(peak, rssMiB(target.pid));
  const ok = result['2xx'];
  return {
    scenario,
    target: target.name,
    okPerSecond: ok / seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    cpuMsPerOk: ok === 0 ? Number.NaN : cpu / ok,
    mainThreadCpuMsPerOk: ok === 0 ? Number.NaN : main / ok,
    databaseCpuMsPerOk: !target.databasePids || ok === 0 ? Number.NaN : databaseCpu / ok,
    peakRssMiB: peak,
    machineBusyPercent: busy,
  };
}
