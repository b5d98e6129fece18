/**
 * Soak: the whole main job (`platewatch run`: native capture + recognizer, pipeline, LMDB, local
 * nats-server, metrics and API) with N cameras looping the sample footage for a long time, watched from
 * outside like an operator would: memory (PSS, and anonymous memory where a leak shows; RSS would count
 * shared libraries once per process and LMDB's file pages as they are touched), open file descriptors and
 * threads of the service, its camera worker processes and its nats-server, sampled every --every seconds
 * from /proc, plus the service's own counters from /metrics. A leak shows as a slope over the second half
 * of the run (after warm-up).
 *
 *   node dist/bench/soak.js [--cameras 4] [--minutes 30] [--every 15] [--input samples/highway-1080p.mp4]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { packageRoot } from '../src/paths.js';
import { benchArgs, benchMain } from './lib/args.js';
import { freePort } from './lib/freePort.js';
import { reportResult } from './lib/report.js';
import { type BenchResult, formatTable, metric, newResult, slope } from './lib/results.js';

interface ProcSample {
  /** Resident set (shared library pages counted in full in every process). */
  rssMiB: number;
  /** Proportional set size: shared pages divided among the processes that map them (sums honestly). */
  pssMiB: number;
  /** Anonymous memory (heaps, buffers): where a leak shows; file pages (libraries, LMDB maps) are not. */
  anonMiB: number;
  fds: number;
  threads: number;
  processes: number;
}

type Role = 'service' | 'cameras' | 'nats';

interface Sample {
  at: number;
  roles: Record<Role, ProcSample>;
  counters: Record<string, number>;
}

const empty = (): ProcSample => ({ rssMiB: 0, pssMiB: 0, anonMiB: 0, fds: 0, threads: 0, processes: 0 });

function procSample(pid: number): ProcSample | null {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0) / 1024;
    return {
      rssMiB: kb('Rss'),
      pssMiB: kb('Pss'),
      anonMiB: kb('Pss_Anon'),
      fds: readdirSync(`/proc/${pid}/fd`).length,
      threads: readdirSync(`/proc/${pid}/task`).length,
      processes: 1,
    };
  } catch {
    return null;
  }
}

function childPids(pid: number): number[] {
  const pids: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const list = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (list) pids.push(...list.split(/\s+/).map(Number));
    }
  } catch {
    // the process is gone
  }
  return pids;
}

/** The service and every process below it, summed by role: nats-server, camera workers, the service. */
function treeSample(root: number): Record<Role, ProcSample> | null {
  const own = procSample(root);
  if (!own) return null;
  const roles: Record<Role, ProcSample> = { service: own, cameras: empty(), nats: empty() };
  const queue = childPids(root);
  while (queue.length) {
    const pid = queue.shift()!;
    queue.push(...childPids(pid));
    const p = procSample(pid);
    if (!p) continue;
    let comm = '';
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    const role: Role = comm === 'nats-server' ? 'nats' : 'cameras';
    const r = roles[role];
    for (const k of Object.keys(r) as (keyof ProcSample)[]) r[k] += p[k];
  }
  return roles;
}

/** Sums each counter family over its labels (never a plate label: the service has none). */
async function scrape(url: string): Promise<Record<string, number>> {
  const wanted = [
    'platewatch_frames_decoded_total',
    'platewatch_frames_analysed_total',
    'platewatch_frames_dropped_total',
    'platewatch_reads_total',
    'platewatch_plate_groups_total',
    'platewatch_hits_total',
    'platewatch_nats_published_total',
    'platewatch_outbox_messages',
  ];
  const out: Record<string, number> = {};
  try {
    const text = await (await fetch(url, { signal: AbortSignal.timeout(5000) })).text();
    for (const line of text.split('\n')) {
      const name = /^([a-z_]+)[{ ]/.exec(line)?.[1];
      if (name && wanted.includes(name)) out[name] = (out[name] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  } catch {
    // not up yet, or stopping
  }
  return out;
}

export interface SoakReport {
  result: BenchResult;
  samples: Sample[];
  exitCode: number | null;
}

export async function runSoak(
  opts: { cameras?: number; minutes?: number; every?: number; input?: string } = {},
): Promise<SoakReport> {
  const cameras = opts.cameras ?? 4;
  const minutes = opts.minutes ?? 30;
  const every = opts.every ?? 15;
  const input = opts.input ?? 'samples/highway-1080p.mp4';
  const dataDir = mkdtempSync(path.join(tmpdir(), 'platewatch-soak-'));
  const metricsPort = await freePort();
  const configFile = path.join(dataDir, 'soak.yaml');
  // JSON is YAML: the file only overrides what the soak needs; everything else is the default config.
  writeFileSync(
    configFile,
    JSON.stringify({
      dataDir: path.join(dataDir, 'var'),
      nats: { localPort: 0 },
      metrics: { port: metricsPort },
      governance: { api: { port: 0 } },
      cameras: Array.from({ length: cameras }, (_, i) => ({ id: `soak${i + 1}`, uri: input, loop: true })),
    }),
  );
  const result = newResult('soak', { cameras, minutes, everySeconds: every, input });
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(packageRoot, 'bin', 'platewatch.js'), '--config', configFile, 'run', '--seconds', String(minutes * 60)],
    { cwd: packageRoot, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const samples: Sample[] = [];
  const t0 = Date.now();
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  while (!done) {
    await Promise.race([new Promise((r) => setTimeout(r, every * 1000)), exited]);
    if (done) break;
    const roles = treeSample(child.pid!);
    if (!roles) break;
    const sample: Sample = { at: (Date.now() - t0) / 1000, roles, counters: await scrape(metricsUrl) };
    samples.push(sample);
    if (process.stderr.isTTY) {
      process.stderr.write(
        `\rsoak ${Math.round(sample.at)} s: PSS ${total(roles, 'pssMiB').toFixed(0)} MiB, fds ${total(roles, 'fds')}   `,
      );
    }
  }
  const exitCode = await exited;
  if (process.stderr.isTTY) process.stderr.write('\n');
  rmSync(dataDir, { recursive: true, force: true });
  if (exitCode !== 0) throw new Error(`platewatch run exited with ${exitCode}: ${stderr.trim()}`);

  // Warm-up (plugin loading, LMDB maps, JIT) is the first half; the slope of the second half says leak or not.
  const late = samples.filter((s) => s.at >= (minutes * 60) / 2);
  const xs = late.map((s) => s.at / 60);
  const add = (name: string, unit: string, values: number[]) => result.metrics.push(metric(name, values, unit));
  const series = (f: (s: Sample) => number) => ({ all: samples.map(f), late: late.map(f) });
  const watch = (name: string, unit: string, f: (s: Sample) => number) => {
    const v = series(f);
    add(name, unit, v.all);
    add(`${name} slope, 2nd half`, `${unit}/min`, [slope(xs, v.late)]);
  };
  watch('all processes PSS', 'MiB', (s) => total(s.roles, 'pssMiB'));
  watch('service anon', 'MiB', (s) => s.roles.service.anonMiB);
  watch('camera workers anon', 'MiB', (s) => s.roles.cameras.anonMiB);
  watch('nats-server anon', 'MiB', (s) => s.roles.nats.anonMiB);
  watch('file descriptors', 'count', (s) => total(s.roles, 'fds'));
  watch('threads', 'count', (s) => total(s.roles, 'threads'));
  add(
    'processes',
    'count',
    samples.map((s) => total(s.roles, 'processes')),
  );
  const last = samples[samples.length - 1]?.counters ?? {};
  const seconds = samples[samples.length - 1]?.at ?? 1;
  result.inputs.totals = last;
  result.inputs.analysedFpsPerCamera = (last.platewatch_frames_analysed_total ?? 0) / seconds / cameras;
  return { result, samples, exitCode };
}

function total(roles: Record<Role, ProcSample>, k: keyof ProcSample): number {
  return roles.service[k] + roles.cameras[k] + roles.nats[k];
}

function table(samples: Sample[]): string {
  const head = ['t (min)', 'PSS all', 'anon service', 'anon cameras', 'anon nats', 'fds', 'threads', 'procs'];
  const rows = [[...head, 'analysed', 'reads', 'hits', 'outbox']];
  const step = Math.max(1, Math.floor(samples.length / 12));
  const picked = samples.filter((_, i) => i % step === 0 || i === samples.length - 1);
  for (const s of picked) {
    const c = s.counters;
    const r = s.roles;
    rows.push([
      (s.at / 60).toFixed(1),
      total(r, 'pssMiB').toFixed(0),
      r.service.anonMiB.toFixed(0),
      r.cameras.anonMiB.toFixed(0),
      r.nats.anonMiB.toFixed(0),
      String(total(r, 'fds')),
      String(total(r, 'threads')),
      String(total(r, 'processes')),
      String(c.platewatch_frames_analysed_total ?? '-'),
      String(c.platewatch_reads_total ?? '-'),
      String(c.platewatch_hits_total ?? '-'),
      String(c.platewatch_outbox_messages ?? '-'),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return `memory in MiB (PSS: shared pages divided among processes; anon: heaps and buffers, where a leak shows)\n${rows
    .map((r) => r.map((c, i) => c.padStart(widths[i]!)).join('  '))
    .join('\n')}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchMain(async () => {
    const { cameras, minutes, every, input, ...args } = benchArgs('soak', {
      cameras: 4,
      minutes: 30,
      every: 15,
      input: 'samples/highway-1080p.mp4',
    });
    const report = await runSoak({ cameras, minutes, every, input });
    reportResult(report.result, args, [], {
      table: `${table(report.samples)}\n${formatTable(report.result)}`,
      json: report,
    });
  });
}
