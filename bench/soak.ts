/**
 * Soak: the whole main job (`platewatch run`: native capture + recognizer, pipeline, LMDB, local
 * nats-server, metrics and API) with N cameras looping the sample footage for a long time, watched from
 * outside like an operator would: resident memory, open file descriptors and threads of the platewatch
 * process and of its nats-server, sampled every --every seconds from /proc, plus the service's own
 * counters from /metrics. A leak shows as a slope over the second half of the run (after warm-up).
 *
 *   node dist/bench/soak.js [--cameras 4] [--minutes 30] [--every 15] [--input samples/highway-1080p.mp4]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { packageRoot } from '../src/paths.js';
import { type BenchResult, formatTable, metric, newResult, writeResult } from './lib/results.js';

interface ProcSample {
  rssMiB: number;
  fds: number;
  threads: number;
}

interface Sample {
  at: number;
  service: ProcSample;
  nats: ProcSample | null;
  counters: Record<string, number>;
}

function procSample(pid: number): ProcSample | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
    return {
      rssMiB: kb / 1024,
      fds: readdirSync(`/proc/${pid}/fd`).length,
      threads: readdirSync(`/proc/${pid}/task`).length,
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

function natsPid(pid: number): number | null {
  for (const child of childPids(pid)) {
    try {
      if (readFileSync(`/proc/${child}/comm`, 'utf8').trim() === 'nats-server') return child;
    } catch {
      // gone
    }
  }
  return null;
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Least-squares slope of y over x (per unit of x). */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return Number.NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
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
    const service = procSample(child.pid!);
    if (!service) break;
    const np = natsPid(child.pid!);
    const sample: Sample = {
      at: (Date.now() - t0) / 1000,
      service,
      nats: np ? procSample(np) : null,
      counters: await scrape(metricsUrl),
    };
    samples.push(sample);
    if (process.stderr.isTTY) {
      process.stderr.write(
        `\rsoak ${Math.round(sample.at)} s: RSS ${service.rssMiB.toFixed(0)} MiB, fds ${service.fds}, threads ${service.threads}   `,
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
  add(
    'service RSS',
    'MiB',
    samples.map((s) => s.service.rssMiB),
  );
  add('service RSS slope, 2nd half', 'MiB/min', [
    slope(
      xs,
      late.map((s) => s.service.rssMiB),
    ),
  ]);
  add(
    'service fds',
    'count',
    samples.map((s) => s.service.fds),
  );
  add('service fds slope, 2nd half', 'per min', [
    slope(
      xs,
      late.map((s) => s.service.fds),
    ),
  ]);
  add(
    'service threads',
    'count',
    samples.map((s) => s.service.threads),
  );
  const withNats = samples.filter((s) => s.nats);
  add(
    'nats-server RSS',
    'MiB',
    withNats.map((s) => s.nats!.rssMiB),
  );
  add(
    'nats-server fds',
    'count',
    withNats.map((s) => s.nats!.fds),
  );
  const last = samples[samples.length - 1]?.counters ?? {};
  const seconds = samples[samples.length - 1]?.at ?? 1;
  result.inputs.totals = last;
  result.inputs.analysedFpsPerCamera = (last.platewatch_frames_analysed_total ?? 0) / seconds / cameras;
  return { result, samples, exitCode };
}

function table(samples: Sample[]): string {
  const rows = [
    ['t (min)', 'RSS MiB', 'fds', 'threads', 'nats RSS', 'nats fds', 'analysed', 'reads', 'hits', 'outbox'],
  ];
  const step = Math.max(1, Math.floor(samples.length / 12));
  const picked = samples.filter((_, i) => i % step === 0 || i === samples.length - 1);
  for (const s of picked) {
    const c = s.counters;
    rows.push([
      (s.at / 60).toFixed(1),
      s.service.rssMiB.toFixed(0),
      String(s.service.fds),
      String(s.service.threads),
      s.nats ? s.nats.rssMiB.toFixed(0) : '-',
      s.nats ? String(s.nats.fds) : '-',
      String(c.platewatch_frames_analysed_total ?? '-'),
      String(c.platewatch_reads_total ?? '-'),
      String(c.platewatch_hits_total ?? '-'),
      String(c.platewatch_outbox_messages ?? '-'),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padStart(widths[i]!)).join('  ')).join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      cameras: { type: 'string', default: '4' },
      minutes: { type: 'string', default: '30' },
      every: { type: 'string', default: '15' },
      input: { type: 'string', default: 'samples/highway-1080p.mp4' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const num = (name: 'cameras' | 'minutes' | 'every') => {
    const n = Number(values[name]);
    if (!(n > 0)) throw new TypeError(`--${name} must be a positive number (got '${values[name]}')`);
    return n;
  };
  const report = await runSoak({
    cameras: num('cameras'),
    minutes: num('minutes'),
    every: num('every'),
    input: values.input!,
  });
  const file = writeResult(report.result, values.out);
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(table(report.samples));
    console.log(formatTable(report.result));
    console.log(`result: ${path.relative(process.cwd(), file)}`);
  }
}
