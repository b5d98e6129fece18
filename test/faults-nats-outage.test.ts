/**
 * Fault: NATS dies under live traffic. The real `platewatch run` service (RunService: pipeline, durable
 * LMDB outbox, relay, governance, /metrics over HTTP) takes a steady stream of hits from three cameras
 * while its real nats-server first hangs (SIGSTOP: publishes sent to it time out and are lost with it)
 * and is then killed with SIGKILL, and restarted a few seconds later on the same store and port.
 * Every committed hit and plate group must reach JetStream exactly once, hits in commit order per
 * camera, and the outbox depth on /metrics must rise during the outage and return to 0 after it.
 * The hang makes the relay see failed publishes whose messages never reached the store: a relay that
 * gave up a message on a publish error would lose it here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadConfig } from '../src/config/load.js';
import type { HitMessage } from '../src/pipeline/messages.js';
import { RunService } from '../src/run/RunService.js';
import { STREAMS } from '../src/subjects.js';
import { distinctPlates, entries, metricValue, sleep, streamMessages, until } from './faults-helpers.js';
import { read } from './frameReads.js';

const CAMERAS = ['fcam1', 'fcam2', 'fcam3'];

describe('fault: NATS outage under live traffic', () => {
  it('SIGKILL of nats-server mid-stream: every hit delivered exactly once, in order per camera; outbox depth rises and returns to 0', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'platewatch-faults-nats-'));
    const config = loadConfig(undefined, {
      dataDir,
      nats: { localPort: 0, retryMs: 100, publishTimeoutMs: 1000 },
      metrics: { port: 0 },
      pipeline: { groupGapMs: 150 },
      governance: { api: { port: 0 } },
    });
    const committed: HitMessage[] = [];
    const lines: string[] = [];
    const service = new RunService(config, {
      cameras: false,
      log: (l) => lines.push(l),
      onHit: (h) => committed.push(h),
    });
    const plates = distinctPlates(600);
    let next = 0;
    /** One vehicle per camera: a confident read of a listed plate is one hit (at the preview). */
    const vehicles = () =>
      service.push(CAMERAS.map((cameraId) => read(plates[next++]!, 0.95, { cameraId, state: 'CA' })));

    const depth: { phase: string; value: number }[] = [];
    let phase = 'before';
    let sampling = true;
    try {
      await service.start();
      const s = service.status;
      if (s.state !== 'running') throw new Error('not running');
      await service.hotlist!.replaceSource('FAULTS', entries(plates));
      const sampler = (async () => {
        while (sampling) {
          const text = await (await fetch(s.metricsUrl!)).text();
          const v = metricValue(text, 'platewatch_outbox_messages');
          if (v !== undefined) depth.push({ phase, value: v });
          await sleep(100);
        }
      })();

      // Steady traffic, then a burst so that publishes are in flight when the server dies.
      for (let i = 0; i < 6; i++) {
        vehicles();
        await sleep(120);
      }
      for (let i = 0; i < 15; i++) vehicles();
      expect(await until(() => service.relay !== undefined && committed.length >= 60, 10_000)).toBe(true);
      const server = service.natsServer!;
      const pid = server.status.state === 'running' ? server.status.pid : undefined;
      phase = 'outage';
      const killedAt = committed.length;
      const errorsBefore = (await service.metrics.publishErrors.get()).values[0]?.value ?? 0;
      process.kill(pid!, 'SIGSTOP');
      for (let i = 0; i < 15; i++) {
        vehicles();
        await sleep(120);
      }
      const hangErrors = ((await service.metrics.publishErrors.get()).values[0]?.value ?? 0) - errorsBefore;
      await server.kill();
      for (let i = 0; i < 8; i++) {
        vehicles();
        await sleep(120);
      }
      const duringOutage = committed.length - killedAt;
      phase = 'restart';
      await server.start();
      expect(server.status.state === 'running' && server.status.pid !== pid).toBe(true);
      for (let i = 0; i < 6; i++) {
        vehicles();
        await sleep(120);
      }
      phase = 'after';
      // Every vehicle's hit is committed (one per vehicle), then the outbox drains to NATS.
      expect(await until(() => committed.length === next, 10_000)).toBe(true);
      await sleep(2 * config.pipeline.groupGapMs); // the last vehicles' final groups are committed too
      expect(await until(() => service.outbox!.depth === 0, 20_000), lines.slice(-5).join('\n')).toBe(true);
      await sleep(300); // one more scrape after the drain
      sampling = false;
      await sampler;

      const stored = await streamMessages(s.natsUrl, STREAMS.hits.name, service.governance!.natsConnectOptions());
      const ours = stored.filter((m) => CAMERAS.includes(String(m.data.cameraId)));
      const seen = new Map<string, number>();
      for (const m of ours) seen.set(String(m.data.id), (seen.get(String(m.data.id)) ?? 0) + 1);
      const repeated = [...seen].filter(([, n]) => n > 1);
      const missing = committed.filter((h) => !seen.has(h.id));
      expect(duringOutage, 'hits committed while NATS was down').toBeGreaterThan(30);
      expect(hangErrors, 'publishes that failed against the hung server').toBeGreaterThan(0);
      expect(committed).toHaveLength(next);
      expect(
        missing.map((h) => h.plate),
        'committed hits missing on JetStream',
      ).toEqual([]);
      expect(repeated, 'hits stored more than once').toEqual([]);
      expect(ours).toHaveLength(committed.length);
      for (const cameraId of CAMERAS) {
        const want = committed.filter((h) => h.cameraId === cameraId).map((h) => h.id);
        const got = ours.filter((m) => m.data.cameraId === cameraId).map((m) => String(m.data.id));
        expect(got, `order of camera ${cameraId}`).toEqual(want);
      }
      // Plate groups (one final per vehicle) are delivered exactly once too.
      const groups = (await streamMessages(s.natsUrl, STREAMS.reads.name, service.governance!.natsConnectOptions()))
        .map((m) => m.data.group as { cameraId: string; plate: string })
        .filter((g) => CAMERAS.includes(g.cameraId));
      expect(groups.map((g) => g.plate).sort()).toEqual(plates.slice(0, next).sort());
      const peak = Math.max(...depth.filter((d) => d.phase === 'outage').map((d) => d.value));
      expect(peak, 'outbox depth on /metrics during the outage').toBeGreaterThan(30);
      expect(depth.at(-1)?.value, 'outbox depth on /metrics after the outage').toBe(0);
    } finally {
      sampling = false;
      await service.stop(0);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
