/**
 * End to end: frame captured -> hit acknowledged by JetStream, with N live cameras playing the sample
 * footage at its real frame rate (target: p99 <= 250 ms with 4 cameras). Runs the real `platewatch run`
 * assembly (RunService: native capture + recognizer, pipeline, LMDB outbox, local nats-server) with the
 * sample hot list, and takes each hit's latency from its frame's capture time to JetStream's ack.
 * Needs the recognizer's OCR (reads with characters); without it there are no hits to time.
 *
 *   node dist/bench/frame_to_hit.js [--cameras 4] [--seconds 60] [--input samples/city-720p.mp4]
 *   node dist/bench/frame_to_hit.js --synthetic [--cameras 4] [--seconds 60]
 *
 * --synthetic replaces capture and recognition with reads pushed at the cameras' rate (15 reads/s per
 * camera, a vehicle every 2 s, every 2nd on the sample hot list), stamped with the time they enter the
 * pipeline: it times the pipeline's share (grouping, match, durable outbox, JetStream ack), labelled
 * "read-to-hit", not frame-to-hit.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { loadConfig } from '../src/config/load.js';
import { versions } from '../src/native.js';
import { packageRoot } from '../src/paths.js';
import { RunService } from '../src/run/RunService.js';
import { benchArgs, benchMain } from './lib/args.js';
import { reportResult } from './lib/report.js';
import { type BenchResult, metric, newResult } from './lib/results.js';
import { natsServerVersion } from './nats_publish.js';

const SAMPLE_LISTED = ['MZR1627', '9RL551', '7YKE862', 'BGG245'];

export async function runFrameToHitBench(
  opts: { cameras?: number; seconds?: number; input?: string; synthetic?: boolean } = {},
): Promise<BenchResult> {
  const cameras = opts.cameras ?? 4;
  const seconds = opts.seconds ?? 60;
  const given = opts.input ?? 'samples/city-720p.mp4';
  // Relative to the working folder, else to the package (so it runs from anywhere).
  const input = existsSync(given) ? path.resolve(given) : path.join(packageRoot, given);
  const overrides = (dataDir: string) => ({
    dataDir,
    nats: { localPort: 0 },
    metrics: { port: 0 },
    governance: { api: { port: 0 } },
    cameras: Array.from({ length: cameras }, (_, i) => ({ id: `cam${i + 1}`, uri: input, loop: true })),
  });
  loadConfig(undefined, overrides('/nonexistent')); // an invalid config fails here, before a temp folder exists
  const dataDir = mkdtempSync(path.join(tmpdir(), 'platewatch-bench-f2h-'));
  const config = loadConfig(undefined, overrides(dataDir));
  const synthetic = opts.synthetic ?? false;
  const v = versions();
  const result = newResult(
    synthetic ? 'read-to-hit' : 'frame-to-hit',
    {
      cameras,
      seconds,
      ...(synthetic
        ? { synthetic: '15 reads/s per camera, a vehicle every 2 s, 1 in 2 listed' }
        : { input: path.relative(packageRoot, input) }),
      analyseFps: config.capture.analyseFps,
      durableOutbox: config.outbox.durable,
      // Cameras in supervised worker processes (reads cross IPC) or in this process.
      cameraProcesses: config.run.cameraProcesses,
    },
    { opencv: v.opencv, gstreamer: v.gstreamer, 'nats-server': natsServerVersion() },
  );
  const latencies: number[] = [];
  const readLatencies: number[] = [];
  let reads = 0;
  const service = new RunService(config, {
    cameras: !synthetic,
    log: () => {},
    onPublished: (m) => {
      if (m.kind === 'hit' && m.capturedAt !== undefined) latencies.push(Date.now() - m.capturedAt);
    },
  });
  try {
    await service.start();
    if (synthetic) {
      let n = 0;
      const timer = setInterval(() => {
        for (let c = 0; c < cameras; c++) {
          const vehicle = Math.floor(n / 30) * cameras + c;
          const plate =
            vehicle % 2 === 0
              ? SAMPLE_LISTED[(vehicle / 2) % SAMPLE_LISTED.length]!
              : `ZZ${String(vehicle).padStart(5, '0')}`;
          service.push([
            {
              cameraId: `cam${c + 1}`,
              plate,
              confidence: 0.92,
              charConfidences: Array.from(plate, () => 0.92),
              candidates: [{ plate, confidence: 0.92 }],
              box: { x: 500, y: 400, width: 100, height: 50 },
              capturedAt: Date.now(),
              pts: n * 66_666_667,
              frameSeq: n,
            },
          ]);
          reads++;
        }
        n++;
      }, 66);
      await new Promise((r) => setTimeout(r, seconds * 1000));
      clearInterval(timer);
    } else {
      // The capture + recognizer share of the latency: frame captured -> read delivered to JavaScript.
      for (const cam of service.cameras) {
        cam.on('reads', (batch) => {
          const now = Date.now();
          for (const r of batch) readLatencies.push(now - r.capturedAt);
        });
      }
      await new Promise((r) => setTimeout(r, seconds * 1000));
      for (const cam of service.cameras) reads += cam.stats().reads;
    }
  } finally {
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  result.inputs.reads = reads;
  result.inputs.hits = latencies.length;
  if (readLatencies.length) result.metrics.push(metric('frame-to-read (delivered to JS)', readLatencies, 'ms'));
  if (latencies.length) {
    result.metrics.push(metric(`${synthetic ? 'read' : 'frame'}-to-hit (JetStream ack)`, latencies, 'ms'));
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchMain(async () => {
    const { cameras, seconds, input, synthetic, ...args } = benchArgs('frame-to-hit', {
      cameras: 4,
      seconds: 60,
      input: 'samples/city-720p.mp4',
      synthetic: false,
    });
    const result = await runFrameToHitBench({ cameras, seconds, input, synthetic });
    const lines = [`reads ${result.inputs.reads}, hits ${result.inputs.hits}`];
    if (!result.inputs.hits) lines.push('no hits: no read had characters (is the OCR model in models/?)');
    reportResult(result, args, lines);
  });
}
