/**
 * The camera worker process: one camera (native capture + recognizer) in a process of its own, so a
 * crash in the native core ends this process only; CameraProcess (the parent) restarts it. Speaks
 * the WorkerMessage/ParentMessage protocol over the IPC channel of `child_process.fork` (advanced
 * serialization: the evidence JPEGs cross as bytes, not base64).
 */
import type { Camera } from '../capture/camera.js';
import { openCamera } from '../capture/index.js';
import { crashForTest } from '../native.js';
import type { ParentMessage, WorkerMessage } from './protocol.js';

const STATS_MS = 1000;

function send(message: WorkerMessage): void {
  process.send?.(message);
}

let camera: Camera | undefined;
let statsTimer: NodeJS.Timeout | undefined;

async function stop(): Promise<void> {
  if (statsTimer) clearInterval(statsTimer);
  if (camera) {
    await camera.close();
    send({ type: 'stats', stats: camera.stats() });
  }
  process.disconnect?.();
  process.exit(0);
}

process.on('message', (message: ParentMessage) => {
  switch (message.type) {
    case 'open': {
      try {
        camera = openCamera(message.options);
      } catch (err) {
        const e = err as { code?: string; message?: string; name?: string };
        send({ type: 'openError', code: e.code ?? e.name ?? 'ERR_CAMERA', message: e.message ?? String(err) });
        process.disconnect?.();
        process.exit(0);
      }
      const cam = camera;
      cam.on('reads', (reads) => send({ type: 'reads', reads }));
      cam.on('status', (status) => {
        send({ type: 'status', status });
        send({ type: 'stats', stats: cam.stats() });
      });
      cam.on('error', (e) => send({ type: 'error', code: e.code, message: e.message, debug: e.debug, fatal: e.fatal }));
      cam.on('dropped', (dropped) => send({ type: 'dropped', dropped }));
      statsTimer = setInterval(() => send({ type: 'stats', stats: cam.stats() }), STATS_MS);
      cam
        .start()
        .then(() => send({ type: 'started', pid: process.pid }))
        .catch((err: Error) => send({ type: 'openError', code: 'ERR_CAMERA_START', message: err.message }));
      break;
    }
    case 'stop':
      void stop();
      break;
    case 'crashForTest':
      crashForTest();
      break;
  }
});

// The parent went away (it crashed or was killed): a camera without its service has no one to read for.
process.on('disconnect', () => {
  void stop();
});

send({ type: 'ready', pid: process.pid });
