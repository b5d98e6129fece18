/**
 * The shared result format of every platewatch benchmark: what was measured, on what machine,
 * with which versions and commit, the inputs, and median/p90/p99 over repeated runs. Results are
 * written as JSON under bench/results/ (or --out), and `compareResults` prints ratios to an older run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { packageRoot } from '../../src/paths.js';

export interface Summary {
  /** Unit of the samples, e.g. "ms", "us", "ops/s", "reads/s". */
  unit: string;
  runs: number;
  /** Absent in results written before it was added. */
  p10?: number;
  median: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
}

export interface Metric extends Summary {
  name: string;
  /** true when a larger value is better (throughput), false for times. */
  higherIsBetter: boolean;
}

export interface BenchResult {
  benchmark: string;
  startedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; loadAverage: number[]; platform: string };
  versions: Record<string, string>;
  commit: string;
  inputs: Record<string, unknown>;
  metrics: Metric[];
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export function summarize(samples: number[], unit: string): Summary {
  const s = [...samples].sort((a, b) => a - b);
  return {
    unit,
    runs: s.length,
    p10: percentile(s, 10),
    median: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    min: s[0] ?? Number.NaN,
    max: s[s.length - 1] ?? Number.NaN,
  };
}

export function metric(name: string, samples: number[], unit: string, higherIsBetter = false): Metric {
  return { name, higherIsBetter, ...summarize(samples, unit) };
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: packageRoot }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: packageRoot })
      .toString()
      .trim();
    return dirty ? `${head}-dirty` : head;
  } catch {
    return 'unknown';
  }
}

export function machineInfo(): BenchResult['machine'] {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    platform: `${os.platform()} ${os.release()}`,
  };
}

/** Installed versions of npm packages (from node_modules), 'missing' when not installed. */
export function packageVersions(names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    try {
      const file = path.join(packageRoot, 'node_modules', ...name.split('/'), 'package.json');
      out[name] = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    } catch {
      out[name] = 'missing';
    }
  }
  return out;
}

/** The libraries on the hot paths, recorded in every result (the native ones by the benchmarks using them). */
const HOT_PATH_PACKAGES = ['lmdb', 'rxjs', '@nats-io/transport-node', '@nats-io/jetstream'];

export function newResult(benchmark: string, inputs: Record<string, unknown>, versions: Record<string, string> = {}) {
  const own = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  const result: BenchResult = {
    benchmark,
    startedAt: new Date().toISOString(),
    machine: machineInfo(),
    versions: {
      node: process.versions.node,
      platewatch: own.version,
      ...packageVersions(HOT_PATH_PACKAGES),
      ...versions,
    },
    commit: gitCommit(),
    inputs,
    metrics: [],
  };
  return result;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  return a >= 1000 ? n.toFixed(0) : a >= 10 ? n.toFixed(1) : a >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

/** A readable table of a result's metrics. */
export function formatTable(result: BenchResult): string {
  const rows = [['metric', 'unit', 'median', 'p90', 'p99', 'runs']];
  for (const m of result.metrics) rows.push([m.name, m.unit, fmt(m.median), fmt(m.p90), fmt(m.p99), String(m.runs)]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const m = result.machine;
  return [
    `${result.benchmark} @ ${result.commit} on ${m.cpus} x ${m.cpuModel}, load ${m.loadAverage.join(' ')}`,
    ...rows.map(line),
  ].join('\n');
}

/** Writes the result as JSON; returns the file's path. */
export function writeResult(result: BenchResult, outDir = path.join(packageRoot, 'bench', 'results')): string {
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${result.benchmark}-${result.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/**
 * Parameters that differ between two runs: numbers, booleans and strings that are not paths (temp
 * folders differ every run); objects and counts of what was found are left out.
 */
function changedInputs(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const param = (v: unknown) =>
    typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && !v.startsWith('/'));
  const out: string[] = [];
  for (const key of Object.keys(b)) {
    if (key in a && param(a[key]) && param(b[key]) && a[key] !== b[key]) out.push(`${key} ${a[key]} -> ${b[key]}`);
  }
  return out;
}

/**
 * Ratios new/old of each metric's median; "better"/"WORSE" follow the metric's direction. A change under
 * 5 % is "same"; a larger one is "within noise" when both runs have >= 5 samples and their p10-p90
 * ranges overlap (the spread of the runs is as large as the change). The header gives both machines'
 * load: a wall-clock ratio between a quiet and a loaded machine measures the load, not the code.
 */
export function compareResults(oldResult: BenchResult, newResult: BenchResult): string {
  const load = (r: BenchResult) => `load ${r.machine.loadAverage[0] ?? '?'} on ${r.machine.cpus} cores`;
  const loaded = [oldResult, newResult].some((r) => (r.machine.loadAverage[0] ?? 0) > r.machine.cpus);
  const lines = [
    `compare ${newResult.benchmark}: ${oldResult.commit} (${load(oldResult)}) -> ${newResult.commit} ` +
      `(${load(newResult)}), median ratio new/old`,
  ];
  if (loaded) lines.push('  (a run had more runnable jobs than cores: wall-clock ratios include the load)');
  const changed = changedInputs(oldResult.inputs, newResult.inputs);
  if (changed.length) lines.push(`  (different inputs, so not like for like: ${changed.join(', ')})`);
  for (const m of newResult.metrics) {
    const old = oldResult.metrics.find((o) => o.name === m.name);
    if (!old) {
      lines.push(`  ${m.name}: new metric`);
      continue;
    }
    const ratio = m.median === old.median ? 1 : m.median / old.median; // 0 -> 0 is the same, not NaN
    const better = m.higherIsBetter ? ratio > 1 : ratio < 1;
    const overlap =
      m.runs >= 5 &&
      old.runs >= 5 &&
      m.p10 !== undefined &&
      old.p10 !== undefined &&
      m.p10 <= old.p90 &&
      old.p10 <= m.p90;
    const verdict = Math.abs(ratio - 1) < 0.05 ? 'same' : overlap ? 'within noise' : better ? 'better' : 'WORSE';
    lines.push(`  ${m.name}: ${fmt(old.median)} -> ${fmt(m.median)} ${m.unit}  x${ratio.toFixed(3)}  ${verdict}`);
  }
  const gone = oldResult.metrics.filter((o) => !newResult.metrics.some((m) => m.name === o.name));
  for (const o of gone) lines.push(`  ${o.name}: not measured this time`);
  return lines.join('\n');
}

export function readResult(file: string): BenchResult {
  return JSON.parse(readFileSync(file, 'utf8')) as BenchResult;
}

/** Least-squares slope of y over x (per unit of x); 0 when x does not vary, NaN with fewer than 2 points. */
export function slope(xs: number[], ys: number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return Number.NaN;
  const mx = xs.slice(0, n).reduce((a, b) => a + b, 0) / n;
  const my = ys.slice(0, n).reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
