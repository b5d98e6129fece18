import { afterEach, describe, expect, it } from 'vitest';

import { type Camera, openCamera } from '../src/capture/camera.js';
import { Recorder, RtspServer, testCamera, until } from './capture-helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(opts: Parameters<typeof RtspServer.start>[0] = {}): Promise<RtspServer> {
  const s = await RtspServer.start(opts);
  cleanups.push(() => s.stop());
  return s;
}
function camera(...args: Parameters<typeof testCamera>): Camera {
  const cam = openCamera(testCamera(...args));
  cleanups.push(() => cam.close());
  return cam;
}

describe('Camera on a real RTSP server (loopback)', () => {
  it('plays, reconnects with backoff when the cable is pulled, plays again when it is back, stops', async () => {
    const rtsp = await server();
    const cam = camera({
      uri: rtsp.url,
      analyseFps: 5,
      reconnect: { initialDelayMs: 200, maxDelayMs: 1000, jitter: 0.5, maxAttempts: 0 },
    });
    const rec = new Recorder(cam);
    await cam.start();
    expect(await cam.waitFor('playing', 15_000)).toMatchObject({ width: 1280, height: 720 });
    await until(() => rec.reads.length > 0 && cam.stats().framesAnalysed >= 5, 15_000, 'analysed frames and reads');
    expect(rec.reads[0]!.cameraId).toBe('test-cam');

    // Pull the cable: the server goes away.
    await rtsp.stop();
    const reconnecting = await cam.waitFor('reconnecting', 15_000);
    expect(reconnecting).toMatchObject({ state: 'reconnecting', attempt: 1 });
    if (reconnecting.state !== 'reconnecting') throw new Error('unreachable');
    // Attempt 1 waits initialDelayMs less up to 50 % jitter.
    expect(reconnecting.delayMs).toBeGreaterThanOrEqual(100);
    expect(reconnecting.delayMs).toBeLessThanOrEqual(200);
    expect(reconnecting.code).toMatch(/^ERR_(SOURCE|STREAM|STREAM_ENDED|STALL)$/);
    expect(rec.errors.length).toBeGreaterThan(0);
    expect(rec.errors[0]!.code).toMatch(/^ERR_/);
    // While it is down, attempts go on with growing delays.
    await until(
      () => rec.statuses.filter((s) => s.state === 'reconnecting').length >= 3,
      15_000,
      'three reconnect attempts',
    );
    const attempts = rec.statuses.flatMap((s) => (s.state === 'reconnecting' ? [s] : []));
    expect(attempts.map((a) => a.attempt).slice(0, 3)).toEqual([1, 2, 3]);
    expect(attempts[2]!.delayMs).toBeGreaterThan(attempts[0]!.delayMs);

    // Plug it back in: the camera plays again by itself.
    const decodedBefore = cam.stats().framesDecoded;
    await rtsp.restart();
    const statusesBefore = rec.statuses.length;
    await until(() => rec.statuses.slice(statusesBefore).some((s) => s.state === 'playing'), 20_000, 'playing again');
    await until(() => cam.stats().framesDecoded > decodedBefore + 10, 10_000, 'new frames');
    expect(cam.stats().sessions).toBeGreaterThanOrEqual(3);

    await cam.close();
    expect(cam.status.state).toBe('closed');
  }, 90_000);

  it('a camera that stalls without closing the connection is reconnected by the watchdog', async () => {
    const rtsp = await server({ stallAfterS: 2 });
    const cam = camera({
      uri: rtsp.url,
      stallTimeoutMs: 1500,
      reconnect: { initialDelayMs: 100, maxDelayMs: 200, jitter: 0, maxAttempts: 0 },
    });
    const rec = new Recorder(cam);
    await cam.start();
    await cam.waitFor('playing', 15_000);
    const reconnecting = await cam.waitFor('reconnecting', 15_000);
    expect(reconnecting).toMatchObject({ code: 'ERR_STALL', attempt: 1 });
    expect(rec.errors.map((e) => e.code)).toContain('ERR_STALL');
    // The new session plays again (each session of the test server stalls after 2 s).
    const n = rec.statuses.length;
    await until(() => rec.statuses.slice(n).some((s) => s.state === 'playing'), 15_000, 'playing after the stall');
  }, 60_000);

  it('two cameras are independent: one failing does not disturb the other', async () => {
    const rtsp = await server();
    const good = camera({ id: 'good', uri: rtsp.url, analyseFps: 5 });
    const bad = camera({
      id: 'bad',
      uri: 'rtsp://127.0.0.1:9/nothing',
      reconnect: { initialDelayMs: 50, maxDelayMs: 100, jitter: 0, maxAttempts: 0 },
    });
    await Promise.all([good.start(), bad.start()]);
    await good.waitFor('playing', 15_000);
    const before = good.stats().framesDecoded;
    await until(() => bad.stats().reconnects >= 5, 15_000, 'five reconnects of the bad camera');
    await until(() => good.stats().framesDecoded > before + 30, 10_000, 'the good camera to keep decoding');
    expect(good.stats().sessions).toBe(1);
    expect(good.status.state).toBe('playing');
  }, 60_000);
});
