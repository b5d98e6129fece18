/**
 * `platewatch run`, assembled: cameras -> stream pipeline -> durable outbox -> JetStream, with the hot
 * list in LMDB, a local nats-server when no URL is configured, and /metrics over HTTP.
 *
 * Start order: stores, NATS, relay, metrics, then cameras (nothing is read before it can be kept).
 * Stop order: cameras (no more reads), pipeline completes (open groups become finals, into the outbox),
 * relay flushes what NATS will take, then NATS, stores, metrics. Whatever NATS did not take stays in the
 * outbox for the next start.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

import { concatMap, lastValueFrom, Subject, tap } from 'rxjs';

import type { Camera } from '../capture/camera.js';
import { camerasFromConfig, openCamera } from '../capture/index.js';
import type { Config } from '../config/schema.js';
import { GovernanceRuntime } from '../governance/GovernanceRuntime.js';
import { HotlistStore } from '../hotlist/HotlistStore.js';
import { type ImportSummary, importHotlist } from '../hotlist/importHotlist.js';
import { MetricsServer } from '../metrics/MetricsServer.js';
import { PipelineMetrics } from '../metrics/PipelineMetrics.js';
import { guardLmdbCommitRejections } from '../nats/lmdbFailure.js';
import { NatsLink, type NatsLinkState } from '../nats/NatsLink.js';
import { NatsServer } from '../nats/NatsServer.js';
import { Outbox, OutboxError, type OutboxMessage } from '../nats/Outbox.js';
import { OutboxRelay } from '../nats/OutboxRelay.js';
import { packageRoot } from '../paths.js';
import type { HitMessage } from '../pipeline/messages.js';
import { outboxMessages } from '../pipeline/outboxMessages.js';
import { platePipeline } from '../pipeline/platePipeline.js';
import type { FrameRead } from '../reads.js';
import type { OnStorageError } from '../storage/StorageError.js';
import { CameraProcess, type CameraProcessOptions } from '../supervisor/CameraProcess.js';

export interface RunServiceOptions {
  /** Console lines (status, hits). */
  log?: (line: string) => void;
  /** Every hit, when it is committed to the outbox. */
  onHit?: (hit: HitMessage) => void;
  /** Every batch of messages once committed to the durable outbox (fault tests: what must survive). */
  onCommitted?: (messages: OutboxMessage[]) => void;
  /** Every message JetStream acknowledged (benchmarks: frame-to-hit latency). */
  onPublished?: (message: OutboxMessage) => void;
  /**
   * Cameras in supervised worker processes (default: config run.cameraProcesses); the settings of
   * their restart backoff and environment.
   */
  cameraProcesses?: boolean;
  cameraProcessOptions?: CameraProcessOptions;
  /** Reads to feed instead of (or as well as) the configured cameras: tests and replays. */
  cameras?: boolean;
  /**
   * The policy layer (issue 6): HTTP API, history and hit review from JetStream, maintenance, and on
   * the local nats-server the per-user permissions generated from alert profiles. Default true.
   */
  governance?: boolean;
}

export type RunStatus =
  | { state: 'idle' }
  | { state: 'starting' }
  | { state: 'running'; natsUrl: string; metricsUrl?: string; cameras: string[] }
  | { state: 'stopping' }
  | { state: 'stopped' };

/** How long a batch the outbox cannot store (disk full) is held and retried before it is given up. */
const OUTBOX_HOLD_MS = 60_000;

/** Resolves a configured path: absolute as is; relative to the current directory, else the package. */
function resolvePath(p: string): string {
  if (path.isAbsolute(p)) return p;
  const here = path.resolve(p);
  return existsSync(here) ? here : path.join(packageRoot, p);
}

export class RunService {
  readonly metrics = new PipelineMetrics();
  hotlist: HotlistStore | undefined;
  outbox: Outbox | undefined;
  natsServer: NatsServer | undefined;
  link: NatsLink | undefined;
  governance: GovernanceRuntime | undefined;
  relay: OutboxRelay | undefined;
  cameras: (Camera | CameraProcess)[] = [];
  private metricsServer: MetricsServer | undefined;
  private readonly reads = new Subject<FrameRead>();
  private pipelineDone: Promise<unknown> | undefined;
  private _status: RunStatus = { state: 'idle' };
  private stopping: Promise<void> | undefined;
  private readonly log: (line: string) => void;

  constructor(
    readonly config: Config,
    private readonly options: RunServiceOptions = {},
  ) {
    this.log = options.log ?? ((line) => console.log(line));
  }

  get status(): RunStatus {
    return this._status;
  }

  get dataDir(): string {
    return path.resolve(this.config.dataDir);
  }

  /** Feeds reads into the pipeline as a camera would (tests, replays). */
  push(reads: FrameRead[]): void {
    for (const r of reads) this.reads.next(r);
  }

  async start(): Promise<void> {
    if (this._status.state !== 'idle') throw new Error(`run service is ${this._status.state}`);
    this._status = { state: 'starting' };
    const c = this.config;
    mkdirSync(this.dataDir, { recursive: true });
    // A full disk must be an error the stores report (and the service survives), not a crash.
    guardLmdbCommitRejections();

    // Failed writes of the hot list, audit and governance stores: each counted, logged at most once a
    // minute per store (a full disk fails every write); the caller gets the error.
    const loggedAt = new Map<string, number>();
    const onStorageError: OnStorageError = (store, reason, err) => {
      this.metrics.storageErrors.inc({ store, reason });
      const now = Date.now();
      if (now - (loggedAt.get(store) ?? Number.NEGATIVE_INFINITY) < 60_000) return;
      loggedAt.set(store, now);
      this.log(`${store}: ${err.message}`);
    };
    this.hotlist = new HotlistStore(path.join(this.dataDir, 'hotlist'), {
      maxLookalikeEdits: c.hotlist.maxLookalikeEdits,
      onStorageError,
      // The stream's reader runs for days: map a refreshed list's pages before its lookups need them.
      warmOnChange: true,
    });
    await this.loadSampleHotlist();
    this.outbox = new Outbox(path.join(this.dataDir, 'outbox'), { durable: c.outbox.durable });
    if (this.outbox.depth > 0) this.log(`outbox: ${this.outbox.depth} message(s) from the last run wait for NATS`);

    let url = c.nats.url;
    if (!url) {
      this.natsServer = new NatsServer({
        storeDir: path.join(this.dataDir, 'nats'),
        host: c.nats.localHost,
        port: c.nats.localPort,
        binary: c.nats.serverBinary,
      });
      url = await this.natsServer.start();
      this.log(`nats: local nats-server -js on ${url} (store ${path.join(this.dataDir, 'nats')})`);
    }
    if (this.options.governance ?? true) {
      this.governance = new GovernanceRuntime(c, { hotlist: this.hotlist, log: (l) => this.log(l), onStorageError });
      // Every client must authenticate from here on: the service with its own NKey, users with theirs.
      if (this.natsServer) await this.governance.enforceNatsAuthorization(this.natsServer);
    }
    this.link = new NatsLink({
      url,
      connectOptions: this.governance?.natsConnectOptions() ?? {},
      limits: {
        readsMaxAgeDays: c.governance.retention.readsDays,
        hitsMaxAgeDays: c.nats.hitsMaxAgeDays,
        duplicateWindowSeconds: c.nats.duplicateWindowSeconds,
      },
      reconnectWaitMs: c.nats.retryMs,
      onState: (s) => this.onNatsState(s),
    });
    this.link.start();
    await this.governance?.start(url);
    this.relay = new OutboxRelay(this.outbox, this.link, {
      retryMs: c.nats.retryMs,
      publishTimeoutMs: c.nats.publishTimeoutMs,
      onPublished: (m) => {
        this.metrics.published.inc({ kind: m.kind });
        const seconds = (Date.now() - m.enqueuedAt) / 1000;
        this.metrics.stageSeconds.observe({ stage: 'nats_publish' }, seconds);
        if (m.kind === 'hit' && m.capturedAt !== undefined) {
          const category = m.subject.split('.')[2] ?? 'unknown';
          this.metrics.frameToHit.observe({ category }, (Date.now() - m.capturedAt) / 1000);
        }
        this.options.onPublished?.(m);
      },
      onError: (err) => {
        if (err instanceof OutboxError) {
          const reason = err.code === 'ERR_OUTBOX_FULL' ? 'full' : 'write';
          this.metrics.storageErrors.inc({ store: 'outbox', reason });
        } else this.metrics.publishErrors.inc();
      },
    });
    this.relay.start();

    const outbox = this.outbox;
    this.metrics.attach({
      hotlist: this.hotlist,
      hotlistMaxAgeHours: c.hotlist.maxAgeHours,
      outboxDepth: () => outbox.depth,
      cameras: () => this.cameras.map((cam) => cam.stats()),
    });
    let metricsUrl: string | undefined;
    if (c.metrics.enabled) {
      this.metricsServer = new MetricsServer(this.metrics);
      metricsUrl = await this.metricsServer.listen(c.metrics.port, c.metrics.host);
      this.log(`metrics: ${metricsUrl}`);
    }

    this.pipelineDone = this.runPipeline();

    if (this.options.cameras ?? true) {
      let configured: ReturnType<typeof camerasFromConfig> = [];
      try {
        configured = camerasFromConfig(c);
      } catch (err) {
        this.log(`cameras: ${(err as Error).message}`);
      }
      const inProcess = !(this.options.cameraProcesses ?? c.run.cameraProcesses);
      for (const opts of configured) {
        let cam: Camera | CameraProcess;
        try {
          cam = inProcess ? openCamera(opts) : new CameraProcess(opts, this.options.cameraProcessOptions);
        } catch (err) {
          // One camera that cannot open (bad URI, missing model) must not stop the others or the service.
          const e = err as { code?: string; message?: string };
          this.log(`camera ${opts.id}: cannot open: ${e.message ?? String(err)}${e.code ? ` [${e.code}]` : ''}`);
          continue;
        }
        cam.on('reads', (batch) => {
          for (const r of batch) this.reads.next(r);
        });
        cam.on('status', (s) =>
          this.log(`camera ${cam.id}: ${s.state}${'code' in s ? ` (${s.code}: ${s.message})` : ''}`),
        );
        cam.on('error', (e) => this.log(`camera ${cam.id}: error ${e.code}: ${e.message}`));
        if (cam instanceof CameraProcess) cam.onCrash(() => this.metrics.cameraRestarts.inc({ camera: cam.id }));
        this.cameras.push(cam);
      }
      for (const cam of this.cameras) {
        await cam.start().catch((err: Error) => this.log(`camera ${cam.id}: cannot start: ${err.message}`));
      }
    }
    this._status = {
      state: 'running',
      natsUrl: url,
      ...(metricsUrl ? { metricsUrl } : {}),
      cameras: this.cameras.map((cam) => cam.id),
    };
  }

  private async loadSampleHotlist(): Promise<ImportSummary | undefined> {
    const sample = this.config.hotlist.sample;
    if (!sample.file || !this.hotlist) return undefined;
    const file = resolvePath(sample.file);
    const loaded = this.hotlist.source(sample.source);
    if (loaded && loaded.activeGen > 0 && loaded.importedAt >= statSync(file).mtimeMs) return undefined;
    const summary = await importHotlist(this.hotlist, {
      file,
      source: sample.source,
      format: 'csv',
      mapping: resolvePath(sample.mapping),
    });
    this.log(
      `hotlist: loaded ${summary.total} sample entries as source ${sample.source} from ${sample.file}` +
        (summary.rejected ? ` (${summary.rejected} line(s) rejected)` : ''),
    );
    return summary;
  }

  private onNatsState(s: NatsLinkState): void {
    this.metrics.natsConnected.set(s.state === 'connected' ? 1 : 0);
    if (s.state === 'connected') this.log(`nats: connected to ${s.server}, JetStream streams ready`);
    else if (s.state === 'disconnected')
      this.log(`nats: disconnected${s.error ? ` (${s.error})` : ''}; hits wait in the outbox`);
  }

  private runPipeline(): Promise<unknown> {
    const p = this.config.pipeline;
    const relay = this.relay!;
    return lastValueFrom(
      this.reads.pipe(
        tap((r) => this.metrics.readsIn.inc({ camera: r.cameraId })),
        platePipeline(this.hotlist!, {
          gapMs: p.groupGapMs,
          maxGroupMs: p.groupMaxMs,
          previewConfidence: p.previewConfidence,
          previewAfterReads: p.previewAfterReads,
          maxOpenGroups: p.maxOpenGroups,
          minReadConfidence: p.minReadConfidence,
          minPlateLength: p.minPlateLength,
          onDrop: (_r, reason) => this.metrics.readsDropped.inc({ reason }),
          onLookup: (s) => this.metrics.stageSeconds.observe({ stage: 'hotlist_lookup' }, s),
        }),
        // concatMap keeps the outbox in event order (so per camera order holds on NATS too).
        concatMap(async (event) => {
          this.metrics.groups.inc({ camera: event.group.cameraId, phase: event.phase });
          const { messages, hits } = outboxMessages(event, {
            evidenceInHits: p.evidenceInHits,
            publishReads: p.publishReads,
          });
          if (messages.length === 0) return;
          const t0 = performance.now();
          if (!(await this.commit(messages))) {
            // Dispatch still sees it on the console; it is counted as a storage error above.
            for (const hit of hits) this.log(`${this.formatHit(hit)}  !! NOT STORED, NOT ON NATS (outbox full)`);
            return;
          }
          this.metrics.stageSeconds.observe({ stage: 'outbox_enqueue' }, (performance.now() - t0) / 1000);
          relay.kick();
          this.options.onCommitted?.(messages);
          for (const hit of hits) {
            this.metrics.hits.inc({ category: hit.category, rule: hit.match.rule, state: hit.match.state });
            this.log(this.formatHit(hit));
            this.options.onHit?.(hit);
          }
        }),
      ),
      { defaultValue: undefined },
    );
  }

  /**
   * Commits to the outbox. A failed write (disk or LMDB map full) is counted, logged and retried with the
   * batch held (the pipeline waits; freeing space lets it go on, nothing lost) for up to OUTBOX_HOLD_MS;
   * after that, or when stopping, the batch is given up, loudly. Resolves whether it was committed.
   */
  private async commit(messages: OutboxMessage[]): Promise<boolean> {
    const outbox = this.outbox!;
    const giveUpAt = Date.now() + OUTBOX_HOLD_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        await outbox.enqueue(messages);
        if (attempt > 0) this.log(`outbox: writable again; ${messages.length} held message(s) committed`);
        return true;
      } catch (err) {
        const full = err instanceof OutboxError && err.code === 'ERR_OUTBOX_FULL';
        this.metrics.storageErrors.inc({ store: 'outbox', reason: full ? 'full' : 'write' });
        if (attempt === 0) this.log(`outbox: ${(err as Error).message}; holding and retrying`);
        if (this._status.state === 'stopping' || Date.now() >= giveUpAt || !(err instanceof OutboxError)) {
          this.log(`outbox: giving up ${messages.length} message(s) (${messages.map((m) => m.kind).join(', ')})`);
          return false;
        }
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
      }
    }
  }

  /** One console line per hit; prohibited categories redacted unless run.printProhibited. */
  formatHit(hit: HitMessage): string {
    if (!hit.authorized && !this.config.run.printProhibited) {
      return `HIT  [${hit.categoryLabel}: prohibited category, details only to users with an exception] camera ${hit.cameraId}`;
    }
    const flags = hit.match.flags.length ? `  !! ${hit.match.flags.join(', ')}` : '';
    const state = `${hit.state ?? '??'} vs listed ${hit.entry.state ?? '??'} (${hit.match.state})`;
    return (
      `HIT  ${hit.categoryLabel.padEnd(16)} ${hit.plate.padEnd(8)} ${hit.match.rule}${hit.match.rule === 'lookalike' ? ` of ${hit.entry.plate}` : ''}` +
      `  state ${state}  camera ${hit.cameraId}  conf ${hit.readConfidence.toFixed(2)}  ` +
      `[${hit.entry.source} ${hit.entry.recordId}${hit.entry.reason ? `: ${hit.entry.reason}` : ''}]${flags}`
    );
  }

  /**
   * Stops everything in order (see the file comment); waits up to `flushMs` for NATS to take the outbox.
   * Safe to call twice.
   */
  stop(flushMs = 3000): Promise<void> {
    this.stopping ??= (async () => {
      this._status = { state: 'stopping' };
      await Promise.allSettled(this.cameras.map((cam) => cam.close()));
      this.reads.complete();
      await this.pipelineDone?.catch((err: Error) => this.log(`pipeline: ${err.message}`));
      await this.relay?.stop(flushMs);
      const left = this.outbox?.depth ?? 0;
      if (left > 0) this.log(`outbox: ${left} message(s) kept for the next start (NATS did not take them)`);
      await this.governance?.close();
      await this.link?.close();
      await this.natsServer?.stop();
      await this.outbox?.close();
      await this.hotlist?.close();
      await this.metricsServer?.close();
      this._status = { state: 'stopped' };
    })();
    return this.stopping;
  }
}
