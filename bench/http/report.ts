/**
 * The benchmark's report: the phases of every round, the median per (target, scenario), the
 * ratios the targets name, written as bench/results/<date>.json and a markdown table
 * (printed, and kept beside the JSON) for docs/performance.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Phase } from './load.js';

export interface Report {
  date: string;
  machine: string;
  settings: Record<string, unknown>;
  phases: Phase[];
  medians: Phase[];
  argon2: { perSecond: number; cpuMsPerHash: number }[];
  ratios: Record<string, number>;
  notes: string[];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

export function mediansOf(phases: Phase[]): Phase[] {
  const keys = [...new Set(phases.map((p) => `${p.target}\u0000${p.scenario}`))];
  return keys.map((key) => {
    const same = phases.filter((p) => `${p.target}\u0000${p.scenario}` === key);
    const m = (f: (p: Phase) => number) => median(same.map(f));
    return {
      ...same[0]!,
      okPerSecond: m((p) => p.okPerSecond),
      p50Ms: m((p) => p.p50Ms),
      p99Ms: m((p) => p.p99Ms),
      non2xx: same.reduce((a, p) => a + p.non2xx, 0),
      errors: same.reduce((a, p) => a + p.errors, 0),
      cpuMsPerOk: m((p) => p.cpuMsPerOk),
      mainThreadCpuMsPerOk: m((p) => p.mainThreadCpuMsPerOk),
      databaseCpuMsPerOk: m((p) => p.databaseCpuMsPerOk),
      peakRssMiB: Math.max(...same.map((p) => p.peakRssMiB)),
      machineBusyPercent: m((p) => p.machineBusyPercent),
    };
  });
}

export const machineLine = () => {
  const list = cpus();
  return `${list.length} × ${list[0]?.model ?? 'cpu'}, Node ${process.version}`;
};

export function markdown(report: Report): string {
  const f = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
  const rows = report.medians.map(
    (p) =>
      `| ${p.target} | ${p.scenario} | ${f(p.okPerSecond)} | ${f(p.p50Ms, 1)} / ${f(p.p99Ms, 1)} | ${p.non2xx + p.errors} | ${f(p.cpuMsPerOk, 3)} | ${f(p.mainThreadCpuMsPerOk, 3)} | ${f(p.databaseCpuMsPerOk, 3)} | ${f(p.peakRssMiB)} | ${f(p.machineBusyPercent)} |`,
  );
  const ratios = Object.entries(report.ratios).map(([k, v]) => `| ${k} | ${f(v, 2)} |`);
  return [
    `Run ${report.date} on ${report.machine}; ${JSON.stringify(report.settings)}.`,
    '',
    '| Target | Scenario | ok req/s | p50 / p99 ms | not 2xx | server CPU ms per ok | of it, main thread | database CPU ms per ok | peak RSS MiB | machine busy % |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    '| Ratio | Value |',
    '| --- | ---: |',
    ...ratios,
    ...(report.notes.length ? ['', ...report.notes.map((n) => `- ${n}`)] : []),
    '',
  ].join('\n');
}

export function writeReport(report: Report): string {
  const dir = join('bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stem = join(dir, report.date.replace(/[:.]/g, '-'));
  writeFileSync(`${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
  const table = markdown(report);
  writeFileSync(`${stem}.md`, table);
  return table;
}
