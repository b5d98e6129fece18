/**
 * Fault: a crash inside the native core. `platewatch run` runs each camera (GStreamer capture and the
 * recognizer) in a supervised worker process (src/supervisor/CameraProcess.ts). One camera's native core
 * segfaults (the addon's test-only crashForTest(), a null write on a native thread): only its worker
 * dies; it is restarted and plays again; the other camera's worker never notices; the service keeps its
 * in-memory state (an open plate group continues across the crash) and every hit committed before,
 * during and after reaches JetStream exactly once; the restart is counted in /metrics.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadConfig } from '../src/config/load.js';
import type { OutboxMessage } from '../src/nats/Outbox.js';
import type { HitMessage, ReadMessage } from '../src/pipeline/messages.js';
import { RunService } from '../src/run/RunService.js';
import { STREAMS } from '../src/subjects.js';
import { CameraProcess } from '../src/supervisor/CameraProcess.js';
import { distinctPlates, entries, metricValue, sleep, streamMessages, until } from './faults-helpers.js';
import { read } from './frameReads.js';

const source = 'videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=10/1';

describe('fault: a crash in the native core', () => {
  it('a segfault in one camera worker kills only that worker: it is restarted, the other camera and the service go on, no committed hit or open plate group is lost', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'platewatch-faults-native-'));
    const config = loadConfig(undefined, {
      dataDir,
      nats: { localPort: 0, retryMs: 100 },
      metrics: { port: 0 },
      pipeline: { groupGapMs: 300 },
      governance: { api: { port: 0 } },
      cameras: [
        { id: 'ncam1', pipeline: source, analyseFps: 2 },
        { id: 'ncam2', pipeline: source, analyseFps: 2 },
      ],
    });
    const hits: HitMessage[] = [];
    const finals: ReadMessage[] = [];
    const lines: string[] = [];
    const service = new RunService(config, {
      cameraProcesses: true,
      cameraProcessOptions: { env: { ...process.env, PLATEWATCH_CRASH_TEST: '1' }, restartDelayMs: 200 },
      log: (l) => lines.push(l),
      onHit: (h) => hits.push(h),
      onCommitted: (messages: OutboxMessage[]) => {
        for (const m of messages) if (m.kind === 'read') finals.push(JSON.parse(m.payload));
      },
    });
    const plates = distinctPlates(30, 5);
    let next = 0;
    const vehicles = () =>
      service.push(['ncam1', 'ncam2'].map((cameraId) => read(plates[next++]!, 0.95, { cameraId, state: 'CA' })));
    try {
      await service.start();
      const s = service.status;
      if (s.state !== 'running') throw new Error('not running');
      await service.hotlist!.replaceSource('FAULTS', entries(plates.slice(0, -1))); // the last: not listed
      const [cam1, cam2] = service.cameras as CameraProcess[];
      expect(cam1).toBeInstanceOf(CameraProcess);
      await Promise.all([cam1!.waitFor('playing', 30_000), cam2!.waitFor('playing', 30_000)]);
      const pid1 = cam1!.pid;
      const pid2 = cam2!.pid;
      expect(pid1).not.toBe(process.pid);
      for (let i = 0; i < 3; i++) vehicles();

      // A vehicle still being read when the camera crashes: one unconfident read opens its group.
      const passing = plates.at(-1)!;
      service.push([read(passing, 0.5, { cameraId: 'ncam1', state: 'CA' })]);
      await sleep(50);
      const decoded2 = cam2!.stats().framesDecoded;
      const crashedAt = Date.now();
      cam1!.crashForTest();
      expect(await until(() => cam1!.status.state === 'reconnecting', 10_000)).toBe(true);
      service.push([read(passing, 0.5, { cameraId: 'ncam1', state: 'CA' })]); // the same vehicle, same group
      vehicles();
      await cam1!.waitFor('playing', 30_000);
      const backAfterMs = Date.now() - crashedAt;
      vehicles();

      expect(service.status.state).toBe('running');
      expect(lines.find((l) => /ERR_CAMERA_CRASHED/.test(l))).toMatch(/worker process \d+ died \(signal SIGSEGV\)/);
      expect(cam1!.pid).toBeDefined();
      expect(cam1!.pid).not.toBe(pid1);
      expect(cam1!.restarts).toBe(1);
      expect(cam2!.pid).toBe(pid2);
      expect(cam2!.restarts).toBe(0);
      expect(await until(() => cam2!.stats().framesDecoded > decoded2 + 5, 10_000)).toBe(true);

      // Nothing in the service was lost: the open group continued, every hit is on JetStream once.
      expect(await until(() => finals.some((f) => f.group.plate === passing), 10_000)).toBe(true);
      expect(finals.find((f) => f.group.plate === passing)?.group.reads).toBe(2);
      expect(await until(() => hits.length === next && service.outbox!.depth === 0, 10_000)).toBe(true);
      const stored = await streamMessages(s.natsUrl, STREAMS.hits.name, service.governance!.natsConnectOptions());
      expect(stored.map((m) => String(m.data.id)).sort()).toEqual(hits.map((h) => h.id).sort());

      // A second crash soon after: restarted again, after twice the delay (exponential backoff).
      const delays: number[] = [];
      cam1!.on('status', (st) => {
        if (st.state === 'reconnecting') delays.push(st.delayMs);
      });
      cam1!.crashForTest();
      await cam1!.waitFor('reconnecting', 10_000);
      await cam1!.waitFor('playing', 30_000);
      expect(delays).toEqual([400]);
      expect(cam1!.restarts).toBe(2);

      const text = await (await fetch(s.metricsUrl!)).text();
      expect(metricValue(text, 'platewatch_camera_restarts_total', 'camera="ncam1"')).toBe(2);
      expect(metricValue(text, 'platewatch_camera_restarts_total', 'camera="ncam2"')).toBeUndefined();
      console.log(`native crash: camera ncam1 playing again ${backAfterMs} ms after the segfault`);
    } finally {
      await service.stop(0);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
