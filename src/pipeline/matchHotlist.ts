/**
 * matchHotlist: looks each group event's voted plate up in the hot list (synchronously: LMDB reads are
 * memory-mapped) and attaches the matches not yet reported for that group, so a vehicle that matched at
 * its preview does not hit again at its final.
 */
import { map, type OperatorFunction } from 'rxjs';

import type { HotlistMatch } from '../hotlist/HotlistEntry.js';
import type { GroupEvent, MatchedGroupEvent } from './PlateGroup.js';

/** The part of HotlistStore the stream needs. */
export interface HotlistLookup {
  lookup(plate: string, state?: string, now?: number): HotlistMatch[];
  /** Changes identity whenever a lookup's result could change (HotlistStore.version). */
  version?(): object;
}

export function matchKey(m: HotlistMatch): string {
  return `${m.entry.source}\u0000${m.entry.recordId}\u0000${m.entry.plate}`;
}

export function matchHotlist(
  hotlist: HotlistLookup,
  options: { now?: () => number; onLookup?: (seconds: number) => void } = {},
): OperatorFunction<GroupEvent, MatchedGroupEvent> {
  const now = options.now ?? Date.now;
  const reported = new Map<string, Set<string>>();
  // The last lookup of each open group: its final usually votes the plate and state its preview did, and
  // while the hot list is unchanged (same version) that lookup's result is reused (expiry re-checked).
  const last = new Map<string, { plate: string; state: string | undefined; version: object; found: HotlistMatch[] }>();
  return map((event) => {
    const t0 = performance.now();
    const at = now();
    const { plate, state } = event.group;
    const version = hotlist.version?.();
    const memo = last.get(event.group.id);
    let found: HotlistMatch[];
    if (version && memo && memo.version === version && memo.plate === plate && memo.state === state) {
      found = memo.found.filter((m) => m.entry.expiresAt === undefined || m.entry.expiresAt > at);
    } else {
      found = hotlist.lookup(plate, state, at);
    }
    if (event.phase === 'final') last.delete(event.group.id);
    else if (version) last.set(event.group.id, { plate, state, version, found: [...found] });
    // A preview may come from one confident read the vote does not (yet) agree with: look it up too.
    const t = event.trigger;
    if (event.phase === 'preview' && t.plate !== event.group.plate) {
      found.push(...hotlist.lookup(t.plate, t.state ?? event.group.state, at));
    }
    options.onLookup?.((performance.now() - t0) / 1000);
    let seen = reported.get(event.group.id);
    const matches: HotlistMatch[] = [];
    for (const m of found) {
      const key = matchKey(m);
      if (seen?.has(key)) continue;
      seen ??= new Set();
      seen.add(key);
      matches.push(m);
    }
    if (event.phase === 'final') reported.delete(event.group.id);
    else if (seen) reported.set(event.group.id, seen);
    return { ...event, matches };
  });
}
