/**
 * Scores the recognizer on a labelled set (see labels.ts) the way issue 3 defines it: top-1 exact,
 * truth among the top N, detection (IoU > 0.4), state of issuance, reads elsewhere, and the time
 * of recognition (already-decoded image; decode time reported apart).
 */
import path from 'node:path';

import { PlatewatchError } from '../errors.js';
import { type PlateRead, type RecognizerOptions, recognize } from '../native.js';
import { type CropLabel, type LabelledSet, normalizePlate, type SceneLabel } from './labels.js';
import { fraction, iou, percentile } from './metrics.js';

/** A read must overlap the labelled box by more than this (IoU) to count as detecting it. */
export const DETECT_IOU = 0.4;

export interface ImageOutcome {
  file: string;
  truth: string;
  /** The best read's text ('' when nothing was read). */
  read: string;
  /** The best read's top-N readings, best first (its own text first), normalized. */
  candidates?: string[];
  top1: boolean;
  topN: boolean;
  detected?: boolean;
  state?: string;
  truthState?: string;
  /** Reads not overlapping the labelled plate at all (every read, when the image holds no plate). */
  extraReads: number;
  ms: number;
  /** CPU time of the recognizing thread over the stages (stageCpuMs), ms. */
  cpuMs: number;
  decodeMs: number;
  error?: { code: string; message: string };
}

export interface EvalReport {
  kind: 'scenes' | 'crops';
  dir: string;
  images: number;
  /** Images that hold a labelled plate (the denominator of top1, topN, detected). */
  plates: number;
  top1: number | null;
  topN: number | null;
  n: number;
  detected?: number | null;
  stateAccuracy?: number | null;
  /** Crops: share of crops whose state was reported (not unknown). */
  stateReported?: number | null;
  extraReadsPerImage?: number;
  /** Scenes: images with at least one read that is not the labelled plate. */
  imagesWithExtraReads?: number;
  msMedian: number;
  msP90: number;
  /** The same per-image recognition, as CPU time of the recognizing thread (load-independent). */
  cpuMsMedian: number;
  cpuMsP90: number;
  decodeMsMedian: number;
  decodeMsP90: number;
  threads: number;
  errors: number;
  /** Misses, errors and (scenes) images with reads elsewhere; `candidates`: the best read's top N. */
  failures: {
    file: string;
    truth: string;
    read: string;
    candidates?: string[];
    state?: string;
    truthState?: string;
    error?: string;
  }[];
}

export interface EvalOptions {
  threads: number;
  topN: number;
  recognizer: RecognizerOptions;
  onProgress?: (done: number, total: number) => void;
}

function byConfidence(reads: PlateRead[]): PlateRead[] {
  return [...reads].sort((a, b) => b.confidence - a.confidence);
}

function inTop(read: PlateRead | undefined, truth: string, n: number): boolean {
  if (!read || !truth) return false;
  if (normalizePlate(read.plate) === truth) return true;
  return read.candidates.slice(0, n).some((c) => normalizePlate(c.plate) === truth);
}

function topTexts(read: PlateRead | undefined, n: number): { candidates?: string[] } {
  if (!read) return {};
  const texts = [read.plate, ...read.candidates.map((c) => c.plate)].map(normalizePlate);
  return { candidates: [...new Set(texts)].slice(0, n) };
}

function scoreCrop(label: CropLabel, reads: PlateRead[], n: number): Omit<ImageOutcome, 'ms' | 'cpuMs' | 'decodeMs'> {
  const best = byConfidence(reads)[0];
  const read = best ? normalizePlate(best.plate) : '';
  return {
    file: label.file,
    truth: label.plate,
    read,
    ...topTexts(best, n),
    top1: read !== '' && read === label.plate,
    topN: inTop(best, label.plate, n),
    ...(best?.state ? { state: best.state } : {}),
    truthState: label.state,
    extraReads: 0,
  };
}

function scoreScene(label: SceneLabel, reads: PlateRead[], n: number): Omit<ImageOutcome, 'ms' | 'cpuMs' | 'decodeMs'> {
  const box = label.box;
  if (!box || !label.plate) {
    const best = byConfidence(reads)[0];
    return {
      file: label.file,
      truth: '',
      read: best ? best.plate : '',
      top1: false,
      topN: false,
      extraReads: reads.length,
    };
  }
  const onPlate = byConfidence(reads.filter((r) => iou(r.box, box) > DETECT_IOU));
  const best = onPlate[0];
  const read = best ? normalizePlate(best.plate) : '';
  return {
    file: label.file,
    truth: label.plate,
    read,
    ...topTexts(best, n),
    top1: read !== '' && read === label.plate,
    topN: onPlate.some((r) => inTop(r, label.plate, n)),
    detected: onPlate.length > 0,
    ...(best?.state ? { state: best.state } : {}),
    extraReads: reads.filter((r) => iou(r.box, box) === 0).length,
  };
}

async function evaluateOne(set: LabelledSet, index: number, opts: EvalOptions): Promise<ImageOutcome> {
  const label = set.labels[index]!;
  const file = path.join(set.dir, label.file);
  try {
    const res = await recognize(file, opts.recognizer);
    const ms = Object.values(res.stageMs).reduce((a, b) => a + b, 0);
    const cpuMs = Object.values(res.stageCpuMs).reduce((a, b) => a + b, 0);
    const scored =
      set.kind === 'crops'
        ? scoreCrop(label as CropLabel, res.reads, opts.topN)
        : scoreScene(label as SceneLabel, res.reads, opts.topN);
    return { ...scored, ms, cpuMs, decodeMs: res.decodeMs };
  } catch (err) {
    if (!(err instanceof PlatewatchError)) throw err;
    return {
      file: label.file,
      truth: label.plate,
      read: '',
      top1: false,
      topN: false,
      extraReads: 0,
      ms: Number.NaN,
      cpuMs: Number.NaN,
      decodeMs: Number.NaN,
      error: { code: err.code, message: err.message },
    };
  }
}

/** Runs the recognizer over the set with `threads` images in flight and summarizes the outcomes. */
export async function evaluateSet(
  set: LabelledSet,
  opts: EvalOptions,
): Promise<{ report: EvalReport; outcomes: ImageOutcome[] }> {
  const total = set.labels.length;
  const outcomes: ImageOutcome[] = new Array(total);
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      outcomes[i] = await evaluateOne(set, i, opts);
      done += 1;
      opts.onProgress?.(done, total);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.threads, total)) }, worker));
  return { report: summarize(set, outcomes, opts), outcomes };
}

function summarize(set: LabelledSet, outcomes: ImageOutcome[], opts: EvalOptions): EvalReport {
  const ok = outcomes.filter((o) => !o.error);
  const withPlate = outcomes.filter((o) => o.truth !== '');
  const ms = ok.map((o) => o.ms);
  const cpu = ok.map((o) => o.cpuMs);
  const decode = ok.map((o) => o.decodeMs);
  const rate = (pred: (o: ImageOutcome) => boolean) =>
    withPlate.length ? fraction(withPlate.filter(pred).length, withPlate.length) : null;
  const report: EvalReport = {
    kind: set.kind,
    dir: set.dir,
    images: outcomes.length,
    plates: withPlate.length,
    top1: rate((o) => o.top1),
    topN: rate((o) => o.topN),
    n: opts.topN,
    msMedian: percentile(ms, 50),
    msP90: percentile(ms, 90),
    cpuMsMedian: percentile(cpu, 50),
    cpuMsP90: percentile(cpu, 90),
    decodeMsMedian: percentile(decode, 50),
    decodeMsP90: percentile(decode, 90),
    threads: opts.threads,
    errors: outcomes.length - ok.length,
    failures: outcomes
      .filter((o) => (o.truth !== '' && !o.top1) || o.error || (set.kind === 'scenes' && o.extraReads > 0))
      .map((o) => ({
        file: o.file,
        truth: o.truth,
        read: o.read,
        ...(o.candidates ? { candidates: o.candidates } : {}),
        ...(o.state ? { state: o.state } : {}),
        ...(o.truthState ? { truthState: o.truthState } : {}),
        ...(o.error ? { error: `${o.error.code}: ${o.error.message}` } : {}),
      })),
  };
  if (set.kind === 'crops') {
    report.stateAccuracy = outcomes.length
      ? fraction(outcomes.filter((o) => o.state === o.truthState).length, outcomes.length)
      : null;
    report.stateReported = outcomes.length ? fraction(outcomes.filter((o) => o.state).length, outcomes.length) : null;
  } else {
    report.detected = rate((o) => o.detected === true);
    report.extraReadsPerImage = fraction(
      outcomes.reduce((a, o) => a + o.extraReads, 0),
      outcomes.length,
    );
    report.imagesWithExtraReads = outcomes.filter((o) => o.extraReads > 0).length;
  }
  return report;
}
