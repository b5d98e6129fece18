/**
 * The configuration of live capture: `capture` (settings every camera starts from), `cameras`
 * (each with an id, a source and any per-camera overrides) and `samples` (the project's own footage).
 * Part of the one schema (src/config/schema.ts); defaults and costs are in config/default.yaml.
 */
import { z } from 'zod';

/** URI schemes a camera can use; anything else is a custom `pipeline`. */
export const CAMERA_SCHEMES = ['rtsp', 'rtsps', 'rtspt', 'http', 'https', 'file', 'v4l2'] as const;

const uriPattern = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;

/** A camera source: a URI with a supported scheme, a file path, or a V4L2 device path. */
export const cameraUriSchema = z
  .string()
  .min(1)
  .refine(
    (uri) => {
      const m = uriPattern.exec(uri);
      return !m || (CAMERA_SCHEMES as readonly string[]).includes(m[1]!.toLowerCase());
    },
    { message: `unsupported URI scheme (expected ${CAMERA_SCHEMES.join(', ')}, a file path or /dev/videoN)` },
  );

const reconnectSchema = z
  .object({
    initialDelayMs: z.number().int().min(1).max(3_600_000),
    maxDelayMs: z.number().int().min(1).max(3_600_000),
    jitter: z.number().min(0).max(1),
    maxAttempts: z.number().int().min(0),
  })
  .strict();

const roiSchema = z
  .object({
    x: z.number().min(0).max(1),
    y: z.number().min(0).max(1),
    width: z.number().gt(0).max(1),
    height: z.number().gt(0).max(1),
  })
  .strict()
  .refine((r) => r.x + r.width <= 1.000001 && r.y + r.height <= 1.000001, {
    message: 'the region must lie inside the frame (x + width <= 1, y + height <= 1)',
  });

const fraction = z.number().min(0).max(1);
const maskSchema = z
  .array(z.tuple([fraction, fraction]))
  .refine((m) => m.length === 0 || m.length >= 3, { message: 'a mask polygon needs at least 3 points ([] = none)' });

const motionSchema = z.object({ enabled: z.boolean(), threshold: z.number().min(0).max(255) }).strict();

const evidenceSchema = z
  .object({
    plateMargin: z.number().min(0).max(5),
    plateJpegQuality: z.number().int().min(1).max(100),
    contextWidth: z.number().int().min(0).max(8192),
    contextJpegQuality: z.number().int().min(1).max(100),
    unread: z.boolean(),
  })
  .strict();

/** A reader model in the model folder, named without .json (models/<name>.json names its .onnx). */
export const readerModelSchema = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/, 'a reader model file name without .json, e.g. plate_ocr');

/** The plate detector's score (0..1) a candidate needs (recognizer.detectorThreshold, capture.detectorThreshold). */
export const detectorThresholdSchema = z.number().min(0.01).max(0.99);

const settingsShape = {
  analyseFps: z.number().min(0).max(1000),
  readerModel: readerModelSchema,
  detectorThreshold: detectorThresholdSchema,
  rereadFrames: z.number().int().min(0).max(1000),
  secondLookBelow: z.number().min(0).max(1),
  frameQueue: z.number().int().min(1).max(64),
  decoderThreads: z.number().int().min(0).max(64),
  analysisNice: z.number().int().min(0).max(19),
  realtime: z.boolean(),
  loop: z.boolean(),
  rtspLatencyMs: z.number().int().min(0).max(60_000),
  rtspTransport: z.enum(['tcp', 'udp', 'auto']),
  connectTimeoutMs: z.number().int().min(100).max(3_600_000),
  stallTimeoutMs: z.number().int().min(100).max(3_600_000),
  deliveryQueue: z.number().int().min(1).max(100_000),
  reconnect: reconnectSchema,
  roi: roiSchema,
  mask: maskSchema,
  motion: motionSchema,
  evidence: evidenceSchema,
};

/** Settings every camera starts from (the `capture` section). */
export const captureSchema = z.object(settingsShape).strict();

const recognizerOverrideSchema = z
  .object({
    minPlateHeight: z.number().int().min(4).max(4096),
    maxPlateHeight: z.number().int().min(4).max(4096),
    topN: z.number().int().min(1).max(50),
    minConfidence: z.number().min(0).max(1),
  })
  .partial()
  .strict();

/** Per-camera overrides: any setting of `capture`; nested sections may be partial (roi is whole). */
const overridesSchema = z
  .object({
    ...settingsShape,
    reconnect: reconnectSchema.partial(),
    motion: motionSchema.partial(),
    evidence: evidenceSchema.partial(),
  })
  .partial();

/** One camera: an id, exactly one source, and any setting of `capture` to override. */
export const cameraSchema = overridesSchema
  .extend({
    id: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
        'must be 1-64 letters, digits, _ . - (it names metrics and subjects)',
      ),
    /** false keeps the camera in the file but does not open it. */
    enabled: z.boolean().optional(),
    uri: cameraUriSchema.optional(),
    pipeline: z.string().min(1).optional(),
    recognizer: recognizerOverrideSchema.optional(),
  })
  .strict()
  .refine((c) => (c.uri === undefined) !== (c.pipeline === undefined), {
    message: 'give exactly one of uri or pipeline',
    path: ['uri'],
  });

export const camerasSchema = z
  .array(cameraSchema)
  .refine((cams) => new Set(cams.map((c) => c.id)).size === cams.length, {
    message: 'camera ids must be unique',
  });

export const samplesSchema = z.object({ manifest: z.string().min(1) }).strict();

export type CaptureSettings = z.infer<typeof captureSchema>;
export type CameraConfig = z.infer<typeof cameraSchema>;
