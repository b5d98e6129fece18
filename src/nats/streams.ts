/** The JetStream streams of platewatch (names and subjects from src/subjects.ts), created or updated. */
import { type JetStreamManager, RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';

import { STREAMS } from '../subjects.js';

export interface StreamLimits {
  /** Plate groups are kept this long (the retention of bulk reads: at most 30 days). */
  readsMaxAgeDays: number;
  /** Hits are kept this long. */
  hitsMaxAgeDays: number;
  /** Messages with a repeated message id within this window are dropped (covers an outbox replay). */
  duplicateWindowSeconds: number;
}

const NS_PER_S = 1_000_000_000;
const DAY_S = 86_400;

export function streamConfigs(limits: StreamLimits): Partial<StreamConfig>[] {
  const dup = limits.duplicateWindowSeconds * NS_PER_S;
  const base = { retention: RetentionPolicy.Limits, storage: StorageType.File, num_replicas: 1 };
  return [
    {
      ...base,
      ...STREAMS.hits,
      subjects: [...STREAMS.hits.subjects],
      max_age: limits.hitsMaxAgeDays * DAY_S * NS_PER_S,
      duplicate_window: dup,
    },
    {
      ...base,
      ...STREAMS.reads,
      subjects: [...STREAMS.reads.subjects],
      max_age: limits.readsMaxAgeDays * DAY_S * NS_PER_S,
      duplicate_window: dup,
    },
    {
      ...base,
      ...STREAMS.hotlist,
      subjects: [...STREAMS.hotlist.subjects],
      max_age: 30 * DAY_S * NS_PER_S,
      duplicate_window: dup,
    },
  ];
}

/** Creates the streams, or updates their limits when they exist (e.g. a shorter retention). */
export async function ensureStreams(jsm: JetStreamManager, limits: StreamLimits): Promise<void> {
  for (const cfg of streamConfigs(limits)) {
    const name = cfg.name!;
    const info = await jsm.streams.info(name).catch(() => undefined);
    if (!info) await jsm.streams.add({ ...cfg, name });
    else if (info.config.max_age !== cfg.max_age || info.config.duplicate_window !== cfg.duplicate_window) {
      await jsm.streams.update(name, {
        ...info.config,
        max_age: cfg.max_age!,
        duplicate_window: cfg.duplicate_window!,
      });
    }
  }
}
