import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { firstValueFrom, from, map, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HotlistStore } from '../src/hotlist/HotlistStore.js';
import { dropUnread } from '../src/pipeline/dropUnread.js';
import { groupPlates } from '../src/pipeline/groupPlates.js';
import type { GroupEvent } from '../src/pipeline/PlateGroup.js';
import { PlateVote } from '../src/pipeline/PlateVote.js';
import { platePipeline } from '../src/pipeline/platePipeline.js';
import { read } from './frameReads.js';

const summary = (e: GroupEvent) => `${e.phase}:${e.group.plate}:${e.group.reads}`;

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

const opts = { gapMs: 100, maxGroupMs: 1000, previewConfidence: 0.85, previewAfterReads: 0, maxOpenGroups: 8 };

describe('groupPlates (marble, virtual time)', () => {
  it('merges reads of one plate (look-alike and one-edit variants) into one group: preview at once, final after the gap', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const src = cold('a 9ms b 9ms c', { a: read('7ABC123'), b: read('7A8C123', 0.6), c: read('7ABC123') });
      const out = src.pipe(groupPlates(opts, ts), map(summary));
      expectObservable(out).toBe('p 119ms f', { p: 'preview:7ABC123:1', f: 'final:7ABC123:3' });
    });
  });

  it('two different cars at one camera stay two groups', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const src = cold('a 9ms b 9ms c 9ms d', {
        a: read('7ABC123'),
        b: read('5XYZ987'),
        c: read('7ABC123'),
        d: read('5XYZ987'),
      });
      expectObservable(src.pipe(groupPlates(opts, ts), map(summary))).toBe('p 9ms q 109ms f 9ms g', {
        p: 'preview:7ABC123:1',
        q: 'preview:5XYZ987:1',
        f: 'final:7ABC123:2',
        g: 'final:5XYZ987:2',
      });
    });
  });

  it('the same plate at two cameras makes two groups', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const src = cold('a b', { a: read('7ABC123'), b: read('7ABC123', 0.9, { cameraId: 'cam2' }) });
      expectObservable(
        src.pipe(
          groupPlates(opts, ts),
          map((e) => `${e.phase}:${e.group.cameraId}`),
        ),
      ).toBe('p q 98ms f g', { p: 'preview:cam1', q: 'preview:cam2', f: 'final:cam1', g: 'final:cam2' });
    });
  });

  it('a group without a confident vote emits no preview, only its final', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const src = cold('a 9ms b', { a: read('7ABC123', 0.5), b: read('7ABC123', 0.6) });
      expectObservable(src.pipe(groupPlates(opts, ts), map(summary))).toBe('- 9ms - 99ms f', { f: 'final:7ABC123:2' });
    });
  });

  it('with previewAfterReads, three agreeing reads of middling confidence preview at the third', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const src = cold('a 9ms b 9ms c', { a: read('7ABC123', 0.6), b: read('7ABC123', 0.6), c: read('7ABC123', 0.6) });
      expectObservable(src.pipe(groupPlates({ ...opts, previewAfterReads: 3 }, ts), map(summary))).toBe(
        '- 9ms - 9ms p 99ms f',
        { p: 'preview:7ABC123:3', f: 'final:7ABC123:3' },
      );
    });
  });

  it('a vote that changes after its preview (a partial read outvoted) previews again with the new plate', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const src = cold('a 9ms b 9ms c 9ms d 9ms e', {
        a: read('7ABC12', 0.9),
        b: read('7ABC123', 0.8),
        c: read('7ABC123', 0.8),
        d: read('7ABC123', 0.8),
        e: read('7ABC123', 0.8),
      });
      expectObservable(src.pipe(groupPlates({ ...opts, previewAfterReads: 3 }, ts), map(summary))).toBe(
        'p 9ms - 9ms q 9ms - 9ms - 99ms f',
        { p: 'preview:7ABC12:1', q: 'preview:7ABC123:3', f: 'final:7ABC123:5' },
      );
    });
  });

  it('a vehicle that never leaves is finalized at maxGroupMs', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const reads = Object.fromEntries(
        Array.from({ length: 30 }, (_, i) => [String.fromCharCode(97 + (i % 26)), read('7ABC123')]),
      );
      const marble = Array.from({ length: 30 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(' 49ms ');
      const out = cold(marble, reads).pipe(
        groupPlates({ ...opts, maxGroupMs: 500 }, ts),
        map((e) => e.phase),
      );
      // reads every 50 ms: final at the read at 500 ms, a new group at 550 (final 1050), one at 1100 that
      // ends 100 ms after the last read (1450).
      expectObservable(out).toBe('p 499ms f 49ms q 499ms g 49ms r 449ms h', {
        p: 'preview',
        f: 'final',
        q: 'preview',
        g: 'final',
        r: 'preview',
        h: 'final',
      });
    });
  });

  it('completion of the source finalizes the open groups', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const src = cold('a 9ms |', { a: read('7ABC123', 0.5) });
      expectObservable(src.pipe(groupPlates(opts, ts), map(summary))).toBe('- 9ms (f|)', { f: 'final:7ABC123:1' });
    });
  });

  it('an error in the source propagates', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('a #', { a: read('7ABC123') }).pipe(groupPlates(opts, ts), map(summary))).toBe('p #', {
        p: 'preview:7ABC123:1',
      });
    });
  });
});

describe('dropUnread', () => {
  it('drops empty, short and low-confidence reads and normalizes the rest', async () => {
    const drops: string[] = [];
    const out = await firstValueFrom(
      from([read(''), read('7abc-123'), read('A1'), read('XYZ999', 0.2)]).pipe(
        dropUnread({ minConfidence: 0.5, minLength: 3, onDrop: (_r, why) => drops.push(why) }),
        map((r) => r.plate),
        toArray(),
      ),
    );
    expect(out).toEqual(['7ABC123']);
    expect(drops).toEqual(['unread', 'short', 'low_confidence']);
  });
});

describe('PlateVote', () => {
  it('votes per character weighted by confidence', () => {
    const v = new PlateVote();
    v.add('ABC123', 0.9, [0.9, 0.9, 0.9, 0.9, 0.9, 0.9]);
    v.add('A8C128', 0.5, [0.5, 0.4, 0.5, 0.5, 0.5, 0.3]);
    v.add('ABC123', 0.8, [0.8, 0.8, 0.8, 0.8, 0.8, 0.8], 'CA', 0.9);
    expect(v.result().plate).toBe('ABC123');
    expect(v.result().confidence).toBeGreaterThan(0.5);
    expect(v.result().confidence).toBeLessThan(0.9);
    expect(v.state()?.state).toBe('CA');
    expect(v.candidates()[0]?.plate).toBe('ABC123');
  });
  it('the most common length wins over a one-off misread length', () => {
    const v = new PlateVote();
    v.add('ABC1234', 0.99);
    v.add('ABC123', 0.7);
    v.add('ABC123', 0.7);
    expect(v.result().plate).toBe('ABC123');
  });
});

describe('platePipeline with a real LMDB hot list', () => {
  let store: HotlistStore;
  beforeAll(async () => {
    store = new HotlistStore(mkdtempSync(path.join(tmpdir(), 'platewatch-pipe-')));
    await store.replaceSource('CA_DOJ', [
      { plate: '7ABC123', state: 'CA', category: 'stolen_vehicle', source: 'CA_DOJ', recordId: 'V1', createdAt: 1 },
      { plate: '8SO1234', state: 'NV', category: 'warrant', source: 'CA_DOJ', recordId: 'W1', createdAt: 1 },
    ]);
  });
  afterAll(() => store.close());

  it('a listed plate driven past gives one match, at its preview, and none again at its final', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const src = cold('a 9ms b 9ms c', {
        a: read('7ABC123', 0.95, { state: 'CA' }),
        b: read('7ABC123'),
        c: read('7ABC123'),
      });
      const out = src.pipe(
        platePipeline(store, { ...opts, minReadConfidence: 0.3, minPlateLength: 2 }, ts),
        map((e) => `${e.phase}:${e.matches.map((m) => `${m.entry.category}/${m.rule}/${m.state}`).join(',')}`),
      );
      expectObservable(out).toBe('p 119ms f', { p: 'preview:stolen_vehicle/exact/same', f: 'final:' });
    });
  });

  it('a look-alike read matches with the lookalike rule and a wrong state is flagged', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const src = cold('a', { a: read('BSO1234', 0.95, { state: 'CA', stateConfidence: 0.9 }) });
      const out = src.pipe(
        platePipeline(store, { ...opts, minReadConfidence: 0.3, minPlateLength: 2 }, ts),
        map((e) => `${e.phase}:${e.matches.map((m) => `${m.entry.plate}/${m.rule}/${m.state}`).join(',')}`),
      );
      // BSO1234 vs 8SO1234: one look-alike (B/8).
      expectObservable(out).toBe('p 99ms f', { p: 'preview:8SO1234/lookalike/different', f: 'final:' });
    });
  });
});
