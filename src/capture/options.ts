/**
 * Camera options: from the configuration (the `capture` defaults merged with each camera's
 * overrides and the recognizer section) to the resolved options the native core takes.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import type { CameraConfig, CaptureSettings } from '../config/capture.js';
import type { Config } from '../config/schema.js';
import type { NativeCameraOptions, RecognizerOptions } from '../native.js';
import { modelDir, packageRoot } from '../paths.js';
import { CaptureError } from './errors.js';

/** Everything openCamera() needs; build it with cameraOptions()/camerasFromConfig() or by hand. */
export type CameraOptions = NativeCameraOptions;

/** The built-in `capture` settings (config/default.yaml holds the same values and says what each costs). */
export function defaultCaptureSettings(): CaptureSettings {
  return {
    analyseFps: 15,
    readerModel: 'plate_ocr',
    detectorThreshold: 0.4,
    rereadFrames: 4,
    secondLookBelow: 0,
    frameQueue: 1,
    decoderThreads: 1,
    analysisNice: 5,
    realtime: true,
    loop: false,
    rtspLatencyMs: 200,
    rtspTransport: 'tcp',
    connectTimeoutMs: 10_000,
    stallTimeoutMs: 5_000,
    deliveryQueue: 64,
    reconnect: { initialDelayMs: 500, maxDelayMs: 30_000, jitter: 0.3, maxAttempts: 0 },
    roi: { x: 0, y: 0, width: 1, height: 1 },
    mask: [],
    motion: { enabled: false, threshold: 1.5 },
    evidence: { plateMargin: 0.25, plateJpegQuality: 85, contextWidth: 640, contextJpegQuality: 70, unread: false },
  };
}

const schemePattern = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

/**
 * A camera source as a URI: URIs pass through; `/dev/videoN` becomes v4l2://; a file path becomes
 * file:// (relative paths are looked up in the current directory, then in the platewatch folder,
 * where the sample footage lives). A missing file throws a CaptureError ERR_FILE_NOT_FOUND.
 */
export function resolveCameraUri(source: string, cameraId = 'camera', cwd = process.cwd()): string {
  if (schemePattern.test(source)) return source;
  if (source.startsWith('/dev/video')) return `v4l2://${source}`;
  const candidates = path.isAbsolute(source) ? [source] : [path.resolve(cwd, source), path.join(packageRoot, source)];
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new CaptureError('ERR_FILE_NOT_FOUND', `camera '${cameraId}': no such file: ${candidates.join(' or ')}`, {
      cameraId,
      fatal: true,
    });
  }
  return pathToFileURL(found).href;
}

/** One camera's options: its overrides merged over `settings`, recognizer options over `recognizer`. */
export function cameraOptions(
  camera: CameraConfig,
  settings: CaptureSettings = defaultCaptureSettings(),
  recognizer: RecognizerOptions = {},
): CameraOptions {
  const {
    id,
    uri,
    pipeline,
    enabled: _enabled,
    recognizer: recOverride,
    reconnect,
    motion,
    evidence,
    ...flat
  } = camera;
  const merged: CameraOptions = {
    ...settings,
    ...flat,
    id,
    reconnect: { ...settings.reconnect, ...reconnect },
    motion: { ...settings.motion, ...motion },
    evidence: { ...settings.evidence, ...evidence },
    // Cameras use the capture section's reader, detector threshold, read schedule and second look, stills the
    // recognizer section's.
    recognizer: {
      modelDir,
      ...recognizer,
      readerModel: flat.readerModel ?? settings.readerModel,
      detectorThreshold: flat.detectorThreshold ?? settings.detectorThreshold,
      rereadFrames: flat.rereadFrames ?? settings.rereadFrames,
      secondLookBelow: flat.secondLookBelow ?? settings.secondLookBelow,
      ...recOverride,
    },
  };
  if (uri !== undefined) merged.uri = resolveCameraUri(uri, id);
  if (pipeline !== undefined) merged.pipeline = pipeline;
  return merged;
}

/**
 * rereadFrames capped so that a tracked plate is read at least every half group gap: the pipeline ends a
 * vehicle's group after `groupGapMs` without a read, so reading more rarely would split one vehicle into
 * several groups (and hits). analyseFps 0 (every decoded frame) has no fixed rate and is left alone.
 */
export function rereadFramesWithin(rereadFrames: number, analyseFps: number, groupGapMs: number): number {
  if (rereadFrames <= 0 || analyseFps <= 0) return rereadFrames;
  return Math.min(rereadFrames, Math.floor(((groupGapMs / 2) * analyseFps) / 1000));
}

/** The enabled cameras of a validated configuration, resolved. */
export function camerasFromConfig(config: Config): CameraOptions[] {
  const { modelDir: dir, ...rec } = config.recognizer;
  const recognizer: RecognizerOptions = dir ? { ...rec, modelDir: dir } : rec;
  return config.cameras
    .filter((c) => c.enabled !== false)
    .map((c) => {
      const o = cameraOptions(c, config.capture, recognizer);
      const reread = o.recognizer.rereadFrames ?? 0;
      o.recognizer.rereadFrames = rereadFramesWithin(reread, o.analyseFps ?? 0, config.pipeline.groupGapMs);
      return o;
    });
}
