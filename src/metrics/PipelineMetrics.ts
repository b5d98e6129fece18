/**
 * platewatch's Prometheus metrics (prom-client), in one registry. Names carry their unit (`_seconds`,
 * `_total`, `_bytes`); labels are cameras, categories, rules, sources, phases: never a plate.
 * Camera counters are read from the cameras' native stats at scrape time.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

import type { CameraStats } from '../capture/index.js';
import type { HotlistStore } from '../hotlist/HotlistStore.js';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.175, 0.25, 0.5, 1, 2.5, 5, 10];
const FAST_BUCKETS = [0.000005, 0.00001, 0.00002, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.005, 0.025];

export interface MetricsSources {
  cameras?: () => CameraStats[];
  hotlist?: HotlistStore;
  /** Age (hours) past which a source's list counts as stale. */
  hotlistMaxAgeHours?: number;
  outboxDepth?: () => number;
}

export class PipelineMetrics {
  readonly registry = new Registry();
  private readonly camLast = new Map<string, number>();
  private sources: MetricsSources = {};

  readonly readsDropped = new Counter({
    name: 'platewatch_reads_dropped_total',
    help: 'Frame reads the pipeline dropped before grouping, by reason (unread: no characters, short, low_confidence)',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly readsIn = new Counter({
    name: 'platewatch_pipeline_reads_total',
    help: 'Frame reads that entered the stream pipeline, by camera',
    labelNames: ['camera'],
    registers: [this.registry],
  });
  readonly groups = new Counter({
    name: 'platewatch_plate_groups_total',
    help: 'Plate group events (one vehicle): preview (first confident vote) and final (vehicle gone), by camera',
    labelNames: ['camera', 'phase'],
    registers: [this.registry],
  });
  readonly hits = new Counter({
    name: 'platewatch_hits_total',
    help: 'Hot-list hits, by category, match rule (exact, lookalike) and state comparison (same, different, unknown)',
    labelNames: ['category', 'rule', 'state'],
    registers: [this.registry],
  });
  readonly stageSeconds = new Histogram({
    name: 'platewatch_pipeline_stage_seconds',
    help: 'Time spent per pipeline stage: hotlist_lookup (per group event), outbox_enqueue, nats_publish (per message)',
    labelNames: ['stage'],
    buckets: FAST_BUCKETS.concat([0.05, 0.1, 0.25, 0.5, 1, 2.5]),
    registers: [this.registry],
  });
  readonly frameToHit = new Histogram({
    name: 'platewatch_frame_to_hit_seconds',
    help: 'From the capture of the frame that triggered a hit to its acknowledgement by JetStream',
    labelNames: ['category'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly published = new Counter({
    name: 'platewatch_nats_published_total',
    help: 'Messages acknowledged by JetStream, by kind (hit, read); duplicates dropped by JetStream included',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly publishErrors = new Counter({
    name: 'platewatch_nats_publish_errors_total',
    help: 'Failed publish attempts (the message stays in the outbox and is retried)',
    registers: [this.registry],
  });
  readonly storageErrors = new Counter({
    name: 'platewatch_storage_errors_total',
    help: 'Failed writes to local storage, by store (outbox, hotlist, audit, governance) and reason (full: disk or LMDB map full; write: other): alert on any',
    labelNames: ['store', 'reason'],
    registers: [this.registry],
  });
  readonly natsConnected = new Gauge({
    name: 'platewatch_nats_connected',
    help: '1 while connected to NATS with the JetStream streams in place, else 0',
    registers: [this.registry],
  });
  readonly outboxDepth = new Gauge({
    name: 'platewatch_outbox_messages',
    help: 'Messages waiting in the durable outbox for NATS',
    registers: [this.registry],
    collect: () => this.collectOutbox(),
  });
  readonly hotlistEntries = new Gauge({
    name: 'platewatch_hotlist_entries',
    help: 'Entries in the active list of each hot-list source',
    labelNames: ['source'],
    registers: [this.registry],
    collect: () => this.collectHotlist(),
  });
  readonly hotlistAge = new Gauge({
    name: 'platewatch_hotlist_age_seconds',
    help: 'Time since each hot-list source was last loaded',
    labelNames: ['source'],
    registers: [this.registry],
  });
  readonly hotlistStale = new Gauge({
    name: 'platewatch_hotlist_stale',
    help: '1 when a source is older than hotlist.maxAgeHours (lists must be refreshed at least daily): alert on it',
    labelNames: ['source'],
    registers: [this.registry],
  });
  readonly framesDecoded = new Counter({
    name: 'platewatch_frames_decoded_total',
    help: 'Video frames decoded, by camera',
    labelNames: ['camera'],
    registers: [this.registry],
    collect: () => this.collectCameras(),
  });
  readonly framesAnalysed = new Counter({
    name: 'platewatch_frames_analysed_total',
    help: 'Frames run through the recognizer, by camera',
    labelNames: ['camera'],
    registers: [this.registry],
  });
  readonly framesSkipped = new Counter({
    name: 'platewatch_frames_skipped_total',
    help: 'Frames not analysed by design (rate: over capture.analyseFps; motion: nothing moved), by camera',
    labelNames: ['camera', 'reason'],
    registers: [this.registry],
  });
  readonly framesDropped = new Counter({
    name: 'platewatch_frames_dropped_total',
    help: 'Frames lost (busy: replaced by a newer frame before analysis; delivery: JavaScript fell behind), by camera',
    labelNames: ['camera', 'reason'],
    registers: [this.registry],
  });
  readonly cameraReads = new Counter({
    name: 'platewatch_reads_total',
    help: 'Plate reads produced by the recognizer, by camera',
    labelNames: ['camera'],
    registers: [this.registry],
  });
  readonly recognizerStageSeconds = new Counter({
    name: 'platewatch_recognizer_stage_seconds_total',
    help: 'Time spent in each recognition stage, by camera (divide by platewatch_recognizer_stage_frames_total for the mean)',
    labelNames: ['camera', 'stage'],
    registers: [this.registry],
  });
  readonly recognizerStageFrames = new Counter({
    name: 'platewatch_recognizer_stage_frames_total',
    help: 'Frames through each recognition stage, by camera',
    labelNames: ['camera', 'stage'],
    registers: [this.registry],
  });
  readonly captureLatency = new Gauge({
    name: 'platewatch_capture_latency_seconds',
    help: 'Frame reaching capture -> analysis done, over the last 1,024 analysed frames, by camera and quantile',
    labelNames: ['camera', 'quantile'],
    registers: [this.registry],
  });
  readonly cameraRestarts = new Counter({
    name: 'platewatch_camera_restarts_total',
    help: 'Camera worker processes restarted after they died (a crash in the native core), by camera',
    labelNames: ['camera'],
    registers: [this.registry],
  });
  readonly cameraUp = new Gauge({
    name: 'platewatch_camera_playing',
    help: '1 while a camera is playing, else 0',
    labelNames: ['camera'],
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** What to read at scrape time. */
  attach(sources: MetricsSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  /** The text exposition (what /metrics serves). */
  async text(): Promise<string> {
    return await this.registry.metrics();
  }

  private collectOutbox(): void {
    if (this.sources.outboxDepth) this.outboxDepth.set(this.sources.outboxDepth());
  }

  private collectHotlist(): void {
    const store = this.sources.hotlist;
    if (!store) return;
    const maxAge = (this.sources.hotlistMaxAgeHours ?? 24) * 3600;
    const now = Date.now();
    for (const s of store.sources()) {
      this.hotlistEntries.set({ source: s.source }, s.count);
      const age = Math.max(0, (now - s.importedAt) / 1000);
      this.hotlistAge.set({ source: s.source }, age);
      // Manual entries are maintained one by one, not refreshed as a list.
      this.hotlistStale.set({ source: s.source }, s.activeGen !== 0 && age > maxAge ? 1 : 0);
    }
  }

  /** Adds the growth of a camera's cumulative native counter since the last scrape. */
  private grow(counter: Counter<string>, labels: Record<string, string>, value: number): void {
    const key = `${(counter as unknown as { name: string }).name}\u0000${Object.values(labels).join('\u0000')}`;
    const last = this.camLast.get(key) ?? 0;
    const delta = value >= last ? value - last : value; // the native counters restart with a new camera
    this.camLast.set(key, value);
    if (delta > 0) counter.inc(labels, delta);
  }

  private collectCameras(): void {
    const stats = this.sources.cameras?.() ?? [];
    for (const s of stats) {
      const camera = s.id;
      this.grow(this.framesDecoded, { camera }, s.framesDecoded);
      this.grow(this.framesAnalysed, { camera }, s.framesAnalysed);
      this.grow(this.framesSkipped, { camera, reason: 'rate' }, s.framesSkipped.rate);
      this.grow(this.framesSkipped, { camera, reason: 'motion' }, s.framesSkipped.motion);
      this.grow(this.framesDropped, { camera, reason: 'busy' }, s.framesDropped.busy);
      this.grow(this.framesDropped, { camera, reason: 'delivery' }, s.framesDropped.delivery);
      this.grow(this.cameraReads, { camera }, s.reads);
      for (const [stage, st] of Object.entries(s.stageMs)) {
        this.grow(this.recognizerStageSeconds, { camera, stage }, st.totalMs / 1000);
        this.grow(this.recognizerStageFrames, { camera, stage }, st.count);
      }
      this.captureLatency.set({ camera, quantile: '0.5' }, s.latencyMsP50 / 1000);
      this.captureLatency.set({ camera, quantile: '0.99' }, s.latencyMsP99 / 1000);
      this.cameraUp.set({ camera }, s.state === 'playing' ? 1 : 0);
    }
  }
}
