/**
 * Fills the history from the JetStream read stream (STREAMS.reads), so the process boundary stays on
 * NATS: the pipeline may run on other machines of a NATS cluster. A durable consumer with explicit
 * acks: a read is acknowledged only after it is committed to LMDB, and redeliveries are idempotent.
 * Also purges the read stream up to the retention cutoff (the LMDB side is HistoryStore.purge).
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

import { InvalidInputError } from '../errors.js';
import { DurableIngest } from '../nats/DurableIngest.js';
import { STREAMS } from '../subjects.js';
import type { HistoryRead, HistoryStore } from './HistoryStore.js';
import { normalizePlateText } from './plate.js';

export const HISTORY_CONSUMER = 'platewatch-governance-history';

type Json = Record<string, unknown>;

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** ms since the epoch from a number or an ISO string. */
function time(v: unknown): number | undefined {
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isFinite(t) ? t : undefined;
  }
  return num(v);
}

/**
 * A message of the read stream (platewatch.read.v1: `{ schema, phase, group, evidence }`, see
 * src/pipeline/messages.ts) or a bare plate group, as a history read; throws naming the field.
 * Evidence images are not kept in the bulk history.
 */
export function toHistoryRead(msg: unknown): HistoryRead {
  if (typeof msg !== 'object' || msg === null) throw new InvalidInputError('ERR_BAD_READ', 'read: not a JSON object');
  const outer = msg as Json;
  const m = (typeof outer.group === 'object' && outer.group !== null ? outer.group : outer) as Json;
  const read = (typeof m.read === 'object' && m.read !== null ? m.read : {}) as Json;
  const plate = normalizePlateText(String(m.plate ?? read.plate ?? ''));
  if (!plate) throw new InvalidInputError('ERR_BAD_READ', 'read: plate is missing');
  const cameraId = String(m.cameraId ?? m.camera ?? '');
  if (!cameraId) throw new InvalidInputError('ERR_BAD_READ', 'read: cameraId is missing');
  const firstSeen = time(m.firstSeen) ?? time(m.capturedAt);
  if (firstSeen === undefined) throw new InvalidInputError('ERR_BAD_READ', 'read: firstSeen is missing');
  const lastSeen = time(m.lastSeen) ?? firstSeen;
  const state = m.state ?? read.state;
  return {
    id: String(m.id ?? `${cameraId}:${firstSeen}:${plate}`),
    cameraId,
    plate,
    state: typeof state === 'string' && state ? state.toUpperCase() : null,
    confidence: num(m.confidence) ?? num(read.confidence) ?? 0,
    firstSeen,
    lastSeen,
  };
}

export class HistoryIngest extends DurableIngest {
  constructor(store: HistoryStore) {
    super(STREAMS.reads.name, HISTORY_CONSUMER, (json) => store.ingest([toHistoryRead(json)]), 256);
  }
}

/**
 * Deletes from the JetStream read stream every message stored before `cutoff` (ms). Returns how many
 * were purged. Works on nats-server 2.9 (no direct get by time): an ordered consumer starting at the
 * cutoff finds the first sequence to keep, and everything before it is purged.
 */
export async function purgeReadStream(nc: NatsConnection, cutoff: number): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(STREAMS.reads.name);
  if (info.state.messages === 0) return 0;
  const consumer = await jetstream(nc).consumers.get(STREAMS.reads.name, {
    opt_start_time: new Date(cutoff).toISOString(),
  });
  const first = await consumer.next({ expires: 1000 });
  const keepFrom = first ? first.seq : info.state.last_seq + 1;
  await consumer.delete().catch(() => {});
  // Nothing older than the cutoff. Never send that purge: nats-server 2.9 purges the WHOLE stream for
  // `seq` <= its first sequence (seen: a restart's maintenance wiped fresh plate groups, test/faults-service-kill).
  if (keepFrom <= info.state.first_seq) return 0;
  const result = await jsm.streams.purge(STREAMS.reads.name, { seq: keepFrom });
  return result.purged;
}
