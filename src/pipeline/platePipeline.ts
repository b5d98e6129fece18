/**
 * The stream pipeline, composed: frame reads -> kept reads -> plate groups (preview, final) -> matched
 * against the hot list. What happens to the result (outbox, console, metrics) is the caller's.
 */
import { asyncScheduler, type OperatorFunction, pipe, type SchedulerLike } from 'rxjs';

import type { FrameRead } from '../reads.js';
import { type DropUnreadOptions, dropUnread } from './dropUnread.js';
import { type GroupPlatesOptions, groupPlates } from './groupPlates.js';
import { type HotlistLookup, matchHotlist } from './matchHotlist.js';
import type { MatchedGroupEvent } from './PlateGroup.js';

export interface PlatePipelineOptions extends Partial<GroupPlatesOptions> {
  minReadConfidence: number;
  minPlateLength: number;
  onDrop?: DropUnreadOptions['onDrop'];
  onLookup?: (seconds: number) => void;
}

export function platePipeline(
  hotlist: HotlistLookup,
  options: PlatePipelineOptions,
  scheduler: SchedulerLike = asyncScheduler,
): OperatorFunction<FrameRead, MatchedGroupEvent> {
  const { minReadConfidence, minPlateLength, onDrop, onLookup, ...grouping } = options;
  return pipe(
    dropUnread({ minConfidence: minReadConfidence, minLength: minPlateLength, ...(onDrop ? { onDrop } : {}) }),
    groupPlates(grouping, scheduler),
    matchHotlist(hotlist, { now: () => scheduler.now(), ...(onLookup ? { onLookup } : {}) }),
  );
}
