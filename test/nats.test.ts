/**
 * The pipeline against a real nats-server (JetStream on a temp dir) and real LMDB (hot list, outbox):
 * hits land once on their category's subject, with the match rule, across a NATS outage.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { concatMap, lastValueFrom, Subject } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HotlistStore } from '../src/hotlist/HotlistStore.js';
import { NatsLink } from '../src/nats/NatsLink.js';
import { NatsServer } from '../src/nats/NatsServer.js';
import { Outbox } from '../src/nats/Outbox.js';
import { OutboxRelay } from '../src/nats/OutboxRelay.js';
import { hitMessageSchema } from '../src/pipeline/messages.js';
import { outboxMessages } from '../src/pipeline/outboxMessages.js';
import { platePipeline } from '../src/pipeline/platePipeline.js';
import type { FrameRead } from '../src/reads.js';
import { STREAMS } from '../src/subjects.js';
import { read } from './frameReads.js';

const tmp = (p: string) => mkdtempSync(path.join(tmpdir(), `platewatch-${p}-`));
const limits = { readsMaxAgeDays: 30, hitsMaxAgeDays: 30, duplicateWindowSeconds: 600 };

let server: NatsServer;
let store: HotlistStore;
let outbox: Outbox;
let link: NatsLink;
let relay: OutboxRelay;
let nc: NatsConnection;
let jsm: JetStreamManager;
const relayErrors: string[] = [];

beforeAll(async () => {
  server = new NatsServer({ storeDir: tmp('natsd') });
  await server.start();
  store = new HotlistStore(tmp('hot'));
  const e = { source: 'CA_DOJ', createdAt: Date.now() };
  await store.replaceSource('CA_DOJ', [
    { ...e, plate: '7ABC123', state: 'CA', category: 'stolen_vehicle', recordId: 'V1', reason: 'stolen 2026-11-01' },
    { ...e, plate: '8SO1234', state: 'CA', category: 'warrant', recordId: 'W1' },
    { ...e, plate: '4WRS771', state: 'CA', category: 'amber_alert', recordId: 'A1' },
    { ...e, plate: '6OUT777', state: 'CA', category: 'missing_person', recordId: 'M1' },
    { ...e, plate: '2SEX001', state: 'CA', category: 'sex_offender', recordId: 'S1' },
  ]);
  outbox = new Outbox(tmp('outbox'));
  link = new NatsLink({ url: server.url, limits, reconnectWaitMs: 100 });
  link.start();
  expect(await link.ready()).toBe(true);
  relay = new OutboxRelay(outbox, link, {
    retryMs: 100,
    publishTimeoutMs: 1000,
    onError: (e) => relayErrors.push(String((e as Error)?.message ?? e)),
  });
  relay.start();
  nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  jsm = await jetstreamManager(nc);
});

afterAll(async () => {
  await relay?.stop();
  await link?.close();
  await nc?.close();
  await outbox?.close();
  await store?.close();
  await server?.stop();
});

/** Drives reads through the pipeline into the outbox, as `platewatch run` does. */
async function drive(reads: FrameRead[]): Promise<void> {
  const src = new Subject<FrameRead>();
  const done = lastValueFrom(
    src.pipe(
      platePipeline(store, {
        // Reads come 10 ms apart on the real clock; a gap far above that keeps one vehicle one group even when
        // a loaded machine delays the timers (at 100 ms a load of 30 split a vehicle into two hits once).
        gapMs: 1000,
        maxGroupMs: 2000,
        previewConfidence: 0.85,
        maxOpenGroups: 8,
        minReadConfidence: 0.3,
        minPlateLength: 2,
      }),
      concatMap(async (event) => {
        await outbox.enqueue(outboxMessages(event).messages);
        relay.kick();
      }),
    ),
    { defaultValue: undefined },
  );
  for (const r of reads) {
    src.next(r);
    await new Promise((res) => setTimeout(res, 10));
  }
  src.complete();
  await done;
}

async function hitsOn(subject: string, timeoutMs = 8000): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + timeoutMs;
  while (outbox.depth > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  // Right after a server restart the test's own client may still be reconnecting: retry its requests.
  let info: Awaited<ReturnType<JetStreamManager['streams']['info']>> | undefined;
  while (!info) {
    info = await jsm.streams.info(STREAMS.hits.name, { subjects_filter: subject }).catch((err: Error) => {
      if (Date.now() > deadline) throw err;
      return undefined;
    });
    if (!info) await new Promise((r) => setTimeout(r, 100));
  }
  const out: Record<string, unknown>[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && seq > 0; seq++) {
    const m = await jsm.streams.getMessage(STREAMS.hits.name, { seq }).catch(() => undefined);
    if (m && (m.subject === subject || subject.endsWith('>'))) out.push(m.json());
  }
  return out.filter((h) => (subject.endsWith('>') ? true : h.cameraId !== undefined));
}

describe('hits on NATS (real nats-server, real LMDB)', () => {
  it('a plate on the hot list driven past a camera yields exactly one hit with the right category and rule', async () => {
    await drive([read('7ABC123', 0.95, { state: 'CA' }), read('7ABC123', 0.9), read('7A8C123', 0.6), read('7ABC123')]);
    const hits = await hitsOn('platewatch.hits.stolen_vehicle.cam1');
    expect(hits).toHaveLength(1);
    const hit = hitMessageSchema.parse(hits[0]);
    expect(hit.category).toBe('stolen_vehicle');
    expect(hit.match.rule).toBe('exact');
    expect(hit.match.state).toBe('same');
    expect(hit.entry.reason).toBe('stolen 2026-11-01');
    expect(hit.group.cameraId).toBe('cam1');
  });

  it('a look-alike read matches with the lookalike rule', async () => {
    await drive([read('BSO1234', 0.95, { state: 'CA' })]);
    const [hit] = await hitsOn('platewatch.hits.warrant.cam1');
    expect(hit).toBeDefined();
    expect(hitMessageSchema.parse(hit).match).toMatchObject({ rule: 'lookalike', edits: 1, flags: ['lookalike'] });
  });

  it('a wrong-state read is flagged on the hit', async () => {
    await drive([read('4WRS771', 0.95, { cameraId: 'cam2', state: 'NV', stateConfidence: 0.9 })]);
    const [hit] = await hitsOn('platewatch.hits.amber_alert.cam2');
    expect(hitMessageSchema.parse(hit).match).toMatchObject({
      rule: 'exact',
      state: 'different',
      flags: ['wrong_state'],
    });
  });

  it('a prohibited-category hit goes only to its own category subject', async () => {
    const seen: string[] = [];
    const sub = nc.subscribe('platewatch.hits.stolen_vehicle.>', { callback: (_e, m) => void seen.push(m.subject) });
    await drive([read('2SEX001', 0.95, { cameraId: 'cam3' })]);
    const hits = await hitsOn('platewatch.hits.sex_offender.cam3');
    expect(hits).toHaveLength(1);
    expect(hitMessageSchema.parse(hits[0]).authorized).toBe(false);
    await nc.flush();
    sub.unsubscribe();
    expect(seen).toEqual([]);
  });

  it('stopping NATS during a hit and restarting it delivers the hit once', async () => {
    await server.stop();
    await drive([read('6OUT777', 0.95, { cameraId: 'cam4' })]);
    expect(outbox.depth).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 400)); // the relay retries against a dead server meanwhile
    expect(outbox.depth).toBeGreaterThan(0);
    await server.start();
    const hits = await hitsOn('platewatch.hits.missing_person.cam4', 15_000);
    expect(outbox.depth, `link ${JSON.stringify(link.state)}; relay errors ${relayErrors.slice(-3).join(' | ')}`).toBe(
      0,
    );
    expect(hits).toHaveLength(1);
  });

  it('a message sent again with the same id (acknowledged, then a crash before removal) is stored once', async () => {
    await drive([read('7ABC123', 0.95, { cameraId: 'cam5', state: 'CA' })]);
    const [hit] = await hitsOn('platewatch.hits.stolen_vehicle.cam5');
    const again = {
      kind: 'hit' as const,
      subject: 'platewatch.hits.stolen_vehicle.cam5',
      msgId: String(hit!.id),
      payload: JSON.stringify(hit),
      enqueuedAt: Date.now(),
    };
    await outbox.enqueue([again]);
    relay.kick();
    expect(await hitsOn('platewatch.hits.stolen_vehicle.cam5')).toHaveLength(1);
  });
});
