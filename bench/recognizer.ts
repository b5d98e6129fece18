/**
 * The recognizer's figures from issue 3 on the development data in ../shared/data:
 * plate crops (top-1, top-N, state of issuance), full scenes (top-1, top-5, detected),
 * no-plate photos (false reads per image), and the time of recognition of an already-decoded
 * image on one thread, per stage; plus empty frames at 720p and 1080p (most frames hold no plate).
 *
 *   npm run build:ts && node dist/bench/recognizer.js [--data ../shared/data] [--top 5] [--foreign DIR]
 *
 * --foreign (default training/out/intl_eval when present): plates from other countries, as written by
 * `/usr/bin/python3 -m training.ocr.make_intl_eval` (synthetic European and Brazilian plates in scenes,
 * on the dev scenes' cars, and as crops; seeds no model was trained on).
 *
 * Says so and skips a set when ../shared/data (or one of its folders) is missing. The shipped models were
 * trained on these dev sets: accuracy here is in-sample (honest k-fold figures: models/README.md).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { recognizerOptions } from '../src/cli/options.js';
import { loadConfig } from '../src/config/load.js';
import { type EvalReport, evaluateSet } from '../src/eval/evaluate.js';
import { loadLabelledSet } from '../src/eval/labels.js';
import { recognize, versions } from '../src/native.js';
import { packageRoot } from '../src/paths.js';
import { benchArgs, benchMain } from './lib/args.js';
import { reportResult } from './lib/report.js';
import { type BenchResult, metric, newResult } from './lib/results.js';

export interface RecognizerBenchOptions {
  dataDir: string;
  topN: number;
  /** make_intl_eval's folder (scenes/, pasted/, crops/); '' = none. */
  foreignDir?: string;
}

async function emptyFrameTimes(width: number, height: number, runs: number): Promise<number[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pw-bench-'));
  const file = path.join(dir, `empty-${width}x${height}.png`);
  // Road-grey with sensor noise: "nothing here" as a camera sees it, not a perfectly flat frame.
  execFileSync('/usr/bin/python3', [
    '-c',
    `import numpy as np, cv2\nrng = np.random.default_rng(1)\nimg = np.clip(rng.normal(110, 12, (${height}, ${width}, 3)), 0, 255).astype(np.uint8)\ncv2.imwrite(${JSON.stringify(file)}, img)`,
  ]);
  const bytes = readFileSync(file);
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await recognize(bytes);
    out.push(Object.values(r.stageMs).reduce((a, b) => a + b, 0));
  }
  return out;
}

export async function runRecognizerBench(
  opts: RecognizerBenchOptions,
): Promise<{ result: BenchResult; reports: EvalReport[]; missing: string[] }> {
  const config = loadConfig();
  const base = { ...recognizerOptions(config), topN: opts.topN };
  const v = versions();
  const result = newResult('recognizer', { dataDir: opts.dataDir, topN: opts.topN, threads: 1 }, { opencv: v.opencv });
  const reports: EvalReport[] = [];
  const missing: string[] = [];
  const sets: [string, string][] = ['us-plate-crops', 'us-plates', 'no-plates'].map((n) => [
    n,
    path.join(opts.dataDir, n),
  ]);
  if (opts.foreignDir)
    for (const n of ['scenes', 'pasted', 'crops']) sets.push([`foreign-${n}`, path.join(opts.foreignDir, n)]);
  for (const [name, dir] of sets) {
    if (!existsSync(dir)) {
      missing.push(dir);
      continue;
    }
    const set = loadLabelledSet(dir);
    const recognizer = { ...base, ...(set.kind === 'crops' ? { wholeImageIsPlate: true } : {}) };
    const { report, outcomes } = await evaluateSet(set, { threads: 1, topN: opts.topN, recognizer });
    reports.push(report);
    const ms = outcomes.filter((o) => !o.error).map((o) => o.ms);
    result.metrics.push(metric(`${name} recognition ms/image`, ms, 'ms'));
    // The same recognitions as CPU time of the recognizing thread: what the wall figure would be on an
    // idle machine (it does not grow while other processes hold the CPU).
    result.metrics.push(
      metric(
        `${name} recognition CPU ms/image`,
        outcomes.filter((o) => !o.error).map((o) => o.cpuMs),
        'ms',
      ),
    );
    result.metrics.push(
      metric(
        `${name} decode ms/image`,
        outcomes.filter((o) => !o.error).map((o) => o.decodeMs),
        'ms',
      ),
    );
    if (report.plates > 0) {
      result.metrics.push(metric(`${name} top-1 exact`, [report.top1 ?? 0], 'fraction', true));
      result.metrics.push(metric(`${name} truth in top ${opts.topN}`, [report.topN ?? 0], 'fraction', true));
    }
    if (set.kind === 'crops' && set.labels.every((l) => l.state === ''))
      // Crops labelled with no state (foreign plates): every US state reported on one is wrong.
      result.metrics.push(metric(`${name} US state claimed`, [report.stateReported ?? 0], 'fraction'));
    else if (report.kind === 'crops')
      result.metrics.push(metric(`${name} state of issuance`, [report.stateAccuracy ?? 0], 'fraction', true));
    if (report.kind === 'scenes') {
      if (report.plates > 0) result.metrics.push(metric(`${name} detected`, [report.detected ?? 0], 'fraction', true));
      result.metrics.push(
        metric(
          `${name} ${report.plates > 0 ? 'extra' : 'false'} reads/image`,
          [report.extraReadsPerImage ?? 0],
          'reads',
        ),
      );
    }
  }
  for (const [w, h] of [
    [1280, 720],
    [1920, 1080],
  ] as const) {
    result.metrics.push(metric(`empty frame ${w}x${h} recognition ms`, await emptyFrameTimes(w, h, 20), 'ms'));
  }
  return { result, reports, missing };
}

async function main(): Promise<void> {
  const defaultForeign = path.join(packageRoot, 'training', 'out', 'intl_eval');
  const args = benchArgs('recognizer', {
    data: path.join(packageRoot, '..', 'shared', 'data'),
    top: 5,
    foreign: existsSync(defaultForeign) ? defaultForeign : '',
  });
  const dataDir = path.resolve(args.data);
  const topN = args.top;
  const foreignDir = args.foreign ? path.resolve(args.foreign) : '';
  if (!existsSync(dataDir))
    console.log(`recognizer bench: ${dataDir} is missing: accuracy figures skipped, only empty-frame timings`);
  const { result, reports, missing } = await runRecognizerBench({ dataDir, topN, foreignDir });
  for (const m of missing) console.log(`recognizer bench: ${m} is missing: skipped`);
  if (reports.length)
    console.log(
      'recognizer bench: the shipped models were trained on these dev sets, so their accuracy here is IN-SAMPLE; ' +
        'the honest (k-fold held-out) figures are in models/README.md (training/ocr/kfold.py, heldout_scenes.py)',
    );
  reportResult(
    result,
    args,
    reports.map(({ failures: _f, ...figures }) => JSON.stringify(figures)),
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchMain(main);
}
