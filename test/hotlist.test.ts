import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { open } from 'lmdb';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BUCKET_BITS,
  hashedBucket,
  lineEnd,
  nextLineOf,
  plateEditsAt,
  prefixBucket,
  toLine,
} from '../src/hotlist/bucketLines.js';
import { type HotlistEntry, HotlistError, type SourceInfo } from '../src/hotlist/HotlistEntry.js';
import { HotlistStore } from '../src/hotlist/HotlistStore.js';
import { normalizePlate, plateSkeleton, withinOneEdit } from '../src/hotlist/normalize.js';
import { SkeletonFilter } from '../src/hotlist/SkeletonFilter.js';

const stores: HotlistStore[] = [];
function openStore(): HotlistStore {
  const s = new HotlistStore(mkdtempSync(path.join(tmpdir(), 'platewatch-hotlist-')));
  stores.push(s);
  return s;
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

function entry(plate: string, over: Partial<HotlistEntry> = {}): HotlistEntry {
  return {
    plate,
    state: 'CA',
    category: 'stolen_vehicle',
    source: 'CA_DOJ',
    recordId: `R-${plate}`,
    createdAt: 1,
    ...over,
  };
}

describe('normalizePlate / plateSkeleton', () => {
  it('upper-cases and keeps letters and digits only', () => {
    expect(normalizePlate(' 7abc-123 ')).toBe('7ABC123');
    expect(normalizePlate('--')).toBe('');
  });
  it('folds the look-alikes of the order to one skeleton', () => {
    expect(plateSkeleton('BSO1ZG')).toBe(plateSkeleton('85012G'.replace('G', '6')));
    expect(plateSkeleton('DIGS')).toBe('0165');
  });
  it('withinOneEdit accepts one substitution, insertion or deletion and no more', () => {
    expect(withinOneEdit('ABC123', 'ABC124')).toBe(true);
    expect(withinOneEdit('ABC123', 'ABC1234')).toBe(true);
    expect(withinOneEdit('ABC123', 'AC123')).toBe(true);
    expect(withinOneEdit('ABC123', 'XBC124')).toBe(false);
  });
});

describe('HotlistStore', () => {
  it('lookup() finds an exact plate with its state compared', async () => {
    const s = openStore();
    await s.replaceSource('CA_DOJ', [entry('7ABC123')]);
    const [m] = s.lookup('7abc 123', 'CA');
    expect(m?.rule).toBe('exact');
    expect(m?.state).toBe('same');
    expect(m?.entry.category).toBe('stolen_vehicle');
    expect(s.lookup('7ABC123', 'NV')[0]?.state).toBe('different');
    expect(s.lookup('7ABC123')[0]?.state).toBe('unknown');
    expect(s.lookup('7ABC124')).toEqual([]);
  });

  it('lookup() matches one look-alike substitution with the lookalike rule, not two', async () => {
    const s = openStore();
    await s.replaceSource('CA_DOJ', [entry('8SO123')]);
    const [m] = s.lookup('BSO123', 'CA');
    expect(m?.rule).toBe('lookalike');
    expect(m?.edits).toBe(1);
    expect(s.lookup('B5O123')).toEqual([]);
  });

  it('replaceSource() swaps a whole list and reports added/removed', async () => {
    const s = openStore();
    await s.replaceSource('CA_DOJ', [entry('AAA111'), entry('BBB222')]);
    const sum = await s.replaceSource('CA_DOJ', [entry('BBB222'), entry('CCC333')]);
    expect(sum).toMatchObject({ total: 2, added: 1, removed: 1, duplicates: 0 });
    expect(s.lookup('AAA111')).toEqual([]);
    expect(s.lookup('CCC333')).toHaveLength(1);
    expect(s.source('CA_DOJ')?.count).toBe(2);
    expect([...s.entries('CA_DOJ')].map((e) => e.plate).sort()).toEqual(['BBB222', 'CCC333']);
  });

  it('a refresh that fails half way leaves the previous list whole', async () => {
    const s = openStore();
    await s.replaceSource('CA_DOJ', [entry('AAA111')]);
    function* broken(): Generator<HotlistEntry> {
      yield entry('NEW111');
      throw new Error('feed cut');
    }
    await expect(s.replaceSource('CA_DOJ', broken())).rejects.toThrow('feed cut');
    expect(s.lookup('AAA111')).toHaveLength(1);
    expect(s.lookup('NEW111')).toEqual([]);
    const sum = await s.replaceSource('CA_DOJ', [entry('BBB222')]);
    expect(sum).toMatchObject({ added: 1, removed: 1 });
    expect([...s.entries()].map((e) => e.plate)).toEqual(['BBB222']);
  });

  it('put() adds manual entries that can be updated and removed; expired ones do not match', async () => {
    const s = openStore();
    const manual = entry('MAN001', {
      source: 'manual',
      recordId: 'm-1',
      category: 'amber_alert',
      enteredBy: 'sgt.lee',
      cjisReference: 'CJIS-42',
      expiresAt: Date.now() + 60_000,
    });
    await s.put([manual]);
    expect(s.lookup('MAN001')[0]?.entry.cjisReference).toBe('CJIS-42');
    await s.put([{ ...manual, plate: 'MAN002' }]);
    expect(s.lookup('MAN001')).toEqual([]);
    expect(s.get('manual', 'm-1')?.plate).toBe('MAN002');
    await s.put([{ ...manual, recordId: 'm-2', plate: 'OLD001', expiresAt: Date.now() - 1 }]);
    expect(s.lookup('OLD001')).toEqual([]);
    expect(await s.remove('manual', 'm-1')).toBe(true);
    expect(s.lookup('MAN002')).toEqual([]);
    expect(await s.remove('manual', 'm-1')).toBe(false);
  });

  it('put() with an invalid entry throws HotlistError naming the field and writes nothing', async () => {
    const s = openStore();
    const bad = [
      entry('GOOD01', { source: 'manual' }),
      entry('BAD01', { source: 'manual', category: 'nope' as never }),
    ];
    const err = await s.put(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HotlistError);
    expect((err as HotlistError).code).toBe('ERR_HOTLIST_ENTRY');
    expect((err as Error).message).toContain('category');
    expect(s.lookup('GOOD01')).toEqual([]);
  });
});

describe('HotlistStore reader view', () => {
  it('answers a plate on no list from the skeleton filter, and still finds listed and look-alike plates', async () => {
    const s = openStore();
    const many = Array.from({ length: 2000 }, (_, i) =>
      entry(`P${String(i).padStart(5, '0')}X`, { recordId: `R${i}` }),
    );
    await s.replaceSource('CA_DOJ', many);
    for (const e of many.slice(0, 200)) expect(s.lookup(e.plate)).toHaveLength(1);
    expect(s.lookup('P00017X'.replace('0', 'O'))[0]?.rule).toBe('lookalike');
    expect(s.lookup('ZZZ999')).toEqual([]);
  });

  it('another handle on the same folder sees a refresh and a manual entry within 100 ms', async () => {
    const a = openStore();
    const b = new HotlistStore(a.path);
    stores.push(b);
    // A reader renews its LMDB snapshot at most every 100 ms (lookups stay cheap), so another handle's
    // commit is visible after at most that long; the test waits just over it rather than racing it.
    const renewed = () => new Promise((r) => setTimeout(r, 120));
    expect(b.lookup('AAA111')).toEqual([]);
    await a.replaceSource('CA_DOJ', [entry('AAA111')]);
    await renewed();
    expect(b.lookup('AAA111')).toHaveLength(1);
    await a.put([entry('MAN777', { source: 'manual', recordId: 'm1' })]);
    await renewed();
    expect(b.lookup('MAN777')).toHaveLength(1);
    await a.replaceSource('CA_DOJ', [entry('BBB222')]);
    await renewed();
    expect(b.lookup('AAA111')).toEqual([]);
    expect(b.lookup('BBB222')).toHaveLength(1);
  });
});

describe('HotlistStore imported lists (bucketed)', () => {
  it('keeps every field, counts repeats of a plate and record id once, and tabs or newlines in text do not break a record', async () => {
    const s = openStore();
    const e = entry('7ABC123', { reason: 'stolen\tfrom lot 3\nblue Café', expiresAt: Date.now() + 3_600_000 });
    const sum = await s.replaceSource('CA_DOJ', [e, { ...e }, entry('7ABC124', { recordId: 'other' })]);
    expect(sum).toMatchObject({ total: 2, duplicates: 1, added: 2 });
    const [m] = s.lookup('7ABC123', 'CA');
    expect(m?.entry).toEqual({ ...e, reason: 'stolen from lot 3 blue Café' });
    expect([...s.entries('CA_DOJ')]).toHaveLength(2);
  });
});

describe('HotlistStore import spilling to partition files', () => {
  it('a list larger than the memory budget is spilled, sorted and loaded whole', async () => {
    const s = new HotlistStore(mkdtempSync(path.join(tmpdir(), 'platewatch-hotlist-spill-')), { spillBytes: 2000 });
    stores.push(s);
    const many = Array.from({ length: 3000 }, (_, i) =>
      entry(`S${String(i).padStart(5, '0')}Q`, { recordId: `R${i}` }),
    );
    const chunks: HotlistEntry[][] = [];
    for (let i = 0; i < many.length; i += 100) chunks.push(many.slice(i, i + 100));
    const sum = await s.replaceSource('CA_DOJ', chunks);
    expect(sum).toMatchObject({ total: 3000, duplicates: 0 });
    for (const e of many.filter((_, i) => i % 97 === 0)) expect(s.lookup(e.plate)[0]?.entry.recordId).toBe(e.recordId);
    expect([...s.entries()]).toHaveLength(3000);
  });
});

describe('HotlistStore lookups on several lists', () => {
  it('a plate of one list is never reported for another list whose bucket record is shorter (no stale bytes)', async () => {
    const s = openStore();
    // One skeleton (7A8C049), so one bucket, in both lists: A's record is long (50 records of one plate
    // and its look-alikes), B's short; B's plate is a look-alike of A's, so B's filter lets the lookup
    // read B's record right after A's in lmdb-js's reused buffer.
    const long = Array.from({ length: 50 }, (_, i) =>
      entry(i % 2 ? '7ABC049' : '7A8CO49', { source: 'A', recordId: `A${i}` }),
    );
    await s.replaceSource('A', long);
    await s.replaceSource('B', [entry('7A8C049', { source: 'B' })]);
    const hits = s.lookup('7ABC049').map((m) => `${m.entry.source} ${m.entry.plate} ${m.rule}`);
    expect(hits.filter((h) => h === 'A 7ABC049 exact')).toHaveLength(25);
    expect(hits.filter((h) => h === 'A 7A8CO49 lookalike')).toHaveLength(0); // two substitutions
    expect(hits.filter((h) => h.startsWith('B '))).toEqual(['B 7A8C049 lookalike']);
    expect(hits).toHaveLength(26);
  });
});

describe('HotlistStore large buckets', () => {
  it('a bucket of hundreds of entries (one skeleton prefix) keeps each once and finds every one', async () => {
    const s = openStore();
    const many = Array.from({ length: 300 }, (_, i) =>
      entry(`AAAA${String(299 - i).padStart(3, '0')}`, { recordId: `R${i}` }),
    );
    const sum = await s.replaceSource('CA_DOJ', [...many, ...many.slice(0, 10).map((e) => ({ ...e }))]);
    expect(sum).toMatchObject({ total: 300, duplicates: 10 });
    for (const e of many) expect(s.lookup(e.plate).map((m) => m.entry.recordId)).toEqual([e.recordId]);
    expect([...s.entries('CA_DOJ')]).toHaveLength(300);
  });

  it('a bucket of hundreds of records of one skeleton returns each of them, exact before look-alike', async () => {
    const s = openStore();
    const one = Array.from({ length: 400 }, (_, i) =>
      entry(i % 4 === 0 ? '5AB0123' : 'SAB0123', { recordId: `R${String(i).padStart(3, '0')}` }),
    );
    // Neighbours in the bucket's byte order on both sides: skeletons sharing a prefix, and longer ones.
    const near = ['5AB012', '5AB0122', '5AB0124', '5AB01230', 'SAB01234'].map((p) => entry(p));
    await s.replaceSource('CA_DOJ', [...near, ...one]);
    const got = s.lookup('SAB0123');
    expect(got).toHaveLength(400);
    expect(got.slice(0, 300).every((m) => m.rule === 'exact' && m.entry.plate === 'SAB0123')).toBe(true);
    expect(got.slice(300).every((m) => m.rule === 'lookalike' && m.edits === 1)).toBe(true);
    expect(new Set(got.map((m) => m.entry.recordId)).size).toBe(400);
    for (const e of near) expect(s.lookup(e.plate).map((m) => m.entry.plate)).toEqual([e.plate]);
  });
});

describe('HotlistStore warm-up (warmOnChange)', () => {
  it('walks each record of a new list once, again after a refresh, and close() ends a walk', async () => {
    const s = new HotlistStore(mkdtempSync(path.join(tmpdir(), 'platewatch-hotlist-warm-')), { warmOnChange: true });
    stores.push(s);
    const list = (n: number, tag: string) =>
      Array.from({ length: n }, (_, i) => entry(`${tag}${String(i).padStart(5, '0')}`, { recordId: `${tag}${i}` }));
    const buckets = (es: HotlistEntry[]) =>
      new Set(es.map((e) => hashedBucket(plateSkeleton(e.plate), BUCKET_BITS))).size;
    const first = list(5000, 'W');
    await s.replaceSource('CA_DOJ', first);
    expect(await s.warm(100)).toBe(buckets(first));
    expect(await s.warm(100)).toBe(0);
    const second = list(3000, 'V');
    await s.replaceSource('CA_DOJ', second);
    // A lookup sees the new list and schedules the walk for a later turn of the event loop.
    expect(s.lookup('V00042')[0]?.entry.recordId).toBe('V42');
    await new Promise<void>((res) => setImmediate(res));
    expect(await s.warm(100)).toBe(0); // the scheduled walk did it
    await s.replaceSource('CA_DOJ', first);
    const walking = s.warm(10);
    await s.close();
    expect(await walking).toBeLessThan(buckets(first));
  });
});

describe('nextLineOf (reading a bucket record in place)', () => {
  it('finds each line of a skeleton, not its prefixes or extensions, and never reads past the record', () => {
    const lines = ['5A8012\tx', '5A80122\tx', '5A80123\ta', '5A80123\tb', '5A801230\tx', '5A80124\tx'];
    const rec = `\n${lines.join('\n')}\n`;
    // Stale bytes after the record, as in lmdb-js's reused buffer: a line of the skeleton.
    const buf = Buffer.from(`${rec}5A80124\tstale\n`, 'latin1');
    const all = (sk: string, sorted: boolean) => {
      const out: string[] = [];
      for (let at = nextLineOf(buf, rec.length, sk, 1, sorted); at >= 0; ) {
        const end = lineEnd(buf, rec.length, at);
        out.push(buf.toString('latin1', at, end));
        at = nextLineOf(buf, rec.length, sk, end + 1, sorted);
      }
      return out;
    };
    for (const sorted of [true, false]) {
      expect(all('5A80123', sorted)).toEqual(['5A80123\ta', '5A80123\tb']);
      expect(all('5A8012', sorted)).toEqual(['5A8012\tx']);
      expect(all('5A80124', sorted)).toEqual(['5A80124\tx']);
      expect(all('5A8013', sorted)).toEqual([]);
      expect(all('5A801230', sorted)).toEqual(['5A801230\tx']);
    }
    expect(plateEditsAt(buf, rec.length, 1, 'SAB012')).toBe(Number.POSITIVE_INFINITY); // field is 'x'
  });
});

describe('HotlistStore lists written before hashed buckets', () => {
  /** Writes a list the way earlier versions did: buckets named by the skeleton's first four characters. */
  async function writeLegacy(dir: string, entries: HotlistEntry[]): Promise<void> {
    const env = open({ path: dir, maxDbs: 8 });
    const buckets = env.openDB<Buffer, string>({ name: 'buckets', encoding: 'binary' });
    const sources = env.openDB<SourceInfo, string>({ name: 'sources' });
    const byBucket = new Map<string, string[]>();
    for (const e of entries) {
      const sk = plateSkeleton(e.plate);
      const b = prefixBucket(sk);
      byBucket.set(b, [...(byBucket.get(b) ?? []), toLine(e, sk)]);
    }
    await env.transaction(() => {
      for (const [b, lines] of byBucket)
        buckets.putSync(`CA_DOJ 0000000001 ${b}`, Buffer.from(`\n${lines.sort().join('\n')}\n`));
      sources.putSync('CA_DOJ', { source: 'CA_DOJ', activeGen: 1, lastGen: 1, count: entries.length, importedAt: 1 });
    });
    await env.close();
  }

  it('are read (exact and look-alike), and a refresh replaces them with the right added/removed counts', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'platewatch-hotlist-legacy-'));
    const old = ['7ABC123', '7ABC124', '8XYZ999', 'OOO111'].map((p) => entry(p));
    await writeLegacy(dir, old);
    const s = new HotlistStore(dir);
    stores.push(s);
    expect(s.lookup('7ABC123').map((m) => `${m.entry.plate} ${m.rule}`)).toEqual(['7ABC123 exact']);
    expect(s.lookup('0OO111').map((m) => `${m.entry.plate} ${m.rule}`)).toEqual(['OOO111 lookalike']);
    expect(s.source('CA_DOJ')?.bucketBits).toBeUndefined();
    const sum = await s.replaceSource('CA_DOJ', [old[0]!, old[1]!, old[3]!, entry('NEW0001')]);
    expect(sum).toMatchObject({ total: 4, added: 1, removed: 1 });
    expect(s.source('CA_DOJ')?.bucketBits).toBe(BUCKET_BITS);
    expect(s.lookup('8XYZ999')).toEqual([]);
    expect(s.lookup('NEW0001')[0]?.rule).toBe('exact');
    expect(s.lookup('0OO111')[0]?.entry.plate).toBe('OOO111');
    expect([...s.entries('CA_DOJ')].map((e) => e.plate).sort()).toEqual(['7ABC123', '7ABC124', 'NEW0001', 'OOO111']);
  });
});

describe('SkeletonFilter', () => {
  it('never answers "absent" for an added skeleton, has ~1% false positives, and survives a round trip', () => {
    const f = SkeletonFilter.forCount(50_000);
    const plate = (i: number, salt: string) => `${salt}${(i * 2654435761) >>> 0}`.slice(0, 9);
    for (let i = 0; i < 50_000; i++) f.add(plate(i, 'A'));
    const back = SkeletonFilter.fromBuffer(f.toBuffer())!;
    expect(back.blocked).toBe(true);
    let fp = 0;
    for (let i = 0; i < 50_000; i++) {
      expect(f.mayContain(plate(i, 'A'))).toBe(true);
      expect(back.mayContain(plate(i, 'A'))).toBe(true);
      if (back.mayContain(plate(i, 'Z'))) fp++;
    }
    expect(fp / 50_000).toBeLessThan(0.02);
    // The same skeleton as bytes (the import's path) sets the same bits.
    const g = SkeletonFilter.forCount(10);
    g.addBytes(Buffer.from('7A8C123'), 0, 7);
    expect(g.mayContain('7A8C123')).toBe(true);
  });

  it('still reads a filter stored in the classic layout by an earlier version', () => {
    const head = (fill: number) => {
      const b = Buffer.alloc(12 + 128, fill);
      b.writeUInt32LE(0x46425750, 0); // 'PWBF'
      b.writeUInt32LE(3, 4);
      b.writeUInt32LE(1024, 8);
      return b;
    };
    expect(SkeletonFilter.fromBuffer(head(0xff))?.mayContain('7ABC123')).toBe(true);
    expect(SkeletonFilter.fromBuffer(head(0))?.mayContain('7ABC123')).toBe(false);
    expect(SkeletonFilter.fromBuffer(Buffer.from('not a filter at all'))).toBeUndefined();
  });
});
