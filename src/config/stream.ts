/**
 * Config schema of the stream pipeline (issue 5): grouping, hot list, NATS, outbox, metrics, run.
 * Defaults and what each key costs: config/default.yaml.
 */
import { z } from 'zod';

const token = z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only');

export const pipelineSchema = z
  .object({
    minReadConfidence: z.number().min(0).max(1),
    minPlateLength: z.number().int().min(1).max(10),
    groupGapMs: z.number().int().min(10).max(600_000),
    groupMaxMs: z.number().int().min(100).max(3_600_000),
    previewConfidence: z.number().min(0).max(1),
    previewAfterReads: z.number().int().min(0).max(1000),
    maxOpenGroups: z.number().int().min(1).max(10_000),
    evidenceInHits: z.boolean(),
    publishReads: z.boolean(),
  })
  .strict();

export const hotlistSchema = z
  .object({
    maxLookalikeEdits: z.number().int().min(0).max(10),
    maxAgeHours: z
      .number()
      .min(1)
      .max(24 * 365),
    sample: z
      .object({
        file: z.string().min(1).nullable(),
        source: token,
        mapping: z.string().min(1),
      })
      .strict(),
  })
  .strict();

export const natsSchema = z
  .object({
    url: z.string().min(1).nullable(),
    localHost: z.string().min(1),
    localPort: z.number().int().min(0).max(65535),
    serverBinary: z.string().min(1),
    hitsMaxAgeDays: z.number().int().min(1).max(3650),
    duplicateWindowSeconds: z.number().int().min(1).max(86_400),
    retryMs: z.number().int().min(10).max(60_000),
    publishTimeoutMs: z.number().int().min(100).max(60_000),
  })
  .strict();

export const outboxSchema = z.object({ durable: z.boolean() }).strict();

export const metricsSchema = z
  .object({
    enabled: z.boolean(),
    host: z.string().min(1),
    port: z.number().int().min(0).max(65535),
  })
  .strict();

export const runSchema = z.object({ printProhibited: z.boolean(), cameraProcesses: z.boolean() }).strict();

export type PipelineConfig = z.infer<typeof pipelineSchema>;
export type HotlistConfig = z.infer<typeof hotlistSchema>;
export type NatsConfig = z.infer<typeof natsSchema>;
export type MetricsConfig = z.infer<typeof metricsSchema>;
