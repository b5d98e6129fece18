/**
 * `platewatch bench capture-cycles`: opens, starts, waits for the first frame and closes a camera
 * N times in a row, and reports what a leak would show: file descriptors, threads and RSS before and
 * after (after a warm-up that loads GStreamer's plugins), and the time per cycle.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

import { openCamera } from '../src/capture/camera.js';
import { cameraOptions } from '../src/capture/options.js';
import { recognizerOptions } from '../src/cli/options.js';
import type { Config } from '../src/config/schema.js';
import { versions } from '../src/native.js';
import { packageRoot } from '../src/paths.js';
import { type BenchResult, metric, newResult } from './lib/results.js';

export interface CyclesReport {
  result: BenchResult;
  cycles: number;
  before: { fds: number; threads: number; rssMb: number };
  after: { fds: number; threads: number; rssMb: number };
  rssMbEvery100: number[];
  msPerCycle: { p50: number; p99: number };
}

const fds = () => readdirSync('/proc/self/fd').length;
const threads = () => readdirSync('/proc/self/task').length;
const rssMb = () => process.memoryUsage().rss / 2 ** 20;

export async function runCaptureCycles(config: Config, input: string, cycles: number): Promise<CyclesReport> {
  const opts = cameraOptions({ id: 'cycles', uri: input, analyseFps: 30 }, config.capture, recognizerOptions(config));
  const once = async () => {
    const cam = openCamera(opts);
    await cam.start();
    await cam.waitFor('playing', 30_000);
    await cam.close();
  };
  for (let i = 0; i < 20; i++) await once();
  const before = { fds: fds(), threads: threads(), rssMb: rssMb() };
  const times: number[] = [];
  const rssMbEvery100: number[] = [];
  for (let i = 0; i < cycles; i++) {
    const t0 = performance.now();
    await once();
    times.push(performance.now() - t0);
    if ((i + 1) % 100 === 0) rssMbEvery100.push(Math.round(rssMb() * 10) / 10);
  }
  const after = { fds: fds(), threads: threads(), rssMb: rssMb() };
  const v = versions();
  const result = newResult(
    'capture-cycles',
    { input: path.relative(packageRoot, path.resolve(input)), cycles },
    { opencv: v.opencv, gstreamer: v.gstreamer },
  );
  const m = metric('open-start-first frame-close', times, 'ms');
  result.metrics.push(
    m,
    metric('fd growth', [after.fds - before.fds], 'fds'),
    metric('thread growth', [after.threads - before.threads], 'threads'),
    metric('RSS growth', [after.rssMb - before.rssMb], 'MiB'),
  );
  return { result, cycles, before, after, rssMbEvery100, msPerCycle: { p50: m.median, p99: m.p99 } };
}
