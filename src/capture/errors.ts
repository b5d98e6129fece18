/**
 * Errors of live capture. Asynchronous failures reach listeners as `error` events carrying a
 * CaptureError; misuse and bad sources throw synchronously from openCamera().
 */
import { fromNative, ModelError, PlatewatchError } from '../errors.js';

/** Codes a camera reports (native/capture/capture_codes.h plus the TypeScript-side checks). */
export type CaptureErrorCode =
  | 'ERR_CAMERA_URI'
  | 'ERR_PIPELINE_PARSE'
  | 'ERR_SOURCE'
  | 'ERR_STREAM'
  | 'ERR_PIPELINE'
  | 'ERR_CONNECT_TIMEOUT'
  | 'ERR_STALL'
  | 'ERR_STREAM_ENDED'
  | 'ERR_ANALYSIS'
  | 'ERR_CAMERA_CLOSED'
  | 'ERR_FILE_NOT_FOUND';

const CAPTURE_CODES = new Set<string>([
  'ERR_CAMERA_URI',
  'ERR_PIPELINE_PARSE',
  'ERR_SOURCE',
  'ERR_STREAM',
  'ERR_PIPELINE',
  'ERR_CONNECT_TIMEOUT',
  'ERR_STALL',
  'ERR_STREAM_ENDED',
  'ERR_ANALYSIS',
  'ERR_CAMERA_CLOSED',
  'ERR_FILE_NOT_FOUND',
]);

/** A camera could not be opened, or failed while running (then `fatal` says whether a retry follows). */
export class CaptureError extends PlatewatchError {
  readonly cameraId: string;
  /** GStreamer's debug detail, when it gave one. */
  readonly debug: string;
  /** True when the camera gives up after this error (no reconnect follows). */
  readonly fatal: boolean;

  constructor(
    code: string,
    message: string,
    details: { cameraId: string; debug?: string; fatal?: boolean },
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.cameraId = details.cameraId;
    this.debug = details.debug ?? '';
    this.fatal = details.fatal ?? false;
  }
}

/** A synchronous native error from opening a camera as a named class with the caller's stack. */
export function captureErrorFromNative(err: unknown, cameraId: string, callSite: Error): Error {
  if (err instanceof TypeError) return err;
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : '';
  if (!CAPTURE_CODES.has(code)) {
    const out = fromNative(err, callSite);
    return out instanceof ModelError || out instanceof TypeError ? out : out;
  }
  const message = (err as Error).message;
  const out = new CaptureError(code, message, { cameraId, fatal: true }, { cause: err });
  const frames = (callSite.stack ?? '').split('\n').slice(1).join('\n');
  out.stack = `CaptureError [${code}]: ${message}\n${frames}`;
  return out;
}
