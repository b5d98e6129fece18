/**
 * A live camera: GStreamer capture and recognition on native threads, plate reads and lifecycle
 * events delivered here in batches.
 *
 *   const cam = openCamera(options);             // throws CaptureError/TypeError/ModelError synchronously
 *   cam.on('reads', (reads: FrameRead[]) => ...); // every read of the analysed frames since the last batch
 *   cam.on('status', (s: CameraStatus) => ...);   // connecting -> playing -> reconnecting -> ... -> stopped
 *   cam.on('error', (e: CaptureError) => ...);    // asynchronous failures, with a code (never throws if unheard)
 *   await cam.start();
 *   cam.stats();                                  // counters, see CameraStats
 *   await cam.close();                            // threads joined, pipeline in NULL state; safe to call twice
 */
import type { NativeCamera, NativeCameraEvent, NativeCameraStats } from '../native.js';
import { createNativeCamera } from '../native.js';
import type { FrameRead } from '../reads.js';
import { CaptureError, captureErrorFromNative } from './errors.js';
import { holdHeapTrim } from './heapTrim.js';
import type { CameraOptions } from './options.js';
import { waitForStatus } from './waitForStatus.js';

/** Where a camera is in its life; `status` events carry the new value after it changed. */
export type CameraStatus =
  | { state: 'idle' }
  | { state: 'connecting'; attempt: number }
  | { state: 'playing'; width: number; height: number; fps: number; format: string }
  | { state: 'reconnecting'; attempt: number; delayMs: number; code: string; message: string }
  | { state: 'eos' }
  | { state: 'failed'; attempts: number; code: string; message: string }
  | { state: 'stopped' }
  | { state: 'closed' };

/** Frames lost since the last notice: replaced before analysis (busy) or JavaScript fell behind (delivery). */
export interface DroppedFrames {
  busy: number;
  delivery: number;
}

export interface CameraStats extends NativeCameraStats {
  id: string;
}

/** The events of a Camera and their listeners. */
export interface CameraEvents {
  reads: (reads: FrameRead[]) => void;
  status: (status: CameraStatus) => void;
  error: (error: CaptureError) => void;
  dropped: (dropped: DroppedFrames) => void;
}

type Listeners = { [K in keyof CameraEvents]: Set<CameraEvents[K]> };

export class Camera {
  readonly id: string;
  readonly options: Readonly<CameraOptions>;
  #native: NativeCamera | undefined;
  #status: CameraStatus = { state: 'idle' };
  #listeners: Listeners = { reads: new Set(), status: new Set(), error: new Set(), dropped: new Set() };
  #stopped: Promise<void> | undefined;
  #resolveStopped: (() => void) | undefined;
  #closing: Promise<void> | undefined;
  #finalStats: CameraStats | undefined;
  #releaseHeapTrim: () => void;

  /** Use openCamera(). */
  constructor(options: CameraOptions) {
    this.id = options.id;
    this.options = options;
    const callSite = new Error();
    try {
      this.#native = createNativeCamera(options, (events, reads) => this.#onBatch(events, reads));
    } catch (err) {
      throw captureErrorFromNative(err, options.id, callSite);
    }
    this.#releaseHeapTrim = holdHeapTrim();
  }

  get status(): CameraStatus {
    return this.#status;
  }

  on<K extends keyof CameraEvents>(event: K, listener: CameraEvents[K]): this {
    this.#listeners[event].add(listener);
    return this;
  }

  off<K extends keyof CameraEvents>(event: K, listener: CameraEvents[K]): this {
    this.#listeners[event].delete(listener);
    return this;
  }

  /** Starts capturing; returns once the camera's threads run (watch `status` for `playing`). */
  async start(): Promise<void> {
    if (!this.#native)
      throw new CaptureError('ERR_CAMERA_CLOSED', `camera '${this.id}' is closed`, { cameraId: this.id });
    if (this.#stopped && !this.#resolveStopped) this.#stopped = undefined; // a previous run has ended
    if (this.#stopped) return;
    this.#stopped = new Promise((resolve) => {
      this.#resolveStopped = resolve;
    });
    this.#native.start();
  }

  /** Stops capturing: resolves when the threads have stopped and the pipeline is down. Idempotent. */
  async stop(): Promise<void> {
    if (!this.#native || !this.#stopped) return;
    this.#native.stop();
    await this.#stopped;
  }

  /** Stops and releases everything native; further calls return the same promise. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.stop();
      if (this.#native) {
        this.#finalStats = { id: this.id, ...this.#native.stats() };
        this.#native.close();
        this.#native = undefined;
      }
      this.#releaseHeapTrim();
      this.#setStatus({ state: 'closed' });
    })();
    return this.#closing;
  }

  /** The camera's counters (after close(), the last values). */
  stats(): CameraStats {
    if (this.#native) return { id: this.id, ...this.#native.stats() };
    if (this.#finalStats) return { ...this.#finalStats, state: 'closed' };
    throw new CaptureError('ERR_CAMERA_CLOSED', `camera '${this.id}' is closed`, { cameraId: this.id });
  }

  /**
   * Resolves with the status once the camera reaches one of `states` (at once if it is there already);
   * rejects with a CaptureError ERR_CONNECT_TIMEOUT after `timeoutMs`.
   */
  waitFor(states: CameraStatus['state'] | CameraStatus['state'][], timeoutMs = 30_000): Promise<CameraStatus> {
    return waitForStatus(this, states, timeoutMs);
  }

  #emit<K extends keyof CameraEvents>(event: K, ...args: Parameters<CameraEvents[K]>): void {
    for (const listener of this.#listeners[event]) {
      try {
        (listener as (...a: Parameters<CameraEvents[K]>) => void)(...args);
      } catch (err) {
        // A throwing listener is the caller's bug: report it as uncaught (as EventEmitter would), but
        // after the rest of the batch, so the camera's own state (e.g. `stopped` for close()) stays whole.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  #setStatus(status: CameraStatus): void {
    this.#status = status; // state first, then the event
    this.#emit('status', status);
  }

  /* Called on the JS thread with everything the native threads produced since the last batch. */
  #onBatch(events: NativeCameraEvent[], reads: FrameRead[]): void {
    for (const e of events) {
      switch (e.type) {
        case 'connecting':
          this.#setStatus({ state: 'connecting', attempt: e.attempt });
          break;
        case 'playing':
          this.#setStatus({ state: 'playing', width: e.width, height: e.height, fps: e.fps, format: e.format });
          break;
        case 'error':
          this.#emit(
            'error',
            new CaptureError(e.code, `camera '${this.id}': ${e.message}`, {
              cameraId: this.id,
              debug: e.debug,
              fatal: e.fatal,
            }),
          );
          break;
        case 'reconnecting':
          this.#setStatus({
            state: 'reconnecting',
            attempt: e.attempt,
            delayMs: e.delayMs,
            code: e.code,
            message: e.message,
          });
          break;
        case 'eos':
          this.#setStatus({ state: 'eos' });
          break;
        case 'failed':
          this.#setStatus({ state: 'failed', attempts: e.attempts, code: e.code, message: e.message });
          break;
        case 'dropped':
          this.#emit('dropped', { busy: e.busy, delivery: e.delivery });
          break;
        case 'stopped':
          this.#setStatus({ state: 'stopped' });
          this.#resolveStopped?.();
          this.#resolveStopped = undefined;
          break;
      }
    }
    if (reads.length > 0) this.#emit('reads', reads);
  }
}

/**
 * Opens a camera (not started yet). Throws synchronously: TypeError (a bad option, named),
 * CaptureError ERR_CAMERA_URI / ERR_PIPELINE_PARSE / ERR_FILE_NOT_FOUND, ModelError.
 */
export function openCamera(options: CameraOptions): Camera {
  return new Camera(options);
}
