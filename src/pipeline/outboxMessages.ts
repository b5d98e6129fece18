/**
 * What a matched group event puts in the outbox: one hit per new hot-list match, on its category's
 * subject (the subject NATS permissions are granted per category: a prohibited-category hit is
 * readable only by a user holding an exception), and the group itself on the read stream when final.
 */
import type { CategoryId } from '../categories.js';
import type { OutboxMessage } from '../nats/Outbox.js';
import { hitSubject, readSubject } from '../subjects.js';
import { createHit, createReadMessage } from './createMessages.js';
import type { HitMessage } from './messages.js';
import type { MatchedGroupEvent } from './PlateGroup.js';

export interface OutboxBatch {
  messages: OutboxMessage[];
  hits: HitMessage[];
}

export function outboxMessages(
  event: MatchedGroupEvent,
  options: { evidenceInHits?: boolean; evidenceInReads?: boolean; publishReads?: boolean } = {},
): OutboxBatch {
  const now = Date.now();
  const hits = event.matches.map((m) => createHit(event, m, { evidence: options.evidenceInHits ?? true, now }));
  const messages: OutboxMessage[] = hits.map((hit) => ({
    kind: 'hit',
    subject: hitSubject(hit.category as CategoryId, hit.cameraId),
    msgId: hit.id,
    payload: JSON.stringify(hit),
    enqueuedAt: now,
    capturedAt: event.trigger.capturedAt,
  }));
  if (event.phase === 'final' && (options.publishReads ?? true)) {
    const msg = createReadMessage(event, { evidence: options.evidenceInReads ?? false });
    messages.push({
      kind: 'read',
      subject: readSubject(event.group.cameraId),
      msgId: `read-${event.group.id}`,
      payload: JSON.stringify(msg),
      enqueuedAt: now,
      capturedAt: event.trigger.capturedAt,
    });
  }
  return { messages, hits };
}
