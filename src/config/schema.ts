/**
 * The one schema of platewatch's configuration. Defaults live in config/default.yaml, where each key
 * says what it does and what it costs; this schema says what is valid.
 */
import { z } from 'zod';

export const recognizerSchema = z
  .object({
    minPlateHeight: z.number().int().min(4).max(4096),
    maxPlateHeight: z.number().int().min(4).max(4096),
    topN: z.number().int().min(1).max(50),
    minConfidence: z.number().min(0).max(1),
    modelDir: z.string().min(1).nullable(),
  })
  .strict()
  .refine((r) => r.maxPlateHeight >= r.minPlateHeight, {
    message: 'maxPlateHeight must be >= minPlateHeight',
    path: ['maxPlateHeight'],
  });

export const configSchema = z
  .object({
    dataDir: z.string().min(1),
    recognizer: recognizerSchema,
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type RecognizerConfig = z.infer<typeof recognizerSchema>;
