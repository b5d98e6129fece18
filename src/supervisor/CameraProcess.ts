/**
 * A camera run in a supervised worker process (cameraWorker.ts), with the same surface the service
 * uses of an in-process Camera (`on`, `start`, `stats`, `close`, `status`). A crash of the native core
 * (a segfault in a decoder or a stage) ends the worker only: the service, its pipeline (open plate
 * groups), the outbox and the other cameras go on, and the worker is restarted with exponential
 * backoff. The reason and the measured cost are in README.md ("Design": crash isolation).
 *
 *   const cam = new CameraProcess(options);
 *   cam.on('reads', (reads) => ...);            // as Camera; evidence JPEGs arrive as Buffers
 *   cam.on('error', (e) => ...);                // plus ERR_CAMERA_CRASHED when the worker dies
 *   await cam.start();
 *   await cam.close();                          // worker stopped (SIGKILL after 10 s); safe to call twice
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';

import type { CameraEvents, CameraStats, CameraStatus } from '../capture/camera.js';
import { CaptureError } from '../capture/errors.js';
import type { CameraOptions } from '../capture/options.js';
import { waitForStatus } from '../capture/waitForStatus.js';
import { packageRoot } from '../paths.js';
import type { FrameRead } from '../reads.js';
import type { ParentMessage, WorkerMessage } from './protocol.js';

/** The worker's entry point (always the compiled one: it is started with plain node). */
export const CAMERA_WORKER = path.join(packageRoot, 'dist', 'src', 'supervisor', 'cameraWorker.js');

export interface CameraProcessOptions {
  /** First restart delay after a crash, ms; doubles per crash up to maxRestartDelayMs. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** A worker that ran this long before dying starts the backoff over. */
  stableMs?: number;
  /** Environment of the worker (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

/** What a crash looked like: for logs and the restart counter. */
export interface CameraCrash {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  restarts: number;
  delayMs: number;
}

type Listeners = { [K in keyof CameraEvents]: Set<CameraEvents[K]> };

function zeroStats(id: string): CameraStats {
  return {
    id,
    state: 'idle',
    framesDecoded: 0,
    framesAnalysed: 0,
    framesSkipped: { rate: 0, motion: 0 },
    framesDropped: { busy: 0, delivery: 0 },
    reads: 0,
    readsDropped: 0,
    analysisErrors: 0,
    sessions: 0,
    reconnects: 0,
    width: 0,
    height: 0,
    analyseMsMean: 0,
    latencyMsP50: 0,
    latencyMsP99: 0,
    stageMs: {},
  };
}

/** Structured clone turns Buffers into Uint8Arrays: make the evidence Buffers again. */
function asBuffer(b: Uint8Array | undefined): Buffer | undefined {
  return b === undefined || Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

export class CameraProcess {
  readonly id: string;
  readonly options: Readonly<CameraOptions>;
  #settings: Required<Omit<CameraProcessOptions, 'env'>> & Pick<CameraProcessOptions, 'env'>;
  #child: ChildProcess | undefined;
  #status: CameraStatus = { state: 'idle' };
  #stats: CameraStats;
  #listeners: Listeners = { reads: new Set(), status: new Set(), error: new Set(), dropped: new Set() };
  #crashListeners = new Set<(crash: CameraCrash) => void>();
  #running = false;
  #closing: Promise<void> | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  #restarts = 0;
  #delayMs: number;
  #startedAt = 0;

  constructor(options: CameraOptions, settings: CameraProcessOptions = {}) {
    this.id = options.id;
    this.options = options;
    this.#settings = { restartDelayMs: 500, maxRestartDelayMs: 30_000, stableMs: 60_000, ...settings };
    this.#delayMs = this.#settings.restartDelayMs;
    this.#stats = zeroStats(options.id);
  }

  get status(): CameraStatus {
    return this.#status;
  }

  /** The worker's process id (undefined between a crash and its restart). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Workers restarted after a crash so far. */
  get restarts(): number {
    return this.#restarts;
  }

  on<K extends keyof CameraEvents>(event: K, listener: CameraEvents[K]): this {
    this.#listeners[event].add(listener);
    return this;
  }

  off<K extends keyof CameraEvents>(event: K, listener: CameraEvents[K]): this {
    this.#listeners[event].delete(listener);
    return this;
  }

  /** Called when the worker dies unasked, before its restart is scheduled. */
  onCrash(listener: (crash: CameraCrash) => void): this {
    this.#crashListeners.add(listener);
    return this;
  }

  /** Starts the worker; resolves once it runs the camera (watch `status` for `playing`). */
  async start(): Promise<void> {
    if (this.#closing)
      throw new CaptureError('ERR_CAMERA_CLOSED', `camera '${this.id}' is closed`, { cameraId: this.id });
    if (this.#running) return;
    this.#running = true;
    await this.#spawn();
  }

  /** The worker's last reported counters (refreshed every second and on each status change). */
  stats(): CameraStats {
    return { ...this.#stats, state: this.#status.state };
  }

  /** Resolves once the camera reaches one of `states`; rejects with ERR_CONNECT_TIMEOUT after `timeoutMs`. */
  waitFor(states: CameraStatus['state'] | CameraStatus['state'][], timeoutMs = 30_000): Promise<CameraStatus> {
    return waitForStatus(this, states, timeoutMs);
  }

  /** Fault tests: makes the worker segfault in native code (needs PLATEWATCH_CRASH_TEST=1 in its env). */
  crashForTest(): void {
    this.#send({ type: 'crashForTest' });
  }

  /** Stops the worker (SIGKILL if it has not exited after `timeoutMs`); further calls return the same promise. */
  close(timeoutMs = 10_000): Promise<void> {
    this.#closing ??= (async () => {
      this.#running = false;
      clearTimeout(this.#restartTimer);
      const child = this.#child;
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        this.#send({ type: 'stop' });
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      this.#child = undefined;
      // The worker's camera usually said so already (its last status event).
      if (this.#status.state !== 'closed') this.#setStatus({ state: 'closed' });
    })();
    return this.#closing;
  }

  #send(message: ParentMessage): void {
    const child = this.#child;
    if (child?.connected) child.send(message);
  }

  #spawn(): Promise<void> {
    const child = fork(CAMERA_WORKER, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: this.#settings.env ?? process.env,
    });
    this.#child = child;
    this.#startedAt = Date.now();
    return new Promise<void>((resolve) => {
      let settled = false;
      const done = () => {
        if (!settled) {
          settled = true;
          resolve();
        }
      };
      child.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready') child.send({ type: 'open', options: this.options } satisfies ParentMessage);
        else if (m.type === 'started') done();
        else this.#onMessage(m);
        if (m.type === 'openError') done();
      });
      child.on('error', (err) => {
        this.#emit(
          'error',
          new CaptureError('ERR_CAMERA_WORKER', `camera '${this.id}': ${err.message}`, { cameraId: this.id }),
        );
      });
      child.once('exit', (code, signal) => {
        done();
        this.#onExit(child, code, signal);
      });
    });
  }

  #onMessage(m: WorkerMessage): void {
    switch (m.type) {
      case 'reads':
        for (const r of m.reads as FrameRead[]) {
          const plate = asBuffer(r.plateJpeg);
          const context = asBuffer(r.contextJpeg);
          if (plate) r.plateJpeg = plate;
          if (context) r.contextJpeg = context;
        }
        this.#emit('reads', m.reads);
        break;
      case 'status':
        this.#setStatus(m.status);
        break;
      case 'stats':
        this.#stats = m.stats;
        break;
      case 'dropped':
        this.#emit('dropped', m.dropped);
        break;
      case 'error':
        this.#emit('error', new CaptureError(m.code, m.message, { cameraId: this.id, debug: m.debug, fatal: m.fatal }));
        break;
      case 'openError':
        // A bad source or option: restarting would fail the same way.
        this.#running = false;
        this.#emit('error', new CaptureError(m.code, m.message, { cameraId: this.id, fatal: true }));
        this.#setStatus({ state: 'failed', attempts: 1, code: m.code, message: m.message });
        break;
      default:
        break;
    }
  }

  #onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#child === child) this.#child = undefined;
    if (!this.#running) return; // asked to stop, or failed to open
    if (Date.now() - this.#startedAt >= this.#settings.stableMs) this.#delayMs = this.#settings.restartDelayMs;
    const delayMs = this.#delayMs;
    this.#delayMs = Math.min(this.#settings.maxRestartDelayMs, this.#delayMs * 2);
    this.#restarts += 1;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    const message = `camera '${this.id}': worker process ${child.pid} died (${how}); restarting in ${delayMs} ms`;
    const crash: CameraCrash = { pid: child.pid ?? 0, code, signal, restarts: this.#restarts, delayMs };
    for (const l of this.#crashListeners) l(crash);
    this.#emit('error', new CaptureError('ERR_CAMERA_CRASHED', message, { cameraId: this.id }));
    this.#setStatus({ state: 'reconnecting', attempt: this.#restarts, delayMs, code: 'ERR_CAMERA_CRASHED', message });
    this.#restartTimer = setTimeout(() => {
      if (this.#running) void this.#spawn();
    }, delayMs);
  }

  #emit<K extends keyof CameraEvents>(event: K, ...args: Parameters<CameraEvents[K]>): void {
    for (const listener of this.#listeners[event]) {
      try {
        (listener as (...a: Parameters<CameraEvents[K]>) => void)(...args);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  #setStatus(status: CameraStatus): void {
    this.#status = status;
    this.#emit('status', status);
  }
}
