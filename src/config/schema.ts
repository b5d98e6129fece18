/**
 * The one schema of platewatch's configuration. Defaults live in config/default.yaml, where each key
 * says what it does and what it costs; this schema says what is valid.
 */
import { z } from 'zod';

import { camerasSchema, captureSchema, detectorThresholdSchema, readerModelSchema, samplesSchema } from './capture.js';
import { hotlistSchema, metricsSchema, natsSchema, outboxSchema, pipelineSchema, runSchema } from './stream.js';

export const recognizerSchema = z
  .object({
    minPlateHeight: z.number().int().min(4).max(4096),
    maxPlateHeight: z.number().int().min(4).max(4096),
    topN: z.number().int().min(1).max(50),
    minConfidence: z.number().min(0).max(1),
    modelDir: z.string().min(1).nullable(),
    readerModel: readerModelSchema,
    wholeImageIsPlate: z.boolean(),
    minCharConfidence: z.number().min(0).max(1),
    stateMinConfidence: z.number().min(0).max(1),
    detectorThreshold: detectorThresholdSchema,
    detectorMaxSide: z.number().int().min(64).max(4096),
    secondLookBelow: z.number().min(0).max(1),
  })
  .strict()
  .refine((r) => r.maxPlateHeight >= r.minPlateHeight, {
    message: 'maxPlateHeight must be >= minPlateHeight',
    path: ['maxPlateHeight'],
  });

/** General Order 41-11 as configuration (issue 6): what the order fixes is bounded here, not just defaulted. */
export const governanceSchema = z
  .object({
    agency: z.string().min(1).max(200),
    auth: z
      .object({
        maxFailedLogins: z.number().int().min(1).max(20),
        lockoutMinutes: z
          .number()
          .int()
          .min(1)
          .max(24 * 60),
        tokenTtlHours: z
          .number()
          .min(0.1)
          .max(24 * 7),
        minPasswordLength: z.number().int().min(8).max(256),
        loginsPerMinutePerAddress: z.number().int().min(1).max(10_000),
      })
      .strict(),
    retention: z
      .object({
        // The order keeps bulk reads at most 30 days: lower is allowed, higher is not.
        readsDays: z.number().min(0.001).max(30, 'the order keeps bulk reads at most 30 days'),
        purgeIntervalMinutes: z
          .number()
          .min(1)
          .max(24 * 60),
      })
      .strict(),
    hotlist: z
      .object({
        manualEntryMaxDays: z.number().int().min(1).max(365),
        staleAfterDays: z.number().int().min(1).max(365),
      })
      .strict(),
    api: z
      .object({
        host: z.string().min(1),
        port: z.number().int().min(0).max(65535),
        bodyLimitBytes: z
          .number()
          .int()
          .min(1024)
          .max(64 * 1024 * 1024),
      })
      .strict(),
  })
  .strict();

export const configSchema = z
  .object({
    dataDir: z.string().min(1),
    recognizer: recognizerSchema,
    governance: governanceSchema,
    capture: captureSchema,
    cameras: camerasSchema,
    samples: samplesSchema,
    pipeline: pipelineSchema,
    hotlist: hotlistSchema,
    nats: natsSchema,
    outbox: outboxSchema,
    metrics: metricsSchema,
    run: runSchema,
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type RecognizerConfig = z.infer<typeof recognizerSchema>;
export type GovernanceConfig = z.infer<typeof governanceSchema>;
