/**
 * `platewatch bench capture`: plays one input file as N live cameras at its real frame rate (looped),
 * each analysed at `analyseFps`, and reports per camera: decoded and analysed fps, dropped frames,
 * reads, frame-to-read latency p50/p99 (wall clock from the decoded frame reaching capture to its
 * reads arriving in JavaScript); and for the process: CPU% (100 % = one core), where it goes (decoding
 * vs recognizing vs JavaScript, by thread) and RSS over time (peak, start/end, slope).
 *
 * A decode-only phase then runs the same cameras with analysis off (one frame per 100 s), which is
 * the floor the full run is compared with.
 */
import os from 'node:os';
import path from 'node:path';

import { type Camera, type CameraStats, openCamera } from '../src/capture/camera.js';
import { heapTrimStats } from '../src/capture/heapTrim.js';
import { type CameraOptions, cameraOptions } from '../src/capture/options.js';
import { recognizerOptions } from '../src/cli/options.js';
import type { Config } from '../src/config/schema.js';
import { heapStats, versions } from '../src/native.js';
import { packageRoot } from '../src/paths.js';
import { type BenchResult, metric, newResult, percentile, slope } from './lib/results.js';
import { cpuByClass, sampleThreads, type ThreadClass } from './thread_cpu.js';

export interface CaptureBenchOptions {
  input: string;
  cameras: number;
  seconds: number;
  warmupSeconds: number;
  decodeBaselineSeconds: number;
  analyseFps: number;
  decoderThreads: number;
}

export const defaultCaptureBenchInput = path.join(packageRoot, 'samples', 'highway-1080p.mp4');

export interface CameraRow {
  id: string;
  width: number;
  height: number;
  decodedFps: number;
  analysedFps: number;
  droppedBusy: number;
  droppedDelivery: number;
  skippedRate: number;
  reads: number;
  framesWithReads: number;
  latencyMsP50: number;
  latencyMsP99: number;
  /** Frame reaching capture -> analysis done (native, last 1,024 frames). */
  analysedLatencyMsP99: number;
  analyseMsMean: number;
  stageMsMean: Record<string, number>;
  reconnects: number;
}

export interface PhaseResult {
  seconds: number;
  cpuPercent: number;
  /** Percent of one core by thread class. */
  cpuPercentBy: Record<ThreadClass, number>;
  /** CPU time (not wall time: it holds on a loaded machine) per decoded frame, GStreamer threads, ms. */
  cpuMsPerDecodedFrame: number;
  /** CPU time per analysed frame on the analysis threads (recognizer + evidence), ms. */
  cpuMsPerAnalysedFrame: number;
  cameras: CameraRow[];
}

export interface CaptureBenchReport {
  result: BenchResult;
  decodeOnly?: PhaseResult;
  full: PhaseResult;
  rss: { peakMb: number; startMb: number; endMb: number; slopeMbPerMin: number; samplesMb: number[] };
  /** The C heap's bytes in live allocations (native heapStats()): flat here with RSS rising = allocator, not leak. */
  cHeap: {
    startMb: number;
    endMb: number;
    slopeMbPerMin: number;
    trims: number;
    trimMsMax: number;
    samplesMb: number[];
  };
  loadAverage: number[];
  /** Cores the cameras need, from CPU time per frame (see projectedCores). */
  limit?: { decode: number; recognize: number; fps: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMb = () => process.memoryUsage().rss / 2 ** 20;

/** Least-squares slope per minute of samples taken every dtSeconds (0 with fewer than 2). */
function rssSlope(ys: number[], dtSeconds: number): number {
  return ys.length < 2
    ? 0
    : slope(
        ys.map((_, i) => (i * dtSeconds) / 60),
        ys,
      );
}

async function runPhase(
  options: CameraOptions[],
  warmupSeconds: number,
  seconds: number,
  rssSamples: number[] | undefined,
  heapSamples?: number[],
): Promise<PhaseResult> {
  const cams: Camera[] = options.map((o) => openCamera(o));
  const latencies = new Map<string, number[]>();
  const framesWithReads = new Map<string, number>();
  let measuring = false;
  for (const cam of cams) {
    latencies.set(cam.id, []);
    framesWithReads.set(cam.id, 0);
    cam.on('reads', (reads) => {
      if (!measuring) return;
      const now = Date.now();
      const seen = new Set<number>();
      for (const r of reads) {
        if (seen.has(r.frameSeq)) continue; // one latency per frame, not per read
        seen.add(r.frameSeq);
        latencies.get(cam.id)!.push(now - r.capturedAt);
      }
      framesWithReads.set(cam.id, framesWithReads.get(cam.id)! + seen.size);
    });
    cam.on('error', (e) => console.error(`bench: ${e.code}: ${e.message}`));
  }
  try {
    await Promise.all(cams.map((c) => c.start()));
    await Promise.all(cams.map((c) => c.waitFor('playing', 30_000)));
    await sleep(warmupSeconds * 1000);
    const s0 = new Map<string, CameraStats>(cams.map((c) => [c.id, c.stats()]));
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const threads0 = sampleThreads();
    measuring = true;
    for (let i = 0; i < seconds; i++) {
      await sleep(1000);
      rssSamples?.push(rssMb());
      heapSamples?.push(heapStats().inUse / 2 ** 20);
    }
    measuring = false;
    const threads1 = sampleThreads();
    const cpu = process.cpuUsage(cpu0);
    const elapsed = (performance.now() - t0) / 1000;
    const byClass = cpuByClass(threads0, threads1);
    const cameras = cams.map((cam): CameraRow => {
      const a = s0.get(cam.id)!;
      const b = cam.stats();
      const lat = latencies.get(cam.id)!.sort((x, y) => x - y);
      const stageMsMean: Record<string, number> = {};
      for (const [stage, t] of Object.entries(b.stageMs)) {
        const before = a.stageMs[stage] ?? { count: 0, totalMs: 0 };
        const n = t.count - before.count;
        stageMsMean[stage] = n > 0 ? (t.totalMs - before.totalMs) / n : 0;
      }
      const analysed = b.framesAnalysed - a.framesAnalysed;
      return {
        id: cam.id,
        width: b.width,
        height: b.height,
        decodedFps: (b.framesDecoded - a.framesDecoded) / elapsed,
        analysedFps: analysed / elapsed,
        droppedBusy: b.framesDropped.busy - a.framesDropped.busy,
        droppedDelivery: b.framesDropped.delivery - a.framesDropped.delivery,
        skippedRate: b.framesSkipped.rate - a.framesSkipped.rate,
        reads: b.reads - a.reads,
        framesWithReads: framesWithReads.get(cam.id)!,
        latencyMsP50: percentile(lat, 50),
        latencyMsP99: percentile(lat, 99),
        analysedLatencyMsP99: b.latencyMsP99,
        analyseMsMean: b.analyseMsMean,
        stageMsMean,
        reconnects: b.reconnects - a.reconnects,
      };
    });
    const pct = (s: number) => (100 * s) / elapsed;
    const decoded = cameras.reduce((n, r) => n + r.decodedFps * elapsed, 0);
    const analysed = cameras.reduce((n, r) => n + r.analysedFps * elapsed, 0);
    return {
      cpuMsPerDecodedFrame: decoded > 0 ? (1000 * byClass.gstreamer) / decoded : Number.NaN,
      cpuMsPerAnalysedFrame: analysed > 0 ? (1000 * byClass.recognize) / analysed : Number.NaN,
      seconds: elapsed,
      cpuPercent: pct((cpu.user + cpu.system) / 1e6),
      cpuPercentBy: Object.fromEntries(Object.entries(byClass).map(([k, v]) => [k, pct(v)])) as Record<
        ThreadClass,
        number
      >,
      cameras,
    };
  } finally {
    await Promise.all(cams.map((c) => c.close()));
  }
}

export async function runCaptureBench(config: Config, opts: CaptureBenchOptions): Promise<CaptureBenchReport> {
  const recognizer = recognizerOptions(config);
  const base = (i: number, analyseFps: number): CameraOptions =>
    cameraOptions(
      {
        id: `bench-${i + 1}`,
        uri: opts.input,
        loop: true,
        realtime: true,
        analyseFps,
        decoderThreads: opts.decoderThreads,
      },
      config.capture,
      recognizer,
    );
  const ids = Array.from({ length: opts.cameras }, (_, i) => i);
  const v = versions();
  const result = newResult(
    'capture',
    { ...opts, input: path.relative(packageRoot, path.resolve(opts.input)) },
    { opencv: v.opencv, gstreamer: v.gstreamer },
  );
  // The full run goes first, so the process's peak RSS is the cameras' own (memory freed by one phase's
  // pipelines stays mapped by the allocator and would add to the next phase's).
  const rssSamples: number[] = [];
  const heapSamples: number[] = [];
  const full = await runPhase(
    ids.map((i) => base(i, opts.analyseFps)),
    opts.warmupSeconds,
    opts.seconds,
    rssSamples,
    heapSamples,
  );
  const trims = heapTrimStats();
  const peakMb = process.resourceUsage().maxRSS / 1024;
  let decodeOnly: PhaseResult | undefined;
  if (opts.decodeBaselineSeconds > 0) {
    decodeOnly = await runPhase(
      ids.map((i) => base(i, 0.01)),
      Math.min(2, opts.warmupSeconds),
      opts.decodeBaselineSeconds,
      undefined,
    );
  }
  const rows = full.cameras;
  result.metrics.push(
    metric(
      'decoded fps per camera',
      rows.map((r) => r.decodedFps),
      'fps',
      true,
    ),
    metric(
      'analysed fps per camera',
      rows.map((r) => r.analysedFps),
      'fps',
      true,
    ),
    metric(
      'frame-to-read latency p50 per camera',
      rows.map((r) => r.latencyMsP50),
      'ms',
    ),
    metric(
      'frame-to-read latency p99 per camera',
      rows.map((r) => r.latencyMsP99),
      'ms',
    ),
    metric(
      'dropped frames per camera',
      rows.map((r) => r.droppedBusy + r.droppedDelivery),
      'frames',
    ),
    metric('process CPU', [full.cpuPercent], '% of a core'),
    metric('peak RSS', [peakMb], 'MiB'),
    metric('RSS slope', [rssSlope(rssSamples, 1)], 'MiB/min'),
    metric('C heap in use slope', [rssSlope(heapSamples, 1)], 'MiB/min'),
  );
  if (decodeOnly) result.metrics.push(metric('process CPU decode-only', [decodeOnly.cpuPercent], '% of a core'));
  const report: CaptureBenchReport = {
    result,
    ...(decodeOnly ? { decodeOnly } : {}),
    full,
    rss: {
      peakMb,
      startMb: rssSamples[0] ?? 0,
      endMb: rssSamples.at(-1) ?? 0,
      slopeMbPerMin: rssSlope(rssSamples, 1),
      samplesMb: rssSamples.map((r) => Math.round(r * 10) / 10),
    },
    cHeap: {
      startMb: heapSamples[0] ?? 0,
      endMb: heapSamples.at(-1) ?? 0,
      slopeMbPerMin: rssSlope(heapSamples, 1),
      trims: trims.trims,
      trimMsMax: trims.maxMs,
      samplesMb: heapSamples.map((r) => Math.round(r * 10) / 10),
    },
    loadAverage: os.loadavg(),
  };
  report.limit = projectedCores(report);
  result.metrics.push(
    metric('CPU per decoded frame', [decodeOnly?.cpuMsPerDecodedFrame ?? full.cpuMsPerDecodedFrame], 'ms'),
    metric('CPU per analysed frame', [full.cpuMsPerAnalysedFrame], 'ms'),
  );
  return report;
}

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');

function phaseText(title: string, p: PhaseResult): string[] {
  const by = p.cpuPercentBy;
  const lines = [
    `${title}: ${p.seconds.toFixed(1)} s, process CPU ${f1(p.cpuPercent)} % of a core ` +
      `(GStreamer demux+decode+convert ${f1(by.gstreamer)}, recognize+evidence ${f1(by.recognize)}, ` +
      `JavaScript ${f1(by.javascript)}, supervise ${f1(by.supervise)}, other ${f1(by.other)})`,
  ];
  const head = [
    'camera',
    'size',
    'decoded fps',
    'analysed fps',
    'dropped',
    'reads',
    'lat p50 ms',
    'lat p99 ms',
    'analyse ms',
  ];
  const rows = p.cameras.map((r) => [
    r.id,
    `${r.width}x${r.height}`,
    f1(r.decodedFps),
    f1(r.analysedFps),
    String(r.droppedBusy + r.droppedDelivery),
    String(r.reads),
    f1(r.latencyMsP50),
    f1(r.latencyMsP99),
    f1(r.analyseMsMean),
  ]);
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  for (const r of all)
    lines.push(`  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`);
  return lines;
}

/**
 * The limit, from CPU time per frame (which a loaded machine does not inflate the way it inflates wall
 * time): cores needed by N cameras decoding every frame and analysing `analyseFps` of them.
 */
export function projectedCores(rep: CaptureBenchReport): { decode: number; recognize: number; fps: number } {
  const inputs = rep.result.inputs as unknown as CaptureBenchOptions;
  const fps = rep.full.cameras[0] ? Math.round(rep.decodeOnly?.cameras[0]?.decodedFps ?? 30) : 30;
  const decodeMs = rep.decodeOnly?.cpuMsPerDecodedFrame ?? rep.full.cpuMsPerDecodedFrame;
  return {
    fps,
    decode: (inputs.cameras * fps * decodeMs) / 1000,
    recognize: (inputs.cameras * inputs.analyseFps * rep.full.cpuMsPerAnalysedFrame) / 1000,
  };
}

function limitText(rep: CaptureBenchReport): string {
  const inputs = rep.result.inputs as unknown as CaptureBenchOptions;
  const p = projectedCores(rep);
  const decodeMs = rep.decodeOnly?.cpuMsPerDecodedFrame ?? rep.full.cpuMsPerDecodedFrame;
  return (
    `limit: CPU per frame: decode ${decodeMs.toFixed(2)} ms (decode-only phase; ${rep.full.cpuMsPerDecodedFrame.toFixed(2)} ms ` +
    `in the full run), recognize+evidence ${rep.full.cpuMsPerAnalysedFrame.toFixed(2)} ms per analysed frame. ` +
    `${inputs.cameras} cameras x ${p.fps} fps decoded + ${inputs.analyseFps} fps analysed need ` +
    `${p.decode.toFixed(2)} cores decoding + ${p.recognize.toFixed(2)} cores recognizing = ` +
    `${(p.decode + p.recognize).toFixed(2)} of ${rep.result.machine.cpus} cores`
  );
}

export function formatCaptureReport(rep: CaptureBenchReport): string {
  const m = rep.result.machine;
  const inputs = rep.result.inputs as unknown as CaptureBenchOptions;
  const lines = [
    `capture @ ${rep.result.commit}: ${inputs.cameras} x ${inputs.input}, analyseFps ${inputs.analyseFps}, ` +
      `${m.cpus} x ${m.cpuModel}, load average ${rep.loadAverage.map((l) => l.toFixed(2)).join(' ')}`,
  ];
  if (rep.decodeOnly) lines.push(...phaseText('decode only (analysis off)', rep.decodeOnly));
  lines.push(...phaseText(`full (analysed at up to ${inputs.analyseFps} fps)`, rep.full));
  const stages = rep.full.cameras[0]?.stageMsMean ?? {};
  lines.push(
    `  recognizer stages (camera 1, mean ms/frame): ${Object.entries(stages)
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join(', ')}`,
    limitText(rep),
    `RSS: peak ${f1(rep.rss.peakMb)} MiB, ${f1(rep.rss.startMb)} -> ${f1(rep.rss.endMb)} MiB over the run, ` +
      `slope ${rep.rss.slopeMbPerMin.toFixed(2)} MiB/min`,
    `C heap in use: ${f1(rep.cHeap.startMb)} -> ${f1(rep.cHeap.endMb)} MiB, slope ${rep.cHeap.slopeMbPerMin.toFixed(2)} ` +
      `MiB/min; ${rep.cHeap.trims} heap trims (longest ${rep.cHeap.trimMsMax.toFixed(1)} ms)`,
  );
  return lines.join('\n');
}
