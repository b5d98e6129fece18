/** Live capture: cameras feeding the recognizer (see camera.ts for the API in five lines). */
export {
  Camera,
  type CameraEvents,
  type CameraStats,
  type CameraStatus,
  type DroppedFrames,
  openCamera,
} from './camera.js';
export { CaptureError, type CaptureErrorCode } from './errors.js';
export {
  type CameraOptions,
  cameraOptions,
  camerasFromConfig,
  defaultCaptureSettings,
  resolveCameraUri,
} from './options.js';
