import type { CameraEvents, CameraStatus } from './camera.js';
import { CaptureError } from './errors.js';

/** What waitForStatus() needs of a camera: Camera (in this process) and CameraProcess (in a worker) both are. */
export interface StatusSource {
  readonly id: string;
  readonly status: CameraStatus;
  on(event: 'status', listener: CameraEvents['status']): unknown;
  off(event: 'status', listener: CameraEvents['status']): unknown;
}

/**
 * Resolves with the status once `camera` reaches one of `states` (at once if it is there already);
 * rejects with a CaptureError ERR_CONNECT_TIMEOUT after `timeoutMs`.
 */
export function waitForStatus(
  camera: StatusSource,
  states: CameraStatus['state'] | CameraStatus['state'][],
  timeoutMs: number,
): Promise<CameraStatus> {
  const wanted = new Set(Array.isArray(states) ? states : [states]);
  if (wanted.has(camera.status.state)) return Promise.resolve(camera.status);
  return new Promise((resolve, reject) => {
    const onStatus = (s: CameraStatus) => {
      if (!wanted.has(s.state)) return;
      clearTimeout(timer);
      camera.off('status', onStatus);
      resolve(s);
    };
    const timer = setTimeout(() => {
      camera.off('status', onStatus);
      reject(
        new CaptureError(
          'ERR_CONNECT_TIMEOUT',
          `camera '${camera.id}' did not reach ${[...wanted].join('/')} within ${timeoutMs} ms (it is ${camera.status.state})`,
          { cameraId: camera.id },
        ),
      );
    }, timeoutMs);
    camera.on('status', onStatus);
  });
}
