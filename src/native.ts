/**
 * The whole native surface of platewatch, typed. Nothing else loads the `.node` file.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

import { fromNative } from './errors.js';
import { modelDir, packageRoot } from './paths.js';
import type { FrameRead } from './reads.js';

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
  /** The reader: <modelDir>/<readerModel>.json and the .onnx it names (default plate_ocr). */
  readerModel?: string;
  /** Skip localization: the whole image is one tight plate crop (evaluation on crops). */
  wholeImageIsPlate?: boolean;
  /** A read whose least certain character is below this (0..1) is rejected. */
  minCharConfidence?: number;
  /** Below this (0..1) the state of issuance is reported as unknown. */
  stateMinConfidence?: number;
  /** Plate detector score (0..1) a candidate needs. Lower finds more plates and more false candidates. */
  detectorThreshold?: number;
  /** The detector sees the frame shrunk by an integer ratio to at most this many px on its long side. */
  detectorMaxSide?: number;
  /** A likely plate whose first read is less sure than this (0..1, best-path probability) is cut and read again four more ways; 0 = never. */
  secondLookBelow?: number;
  /**
   * Cameras only (a still-image recognize() rejects it): a plate tracked across analysed frames is read
   * again only after this many frames, or sooner once it has grown by 10 %; 0 = every plate in every frame.
   */
  rereadFrames?: number;
}

/** A plate region found by localization, before reading: box, corners (clockwise from top-left), score 0..1. */
export interface PlateRegion {
  box: Box;
  corners: { x: number; y: number }[];
  score: number;
}

export interface RecognizeResult {
  reads: PlateRead[];
  /** Every region localization proposed, read or not (reads are the subset the reader accepted). */
  regions: PlateRegion[];
  width: number;
  height: number;
  /** Time to read and decode the image, ms. */
  decodeMs: number;
  /** Time per recognition stage, ms, keyed by stage name. */
  stageMs: Record<string, number>;
  /**
   * CPU time of the recognizing thread per stage, ms (same keys): unlike `stageMs` it does not grow
   * while other processes hold the CPU, so it is the figure to compare on a loaded machine.
   */
  stageCpuMs: Record<string, number>;
}

export interface Versions {
  opencv: string;
  gstreamer: string;
  napi: number;
}

/** The process's C heap (glibc malloc, every arena), in bytes. native/process_heap.h. */
export interface HeapStats {
  /** In live allocations. */
  inUse: number;
  /** Free inside the arenas (resident or not). */
  free: number;
  /** Spanned by the arenas. */
  arena: number;
  /** In chunks mmapped on their own. */
  mmapped: number;
}

export interface HeapTrim {
  /** Some memory went back to the system. */
  released: boolean;
  /** How long the trim held the allocator. */
  ms: number;
}

interface Addon {
  noop(): void;
  heapStats(): HeapStats;
  trimHeap(): HeapTrim;
  versions(): Versions;
  recognize(input: Buffer | string, options?: RecognizerOptions): Promise<RecognizeResult>;
  decodeText(textProbs: Float32Array, stateProbs: Float32Array, options?: RecognizerOptions): DecodedText;
  /** native/image_decode.h's kMaxImagePixels. */
  maxImagePixels: number;
  /** Only when PLATEWATCH_CRASH_TEST=1 was set as the addon loaded (fault tests). */
  crashForTest?: () => void;
  NativeCamera: new (
    options: NativeCameraOptions,
    onBatch: (events: NativeCameraEvent[], reads: FrameRead[]) => void,
  ) => NativeCamera;
}

/**
 * The largest still image accepted, in pixels: native/image_decode.h's kMaxImagePixels (a test checks the
 * two agree). OpenCV reads OPENCV_IO_MAX_IMAGE_PIXELS once, as its image codecs load with the addon, and
 * then refuses an image whose header claims more pixels before it decodes any. Without it, a 389 KB PNG
 * claiming 20000x20000 made the decoder allocate 1.2 GB and spend ~2 s before the check after decoding
 * refused it. A smaller limit already in the environment is kept.
 */
export const maxImagePixels = 64 * 1024 * 1024;
const envLimit = Number(process.env.OPENCV_IO_MAX_IMAGE_PIXELS);
if (!(Number.isInteger(envLimit) && envLimit > 0 && envLimit < maxImagePixels)) {
  process.env.OPENCV_IO_MAX_IMAGE_PIXELS = String(maxImagePixels);
}

const require = createRequire(import.meta.url);
export const addonPath = path.join(packageRoot, 'build', 'Release', 'platewatch.node');
const addon = require(addonPath) as Addon;

/** The addon's own figure for {@link maxImagePixels} (for the test that they agree). */
export const nativeMaxImagePixels: number = addon.maxImagePixels;

/** Does nothing natively: the baseline cost of a boundary crossing. */
export function noop(): void {
  addon.noop();
}

/**
 * Fault tests only: segfaults the process from a native thread, as a bug in the native core would.
 * Exists only when the environment had PLATEWATCH_CRASH_TEST=1 as the addon loaded; throws otherwise.
 */
export function crashForTest(): void {
  if (!addon.crashForTest) throw new Error('crashForTest() needs PLATEWATCH_CRASH_TEST=1 when the addon loads');
  addon.crashForTest();
}

/** The C heap of this process: what native code (OpenCV, GStreamer, the recognizer) has in use and holds. */
export function heapStats(): HeapStats {
  return addon.heapStats();
}

/** Gives the C heap's free pages back to the system (malloc_trim); see src/capture/heapTrim.ts. */
export function trimHeap(): HeapTrim {
  return addon.trimHeap();
}

/** What the decode stage made of given probabilities: at most one read, or the reason it rejected it. */
export interface DecodedText {
  reads: PlateRead[];
  rejections: string[];
}

/**
 * The decode stage alone (CTC beam search, format prior, look-alike projection, rejection) on
 * probabilities the caller gives: `textProbs` is steps x classes (row-major, the model's alphabet then
 * the blank) and `stateProbs` one per state code, both as in models/plate_ocr.json. For tests of the
 * decoding rules on exact inputs. Throws a TypeError or RangeError naming a wrong-sized array.
 */
export function decodeText(
  textProbs: Float32Array,
  stateProbs: Float32Array,
  options: RecognizerOptions = {},
): DecodedText {
  try {
    return addon.decodeText(textProbs, stateProbs, { modelDir, ...options });
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError) throw err;
    throw fromNative(err, new Error());
  }
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

// --- Live capture (native/capture, bindings/camera_wrap.cpp; used by src/capture/) ------------------

/**
 * One camera's options as the native core takes them: validated and defaulted in TypeScript
 * (src/capture/options.ts); native/capture/camera_options.h has the same field names.
 */
export interface NativeCameraOptions {
  id: string;
  /** rtsp://, rtsps://, http(s)://, file://, v4l2:// — or use `pipeline`. */
  uri?: string;
  /** A gst-launch description producing video (raw or encoded); decodebin and the sink are appended. */
  pipeline?: string;
  analyseFps: number;
  frameQueue: number;
  decoderThreads: number;
  analysisNice: number;
  realtime: boolean;
  loop: boolean;
  rtspLatencyMs: number;
  rtspTransport: 'tcp' | 'udp' | 'auto';
  connectTimeoutMs: number;
  stallTimeoutMs: number;
  deliveryQueue: number;
  reconnect: { initialDelayMs: number; maxDelayMs: number; jitter: number; maxAttempts: number };
  roi: { x: number; y: number; width: number; height: number };
  /** Polygon ([x, y] fractions) where plates count; [] = the whole region of interest. */
  mask: [number, number][];
  motion: { enabled: boolean; threshold: number };
  evidence: {
    plateMargin: number;
    plateJpegQuality: number;
    contextWidth: number;
    contextJpegQuality: number;
    unread: boolean;
  };
  recognizer: RecognizerOptions;
}

/** Lifecycle events from a camera's threads, delivered in batches with its reads. */
export type NativeCameraEvent =
  | { type: 'connecting'; attempt: number }
  | { type: 'playing'; width: number; height: number; fps: number; format: string }
  | { type: 'error'; code: string; message: string; debug: string; fatal: boolean }
  | { type: 'reconnecting'; attempt: number; delayMs: number; code: string; message: string }
  | { type: 'eos' }
  | { type: 'failed'; attempts: number; code: string; message: string }
  | { type: 'dropped'; busy: number; delivery: number }
  | { type: 'stopped' };

/** Counters of one camera since it was opened (they become Prometheus metrics in the pipeline). */
export interface NativeCameraStats {
  state: string;
  framesDecoded: number;
  framesAnalysed: number;
  /** Not analysed by design: over the analysis rate, or nothing moved in the region of interest. */
  framesSkipped: { rate: number; motion: number };
  /** Lost: replaced by a newer frame before analysis (busy), or JavaScript fell behind (delivery). */
  framesDropped: { busy: number; delivery: number };
  reads: number;
  readsDropped: number;
  analysisErrors: number;
  sessions: number;
  reconnects: number;
  width: number;
  height: number;
  /** Recognizer plus evidence time per analysed frame, ms. */
  analyseMsMean: number;
  /** Frame reaching capture -> analysis done, over the last 1,024 analysed frames, ms. */
  latencyMsP50: number;
  latencyMsP99: number;
  /** Per recognition stage: frames, total and mean ms. */
  stageMs: Record<string, { count: number; totalMs: number; meanMs: number }>;
}

/** The native handle of one camera. Use src/capture/ (Camera), not this, from the rest of the code. */
export interface NativeCamera {
  /** Starts the camera's threads; returns at once. */
  start(): void;
  /** Asks the threads to stop; a `stopped` event follows. Idempotent. */
  stop(): void;
  /** Joins the threads and releases the callback. Idempotent. */
  close(): void;
  stats(): NativeCameraStats;
}

/**
 * Opens a native camera. Throws synchronously: a TypeError naming a bad option, or an Error with a
 * `code` (ERR_CAMERA_URI, ERR_PIPELINE_PARSE, ERR_MODEL) that src/capture/ turns into a named class.
 */
export function createNativeCamera(
  options: NativeCameraOptions,
  onBatch: (events: NativeCameraEvent[], reads: FrameRead[]) => void,
): NativeCamera {
  return new addon.NativeCamera(options, onBatch);
}
