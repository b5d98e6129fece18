import { readdirSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { openCamera } from '../src/capture/camera.js';
import { CITY, RtspServer, testCamera } from './capture-helpers.js';

const fds = () => readdirSync('/proc/self/fd').length;
const threads = () => readdirSync('/proc/self/task').length;
const rssMb = () => process.memoryUsage().rss / 1e6;

async function cycle(uri: string): Promise<void> {
  const cam = openCamera(testCamera({ uri, analyseFps: 30 }));
  await cam.start();
  await cam.waitFor('playing', 10_000);
  await cam.close();
}

// The 1,000-cycle run is `platewatch bench capture-cycles --cycles 1000` (bench/, not a timed test).
describe('open/start/close cycles', () => {
  it('150 cycles on a file leak no file descriptors, threads or memory', async () => {
    for (let i = 0; i < 20; i++) await cycle(CITY); // warm-up: GStreamer registry, plugin loading, pools
    const before = { fds: fds(), threads: threads(), rss: rssMb() };
    for (let i = 0; i < 150; i++) await cycle(CITY);
    global.gc?.();
    const after = { fds: fds(), threads: threads(), rss: rssMb() };
    expect(after.fds).toBeLessThanOrEqual(before.fds + 2);
    expect(after.threads).toBeLessThanOrEqual(before.threads + 2);
    expect(after.rss - before.rss).toBeLessThan(40);
  }, 120_000);

  it('30 cycles against a real RTSP server leak no file descriptors or threads', async () => {
    const rtsp = await RtspServer.start();
    try {
      for (let i = 0; i < 5; i++) await cycle(rtsp.url);
      const before = { fds: fds(), threads: threads() };
      for (let i = 0; i < 30; i++) await cycle(rtsp.url);
      const after = { fds: fds(), threads: threads() };
      expect(after.fds).toBeLessThanOrEqual(before.fds + 2);
      expect(after.threads).toBeLessThanOrEqual(before.threads + 2);
    } finally {
      await rtsp.stop();
    }
  }, 120_000);
});
