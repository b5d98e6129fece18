/**
 * NATS publish against a real local nats-server (the Debian package, started as the tests and
 * `platewatch run` start it: src/nats/NatsServer.ts, loopback, JetStream file store in a temp folder),
 * with the client platewatch uses (@nats-io/transport-node + @nats-io/jetstream v3):
 * - core publish: `messages` publishes then one flush() (the server has processed them all), msgs/s;
 * - JetStream acknowledged publish one at a time (await each ack: what the outbox relay does), msgs/s and
 *   the latency of each publish -> ack;
 * - JetStream publish in batches of `batch` in flight, then await their acks, msgs/s.
 * Each mode also gets the CPU time per message of the client and nats-server together (from /proc: 10 ms
 * ticks), which a loaded machine inflates far less than it does wall-clock rates.
 * JetStream messages carry a unique message id (as hits do, for the duplicate window) into a file-stored
 * stream with the configured duplicate window. Each figure is a median over `runs` runs.
 *
 *   node dist/bench/nats_publish.js [--messages 100000] [--js-messages 5000] [--batch 100] [--size 128] [--runs 5]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { type JetStreamClient, jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

import { loadConfig } from '../src/config/load.js';
import { NatsServer } from '../src/nats/NatsServer.js';
import { benchArgs, benchMain } from './lib/args.js';
import { reportResult } from './lib/report.js';
import { type BenchResult, metric, newResult } from './lib/results.js';

export interface NatsPublishBenchOptions {
  /** Core publishes per run. */
  messages: number;
  /** JetStream publishes per run (each mode). */
  jsMessages: number;
  /** JetStream publishes in flight at once in the batched mode. */
  batch: number;
  /** Payload bytes. */
  size: number;
  runs: number;
}

export const defaultNatsPublishBenchOptions: NatsPublishBenchOptions = {
  messages: 100_000,
  jsMessages: 5_000,
  batch: 100,
  size: 128,
  runs: 5,
};

export function natsServerVersion(): string {
  try {
    return execFileSync('nats-server', ['--version']).toString().trim();
  } catch {
    return 'unknown';
  }
}

/** CPU seconds (user + system) of a process so far, from /proc (10 ms ticks). */
function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU microseconds per message of this process (the client) plus nats-server while `work` runs: unlike
 * msgs/s it barely moves when other jobs share the cores.
 */
async function cpuPerMessage(serverPid: number, messages: number, work: () => Promise<unknown>): Promise<number> {
  const c0 = process.cpuUsage();
  const s0 = processCpuSeconds(serverPid);
  await work();
  const c = process.cpuUsage(c0);
  const server = processCpuSeconds(serverPid) - s0;
  return ((c.user + c.system) / 1e6 + server) * (1e6 / messages);
}

async function jsOneAtATime(js: JetStreamClient, n: number, payload: Uint8Array, run: number, lat: number[]) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await js.publish('bench.js.one', payload, { msgID: `one-${run}-${i}` });
    lat.push((performance.now() - s) * 1000);
  }
  return n / ((performance.now() - t0) / 1000);
}

async function jsBatched(js: JetStreamClient, n: number, batch: number, payload: Uint8Array, run: number) {
  const t0 = performance.now();
  for (let i = 0; i < n; i += batch) {
    const acks: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(n, i + batch); j++) {
      acks.push(js.publish('bench.js.batch', payload, { msgID: `batch-${run}-${j}` }));
    }
    await Promise.all(acks);
  }
  return n / ((performance.now() - t0) / 1000);
}

export async function runNatsPublishBench(opts: Partial<NatsPublishBenchOptions> = {}): Promise<BenchResult> {
  const o = { ...defaultNatsPublishBenchOptions, ...opts };
  const dupWindowSeconds = loadConfig().nats.duplicateWindowSeconds;
  const storeDir = mkdtempSync(path.join(tmpdir(), 'platewatch-bench-nats-'));
  const server = new NatsServer({ storeDir });
  const result = newResult(
    'nats-publish',
    { ...o, duplicateWindowSeconds: dupWindowSeconds, storage: 'file', server: 'local nats-server, loopback' },
    { 'nats-server': natsServerVersion() },
  );
  const payload = new Uint8Array(o.size).fill(0x61);
  try {
    const url = await server.start();
    const nc = await connect({ servers: url });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({
        name: 'BENCH',
        subjects: ['bench.js.>'],
        storage: StorageType.File,
        duplicate_window: dupWindowSeconds * 1e9,
      });
      const js = jetstream(nc);

      // Warm-up of each path (connection buffers, JIT, the stream's first block file).
      for (let i = 0; i < 1000; i++) nc.publish('bench.core', payload);
      await nc.flush();
      await jsOneAtATime(js, 200, payload, -1, []);
      await jsBatched(js, 200, o.batch, payload, -1);

      const status = server.status;
      const pid = status.state === 'running' ? status.pid : process.pid;
      const coreCpu: number[] = [];
      const oneCpu: number[] = [];
      const batchedCpu: number[] = [];
      const core: number[] = [];
      const one: number[] = [];
      const batched: number[] = [];
      const ackLatency: number[] = [];
      for (let run = 0; run < o.runs; run++) {
        coreCpu.push(
          await cpuPerMessage(pid, o.messages, async () => {
            const t0 = performance.now();
            for (let i = 0; i < o.messages; i++) nc.publish('bench.core', payload);
            await nc.flush();
            core.push(o.messages / ((performance.now() - t0) / 1000));
          }),
        );
        oneCpu.push(
          await cpuPerMessage(pid, o.jsMessages, async () => {
            one.push(await jsOneAtATime(js, o.jsMessages, payload, run, ackLatency));
          }),
        );
        batchedCpu.push(
          await cpuPerMessage(pid, o.jsMessages, async () => {
            batched.push(await jsBatched(js, o.jsMessages, o.batch, payload, run));
          }),
        );
      }
      const info = await jsm.streams.info('BENCH');
      result.inputs.streamMessages = info.state.messages;
      result.metrics.push(
        metric(`core publish + flush (${o.messages} msgs of ${o.size} B)`, core, 'msgs/s', true),
        metric('JetStream publish, await each ack', one, 'msgs/s', true),
        metric('JetStream publish -> ack latency, one at a time', ackLatency, 'us'),
        metric(`JetStream publish, ${o.batch} in flight`, batched, 'msgs/s', true),
        metric('core publish CPU per message (client + server)', coreCpu, 'us'),
        metric('JetStream one at a time CPU per message (client + server)', oneCpu, 'us'),
        metric(`JetStream ${o.batch} in flight CPU per message (client + server)`, batchedCpu, 'us'),
      );
    } finally {
      await nc.close();
    }
  } finally {
    await server.stop();
    rmSync(storeDir, { recursive: true, force: true });
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchMain(async () => {
    const d = defaultNatsPublishBenchOptions;
    const { messages, jsMessages, batch, size, runs, ...args } = benchArgs('nats-publish', { ...d });
    const result = await runNatsPublishBench({ messages, jsMessages, batch, size, runs });
    const core = result.metrics[0]!;
    reportResult(result, args, [
      `${result.inputs.streamMessages} messages stored in the BENCH stream (every JetStream publish was acked);` +
        ` core: ${(messages / core.median).toFixed(3)} s per ${messages} messages at the median`,
    ]);
  });
}
