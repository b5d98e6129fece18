/**
 * Two camera settings side by side: cameras of setting A and of setting B play the same file at the same
 * time in one process, so both meet the same host (on a shared machine the CPU a frame costs drifts by a
 * fifth between runs minutes apart; a paired run cancels that). Per setting: CPU of its analysis threads
 * (`pwa:<camera>`, /proc/self/task) per analysed frame, reads per analysed frame, analysed fps and busy
 * drops; and the ratio B / A of the CPU. Settings are per-camera overrides of the `capture` section as JSON
 * (readerModel, rereadFrames, detectorThreshold, secondLookBelow, ...), validated like a config file.
 * The defaults compare session 10's camera settings (A: the built-in ones) with session 9's (B).
 *
 *   node dist/bench/camera_pair.js [--input samples/highway-1080p.mp4] [--a '{}']
 *     [--b '{"readerModel":"plate_ocr_fast","rereadFrames":0,"detectorThreshold":0.5}'] [--cameras 1]
 *     [--seconds 30] [--warmup 3] [--json]
 */
import path from 'node:path';

import { type Camera, openCamera } from '../src/capture/camera.js';
import { camerasFromConfig } from '../src/capture/options.js';
import { loadConfig } from '../src/config/load.js';
import { packageRoot } from '../src/paths.js';
import { BenchArgumentError, benchArgs, benchMain } from './lib/args.js';
import { reportResult } from './lib/report.js';
import { metric, newResult } from './lib/results.js';
import { sampleThreads } from './thread_cpu.js';

const SESSION9 = '{"readerModel":"plate_ocr_fast","rereadFrames":0,"detectorThreshold":0.5}';

function settings(flag: string, json: string): Record<string, unknown> {
  try {
    const v = JSON.parse(json) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new BenchArgumentError(`${flag} must be a JSON object of capture settings, e.g. '{"rereadFrames":0}'`);
}

/** CPU seconds of each camera's analysis thread (named pwa:<camera id>, cut to 15 characters). */
function analysisCpu(ids: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of sampleThreads().values()) {
    const id = ids.find((i) => t.name === `pwa:${i}`.slice(0, 15));
    if (id) out.set(id, (out.get(id) ?? 0) + t.cpuSeconds);
  }
  return out;
}

benchMain(async () => {
  const args = benchArgs('camera-pair', {
    input: path.join('samples', 'highway-1080p.mp4'),
    a: '{}',
    b: SESSION9,
    cameras: 1,
    seconds: 30,
    warmup: 3,
  });
  const over = { A: settings('--a', args.a), B: settings('--b', args.b) };
  const n = Math.max(1, Math.round(args.cameras));
  const uri = path.resolve(packageRoot, args.input);
  const list = (['A', 'B'] as const).flatMap((tag) =>
    Array.from({ length: n }, (_, i) => ({ id: `${tag.toLowerCase()}${i}`, uri, loop: true, ...over[tag] })),
  );
  // The whole configuration is validated, so a bad setting is named before any camera opens.
  const config = loadConfig(undefined, { cameras: list });
  const cams: { tag: 'A' | 'B'; cam: Camera }[] = camerasFromConfig(config).map((o) => ({
    tag: o.id.startsWith('a') ? 'A' : 'B',
    cam: openCamera(o),
  }));
  const ids = cams.map((c) => c.cam.id);
  for (const c of cams) c.cam.on('reads', () => {});
  try {
    await Promise.all(cams.map((c) => c.cam.start()));
    await Promise.all(cams.map((c) => c.cam.waitFor('playing', 20_000)));
    await new Promise((r) => setTimeout(r, args.warmup * 1000));
    const before = cams.map((c) => c.cam.stats());
    const cpu0 = analysisCpu(ids);
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, args.seconds * 1000));
    const seconds = (Date.now() - t0) / 1000;
    const cpu1 = analysisCpu(ids);
    const after = cams.map((c) => c.cam.stats());

    const result = newResult('camera-pair', { input: args.input, a: over.A, b: over.B, camerasPerSetting: n, seconds });
    const perTag: Record<'A' | 'B', { cpuMs: number[]; reads: number[]; fps: number[]; drops: number[] }> = {
      A: { cpuMs: [], reads: [], fps: [], drops: [] },
      B: { cpuMs: [], reads: [], fps: [], drops: [] },
    };
    cams.forEach((c, i) => {
      const analysed = after[i]!.framesAnalysed - before[i]!.framesAnalysed;
      const cpuMs = ((cpu1.get(c.cam.id) ?? 0) - (cpu0.get(c.cam.id) ?? 0)) * 1000;
      const t = perTag[c.tag];
      t.cpuMs.push(analysed > 0 ? cpuMs / analysed : Number.NaN);
      t.reads.push(analysed > 0 ? (after[i]!.reads - before[i]!.reads) / analysed : Number.NaN);
      t.fps.push(analysed / seconds);
      t.drops.push(after[i]!.framesDropped.busy - before[i]!.framesDropped.busy);
    });
    for (const tag of ['A', 'B'] as const) {
      const t = perTag[tag];
      result.metrics.push(
        metric(`${tag}: analysis CPU per analysed frame`, t.cpuMs, 'ms'),
        metric(`${tag}: reads per analysed frame`, t.reads, 'reads'),
        metric(`${tag}: analysed fps per camera`, t.fps, 'fps', true),
        metric(`${tag}: busy drops per camera`, t.drops, 'frames'),
      );
    }
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    const ratio = mean(perTag.B.cpuMs) / mean(perTag.A.cpuMs);
    reportResult(result, args, [
      `A = ${JSON.stringify(over.A)}, B = ${JSON.stringify(over.B)}; ${n} camera(s) each on ${args.input}, ${seconds.toFixed(0)} s`,
      `CPU per analysed frame, B / A: ${ratio.toFixed(3)} (analysis threads only; decoding is the same for both)`,
    ]);
  } finally {
    await Promise.all(cams.map((c) => c.cam.close()));
  }
});
