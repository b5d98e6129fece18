/** A plate group: the reads of one plate from one camera across frames, i.e. one passing vehicle. */

import type { HotlistMatch } from '../hotlist/HotlistEntry.js';
import type { PlateAlternative } from '../native.js';
import type { FrameRead } from '../reads.js';

export interface PlateGroup {
  /** Stable id: camera, capture time and frame of the first read. */
  id: string;
  cameraId: string;
  /** Voted plate (normalized). */
  plate: string;
  confidence: number;
  state?: string;
  stateConfidence?: number;
  reads: number;
  /** Capture time of the first and last read, ms since the epoch. */
  firstSeen: number;
  lastSeen: number;
  /** The most confident read: the evidence (crop and context image). */
  best: FrameRead;
  candidates: PlateAlternative[];
}

/** preview: the first confident vote (low latency for hits); final: the vehicle is gone. */
export type GroupPhase = 'preview' | 'final';

export interface GroupEvent {
  phase: GroupPhase;
  group: PlateGroup;
  /** The read that completed the event (preview) or the last read of the group (final). */
  trigger: FrameRead;
}

export interface MatchedGroupEvent extends GroupEvent {
  /** Hot-list matches not already reported for this group (empty when none). */
  matches: HotlistMatch[];
}
