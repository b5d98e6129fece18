/**
 * dropUnread: keeps the reads worth grouping. A read with an empty plate (a region found but not read),
 * too short a plate or a confidence under `minConfidence` is dropped; kept reads carry the normalized plate.
 */
import { filter, map, type OperatorFunction, pipe } from 'rxjs';

import { normalizePlate } from '../hotlist/normalize.js';
import type { FrameRead } from '../reads.js';

export interface DropUnreadOptions {
  minConfidence: number;
  minLength: number;
  /** Called for each dropped read (metrics). */
  onDrop?: (read: FrameRead, reason: 'unread' | 'short' | 'low_confidence') => void;
}

export function dropUnread(options: DropUnreadOptions): OperatorFunction<FrameRead, FrameRead> {
  const { minConfidence, minLength, onDrop } = options;
  return pipe(
    map((read) => {
      const plate = normalizePlate(read.plate);
      return plate === read.plate ? read : { ...read, plate };
    }),
    filter((read) => {
      const reason = !read.plate
        ? 'unread'
        : read.plate.length < minLength
          ? 'short'
          : read.confidence < minConfidence
            ? 'low_confidence'
            : undefined;
      if (reason) onDrop?.(read, reason);
      return reason === undefined;
    }),
  );
}
