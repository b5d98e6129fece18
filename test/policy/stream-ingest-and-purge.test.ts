/**
 * The history and the hit review are filled from JetStream (the process boundary stays on NATS), and
 * the retention purge also deletes from the JetStream read stream. Real nats-server with JetStream.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HistoryIngest, purgeReadStream } from '../../src/history/HistoryIngest.js';
import { HitIngest } from '../../src/hits/HitIngest.js';
import { ensureStreams } from '../../src/nats/streams.js';
import { hitSubject, readSubject, STREAMS } from '../../src/subjects.js';
import { type Fixture, makeFixture } from './helpers.js';
import { startNatsServer, type TestNatsServer } from './natsServer.js';

let f: Fixture;
let server: TestNatsServer;
let nc: NatsConnection;

function readMessage(id: string, plate: string, at: number) {
  const iso = new Date(at).toISOString();
  return {
    schema: 'platewatch.read.v1',
    phase: 'final',
    group: {
      id,
      cameraId: 'cam1',
      plate,
      confidence: 0.91,
      state: 'CA',
      stateConfidence: 0.7,
      reads: 4,
      firstSeen: iso,
      lastSeen: iso,
      candidates: [{ plate, confidence: 0.91 }],
      best: { frameSeq: 1, pts: 0, capturedAt: iso, box: { x: 0, y: 0, width: 10, height: 5 }, confidence: 0.9 },
    },
    evidence: {},
  };
}

function hitMessage(id: string, state: 'same' | 'different', rule: 'exact' | 'lookalike') {
  const iso = new Date(f.clock.t).toISOString();
  return {
    schema: 'platewatch.hit.v1',
    id,
    detectedAt: iso,
    cameraId: 'cam1',
    category: 'stolen_vehicle',
    categoryLabel: 'Stolen Vehicle',
    authorized: true,
    plate: '7ABC123',
    readConfidence: 0.9,
    state: 'NV',
    stateConfidence: 0.6,
    match: { rule, edits: rule === 'lookalike' ? 1 : 0, state, flags: [] },
    entry: {
      plate: '7ABC123',
      state: 'CA',
      category: 'stolen_vehicle',
      source: 'CA_DOJ',
      recordId: 'R1',
      reason: null,
      enteredBy: null,
      cjisReference: null,
      createdAt: iso,
      expiresAt: null,
    },
    phase: 'preview',
    group: readMessage(`g-${id}`, '7ABC123', f.clock.t).group,
    evidence: { plateJpeg: 'AAAA', contextJpeg: 'BBBB' },
  };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  f = await makeFixture();
  server = await startNatsServer('', true);
  nc = await connect({ servers: server.url });
  await ensureStreams(await jetstreamManager(nc), {
    readsMaxAgeDays: 30,
    hitsMaxAgeDays: 30,
    duplicateWindowSeconds: 120,
  });
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
  await f?.close();
});

describe('History and hits from JetStream', () => {
  it('plate groups on the read stream land in the history once each (redeliveries are idempotent)', async () => {
    const js = jetstream(nc);
    const ingest = new HistoryIngest(f.gov.history);
    await ingest.start(nc);
    for (const [i, plate] of ['1AAA111', '2BBB222', '3CCC333'].entries()) {
      await js.publish(readSubject('cam1'), JSON.stringify(readMessage(`g${i}`, plate, f.clock.t - i * 1000)));
    }
    await js.publish(readSubject('cam1'), JSON.stringify(readMessage('g0', '1AAA111', f.clock.t)));
    await js.publish(readSubject('cam1'), '{"not":"a read"}');
    await until(() => f.gov.history.size === 3 && ingest.rejected === 1);
    await ingest.stop();
    const found = f.gov.history.search(
      f.actors.operator,
      { plate: '2BBB222' },
      { purpose: 'amber_alert', reason: 'amber alert vehicle' },
    );
    expect(found).toMatchObject([{ id: 'g1', cameraId: 'cam1', state: 'CA' }]);
  });

  it('hits on the hit stream reach the review with their flags', async () => {
    const js = jetstream(nc);
    const ingest = new HitIngest(f.gov.hits);
    await ingest.start(nc);
    await js.publish(hitSubject('stolen_vehicle', 'cam1'), JSON.stringify(hitMessage('h-wrong', 'different', 'exact')));
    await js.publish(hitSubject('stolen_vehicle', 'cam1'), JSON.stringify(hitMessage('h-look', 'same', 'lookalike')));
    f.gov.profiles.establish(f.actors.operator, ['stolen_vehicle']);
    await until(() => {
      try {
        f.gov.hits.get(f.actors.operator, 'h-look');
        return true;
      } catch {
        return false;
      }
    });
    await ingest.stop();
    expect(f.gov.hits.get(f.actors.operator, 'h-wrong').flags).toEqual(['wrong_state']);
    expect(f.gov.hits.get(f.actors.operator, 'h-look')).toMatchObject({
      flags: ['look_alike'],
      evidence: { plateJpeg: 'AAAA', contextJpeg: 'BBBB' },
    });
  });

  it('the retention purge deletes from the JetStream read stream everything stored before the cutoff', async () => {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const before = (await jsm.streams.info(STREAMS.reads.name)).state.messages;
    await new Promise((r) => setTimeout(r, 30));
    const cutoff = Date.now();
    await new Promise((r) => setTimeout(r, 30));
    await js.publish(readSubject('cam2'), JSON.stringify(readMessage('fresh', '9NEW999', Date.now())));
    const purged = await purgeReadStream(nc, cutoff);
    expect(purged).toBe(before);
    const after = await jsm.streams.info(STREAMS.reads.name);
    expect(after.state.messages).toBe(1);
    expect(await purgeReadStream(nc, cutoff)).toBe(0);
  });
});
