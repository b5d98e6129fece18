/**
 * The messages platewatch publishes on NATS, versioned. The zod schemas here are the source of truth;
 * schemas/hit.v1.json and schemas/read.v1.json are generated from them (a test keeps them equal).
 *
 * - a hit: `platewatch.hits.<category>.<camera>` (stream PLATEWATCH_HITS), message id = hit id;
 * - a plate group (one read per passing vehicle): `platewatch.reads.<camera>` (stream PLATEWATCH_READS),
 *   message id = group id + phase.
 */
import { z } from 'zod';

import { CATEGORY_IDS } from '../categories.js';

export const HIT_SCHEMA = 'platewatch.hit.v1';
export const READ_SCHEMA = 'platewatch.read.v1';

const box = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });
const alternative = z.object({ plate: z.string(), confidence: z.number() });
const isoTime = z.string().describe('ISO 8601 UTC time');

export const plateGroupSchema = z.object({
  id: z.string().describe('Stable id of the plate group (camera, first frame)'),
  cameraId: z.string(),
  plate: z.string().describe('Plate after the character-level vote, normalized'),
  confidence: z.number().min(0).max(1).describe('Confidence of the voted plate'),
  state: z.string().nullable().describe('Voted two-letter state of issuance, null when unknown'),
  stateConfidence: z.number().nullable(),
  reads: z.number().int().min(1).describe('Frame reads merged into this group'),
  firstSeen: isoTime,
  lastSeen: isoTime,
  candidates: z.array(alternative).describe('Distinct plates read in the group, by total confidence'),
  best: z
    .object({ frameSeq: z.number(), pts: z.number(), capturedAt: isoTime, box, confidence: z.number() })
    .describe('The frame whose read was the most confident (the evidence)'),
});

export const evidenceSchema = z.object({
  plateJpeg: z.string().optional().describe('Base64 JPEG of the plate crop'),
  contextJpeg: z.string().optional().describe('Base64 JPEG of the whole frame, downscaled'),
});

export const hitMessageSchema = z.object({
  schema: z.literal(HIT_SCHEMA),
  id: z.string().describe('Unique hit id; also the NATS message id (JetStream de-duplicates retries)'),
  detectedAt: isoTime,
  cameraId: z.string(),
  category: z.enum(CATEGORY_IDS as [string, ...string[]]),
  categoryLabel: z.string(),
  authorized: z.boolean().describe('false: a prohibited category, delivered only under an exception'),
  plate: z.string().describe('The plate as read (voted)'),
  readConfidence: z.number(),
  state: z.string().nullable().describe('State read from the plate, null when unknown'),
  stateConfidence: z.number().nullable(),
  match: z.object({
    rule: z
      .enum(['exact', 'lookalike'])
      .describe('exact, or look-alike characters (O/0, D/0, I/1, B/8, S/5, Z/2, G/6)'),
    edits: z.number().int().min(0).describe('Look-alike substitutions between the read and the entry'),
    state: z.enum(['same', 'different', 'unknown']).describe('Read state against the entry state'),
    flags: z
      .array(z.enum(['lookalike', 'wrong_state', 'state_unknown']))
      .describe('What dispatch must verify before a stop'),
  }),
  entry: z.object({
    plate: z.string(),
    state: z.string().nullable(),
    category: z.string(),
    source: z.string(),
    recordId: z.string(),
    reason: z.string().nullable(),
    enteredBy: z.string().nullable(),
    cjisReference: z.string().nullable(),
    createdAt: isoTime,
    expiresAt: isoTime.nullable(),
  }),
  phase: z.enum(['preview', 'final']).describe('preview: first confident read; final: the vehicle is gone'),
  group: plateGroupSchema,
  evidence: evidenceSchema,
});

export const readMessageSchema = z.object({
  schema: z.literal(READ_SCHEMA),
  phase: z.literal('final'),
  group: plateGroupSchema,
  evidence: evidenceSchema,
});

export type PlateGroupMessage = z.infer<typeof plateGroupSchema>;
export type HitMessage = z.infer<typeof hitMessageSchema>;
export type ReadMessage = z.infer<typeof readMessageSchema>;
