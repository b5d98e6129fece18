/**
 * matchHotlist reuses a group's preview lookup at its final only while the hot list is unchanged: an entry
 * added between a vehicle's preview and its final still hits at the final, and an entry that expired in
 * between is not reported. Real LMDB hot list in a temp dir.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';

import type { HotlistEntry } from '../src/hotlist/HotlistEntry.js';
import { HotlistStore } from '../src/hotlist/HotlistStore.js';
import { matchHotlist } from '../src/pipeline/matchHotlist.js';
import type { GroupEvent, MatchedGroupEvent } from '../src/pipeline/PlateGroup.js';
import { read } from './frameReads.js';

const entry = (plate: string, recordId: string, over: Partial<HotlistEntry> = {}): HotlistEntry => ({
  plate,
  state: 'CA',
  category: 'stolen_vehicle',
  source: 'manual',
  recordId,
  enteredBy: 'sgt.lee',
  cjisReference: 'CJIS-1',
  createdAt: Date.now(),
  ...over,
});

function event(phase: 'preview' | 'final', plate: string): GroupEvent {
  const r = read(plate, 0.95, { state: 'CA' });
  return {
    phase,
    trigger: r,
    group: {
      id: 'cam1-1-1',
      cameraId: 'cam1',
      plate,
      confidence: 0.95,
      state: 'CA',
      reads: 3,
      firstSeen: r.capturedAt,
      lastSeen: r.capturedAt,
      best: r,
      candidates: [],
    },
  };
}

describe('matchHotlist lookup reuse', () => {
  it('a hot-list change between preview and final is seen at the final; an unchanged list is not looked up again', async () => {
    const store = new HotlistStore(mkdtempSync(path.join(tmpdir(), 'platewatch-memo-')));
    await store.put([entry('7ABC123', 'm-1')]);
    let lookups = 0;
    const counting = {
      lookup: (p: string, s?: string, n?: number) => {
        lookups++;
        return store.lookup(p, s, n);
      },
      version: () => store.version(),
    };
    const out: MatchedGroupEvent[] = [];
    const src = new Subject<GroupEvent>();
    src.pipe(matchHotlist(counting)).subscribe((e) => out.push(e));

    src.next(event('preview', '7ABC123'));
    expect(out[0]!.matches.map((m) => m.entry.recordId)).toEqual(['m-1']);
    // Unchanged list: the final reuses the preview's lookup and reports nothing twice.
    src.next(event('final', '7ABC123'));
    expect(lookups).toBe(1);
    expect(out[1]!.matches).toEqual([]);

    // A second vehicle: between its preview and final a supervisor adds an entry for the plate.
    src.next({ ...event('preview', '7ABC123'), group: { ...event('preview', '7ABC123').group, id: 'cam1-2-2' } });
    await store.put([entry('7ABC123', 'm-1'), entry('7ABC123', 'm-2', { category: 'warrant' })]);
    src.next({ ...event('final', '7ABC123'), group: { ...event('final', '7ABC123').group, id: 'cam1-2-2' } });
    expect(out[3]!.matches.map((m) => m.entry.recordId)).toEqual(['m-2']);
    expect(lookups).toBe(3);
    await store.close();
  });
});
