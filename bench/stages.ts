/**
 * Each recognition stage on its own, at 1280x720 and 1920x1080, on frames with plates and frames
 * without (most frames a roadway camera sees hold no plate), one call at a time on one worker thread,
 * with the shipped recognizer options (config/default.yaml). Two sources, neither needs ../shared/data:
 * - rendered: roadway scenes from tools/synth/scene.py (plates 30-100 px wide at 720p, scaled with the
 *   frame), `--frames` per set, seeded;
 * - footage: frames of samples/city-720p.mp4 and samples/highway-1080p.mp4 decoded by GStreamer, with a
 *   readable plate (manifest) or no vehicle in view.
 *
 * Per set and stage: the stage's own time as the native recognizer reports it (ms per frame; every stage
 * runs on every frame, even with no region); "all stages" is their sum ("thread CPU time": the same as CPU
 * time of the recognizing thread, which does not grow with other processes' load); "image decode" is the JPEG decode
 * before the stages; "recognize() call" is the wall time of the promise (decode + stages + the boundary
 * and the worker-thread hop), to be read against `bench boundary`.
 *
 *   node dist/bench/stages.js [--runs 10] [--frames 5] [--seed 11] [--no-footage]
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

import { recognizerOptions } from '../src/cli/options.js';
import { loadConfig } from '../src/config/load.js';
import { type RecognizerOptions, recognize, versions } from '../src/native.js';
import { benchArgs, benchMain } from './lib/args.js';
import { footageFrames, renderScenes } from './lib/frames.js';
import { reportResult } from './lib/report.js';
import { type BenchResult, metric, newResult } from './lib/results.js';

export interface StagesBenchOptions {
  /** Passes over each set of frames (after one warm-up pass). */
  runs: number;
  /** Rendered frames per set. */
  frames: number;
  seed: number;
  /** Also time frames of the sample footage. */
  footage: boolean;
}

export const defaultStagesBenchOptions: StagesBenchOptions = { runs: 10, frames: 5, seed: 11, footage: true };

interface FrameSet {
  name: string;
  frames: Buffer[];
}

interface SetFigures {
  name: string;
  regionsPerFrame: number;
  readsPerFrame: number;
}

async function timeSet(set: FrameSet, runs: number, options: RecognizerOptions, result: BenchResult) {
  const stageMs = new Map<string, number[]>();
  const total: number[] = [];
  const totalCpu: number[] = [];
  const decode: number[] = [];
  const call: number[] = [];
  let regions = 0;
  let reads = 0;
  for (const bytes of set.frames) await recognize(bytes, options); // warm-up: models, caches
  for (let r = 0; r < runs; r++) {
    for (const bytes of set.frames) {
      const t0 = performance.now();
      const res = await recognize(bytes, options);
      call.push(performance.now() - t0);
      decode.push(res.decodeMs);
      let sum = 0;
      for (const [stage, ms] of Object.entries(res.stageMs)) {
        if (!stageMs.has(stage)) stageMs.set(stage, []);
        stageMs.get(stage)!.push(ms);
        sum += ms;
      }
      total.push(sum);
      totalCpu.push(Object.values(res.stageCpuMs).reduce((a, b) => a + b, 0));
      if (r === 0) {
        regions += res.regions.length;
        reads += res.reads.length;
      }
    }
  }
  for (const [stage, ms] of stageMs) result.metrics.push(metric(`${set.name}: ${stage}`, ms, 'ms'));
  result.metrics.push(metric(`${set.name}: all stages`, total, 'ms'));
  result.metrics.push(metric(`${set.name}: all stages, thread CPU time`, totalCpu, 'ms'));
  result.metrics.push(metric(`${set.name}: image decode`, decode, 'ms'));
  result.metrics.push(metric(`${set.name}: recognize() call`, call, 'ms'));
  return {
    name: set.name,
    regionsPerFrame: regions / set.frames.length,
    readsPerFrame: reads / set.frames.length,
  };
}

export async function runStagesBench(
  opts: Partial<StagesBenchOptions> = {},
): Promise<{ result: BenchResult; sets: SetFigures[] }> {
  const o = { ...defaultStagesBenchOptions, ...opts };
  const options = recognizerOptions(loadConfig());
  const v = versions();
  const result = newResult(
    'stages',
    { ...o, recognizer: options, threads: 1 },
    { opencv: v.opencv, gstreamer: v.gstreamer },
  );
  const sets: FrameSet[] = [];
  const dirs: string[] = [];
  const load = (files: string[]) => files.map((f) => readFileSync(f));
  try {
    for (const [width, height] of [
      [1280, 720],
      [1920, 1080],
    ] as const) {
      const scale = height / 720;
      for (const empty of [false, true]) {
        const files = renderScenes({
          width,
          height,
          empty,
          count: o.frames,
          seed: o.seed,
          minPlate: Math.round(30 * scale),
          maxPlate: Math.round(100 * scale),
        });
        if (files[0]) dirs.push(path.dirname(files[0]));
        sets.push({ name: `${width}x${height} rendered ${empty ? 'no plate' : 'plates'}`, frames: load(files) });
      }
    }
    if (o.footage) {
      for (const file of ['city-720p.mp4', 'highway-1080p.mp4']) {
        const f = footageFrames(file, 5, o.frames);
        dirs.push(f.dir);
        const size = `${f.width}x${f.height}`;
        sets.push({ name: `${size} footage plates`, frames: load(f.withPlates) });
        if (f.noPlate.length) sets.push({ name: `${size} footage no plate`, frames: load(f.noPlate) });
      }
    }
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  result.inputs.frames = Object.fromEntries(sets.map((s) => [s.name, s.frames.length]));
  const figures: SetFigures[] = [];
  for (const set of sets) figures.push(await timeSet(set, o.runs, options, result));
  result.inputs.found = Object.fromEntries(
    figures.map((f) => [f.name, { regionsPerFrame: f.regionsPerFrame, readsPerFrame: f.readsPerFrame }]),
  );
  return { result, sets: figures };
}

/** Sets as rows, stages as columns, each cell "median p99" in ms: the generic table has one row per pair. */
export function stagesTable(result: BenchResult): string {
  const sets: string[] = [];
  const cols: string[] = [];
  const cell = new Map<string, string>();
  const f = (n: number) => (n >= 10 ? n.toFixed(1) : n >= 0.1 ? n.toFixed(2) : n.toFixed(3));
  for (const m of result.metrics) {
    const i = m.name.lastIndexOf(': ');
    const set = m.name.slice(0, i);
    const col = m.name.slice(i + 2);
    if (!sets.includes(set)) sets.push(set);
    if (!cols.includes(col)) cols.push(col);
    cell.set(`${set}\n${col}`, `${f(m.median)}/${f(m.p99)}`);
  }
  const rows = [
    ['ms per frame: median/p99', ...cols],
    ...sets.map((s) => [s, ...cols.map((c) => cell.get(`${s}\n${c}`) ?? '-')]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const m = result.machine;
  return [
    `${result.benchmark} @ ${result.commit} on ${m.cpus} x ${m.cpuModel}, load ${m.loadAverage.join(' ')}`,
    ...rows.map(line),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchMain(async () => {
    const d = defaultStagesBenchOptions;
    const { runs, frames, seed, noFootage, ...args } = benchArgs('stages', {
      runs: d.runs,
      frames: d.frames,
      seed: d.seed,
      noFootage: false,
    });
    const { result, sets } = await runStagesBench({ runs, frames, seed, footage: !noFootage });
    const count = result.inputs.frames as Record<string, number>;
    reportResult(
      result,
      args,
      sets.map(
        (s) =>
          `${s.name} (${count[s.name]} frames): ${s.regionsPerFrame.toFixed(2)} regions/frame, ` +
          `${s.readsPerFrame.toFixed(2)} reads/frame`,
      ),
      { table: stagesTable(result) },
    );
  });
}
