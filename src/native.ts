/**
 * The whole native surface of platewatch, typed. Nothing else loads the `.node` file.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

import { fromNative } from './errors.js';
import { modelDir, packageRoot } from './paths.js';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlateAlternative {
  plate: string;
  confidence: number;
}

export interface PlateRead {
  /** Upper-case letters and digits; empty when the region was found but not read. */
  plate: string;
  confidence: number;
  box: Box;
  charConfidences: number[];
  /** Top-N readings, best first. */
  candidates: PlateAlternative[];
  /** Two-letter state of issuance (upper case), absent when unknown. */
  state?: string;
  stateConfidence?: number;
}

/** Options of the recognizer; the C++ struct (native/recognizer_options.h) has the same field names. */
export interface RecognizerOptions {
  minPlateHeight?: number;
  maxPlateHeight?: number;
  topN?: number;
  minConfidence?: number;
  modelDir?: string;
  /** Skip localization: the whole image is one tight plate crop (evaluation on crops). */
  wholeImageIsPlate?: boolean;
  /** A read whose least certain character is below this (0..1) is rejected. */
  minCharConfidence?: number;
  /** Below this (0..1) the state of issuance is reported as unknown. */
  stateMinConfidence?: number;
}

export interface RecognizeResult {
  reads: PlateRead[];
  width: number;
  height: number;
  /** Time to read and decode the image, ms. */
  decodeMs: number;
  /** Time per recognition stage, ms, keyed by stage name. */
  stageMs: Record<string, number>;
}

export interface Versions {
  opencv: string;
  gstreamer: string;
  napi: number;
}

interface Addon {
  noop(): void;
  versions(): Versions;
  recognize(input: Buffer | string, options?: RecognizerOptions): Promise<RecognizeResult>;
}

const require = createRequire(import.meta.url);
export const addonPath = path.join(packageRoot, 'build', 'Release', 'platewatch.node');
const addon = require(addonPath) as Addon;

/** Does nothing natively: the baseline cost of a boundary crossing. */
export function noop(): void {
  addon.noop();
}

export function versions(): Versions {
  return addon.versions();
}

/**
 * Decodes (on a worker thread) and recognizes one still image, given as encoded bytes or a file path.
 * Rejects with an ImageInputError (bad input), a ModelError or a NativeError, each with a `code`;
 * throws a TypeError synchronously for misuse.
 */
export function recognize(input: Buffer | string, options: RecognizerOptions = {}): Promise<RecognizeResult> {
  const callSite = new Error();
  return addon.recognize(input, { modelDir, ...options }).catch((err: unknown) => {
    throw fromNative(err, callSite);
  });
}
