/**
 * Fills the hit review from the JetStream hit stream (STREAMS.hits): a durable consumer, acked after
 * the hit is committed to LMDB; a redelivered hit is stored once (HitReview.record is idempotent).
 */
import { InvalidInputError } from '../errors.js';
import { DurableIngest } from '../nats/DurableIngest.js';
import { STREAMS } from '../subjects.js';
import type { HitReview, IncomingHit } from './HitReview.js';

export const HIT_CONSUMER = 'platewatch-governance-hits';

type Json = Record<string, unknown>;

/** A platewatch.hit.v1 message (src/pipeline/messages.ts) as a hit to review; throws naming the field. */
export function fromHitMessage(msg: unknown): IncomingHit {
  const m = (typeof msg === 'object' && msg !== null ? msg : {}) as Json;
  const match = (m.match ?? {}) as Json;
  const entry = (m.entry ?? {}) as Json;
  const evidence = (m.evidence ?? {}) as Json;
  if (m.schema !== 'platewatch.hit.v1') {
    throw new InvalidInputError(
      'ERR_BAD_HIT',
      `hit: schema must be platewatch.hit.v1 (got ${JSON.stringify(m.schema)})`,
    );
  }
  const detectedAt = Date.parse(String(m.detectedAt));
  if (!Number.isFinite(detectedAt)) throw new InvalidInputError('ERR_BAD_HIT', 'hit: detectedAt is not a time');
  return {
    id: String(m.id ?? ''),
    category: String(m.category ?? ''),
    cameraId: String(m.cameraId ?? ''),
    detectedAt,
    read: {
      plate: String(m.plate ?? ''),
      confidence: Number(m.readConfidence ?? 0),
      state: (m.state as string | null) ?? null,
      stateConfidence: (m.stateConfidence as number | null) ?? null,
    },
    entry: {
      plate: String(entry.plate ?? ''),
      state: (entry.state as string | null) ?? null,
      category: String(entry.category ?? ''),
      source: String(entry.source ?? ''),
      recordId: String(entry.recordId ?? ''),
      reason: (entry.reason as string | null) ?? null,
      cjisReference: (entry.cjisReference as string | null) ?? null,
    },
    matchRule: match.rule === 'lookalike' ? 'lookalike' : 'exact',
    stateMatch: match.state === 'different' ? 'different' : match.state === 'same' ? 'same' : 'unknown',
    evidence: {
      plateJpeg: (evidence.plateJpeg as string | undefined) ?? null,
      contextJpeg: (evidence.contextJpeg as string | undefined) ?? null,
    },
  };
}

export class HitIngest extends DurableIngest {
  constructor(review: HitReview) {
    super(STREAMS.hits.name, HIT_CONSUMER, (json) => review.record(fromHitMessage(json)), 64);
  }
}
