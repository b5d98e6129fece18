/** Messages between a CameraProcess (the service) and its camera worker process (cameraWorker.ts). */
import type { CameraStats, CameraStatus, DroppedFrames } from '../capture/camera.js';
import type { CameraOptions } from '../capture/options.js';
import type { FrameRead } from '../reads.js';

/** Service -> worker. */
export type ParentMessage = { type: 'open'; options: CameraOptions } | { type: 'stop' } | { type: 'crashForTest' };

/** Worker -> service. */
export type WorkerMessage =
  | { type: 'ready'; pid: number }
  | { type: 'started'; pid: number }
  | { type: 'openError'; code: string; message: string }
  | { type: 'reads'; reads: FrameRead[] }
  | { type: 'status'; status: CameraStatus }
  | { type: 'error'; code: string; message: string; debug: string; fatal: boolean }
  | { type: 'dropped'; dropped: DroppedFrames }
  | { type: 'stats'; stats: CameraStats };
