/**
 * What running each camera in its own worker process (run.cameraProcesses, src/supervisor/) costs and
 * buys, measured:
 *   1. the process boundary: batches of one read with evidence JPEGs of the sample footage's median
 *      sizes sent over the IPC channel (advanced serialization), paced at --rate batches/s: latency per
 *      batch and CPU of both processes per batch (in-process, a batch is a function call: ~0);
 *   2. memory: RSS of the service with one camera on the sample footage, in-process vs in a worker
 *      (service + worker);
 *   3. recovery: a segfault in the native core (crashForTest) -> the camera playing again, with workers;
 *      in-process the same segfault ends the service, and the least a supervisor restart costs is a
 *      cold start to a playing camera, measured too.
 *
 *   node dist/bench/camera_process.js [--batches 3000] [--rate 500] [--seconds 10] [--crashes 3] [--json]
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { loadConfig } from '../src/config/load.js';
import { RunService } from '../src/run/RunService.js';
import type { CameraProcess } from '../src/supervisor/CameraProcess.js';
import { benchArgs, benchMain } from './lib/args.js';
import { reportResult } from './lib/report.js';
import { type BenchResult, metric, newResult } from './lib/results.js';

/** Median evidence sizes of reads on samples/city-720p.mp4 (plate crop, context image), bytes. */
const PLATE_JPEG = 3343;
const CONTEXT_JPEG = 16771;

const CHILD = `
const { batches, rate, plate, context } = JSON.parse(process.argv[2]);
const read = (i) => ({ cameraId: 'cam1', plate: '7ABC123', confidence: 0.93, charConfidences: [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9],
  candidates: [{ plate: '7ABC123', confidence: 0.93 }], state: 'CA', stateConfidence: 0.8, box: { x: 512, y: 380, width: 96, height: 48 },
  capturedAt: Date.now(), pts: i * 33000000, frameSeq: i, plateJpeg: Buffer.alloc(plate, i & 255), contextJpeg: Buffer.alloc(context, i & 255) });
let i = 0;
const t0 = performance.now();
const tick = () => {
  while (i < batches && performance.now() - t0 >= (i * 1000) / rate) {
    process.send({ sentAt: performance.timeOrigin + performance.now(), reads: [read(i)] });
    i++;
  }
  if (i < batches) setTimeout(tick, 1);
  else process.send({ done: true, cpu: process.cpuUsage() });
};
tick();
`;

async function ipc(result: BenchResult, batches: number, rate: number): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'platewatch-bench-ipc-'));
  const script = path.join(dir, 'child.cjs');
  writeFileSync(script, CHILD);
  const cpu0 = process.cpuUsage();
  const child = fork(script, [JSON.stringify({ batches, rate, plate: PLATE_JPEG, context: CONTEXT_JPEG })], {
    serialization: 'advanced',
  });
  const latencies: number[] = [];
  let childCpu = { user: 0, system: 0 };
  let received = 0;
  await new Promise<void>((resolve) => {
    child.on(
      'message',
      (m: { sentAt?: number; reads?: { plateJpeg: Uint8Array }[]; done?: boolean; cpu?: typeof childCpu }) => {
        if (m.done) {
          childCpu = m.cpu!;
          resolve();
          return;
        }
        received += m.reads![0]!.plateJpeg.byteLength > 0 ? 1 : 0;
        latencies.push(performance.timeOrigin + performance.now() - m.sentAt!);
      },
    );
  });
  const parentCpu = process.cpuUsage(cpu0);
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
  const us = (c: { user: number; system: number }) => c.user + c.system;
  result.inputs.ipcBatches = received;
  result.metrics.push(metric('IPC batch latency (1 read + evidence)', latencies, 'ms'));
  result.metrics.push(metric('IPC CPU per batch, worker (serialize + send)', [us(childCpu) / batches], 'us'));
  result.metrics.push(metric('IPC CPU per batch, service (receive + deserialize)', [us(parentCpu) / batches], 'us'));
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

function serviceConfig(dataDir: string) {
  return loadConfig(undefined, {
    dataDir,
    nats: { localPort: 0 },
    metrics: { enabled: false },
    governance: { api: { port: 0 } },
    cameras: [{ id: 'bench', uri: 'samples/city-720p.mp4', loop: true }],
  });
}

/** Starts the service, waits for the camera to play, samples memory after `seconds`; returns ms to playing. */
async function runOnce(
  result: BenchResult,
  processes: boolean,
  seconds: number,
  crashes: number,
): Promise<{ startToPlayingMs: number; rss: number }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'platewatch-bench-camproc-'));
  const t0 = performance.now();
  const service = new RunService(serviceConfig(dataDir), {
    log: () => {},
    cameraProcesses: processes,
    cameraProcessOptions: { env: { ...process.env, PLATEWATCH_CRASH_TEST: '1' }, restartDelayMs: 100 },
  });
  try {
    await service.start();
    const cam = service.cameras[0]!;
    await cam.waitFor('playing', 60_000);
    const startToPlayingMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const worker = processes ? (cam as CameraProcess).pid : undefined;
    const rss = rssMiB(process.pid) + (worker ? rssMiB(worker) : 0);
    if (processes) {
      result.inputs.workerRssMiB = worker ? Math.round(rssMiB(worker)) : null;
      const back: number[] = [];
      for (let i = 0; i < crashes; i++) {
        const proc = cam as CameraProcess;
        const crashed = performance.now();
        proc.crashForTest();
        await proc.waitFor('reconnecting', 10_000);
        await proc.waitFor('playing', 60_000);
        back.push(performance.now() - crashed);
        await new Promise((r) => setTimeout(r, 1000));
      }
      if (back.length) result.metrics.push(metric('worker mode: segfault -> camera playing again', back, 'ms'));
    }
    return { startToPlayingMs, rss };
  } finally {
    await service.stop(0);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function runCameraProcessBench(
  opts: { batches?: number; rate?: number; seconds?: number; crashes?: number } = {},
): Promise<BenchResult> {
  const batches = opts.batches ?? 3000;
  const rate = opts.rate ?? 500;
  const seconds = opts.seconds ?? 10;
  const crashes = opts.crashes ?? 3;
  const result = newResult('camera-process', {
    batches,
    rate,
    seconds,
    crashes,
    plateJpegBytes: PLATE_JPEG,
    contextJpegBytes: CONTEXT_JPEG,
    input: 'samples/city-720p.mp4',
  });
  await ipc(result, batches, rate);
  const inProcess = await runOnce(result, false, seconds, 0);
  const workers = await runOnce(result, true, seconds, crashes);
  result.metrics.push(
    metric('in-process: cold start -> camera playing (a supervisor restart)', [inProcess.startToPlayingMs], 'ms'),
  );
  result.metrics.push(metric('worker mode: cold start -> camera playing', [workers.startToPlayingMs], 'ms'));
  result.metrics.push(metric('RSS, 1 camera in-process (service)', [inProcess.rss], 'MiB'));
  result.metrics.push(metric('RSS, 1 camera in a worker (service + worker)', [workers.rss], 'MiB'));
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchMain(async () => {
    const { batches, rate, seconds, crashes, ...args } = benchArgs('camera-process', {
      batches: 3000,
      rate: 500,
      seconds: 10,
      crashes: 3,
    });
    const result = await runCameraProcessBench({ batches, rate, seconds, crashes });
    reportResult(result, args, [`worker RSS alone: ${result.inputs.workerRssMiB} MiB`]);
  });
}
