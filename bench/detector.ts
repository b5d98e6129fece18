/**
 * Plate localization (native/stages/localize_plates.cpp + refine_plates.cpp) on its own, on one thread:
 * - dev scenes (../shared/data/us-plates): detected = share of labelled plates with a proposed
 *   region of IoU > 0.4; extra regions per image (IoU <= 0.4 with the labelled plate);
 * - no-plate photos (../shared/data/no-plates): regions per image (all false);
 * - time of the two localization stages (localize_plates + refine_plates) on rendered 1280x720 and 1920x1080 frames with and without
 *   plates (tools/synth/scene.py), on flat grey frames with sensor noise (an empty road: the coarse
 *   gate's best case), and on the dev scenes.
 *
 *   npm run build:ts && node dist/bench/detector.js [--data ../shared/data] [--threshold 0.5] [--runs 30]
 *     [--max-side 640]   (detectorMaxSide; 0 = the stage's default)
 *
 * Regions are counted before reading, so this measures localization, not OCR. The shipped detector was
 * fine-tuned on the dev scenes, so "detected" here is an in-sample figure; the honest one is the 5-fold
 * held-out figure in models/README.md (training/detector/kfold.sh).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { type Box, type RecognizerOptions, recognize } from '../src/native.js';
import { packageRoot } from '../src/paths.js';
import { benchArgs, benchMain } from './lib/args.js';
import { reportResult } from './lib/report.js';
import { metric, newResult } from './lib/results.js';

/** Localization = the whole-frame pass and the window pass that re-scores its proposals. */
const STAGES = ['localize_plates', 'refine_plates'];

function localizeMs(stageMs: Record<string, number>): number {
  return STAGES.reduce((sum, s) => sum + (stageMs[s] ?? 0), 0);
}

function iou(a: Box, b: Box): number {
  const iw = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const ih = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = iw * ih;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

function noiseFrame(width: number, height: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pw-detbench-'));
  const file = path.join(dir, `noise-${width}x${height}.png`);
  execFileSync('/usr/bin/python3', [
    '-c',
    `import numpy as np, cv2\nrng = np.random.default_rng(1)\nimg = np.clip(rng.normal(110, 12, (${height}, ${width}, 3)), 0, 255).astype(np.uint8)\ncv2.imwrite(${JSON.stringify(file)}, img)`,
  ]);
  return file;
}

function renderScenes(width: number, height: number, empty: boolean): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'pw-detbench-'));
  const args = ['-m', 'tools.synth.scene', dir, '--count', '5', '--seed', '11', '--width', String(width)];
  args.push('--height', String(height), '--min-plate', '30', '--max-plate', '100');
  if (empty) args.push('--empty');
  execFileSync('/usr/bin/python3', args, { cwd: packageRoot });
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jpg'))
    .map((f) => path.join(dir, f));
}

export async function main(): Promise<void> {
  const args = benchArgs('detector', {
    data: path.join(packageRoot, '..', 'shared', 'data'),
    runs: 30,
    threshold: 0.5,
    maxSide: 0,
  });
  const dataDir = path.resolve(args.data);
  const runs = args.runs;
  const options: RecognizerOptions = {
    detectorThreshold: args.threshold,
    ...(args.maxSide > 0 ? { detectorMaxSide: args.maxSide } : {}),
  };
  const result = newResult('detector', { dataDir, runs, ...options });
  const lines: string[] = [];

  for (const [w, h] of [
    [1280, 720],
    [1920, 1080],
  ] as const) {
    for (const kind of ['with plates', 'no plate', 'grey noise'] as const) {
      const names = kind === 'grey noise' ? [noiseFrame(w, h)] : renderScenes(w, h, kind === 'no plate');
      const files = names.map((f) => readFileSync(f));
      const ms: number[] = [];
      let regions = 0;
      for (let r = 0; r < runs; r++) {
        for (const bytes of files) {
          const res = await recognize(bytes, options);
          ms.push(localizeMs(res.stageMs));
          if (r === 0) regions += res.regions.length;
        }
      }
      const name = `localize ${w}x${h} ${kind}`;
      result.metrics.push(metric(name, ms, 'ms'));
      lines.push(`${name}: regions/frame ${(regions / files.length).toFixed(2)}`);
    }
  }

  const scenes = path.join(dataDir, 'us-plates');
  if (existsSync(path.join(scenes, 'labels.tsv'))) {
    const rows = readFileSync(path.join(scenes, 'labels.tsv'), 'utf8').trim().split('\n').slice(1);
    let hit = 0;
    let extra = 0;
    const ms: number[] = [];
    const misses: string[] = [];
    for (const row of rows) {
      const [file, x, y, width, height] = row.split('\t');
      const truth = { x: Number(x), y: Number(y), width: Number(width), height: Number(height) };
      const res = await recognize(path.join(scenes, file!), options);
      ms.push(localizeMs(res.stageMs));
      const ious = res.regions.map((r) => iou(r.box, truth));
      if (ious.some((v) => v > 0.4)) hit++;
      else misses.push(file!);
      extra += ious.filter((v) => v <= 0.4).length;
    }
    result.metrics.push(metric('localize dev scenes', ms, 'ms'));
    result.inputs.detected = hit / rows.length;
    result.inputs.extraRegionsPerImage = extra / rows.length;
    lines.push(
      `us-plates: detected ${hit}/${rows.length} = ${((100 * hit) / rows.length).toFixed(1)} %, ` +
        `extra regions/image ${(extra / rows.length).toFixed(3)} (in-sample: the shipped model was fine-tuned ` +
        'on these scenes; held-out figure: models/README.md)',
    );
    if (misses.length) lines.push(`  missed: ${misses.join(' ')}`);
  } else {
    lines.push(`us-plates: skipped, ${scenes}/labels.tsv not found`);
  }

  const negDir = path.join(dataDir, 'no-plates');
  if (existsSync(negDir)) {
    const files = readdirSync(negDir).filter((f) => /\.(jpe?g|png)$/i.test(f));
    let regions = 0;
    let withAny = 0;
    for (const f of files) {
      const res = await recognize(path.join(negDir, f), options);
      regions += res.regions.length;
      if (res.regions.length) withAny++;
    }
    result.inputs.noPlateRegionsPerImage = regions / files.length;
    lines.push(
      `no-plates: ${regions} regions on ${files.length} images = ${(regions / files.length).toFixed(3)}/image ` +
        `(${withAny} images with any)`,
    );
  } else {
    lines.push(`no-plates: skipped, ${negDir} not found`);
  }

  reportResult(result, args, lines);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  benchMain(main);
}
