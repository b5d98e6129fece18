import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { type Camera, openCamera } from '../src/capture/camera.js';
import { CaptureError } from '../src/capture/errors.js';
import { modelDir } from '../src/paths.js';
import { CITY, manifest, Recorder, testCamera, until } from './capture-helpers.js';
import { fixtureDir, PYTHON } from './fixtures.js';

const open: Camera[] = [];
function camera(...args: Parameters<typeof testCamera>): Camera {
  const cam = openCamera(testCamera(...args));
  open.push(cam);
  return cam;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

const isJpeg = (b: Buffer | undefined) => !!b && b.length > 100 && b[0] === 0xff && b[1] === 0xd8;
/** Mean |B - R| of a JPEG's pixels (0 for a grey image), decoded by Debian's python3-opencv. */
function chromaSpread(jpeg: Buffer): number {
  const file = path.join(fixtureDir(), `evidence-${process.pid}.jpg`);
  writeFileSync(file, jpeg);
  const out = execFileSync(PYTHON, [
    '-c',
    'import sys, cv2, numpy as np; im = cv2.imread(sys.argv[1]).astype(np.int16); print(float(np.abs(im[:, :, 0] - im[:, :, 2]).mean()))',
    file,
  ]);
  return Number(out.toString().trim());
}
function jpegWidth(b: Buffer): number {
  // The SOF0/SOF2 segment holds height then width.
  for (let i = 2; i < b.length - 9; ) {
    const marker = b[i + 1]!;
    const len = b.readUInt16BE(i + 2);
    if (marker === 0xc0 || marker === 0xc2) return b.readUInt16BE(i + 7);
    i += 2 + len;
  }
  return -1;
}

describe('Camera on a file (sample footage)', () => {
  it('plays the 720p sample in real time and analyses frames at analyseFps', async () => {
    const cam = camera({ uri: CITY, analyseFps: 10 });
    const rec = new Recorder(cam);
    await cam.start();
    const playing = await cam.waitFor('playing', 10_000);
    expect(playing).toEqual({ state: 'playing', width: 1280, height: 720, fps: 30, format: 'I420' });
    const t0 = Date.now();
    await until(() => cam.stats().framesDecoded >= 90, 15_000, '90 decoded frames');
    const elapsed = (Date.now() - t0) / 1000;
    const s = cam.stats();
    // Real time: 90 frames of a 30 fps file take about 3 s, not a fraction of a second.
    expect(elapsed).toBeGreaterThan(2);
    // The rate gate passes 10 of 30 fps: two thirds are skipped, the rest analysed (or, on a machine
    // too busy to keep up, replaced by a newer frame: counted as dropped, never queued).
    expect(s.framesSkipped.rate / s.framesDecoded).toBeGreaterThan(0.55);
    expect(s.framesSkipped.rate / s.framesDecoded).toBeLessThan(0.8);
    const passed = s.framesDecoded - s.framesSkipped.rate;
    expect(s.framesAnalysed + s.framesDropped.busy).toBeGreaterThanOrEqual(passed - 2);
    expect(s.framesAnalysed + s.framesDropped.busy).toBeLessThanOrEqual(passed);
    expect(s.framesAnalysed).toBeGreaterThan(0);
    expect(s.sessions).toBe(1);
    expect(Object.keys(s.stageMs).length).toBeGreaterThan(0);
    expect(s.latencyMsP99).toBeGreaterThan(0);
    await cam.close();
    expect(rec.states()).toEqual(['connecting', 'playing', 'stopped', 'closed']);
    expect(rec.errors).toEqual([]);
    // Evidence is only made for read plates unless evidence.unread.
    for (const r of rec.reads) if (r.plate === '') expect(r.plateJpeg).toBeUndefined();
  });

  it('delivers reads shaped as FrameRead, with plate and context JPEGs', async () => {
    const cam = camera({ uri: CITY, analyseFps: 15, evidence: { contextWidth: 320, unread: true } });
    const rec = new Recorder(cam);
    const started = Date.now();
    await cam.start();
    await until(() => rec.reads.length > 0, 15_000, 'a read');
    await cam.close();
    const read = rec.reads[0]!;
    expect(read.cameraId).toBe('test-cam');
    expect(typeof read.plate).toBe('string');
    expect(read.confidence).toBeGreaterThanOrEqual(0);
    expect(Array.isArray(read.charConfidences)).toBe(true);
    expect(Array.isArray(read.candidates)).toBe(true);
    expect(read.box.width).toBeGreaterThan(0);
    expect(read.box.x + read.box.width).toBeLessThanOrEqual(1280);
    expect(read.box.y + read.box.height).toBeLessThanOrEqual(720);
    expect(read.capturedAt).toBeGreaterThanOrEqual(started);
    expect(read.capturedAt).toBeLessThanOrEqual(Date.now());
    expect(read.pts).toBeGreaterThanOrEqual(0);
    expect(Number.isInteger(read.frameSeq)).toBe(true);
    expect(isJpeg(read.plateJpeg)).toBe(true);
    expect(isJpeg(read.contextJpeg)).toBe(true);
    expect(jpegWidth(read.contextJpeg!)).toBe(320);
    // The plate crop is exactly the box plus the 25 % margin (clipped to the frame), in colour.
    const mx = Math.trunc(read.box.width * 0.25);
    const x0 = Math.max(0, read.box.x - mx);
    const x1 = Math.min(1280 - (1280 % 2), read.box.x + read.box.width + mx);
    expect(jpegWidth(read.plateJpeg!)).toBe(x1 - x0);
    // Colour survives (I420 chroma converted for the crop): the context image of a red-car scene is not grey.
    expect(chromaSpread(read.contextJpeg!)).toBeGreaterThan(5);
    // Reads of one frame share the frame's timestamps; frames arrive in order.
    for (let i = 1; i < rec.reads.length; i++) {
      expect(rec.reads[i]!.frameSeq).toBeGreaterThanOrEqual(rec.reads[i - 1]!.frameSeq);
    }
    expect(cam.stats().reads).toBe(rec.reads.length);
  });

  it.runIf(existsSync(path.join(modelDir, 'plate_ocr.json')))(
    'reads plates that the manifest says are in the file; rereadFrames reads a tracked plate every few frames, not every frame',
    async () => {
      const expected = new Set(
        manifest()
          .files.find((f) => f.file === 'city-720p.mp4')!
          .vehicles.map((v) => v.plate),
      );
      // Real time: decoding as fast as possible lets the leaky queue drop what analysis cannot keep up with, so the
      // number of plates read would depend on the machine's speed. Two cameras on the same file side by side:
      // the defaults (rereadFrames 4) and every plate read in every analysed frame (0).
      const opts = { uri: CITY, analyseFps: 15, realtime: true, evidence: { contextWidth: 0 } };
      const scheduled = camera({ ...opts, id: 'scheduled' });
      const everyFrame = camera({ ...opts, id: 'every-frame', rereadFrames: 0 });
      const recs = [new Recorder(scheduled), new Recorder(everyFrame)] as const;
      await Promise.all([scheduled.start(), everyFrame.start()]);
      await Promise.all([scheduled.waitFor('eos', 60_000), everyFrame.waitFor('eos', 60_000)]);
      const [s, e] = [scheduled.stats(), everyFrame.stats()];
      await Promise.all([scheduled.close(), everyFrame.close()]);
      const exact = (rec: Recorder) => {
        const n = new Map<string, number>();
        for (const r of rec.reads) if (expected.has(r.plate)) n.set(r.plate, (n.get(r.plate) ?? 0) + 1);
        return n;
      };
      const [readS, readE] = [exact(recs[0]), exact(recs[1])];
      expect(readS.size).toBeGreaterThanOrEqual(Math.ceil(expected.size / 2));
      expect(readE.size).toBeGreaterThanOrEqual(Math.ceil(expected.size / 2));
      // Scheduled: under half the reads per analysed frame (0.40 of them on this clip, session 10)...
      expect(s.stageMs).toHaveProperty('schedule_reads');
      expect(e.stageMs).not.toHaveProperty('schedule_reads');
      expect(s.reads / s.framesAnalysed).toBeLessThan(0.5 * (e.reads / e.framesAnalysed));
      // ...and still every plate that reading every frame got right several times.
      for (const [plate, n] of readE) if (n >= 3) expect(readS.get(plate) ?? 0, plate).toBeGreaterThan(0);
    },
    90_000,
  );

  it('a file ends with status eos (realtime: false decodes as fast as it can)', async () => {
    const cam = camera({ uri: CITY, realtime: false, analyseFps: 2 });
    const rec = new Recorder(cam);
    await cam.start();
    await cam.waitFor('eos', 60_000);
    const s = cam.stats();
    expect(s.framesDecoded).toBe(480);
    await cam.close();
    expect(rec.states()).toEqual(['connecting', 'playing', 'eos', 'stopped', 'closed']);
  });

  it('loop: true starts the file over instead of ending', async () => {
    const cam = camera({ uri: CITY, realtime: false, loop: true, analyseFps: 1 });
    const rec = new Recorder(cam);
    await cam.start();
    await until(() => cam.stats().framesDecoded > 600, 60_000, 'decoding past the end of the file');
    expect(cam.status.state).toBe('playing');
    expect(rec.states()).not.toContain('eos');
    expect(cam.stats().sessions).toBe(1);
  });

  it('roi: reads come only from the region of interest, in full-frame coordinates', async () => {
    const cam = camera({ uri: CITY, realtime: false, analyseFps: 0, roi: { x: 0.5, y: 0.4, width: 0.5, height: 0.6 } });
    const rec = new Recorder(cam);
    await cam.start();
    await cam.waitFor('eos', 60_000);
    await cam.close();
    expect(rec.reads.length).toBeGreaterThan(0);
    for (const r of rec.reads) {
      expect(r.box.x).toBeGreaterThanOrEqual(640);
      expect(r.box.y).toBeGreaterThanOrEqual(288);
    }
  });

  it('mask: only reads centred inside the polygon are kept', async () => {
    // A trapezoid around the right lane as it widens toward the camera (fractions of the frame).
    const mask: [number, number][] = [
      [0.5, 0.35],
      [0.75, 0.35],
      [1, 1],
      [0.6, 1],
    ];
    const inside = (x: number, y: number) => {
      let hit = false;
      for (let i = 0, j = mask.length - 1; i < mask.length; j = i++) {
        const [xi, yi] = mask[i]!;
        const [xj, yj] = mask[j]!;
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
      }
      return hit;
    };
    const cam = camera({ uri: CITY, realtime: false, analyseFps: 0, mask, evidence: { unread: true } });
    const rec = new Recorder(cam);
    await cam.start();
    await cam.waitFor('eos', 60_000);
    await cam.close();
    expect(rec.reads.length).toBeGreaterThan(0);
    for (const r of rec.reads) {
      expect(inside((r.box.x + r.box.width / 2) / 1280, (r.box.y + r.box.height / 2) / 720)).toBe(true);
    }
  }, 90_000);

  it('motion: frames in which nothing moved are skipped, not analysed', async () => {
    const cam = camera({
      pipeline:
        'videotestsrc pattern=solid-color foreground-color=0xff808080 is-live=true ! video/x-raw,width=640,height=360,framerate=30/1',
      analyseFps: 0,
      motion: { enabled: true, threshold: 1 },
    });
    await cam.start();
    await until(() => cam.stats().framesDecoded >= 30, 10_000, '30 frames');
    const s = cam.stats();
    expect(s.framesAnalysed).toBe(1); // the first frame has nothing to compare with
    // The rest were skipped as still (a few may be in flight, or replaced while the first was analysed).
    expect(s.framesSkipped.motion + s.framesAnalysed + s.framesDropped.busy).toBeGreaterThanOrEqual(
      s.framesDecoded - 2,
    );
    expect(s.framesSkipped.motion).toBeGreaterThan(s.framesDecoded / 2);
  });

  it('stop() and close() are idempotent; a closed camera reports final stats and refuses start()', async () => {
    const cam = camera({ uri: CITY });
    const rec = new Recorder(cam);
    await cam.stop(); // never started: nothing to do
    await cam.start();
    await cam.start(); // already running: no-op
    await cam.waitFor('playing', 10_000);
    await Promise.all([cam.stop(), cam.stop()]);
    expect(cam.status.state).toBe('stopped');
    // It can start again after a stop.
    await cam.start();
    await cam.waitFor('playing', 10_000);
    await Promise.all([cam.close(), cam.close()]);
    await cam.close();
    expect(cam.status.state).toBe('closed');
    expect(cam.stats().sessions).toBe(2);
    expect(cam.stats().state).toBe('closed');
    await expect(cam.start()).rejects.toMatchObject({ code: 'ERR_CAMERA_CLOSED' });
    expect(rec.states().filter((s) => s === 'stopped')).toHaveLength(2);
    expect(rec.states().at(-1)).toBe('closed');
    expect(cam.stats()).toBeTruthy();
  });

  it('a camera error is an event, not an exception, when nobody listens', async () => {
    const cam = camera({ uri: 'rtsp://127.0.0.1:9/none', reconnect: { maxAttempts: 1, initialDelayMs: 10 } });
    await cam.start();
    const failed = await cam.waitFor('failed', 20_000);
    expect(failed).toMatchObject({ state: 'failed', code: 'ERR_SOURCE' });
    expect(() => cam.stats()).not.toThrow();
    expect(new CaptureError('ERR_SOURCE', 'x', { cameraId: 'a' })).toBeInstanceOf(Error);
  });
});
