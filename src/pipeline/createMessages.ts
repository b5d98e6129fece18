/** Builds the published messages (schemas in messages.ts) from matched group events. */
import { randomUUID } from 'node:crypto';

import { categoryLabel, isCategoryId, PROHIBITED_CATEGORIES } from '../categories.js';
import type { HotlistMatch } from '../hotlist/HotlistEntry.js';
import type { FrameRead } from '../reads.js';
import { HIT_SCHEMA, type HitMessage, type PlateGroupMessage, READ_SCHEMA, type ReadMessage } from './messages.js';
import type { GroupEvent, PlateGroup } from './PlateGroup.js';

const iso = (ms: number) => new Date(ms).toISOString();
/** Confidences to 4 decimals: what a dispatcher reads, without float noise. */
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
const r4n = (x: number | undefined) => (x === undefined ? null : r4(x));

export function groupMessage(g: PlateGroup): PlateGroupMessage {
  return {
    id: g.id,
    cameraId: g.cameraId,
    plate: g.plate,
    confidence: r4(g.confidence),
    state: g.state ?? null,
    stateConfidence: r4n(g.stateConfidence),
    reads: g.reads,
    firstSeen: iso(g.firstSeen),
    lastSeen: iso(g.lastSeen),
    candidates: g.candidates.map((c) => ({ plate: c.plate, confidence: r4(c.confidence) })),
    best: {
      frameSeq: g.best.frameSeq,
      pts: g.best.pts,
      capturedAt: iso(g.best.capturedAt),
      box: g.best.box,
      confidence: r4(g.best.confidence),
    },
  };
}

function evidence(read: FrameRead, include: boolean): HitMessage['evidence'] {
  if (!include) return {};
  return {
    ...(read.plateJpeg ? { plateJpeg: read.plateJpeg.toString('base64') } : {}),
    ...(read.contextJpeg ? { contextJpeg: read.contextJpeg.toString('base64') } : {}),
  };
}

export function createHit(
  event: GroupEvent,
  match: HotlistMatch,
  options: { evidence?: boolean; now?: number } = {},
): HitMessage {
  const g = event.group;
  const e = match.entry;
  const flags: HitMessage['match']['flags'] = [];
  if (match.rule === 'lookalike') flags.push('lookalike');
  if (match.state === 'different') flags.push('wrong_state');
  if (match.state === 'unknown') flags.push('state_unknown');
  const category = e.category;
  if (!isCategoryId(category)) throw new TypeError(`hot-list entry ${e.recordId} has an unknown category ${category}`);
  return {
    schema: HIT_SCHEMA,
    id: randomUUID(),
    detectedAt: iso(options.now ?? Date.now()),
    cameraId: g.cameraId,
    category,
    categoryLabel: categoryLabel(category),
    authorized: !(PROHIBITED_CATEGORIES as readonly string[]).includes(category),
    plate: g.plate,
    readConfidence: r4(g.confidence),
    state: g.state ?? null,
    stateConfidence: r4n(g.stateConfidence),
    match: { rule: match.rule, edits: match.edits, state: match.state, flags },
    entry: {
      plate: e.plate,
      state: e.state ?? null,
      category: e.category,
      source: e.source,
      recordId: e.recordId,
      reason: e.reason ?? null,
      enteredBy: e.enteredBy ?? null,
      cjisReference: e.cjisReference ?? null,
      createdAt: iso(e.createdAt),
      expiresAt: e.expiresAt === undefined ? null : iso(e.expiresAt),
    },
    phase: event.phase,
    group: groupMessage(g),
    evidence: evidence(g.best, options.evidence ?? true),
  };
}

export function createReadMessage(event: GroupEvent, options: { evidence?: boolean } = {}): ReadMessage {
  return {
    schema: READ_SCHEMA,
    phase: 'final',
    group: groupMessage(event.group),
    evidence: evidence(event.group.best, options.evidence ?? false),
  };
}
