/**
 * groupPlates: frame reads -> one plate group per passing vehicle, per camera.
 *
 * A read joins the open group of its camera whose voted plate is within one edit of it after look-alike
 * folding (so "7ABC123", "7A8C123" and "7ABC12" merge, "7ABC123" and "5XYZ987" do not). A group emits
 * a `preview` as soon as a confident read exists (a read, or the vote, reaches `previewConfidence`, or
 * `previewAfterReads` reads agree; again if the vote later settles on another plate), and a `final` when no read joined it for `gapMs` or it has been open `maxGroupMs`, or when the source
 * completes. Time is the scheduler's, so marble tests run on virtual time.
 */
import { asyncScheduler, Observable, type OperatorFunction, type SchedulerAction, type SchedulerLike } from 'rxjs';

import { plateSkeleton, withinOneEdit } from '../hotlist/normalize.js';
import type { FrameRead } from '../reads.js';
import type { GroupEvent, PlateGroup } from './PlateGroup.js';
import { PlateVote } from './PlateVote.js';

export interface GroupPlatesOptions {
  /** A group is final once no read joined it for this long (ms). */
  gapMs: number;
  /** A group is final after this long open, even if reads keep coming (ms): bounds a hit's delay. */
  maxGroupMs: number;
  /** Confidence (0..1) of a read, or of the vote, at which a group emits its preview. */
  previewConfidence: number;
  /**
   * A group also previews once this many reads agree: the last read confirmed the voted plate and the
   * group has at least this many reads (0: only on confidence). Bounds the delay of hits on plates the
   * recognizer reads with middling confidence.
   */
  previewAfterReads: number;
  /** Open groups kept per camera; beyond it the oldest is finalized (bounded memory). */
  maxOpenGroups: number;
}

export const defaultGroupPlatesOptions: GroupPlatesOptions = {
  gapMs: 1500,
  maxGroupMs: 10_000,
  previewConfidence: 0.85,
  previewAfterReads: 3,
  maxOpenGroups: 32,
};

interface OpenGroup {
  id: string;
  cameraId: string;
  vote: PlateVote;
  /** The current voted plate and its skeleton, the key reads are compared with. */
  plate: string;
  skeleton: string;
  openedAt: number;
  lastAt: number;
  firstSeen: number;
  lastSeen: number;
  best: FrameRead;
  last: FrameRead;
  /** The voted plate of the last preview (a changed vote, e.g. a partial read outvoted, previews again). */
  previewedPlate: string | undefined;
  timer: { unsubscribe(): void } | undefined;
}

function snapshot(g: OpenGroup): PlateGroup {
  const { plate, confidence } = g.vote;
  const st = g.vote.state();
  return {
    id: g.id,
    cameraId: g.cameraId,
    plate,
    confidence,
    ...(st ? { state: st.state, stateConfidence: st.confidence } : {}),
    reads: g.vote.reads,
    firstSeen: g.firstSeen,
    lastSeen: g.lastSeen,
    best: g.best,
    candidates: g.vote.candidates(),
  };
}

export function groupPlates(
  options: Partial<GroupPlatesOptions> = {},
  scheduler: SchedulerLike = asyncScheduler,
): OperatorFunction<FrameRead, GroupEvent> {
  const o = { ...defaultGroupPlatesOptions, ...options };
  return (source) =>
    new Observable<GroupEvent>((subscriber) => {
      const open = new Map<string, OpenGroup[]>();

      const finalize = (g: OpenGroup) => {
        g.timer?.unsubscribe();
        g.timer = undefined;
        const list = open.get(g.cameraId);
        if (list) {
          const i = list.indexOf(g);
          if (i >= 0) list.splice(i, 1);
          if (list.length === 0) open.delete(g.cameraId);
        }
        subscriber.next({ phase: 'final', group: snapshot(g), trigger: g.last });
      };

      const deadline = (g: OpenGroup) => Math.min(g.lastAt + o.gapMs, g.openedAt + o.maxGroupMs);

      // One timer per group, re-armed only when it fires early (reads do not reschedule it).
      const arm = (g: OpenGroup, delay: number) => {
        g.timer = scheduler.schedule(function (this: SchedulerAction<unknown>) {
          const left = deadline(g) - scheduler.now();
          if (left > 0) this.schedule(undefined, left);
          else finalize(g);
        }, delay);
      };

      const subscription = source.subscribe({
        next: (read) => {
          const now = scheduler.now();
          let list = open.get(read.cameraId);
          // Most reads repeat their group's voted plate exactly: try that before the one-edit comparison.
          let g: OpenGroup | undefined;
          if (list) {
            for (const c of list) {
              if (c.plate === read.plate) {
                g = c;
                break;
              }
            }
          }
          const skeleton = g ? g.skeleton : plateSkeleton(read.plate);
          if (!g && list) {
            for (const c of list) {
              if (withinOneEdit(c.skeleton, skeleton)) {
                g = c;
                break;
              }
            }
          }
          if (!g) {
            if (list && list.length >= o.maxOpenGroups) finalize(list[0]!);
            list = open.get(read.cameraId);
            if (!list) {
              list = [];
              open.set(read.cameraId, list);
            }
            g = {
              id: `${read.cameraId}-${read.capturedAt}-${read.frameSeq}`,
              cameraId: read.cameraId,
              vote: new PlateVote(),
              plate: read.plate,
              skeleton,
              openedAt: now,
              lastAt: now,
              firstSeen: read.capturedAt,
              lastSeen: read.capturedAt,
              best: read,
              last: read,
              previewedPlate: undefined,
              timer: undefined,
            };
            list.push(g);
            arm(g, o.gapMs);
          }
          g.vote.add(read.plate, read.confidence, read.charConfidences, read.state, read.stateConfidence);
          g.lastAt = now;
          g.last = read;
          if (read.capturedAt < g.firstSeen) g.firstSeen = read.capturedAt;
          if (read.capturedAt > g.lastSeen) g.lastSeen = read.capturedAt;
          if (read.confidence > g.best.confidence) g.best = read;
          const voted = g.vote.plate;
          if (voted !== g.plate) {
            g.plate = voted;
            g.skeleton = plateSkeleton(voted);
          }
          const agreed = o.previewAfterReads > 0 && g.vote.reads >= o.previewAfterReads && read.plate === voted;
          if (
            voted !== g.previewedPlate &&
            (read.confidence >= o.previewConfidence || g.vote.confidence >= o.previewConfidence || agreed)
          ) {
            g.previewedPlate = voted;
            subscriber.next({ phase: 'preview', group: snapshot(g), trigger: read });
          }
          if (now - g.openedAt >= o.maxGroupMs) finalize(g);
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          for (const list of [...open.values()]) for (const g of [...list]) finalize(g);
          subscriber.complete();
        },
      });

      return () => {
        subscription.unsubscribe();
        for (const list of open.values()) for (const g of list) g.timer?.unsubscribe();
        open.clear();
      };
    });
}
