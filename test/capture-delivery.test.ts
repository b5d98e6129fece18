import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { type Camera, type DroppedFrames, openCamera } from '../src/capture/camera.js';
import { CITY, Recorder, testCamera, until } from './capture-helpers.js';
import { fixtureDir } from './fixtures.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
function camera(...args: Parameters<typeof testCamera>): Camera {
  const cam = openCamera(testCamera(...args));
  cleanups.push(() => cam.close());
  return cam;
}

describe('delivery to JavaScript is bounded and never blocks capture', () => {
  it('a blocked event loop: capture keeps decoding, reads beyond deliveryQueue are dropped and counted', async () => {
    const cam = camera({ uri: CITY, analyseFps: 15, deliveryQueue: 1 });
    const rec = new Recorder(cam);
    const dropped: DroppedFrames[] = [];
    cam.on('dropped', (d) => dropped.push(d));
    await cam.start();
    await until(() => rec.reads.length > 0, 15_000, 'a first read');
    const before = cam.stats();
    // Block the JS thread for 3 s (plates stay readable for ~1.5 s at a time in the sample): the native
    // side cannot deliver anything meanwhile.
    const end = Date.now() + 3000;
    while (Date.now() < end) {
      /* busy */
    }
    const during = cam.stats();
    // Decoding and analysis went on at frame rate while JavaScript was blocked (30 fps * 2 s).
    // (Bounds leave room for a loaded machine: real time would be 90 decoded and 45 analysed.)
    expect(during.framesDecoded - before.framesDecoded).toBeGreaterThan(30);
    expect(during.framesAnalysed - before.framesAnalysed).toBeGreaterThan(8);
    // Only 1 frame's reads could wait; the rest were dropped and counted, not queued.
    expect(during.framesDropped.delivery).toBeGreaterThan(0);
    expect(during.readsDropped).toBeGreaterThanOrEqual(during.framesDropped.delivery);
    await until(() => dropped.some((d) => d.delivery > 0), 5_000, 'a dropped notice');
    await cam.close();
    const s = cam.stats();
    expect(rec.reads.length).toBe(s.reads);
  });
});

describe('Camera on an HTTP MJPEG stream', () => {
  it('plays multipart JPEG over HTTP and reconnects when the server goes away', async () => {
    execFileSync('gst-launch-1.0', [
      '-q',
      'videotestsrc',
      'num-buffers=10',
      'pattern=ball',
      '!',
      'video/x-raw,width=480,height=270',
      '!',
      'jpegenc',
      '!',
      'multifilesink',
      `location=${path.join(fixtureDir(), 'mjpeg-%02d.jpg')}`,
    ]);
    const frames = readdirSync(fixtureDir())
      .filter((f) => /^mjpeg-\d+\.jpg$/.test(f))
      .sort()
      .map((f) => readFileSync(path.join(fixtureDir(), f)));
    expect(frames.length).toBe(10);
    const clients = new Set<ServerResponse>();
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'multipart/x-mixed-replace; boundary=frame' });
      clients.add(res);
      let i = 0;
      const timer = setInterval(() => {
        const jpeg = frames[i++ % frames.length]!;
        res.write(`--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`);
        res.write(jpeg);
        res.write('\r\n');
      }, 40);
      res.on('close', () => {
        clearInterval(timer);
        clients.delete(res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const stopServer = () =>
      new Promise<void>((r) => {
        for (const c of clients) c.destroy();
        server.close(() => r());
      });
    cleanups.push(() => (server.listening ? stopServer() : undefined));
    const port = (server.address() as AddressInfo).port;
    const cam = camera({
      uri: `http://127.0.0.1:${port}/video.mjpg`,
      analyseFps: 0,
      stallTimeoutMs: 1000,
      reconnect: { initialDelayMs: 100, maxDelayMs: 200, jitter: 0, maxAttempts: 0 },
    });
    const rec = new Recorder(cam);
    await cam.start();
    expect(await cam.waitFor('playing', 15_000)).toMatchObject({ width: 480, height: 270 });
    await until(() => cam.stats().framesAnalysed >= 10, 10_000, '10 analysed frames');
    await stopServer();
    const reconnecting = await cam.waitFor('reconnecting', 10_000);
    expect(reconnecting.state).toBe('reconnecting');
    expect(rec.errors.length).toBeGreaterThan(0);
  });
});
