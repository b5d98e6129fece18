/**
 * Fills the hit review from the JetStream hit stream (STREAMS.hits): a durable consumer, acked after
 * the hit is committed to LMDB; a redelivered hit is stored once (HitReview.record is idempotent).
 */
import { AckPolicy, type ConsumerMessages, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

import { InvalidInputError } from '../errors.js';
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

export class HitIngest {
  readonly #review: HitReview;
  #messages: ConsumerMessages | undefined;
  #done: Promise<void> | undefined;
  rejected = 0;

  constructor(review: HitReview) {
    this.#review = review;
  }

  async start(nc: NatsConnection): Promise<void> {
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.add(STREAMS.hits.name, {
      durable_name: HIT_CONSUMER,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
    const consumer = await jetstream(nc).consumers.get(STREAMS.hits.name, HIT_CONSUMER);
    const messages = await consumer.consume({ max_messages: 64 });
    this.#messages = messages;
    this.#done = (async () => {
      for await (const m of messages) {
        try {
          this.#review.record(fromHitMessage(m.json()));
        } catch (err) {
          if (!(err instanceof InvalidInputError) && !(err instanceof SyntaxError)) {
            // Not the message's fault (e.g. the disk is full): leave it for a later redelivery.
            m.nak(5000);
            continue;
          }
          this.rejected += 1;
        }
        m.ack();
      }
    })();
  }

  async stop(): Promise<void> {
    await this.#messages?.close();
    await this.#done;
  }
}
