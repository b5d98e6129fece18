/**
 * dropUnread: keeps the reads worth grouping. A read with an empty plate (a region found but not read),
 * too short a plate or a confidence under `minConfidence` is dropped; kept reads carry the normalized plate.
 */
import { Observable, type OperatorFunction } from 'rxjs';

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
  // One operator hop (not map + filter): it runs for every read of every camera.
  return (source) =>
    new Observable<FrameRead>((subscriber) =>
      source.subscribe({
        next: (read) => {
          const plate = normalizePlate(read.plate);
          const reason = !plate
            ? 'unread'
            : plate.length < minLength
              ? 'short'
              : read.confidence < minConfidence
                ? 'low_confidence'
                : undefined;
          if (reason) onDrop?.(read, reason);
          else subscriber.next(plate === read.plate ? read : { ...read, plate });
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}
