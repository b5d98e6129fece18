/**
 * Helpers for the capture tests: cameras on the sample footage, a real RTSP server on loopback
 * (tools/rtsp_server.py, Debian's gst-rtsp-server), and event recording.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

import type { Camera, CameraStatus } from '../src/capture/camera.js';
import type { CaptureError } from '../src/capture/errors.js';
import { type CameraOptions, cameraOptions } from '../src/capture/options.js';
import type { CameraConfig } from '../src/config/capture.js';
import { packageRoot } from '../src/paths.js';
import type { FrameRead } from '../src/reads.js';
import { PYTHON } from './fixtures.js';

export const CITY = path.join(packageRoot, 'samples', 'city-720p.mp4');

export interface Manifest {
  files: {
    file: string;
    width: number;
    height: number;
    fps: number;
    seconds: number;
    vehicles: { plate: string; state: string; readableS: [number, number] }[];
  }[];
}

export function manifest(): Manifest {
  return JSON.parse(readFileSync(path.join(packageRoot, 'samples', 'manifest.json'), 'utf8')) as Manifest;
}

/** Options for a test camera: the built-in defaults with `over` on top. */
export function testCamera(over: Partial<CameraConfig> & { id?: string } = {}): CameraOptions {
  return cameraOptions({ id: 'test-cam', ...over } as CameraConfig);
}

/** Everything a camera emitted, in order. */
export class Recorder {
  statuses: CameraStatus[] = [];
  errors: CaptureError[] = [];
  reads: FrameRead[] = [];
  batches = 0;

  constructor(camera: Camera) {
    camera.on('status', (s) => this.statuses.push(s));
    camera.on('error', (e) => this.errors.push(e));
    camera.on('reads', (r) => {
      this.batches += 1;
      this.reads.push(...r);
    });
  }

  states(): string[] {
    return this.statuses.map((s) => s.state);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every 50 ms until it holds; throws after `timeoutMs` with `what`. */
export async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** A real RTSP server on loopback serving a sample file; stop() pulls the cable. */
export class RtspServer {
  url = '';
  port = 0;
  #child: ChildProcess | undefined;

  static async start(opts: { file?: string; port?: number; stallAfterS?: number } = {}): Promise<RtspServer> {
    const server = new RtspServer();
    await server.#spawn(opts.file ?? CITY, opts.port ?? 0, opts.stallAfterS ?? 0);
    return server;
  }

  async #spawn(file: string, port: number, stallAfterS: number): Promise<void> {
    const args = [path.join(packageRoot, 'tools', 'rtsp_server.py'), '--file', file, '--port', String(port)];
    if (stallAfterS > 0) args.push('--stall-after', String(stallAfterS));
    const child = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    this.#child = child;
    const lines = createInterface({ input: child.stdout! });
    this.url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('rtsp_server.py did not start within 10 s')), 10_000);
      child.once('exit', (code) => reject(new Error(`rtsp_server.py exited with ${code}`)));
      lines.on('line', (line) => {
        if (line.startsWith('READY ')) {
          clearTimeout(timer);
          resolve(line.slice(6).trim());
        }
      });
    });
    this.port = Number(new URL(this.url).port);
  }

  /** Starts the same server again on the same port. */
  async restart(file = CITY): Promise<void> {
    await this.#spawn(file, this.port, 0);
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  }
}
