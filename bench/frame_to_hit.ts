/**
 * End to end: frame captured -> hit acknowledged by JetStream, with N live cameras playing the sample
 * footage at its real frame rate (target: p99 <= 250 ms with 4 cameras). Runs the real `platewatch run`
 * assembly (RunService: native capture + recognizer, pipeline, LMDB outbox, local nats-server) with the
 * sample hot list, and takes each hit's latency from its frame's capture time to JetStream's ack.
 * Needs the recognizer's OCR (reads with characters); without it there are no hits to time.
 *
 *   node dist/bench/frame_to_hit.js [--cameras 4] [--seconds 60] [--input samples/city-720p.mp4]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { loadConfig } from '../src/config/load.js';
import { RunService } from '../src/run/RunService.js';
import { type BenchResult, formatTable, metric, newResult, writeResult } from './lib/results.js';

export async function runFrameToHitBench(
  opts: { cameras?: number; seconds?: number; input?: string } = {},
): Promise<BenchResult> {
  const cameras = opts.cameras ?? 4;
  const seconds = opts.seconds ?? 60;
  const input = opts.input ?? 'samples/city-720p.mp4';
  const dataDir = mkdtempSync(path.join(tmpdir(), 'platewatch-bench-f2h-'));
  const config = loadConfig(undefined, {
    dataDir,
    nats: { localPort: 0 },
    metrics: { port: 0 },
    cameras: Array.from({ length: cameras }, (_, i) => ({ id: `cam${i + 1}`, uri: input, loop: true })),
  });
  const result = newResult('frame-to-hit', { cameras, seconds, input, analyseFps: config.capture.analyseFps });
  const latencies: number[] = [];
  let reads = 0;
  const service = new RunService(config, {
    log: () => {},
    onPublished: (m) => {
      if (m.kind === 'hit' && m.capturedAt !== undefined) latencies.push(Date.now() - m.capturedAt);
    },
  });
  try {
    await service.start();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    for (const cam of service.cameras) reads += cam.stats().reads;
  } finally {
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  result.inputs.reads = reads;
  result.inputs.hits = latencies.length;
  if (latencies.length) result.metrics.push(metric('frame-to-hit (JetStream ack)', latencies, 'ms'));
  return result;
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runFrameToHitBench({
    ...(argValue('--cameras') ? { cameras: Number(argValue('--cameras')) } : {}),
    ...(argValue('--seconds') ? { seconds: Number(argValue('--seconds')) } : {}),
    ...(argValue('--input') ? { input: argValue('--input')! } : {}),
  });
  console.log(formatTable(result));
  console.log(`reads ${result.inputs.reads}, hits ${result.inputs.hits}`);
  if (!result.inputs.hits) console.log('no hits: no read had characters (is the OCR model in models/?)');
  console.log(`result: ${writeResult(result, argValue('--out'))}`);
}
