/**
 * The hot list in LMDB. Reads are synchronous (memory-mapped) on the stream's hot path; writes are
 * batched transactions elsewhere (the importer, governance's manual entries).
 *
 * Layout (one LMDB environment, named databases):
 * - `buckets`: "<source> <gen> <bucket>" -> text lines of the entries whose look-alike skeleton hashes to
 *              <bucket> (bucketLines.ts): imported lists (generation >= 1), one record per bucket, so
 *              one read finds a list's exact and look-alike candidates.
 * - `index`:   "<skeleton> <plate> <source> <gen> <recordId>" -> entry fields: entries written one by one
 *              (manual entries, generation 0). Keys sort by skeleton, then plate: one range read.
 * - `sources`: source name -> SourceInfo. A refresh writes a whole new generation of a source, then flips
 *              `activeGen` in one transaction: readers see the old list or the new one, never half.
 * - `records`: "<source> <recordId>" -> index key, for entries written one by one (manual entries), so
 *              they can be updated and removed by id.
 * - `filters`: "<source> <gen>" -> Bloom filter of the generation's skeletons (SkeletonFilter), written in
 *              the flip transaction: a plate on no list is answered without a B-tree read.
 * - `meta`:    "epoch" -> random bytes, changed by every transaction that changes what readers see
 *              (flip, put, remove); a reader rebuilds its cached view of sources and filters when it
 *              changes, so another process's refresh is seen at the next lookup.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import nodePath from 'node:path';

import { type Database, open, type RootDatabase, type TransactionFlags } from 'lmdb';
import { lmdbFailure } from '../nats/lmdbFailure.js';
import { isLmdbError, type OnStorageError } from '../storage/StorageError.js';
import {
  allLines,
  BUCKET_BITS,
  fromLine,
  hashedBucket,
  lineEnd,
  nextLineOf,
  plateEditsAt,
  prefixBucket,
} from './bucketLines.js';
import {
  type HotlistEntry,
  HotlistError,
  type HotlistMatch,
  type SourceInfo,
  type StateMatch,
  validateEntry,
} from './HotlistEntry.js';
import { ListBuilder } from './ListBuilder.js';
import { lookalikeEdits, normalizePlate, plateSkeleton } from './normalize.js';
import { SkeletonFilter } from './SkeletonFilter.js';

export interface HotlistStoreOptions {
  /** Largest number of look-alike substitutions a look-alike match may have (the order says one). */
  maxLookalikeEdits?: number;
  /** Keys deleted per write transaction when an old generation is dropped. */
  batchSize?: number;
  /**
   * Bytes of entry lines (~90 per entry) an import keeps in memory, off the JS heap, before spilling
   * them to files under the store's folder; memory stays near this plus the largest partition.
   */
  spillBytes?: number;
  /** Bytes of bucket records written per transaction of an import (larger: fewer commits and fsyncs). */
  txnBytes?: number;
  /** Told of every failed write (store 'hotlist'): platewatch_storage_errors_total. */
  onStorageError?: OnStorageError;
  /**
   * A long-running reader: when a lookup first sees a new list (an import here or in another process),
   * walk its records in the background (event-loop slices) so their pages are mapped into this process
   * before lookups need them. A 10 M list: ~1 M records, about a second of CPU once per refresh; until
   * then a lookup may take a page fault (the first-pass tail of bench/hotlist.ts). Default false.
   */
  warmOnChange?: boolean;
}

export interface ReplaceSummary {
  source: string;
  /** Entries in the new list. */
  total: number;
  /** Entries (plate + record id) that were not in the previous list. */
  added: number;
  /** Entries of the previous list that are gone. */
  removed: number;
  /** Entries repeating the plate and record id of another entry of the list: one of them is kept. */
  duplicates: number;
  generation: number;
  /** Wall seconds per phase: reading the entries, writing the generation, the flip, dropping the old list. */
  phases: { fill: number; write: number; flip: number; cleanup: number };
  /** Process CPU seconds (all threads, so also other work of the process) over the same phases. */
  phasesCpu: { fill: number; write: number; flip: number; cleanup: number };
}

export interface ReplaceMeta {
  file?: string;
  format?: string;
  /** Called after each committed batch with the number of entries written so far. */
  onProgress?: (written: number) => void;
}

/**
 * lmdb-js transactionSync flags for deleting an old generation: abortable, committed before return,
 * and MDB_NOSYNC, which lmdb-js's LMDB runs as an overlapping sync (the data is flushed after the commit
 * and the commit's meta page marked unflushed until then, so a crash cannot corrupt the file).
 */
const GEN_TXN_FLAGS = 0x10003;

const SEP = ' ';
const END = '!'; // sorts right after SEP
const GEN_WIDTH = 10;
const MANUAL_GEN = 0;

function genToken(gen: number): string {
  return String(gen).padStart(GEN_WIDTH, '0');
}

function indexKey(e: HotlistEntry, gen: number): string {
  return `${plateSkeleton(e.plate)}${SEP}${e.plate}${SEP}${e.source}${SEP}${genToken(gen)}${SEP}${e.recordId}`;
}

interface ParsedKey {
  plate: string;
  source: string;
  gen: number;
  recordId: string;
}

function parseKey(key: string): ParsedKey {
  const a = key.indexOf(SEP);
  const b = key.indexOf(SEP, a + 1);
  const c = key.indexOf(SEP, b + 1);
  const d = key.indexOf(SEP, c + 1);
  return {
    plate: key.slice(a + 1, b),
    source: key.slice(b + 1, c),
    gen: Number(key.slice(c + 1, d)),
    recordId: key.slice(d + 1),
  };
}

/** Stored value: the entry's fields not already in the key, as a compact array (smaller, faster msgpack). */
type StoredValue = [
  state: string | null,
  category: HotlistEntry['category'],
  createdAt: number,
  expiresAt: number | null,
  reason: string | null,
  enteredBy: string | null,
  cjisReference: string | null,
];

function encodeValue(e: HotlistEntry): StoredValue {
  return [
    e.state ?? null,
    e.category,
    e.createdAt,
    e.expiresAt ?? null,
    e.reason ?? null,
    e.enteredBy ?? null,
    e.cjisReference ?? null,
  ];
}

function decodeValue(k: ParsedKey, v: StoredValue): HotlistEntry {
  const e: HotlistEntry = { plate: k.plate, category: v[1], source: k.source, recordId: k.recordId, createdAt: v[2] };
  if (v[0] !== null) e.state = v[0];
  if (v[3] !== null) e.expiresAt = v[3];
  if (v[4] !== null) e.reason = v[4];
  if (v[5] !== null) e.enteredBy = v[5];
  if (v[6] !== null) e.cjisReference = v[6];
  return e;
}

interface ReaderView {
  epoch: Buffer | undefined;
  gens: Map<string, number>;
  lists: {
    source: string;
    gen: number;
    filter: SkeletonFilter | undefined;
    /** "<source> <gen> ": the generation's bucket keys start with it. */
    keyPrefix: string;
    /** Hash bits naming its buckets; 0: named by the skeleton's first characters (an older list). */
    bits: number;
  }[];
}

const SPILL_BYTES = 1024 * 1024 * 1024;
const TXN_BYTES = 64 * 1024 * 1024;

/** Whether `a` holds the first `b.length` bytes of `b` and no more (both absent: true). */
function sameBytes(a: Buffer | undefined, b: Buffer | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const n = b.length;
  if (a.length !== n) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lines in a bucket record ("\n" + lines each ending in "\n"). */
function countLines(value: Uint8Array): number {
  let n = 0;
  for (let i = 1; i < value.length; i++) if (value[i] === 10) n++;
  return n;
}

/** [start, end) of each line's identity (skeleton, plate, record id: up to its third tab). */
function identities(value: Uint8Array): number[] {
  const out: number[] = [];
  let i = 1;
  while (i < value.length) {
    let tabs = 0;
    let j = i;
    while (j < value.length && value[j] !== 10 && (value[j] !== 9 || ++tabs < 3)) j++;
    out.push(i, j);
    while (j < value.length && value[j] !== 10) j++;
    i = j + 1;
  }
  return out;
}

function compareRange(x: Uint8Array, xs: number, xe: number, y: Uint8Array, ys: number, ye: number): number {
  const n = Math.min(xe - xs, ye - ys);
  for (let i = 0; i < n; i++) {
    const d = x[xs + i]! - y[ys + i]!;
    if (d !== 0) return d;
  }
  return xe - xs - (ye - ys);
}

/** Entries of bucket record `now` not in `before`, and the reverse, by identity. */
function diffBuckets(now: Uint8Array, before: Uint8Array): { added: number; removed: number } {
  const a = identities(now);
  const b = identities(before);
  const sorted = (r: number[], v: Uint8Array) => {
    for (let i = 2; i < r.length; i += 2)
      if (compareRange(v, r[i - 2]!, r[i - 1]!, v, r[i]!, r[i + 1]!) > 0) return false;
    return true;
  };
  if (!sorted(a, now) || !sorted(b, before)) {
    // Not in byte order (a list written by an older version): compare as strings.
    const ids = (r: number[], v: Uint8Array) => {
      const set = new Set<string>();
      for (let i = 0; i < r.length; i += 2)
        set.add(Buffer.from(v.buffer, v.byteOffset, v.length).toString('latin1', r[i], r[i + 1]));
      return set;
    };
    const x = ids(a, now);
    const y = ids(b, before);
    let added = 0;
    let removed = 0;
    for (const id of x) if (!y.has(id)) added++;
    for (const id of y) if (!x.has(id)) removed++;
    return { added, removed };
  }
  // Repeats were dropped at import: each identity is there once per record.
  let i = 0;
  let j = 0;
  let same = 0;
  while (i < a.length && j < b.length) {
    const c = compareRange(now, a[i]!, a[i + 1]!, before, b[j]!, b[j + 1]!);
    if (c === 0) {
      same++;
      i += 2;
      j += 2;
    } else if (c < 0) i += 2;
    else j += 2;
  }
  return { added: a.length / 2 - same, removed: b.length / 2 - same };
}

function bucketKey(source: string, gen: number, bucket: string): string {
  return `${source}${SEP}${genToken(gen)}${SEP}${bucket}`;
}

/** Manual lists get a fixed-size filter (bits are never removed; a removed plate is a false positive). */
const MANUAL_FILTER_CAPACITY = 131_072;

function filterKey(source: string, gen: number): string {
  return `${source}${SEP}${genToken(gen)}`;
}

export class HotlistStore {
  readonly path: string;
  readonly maxLookalikeEdits: number;
  private readonly batchSize: number;
  private readonly spillBytes: number;
  private readonly txnBytes: number;
  private readonly onStorageError: OnStorageError | undefined;
  private readonly env: RootDatabase;
  private readonly index: Database<StoredValue, string>;
  private readonly sourcesDb: Database<SourceInfo, string>;
  private readonly records: Database<string, string>;
  private readonly buckets: Database<string, string>;
  /** The same records as bytes (the import's writes and its diff against the previous list). */
  private readonly bucketBytes: Database<Buffer, string>;
  private readonly filtersDb: Database<Buffer, string>;
  private readonly meta: Database<Buffer, string>;
  private closed = false;
  private view: ReaderView | undefined;
  private lastRenew = 0;
  private readonly warmOnChange: boolean;
  /** Generations ("<source> <gen> ") walked or being walked by warm(). */
  private readonly warmed = new Set<string>();
  private warming: Promise<unknown> = Promise.resolve();

  /** Opens (creating if needed) the hot list in the folder `path`. */
  constructor(path: string, options: HotlistStoreOptions = {}) {
    this.path = path;
    this.maxLookalikeEdits = options.maxLookalikeEdits ?? 1;
    this.batchSize = options.batchSize ?? 100_000;
    this.spillBytes = options.spillBytes ?? SPILL_BYTES;
    this.txnBytes = options.txnBytes ?? TXN_BYTES;
    this.onStorageError = options.onStorageError;
    this.warmOnChange = options.warmOnChange ?? false;
    mkdirSync(path, { recursive: true });
    this.env = open({ path, maxDbs: 8 });
    this.index = this.env.openDB<StoredValue, string>({ name: 'index' });
    this.sourcesDb = this.env.openDB<SourceInfo, string>({ name: 'sources' });
    this.records = this.env.openDB<string, string>({ name: 'records', encoding: 'string' });
    this.buckets = this.env.openDB<string, string>({ name: 'buckets', encoding: 'string' });
    this.bucketBytes = this.env.openDB<Buffer, string>({ name: 'buckets', encoding: 'binary' });
    this.filtersDb = this.env.openDB<Buffer, string>({ name: 'filters', encoding: 'binary' });
    this.meta = this.env.openDB<Buffer, string>({ name: 'meta', encoding: 'binary' });
  }

  /**
   * The active entries matching a read plate (normalized here): exact matches first, then look-alikes
   * with at most `maxLookalikeEdits` substitutions. Expired entries and inactive generations are skipped.
   * Synchronous: one LMDB range read plus one small read per source that has a candidate.
   */
  lookup(rawPlate: string, state?: string, now = Date.now()): HotlistMatch[] {
    const out: HotlistMatch[] = [];
    const plate = normalizePlate(rawPlate);
    if (!plate) return out;
    const skeleton = plateSkeleton(plate);
    const view = this.readerView();
    const readState = state ? state.toUpperCase() : undefined;
    let readIndex = false;
    for (const src of view.lists) {
      if (src.filter && !src.filter.mayContain(skeleton)) continue;
      if (src.gen === MANUAL_GEN) {
        readIndex = true;
        continue;
      }
      const bucket = src.bits > 0 ? hashedBucket(skeleton, src.bits) : prefixBucket(skeleton);
      // lmdb-js's reused read buffer, valid until the next read (matching lines are decoded right away):
      // its `length` is the record's, its memory longer (stale bytes of earlier reads), so lines are
      // compared in place up to `length` and only a hit's line becomes a string.
      const fast = this.bucketBytes.getBinaryFast(src.keyPrefix + bucket);
      if (fast === undefined) continue;
      const len = fast.length;
      let at = nextLineOf(fast, len, skeleton, 1, src.bits > 0);
      if (at < 0) continue;
      // A large value may come back as a plain Uint8Array over lmdb-js's shared memory.
      const raw = fast as Uint8Array;
      const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, len);
      while (at >= 0) {
        const end = lineEnd(fast, len, at);
        const edits = plateEditsAt(fast, len, at, plate);
        if (edits <= this.maxLookalikeEdits) {
          const m = this.matchOf(fromLine(buf.toString('utf8', at, end), src.source), plate, edits, readState, now);
          if (m) out.push(m);
        }
        at = nextLineOf(fast, len, skeleton, end + 1, src.bits > 0);
      }
    }
    if (readIndex) {
      for (const { key, value } of this.index.getRange({ start: skeleton + SEP, end: skeleton + END })) {
        const k = parseKey(key);
        if (view.gens.get(k.source) !== k.gen) continue;
        const edits = lookalikeEdits(plate, k.plate);
        if (edits > this.maxLookalikeEdits) continue;
        const m = this.matchOf(decodeValue(k, value), plate, edits, readState, now);
        if (m) out.push(m);
      }
    }
    if (out.length > 1) out.sort((a, b) => a.edits - b.edits || stateRank(a.state) - stateRank(b.state));
    return out;
  }

  /** The match of a candidate entry `edits` look-alike substitutions from `plate`; undefined when expired. */
  private matchOf(
    entry: HotlistEntry,
    plate: string,
    edits: number,
    readState: string | undefined,
    now: number,
  ): HotlistMatch | undefined {
    if (entry.expiresAt !== undefined && entry.expiresAt <= now) return undefined;
    const listed = entry.state;
    const state: StateMatch = !readState || !listed ? 'unknown' : readState === listed ? 'same' : 'different';
    return { entry, rule: edits === 0 ? 'exact' : 'lookalike', state, plate, edits };
  }

  /**
   * The reader's cached view (active generation and filter per source), rebuilt when the epoch record
   * changed; read in the same synchronous call (one LMDB snapshot) as the range read that uses it.
   */
  private readerView(): ReaderView {
    // Another process's commit is not seen by a read transaction lmdb-js keeps open: renew it at most
    // every 100 ms, so a refresh elsewhere is visible that quickly and lookups stay cheap.
    const t = performance.now();
    if (t - this.lastRenew > 100) {
      this.meta.resetReadTxn();
      this.lastRenew = t;
    }
    // lmdb-js's reused read buffer (its `length` is the record's): compared in place, copied only when
    // the epoch changed, so a lookup allocates nothing here.
    const fast = this.meta.getBinaryFast('epoch');
    const v = this.view;
    if (v && sameBytes(v.epoch, fast)) return v;
    const epoch = fast === undefined ? undefined : Buffer.from(fast.subarray(0, fast.length));
    const gens = new Map<string, number>();
    const lists: ReaderView['lists'] = [];
    for (const s of this.sources()) {
      gens.set(s.source, s.activeGen);
      const raw = this.filtersDb.getBinary(filterKey(s.source, s.activeGen));
      // A list without a filter (none written yet) is always read.
      lists.push({
        source: s.source,
        gen: s.activeGen,
        filter: raw ? SkeletonFilter.fromBuffer(raw) : undefined,
        keyPrefix: bucketKey(s.source, s.activeGen, ''),
        bits: s.bucketBits ?? 0,
      });
    }
    this.view = { epoch, gens, lists };
    if (this.warmOnChange && lists.some((l) => l.gen !== MANUAL_GEN && !this.warmed.has(l.keyPrefix))) {
      // Not in this call (a lookup is waiting on it): on a later turn of the event loop.
      setImmediate(() => this.warm());
    }
    return this.view;
  }

  /**
   * Walks the keys of the active imported lists not walked yet, a slice per turn of the event loop,
   * which maps their pages (leaf and branch) into this process: after a refresh, lookups then find
   * them mapped instead of taking a page fault each. Resolves with the number of records walked by this
   * call when done (or when the store is closed).
   */
  warm(sliceKeys = 1024): Promise<number> {
    let walked = 0;
    // Best effort (it only changes which pages are mapped): a failure, e.g. the store closing under it,
    // ends the walk.
    this.warming = this.warming
      .then(async () => {
        for (const s of this.sources()) {
          if (s.activeGen === MANUAL_GEN) continue;
          const prefix = bucketKey(s.source, s.activeGen, '');
          if (this.warmed.has(prefix)) continue;
          this.warmed.add(prefix);
          const end = `${s.source}${SEP}${genToken(s.activeGen)}${END}`;
          let start = prefix;
          for (;;) {
            if (this.closed) return;
            let n = 0;
            // From the last key of the slice before (seen again, not counted).
            for (const key of this.buckets.getKeys({ start, end, limit: sliceKeys + 1 })) {
              if (key === start) continue;
              start = key;
              n++;
            }
            walked += n;
            if (n < sliceKeys) break;
            await new Promise<void>((res) => setImmediate(res));
          }
        }
      })
      .catch(() => {});
    return this.warming.then(() => walked);
  }

  /**
   * Changes identity whenever what a lookup can return changes (an import, a refresh, a manual entry, a
   * removal): a caller may reuse a lookup's result while the version is the same object.
   */
  version(): object {
    return this.readerView();
  }

  /** Marks a change readers must see (inside a write transaction). */
  private bumpEpoch(): void {
    this.meta.putSync('epoch', randomBytes(8));
  }

  /** The source's metadata, or undefined when it has never been loaded. */
  source(source: string): SourceInfo | undefined {
    return this.sourcesDb.get(source);
  }

  /** All sources with at least one committed list. */
  sources(): SourceInfo[] {
    return [...this.sourcesDb.getRange()].map(({ value }) => value).filter((s) => s.activeGen >= 0);
  }

  /** Active (not expired unless `includeExpired`) entries, optionally of one source. Scans the list. */
  *entries(source?: string, options: { includeExpired?: boolean; now?: number } = {}): Generator<HotlistEntry> {
    const now = options.now ?? Date.now();
    const live = (e: HotlistEntry) => options.includeExpired || e.expiresAt === undefined || e.expiresAt > now;
    const lists = this.sources().filter((s) => source === undefined || s.source === source);
    for (const s of lists) {
      if (s.activeGen === MANUAL_GEN) continue;
      const prefix = `${s.source}${SEP}${genToken(s.activeGen)}${SEP}`;
      for (const { value } of this.buckets.getRange({
        start: prefix,
        end: `${s.source}${SEP}${genToken(s.activeGen)}${END}`,
      })) {
        for (const line of allLines(value)) {
          const e = fromLine(line, s.source);
          if (live(e)) yield e;
        }
      }
    }
    if (!lists.some((s) => s.activeGen === MANUAL_GEN)) return;
    for (const { key, value } of this.index.getRange()) {
      const k = parseKey(key);
      if (source !== undefined && k.source !== source) continue;
      if (k.gen !== MANUAL_GEN) continue;
      const e = decodeValue(k, value);
      if (live(e)) yield e;
    }
  }

  /** One entry written with put() (manual entries), by source and record id. */
  get(source: string, recordId: string): HotlistEntry | undefined {
    const key = this.records.get(`${source}${SEP}${recordId}`);
    if (key === undefined) return undefined;
    const value = this.index.get(key);
    return value === undefined ? undefined : decodeValue(parseKey(key), value);
  }

  /**
   * Adds or replaces entries one by one in their sources (manual entries, corrections), in one
   * durable transaction. Entries are validated first: one bad entry rejects the whole call, nothing
   * is written. A source written this way is not meant to be refreshed wholesale by replaceSource().
   */
  async put(entries: HotlistEntry[]): Promise<void> {
    this.assertOpen();
    const valid = entries.map(validateEntry);
    try {
      await this.env.transaction(() => {
        const now = Date.now();
        const filters = new Map<string, SkeletonFilter>();
        for (const e of valid) {
          const info = this.sourcesDb.get(e.source);
          if (info && info.activeGen !== MANUAL_GEN) {
            throw new HotlistError(
              'ERR_HOTLIST_SOURCE',
              `source ${e.source} is an imported list: refresh it with an import, not entry by entry`,
            );
          }
          const recKey = `${e.source}${SEP}${e.recordId}`;
          const old = this.records.get(recKey);
          if (old !== undefined) this.index.removeSync(old);
          const key = indexKey(e, MANUAL_GEN);
          this.index.putSync(key, encodeValue(e));
          this.records.putSync(recKey, key);
          let filter = filters.get(e.source);
          if (!filter) {
            const raw = this.filtersDb.getBinary(filterKey(e.source, MANUAL_GEN));
            filter = (raw && SkeletonFilter.fromBuffer(raw)) || SkeletonFilter.forCount(MANUAL_FILTER_CAPACITY);
            filters.set(e.source, filter);
          }
          filter.add(plateSkeleton(e.plate));
          const count = (info?.count ?? 0) + (old === undefined ? 1 : 0);
          this.sourcesDb.putSync(e.source, {
            source: e.source,
            activeGen: MANUAL_GEN,
            lastGen: MANUAL_GEN,
            count,
            importedAt: now,
          });
        }
        for (const [source, filter] of filters)
          this.filtersDb.putSync(filterKey(source, MANUAL_GEN), filter.toBuffer());
        this.bumpEpoch();
      });
    } catch (err) {
      if (err instanceof HotlistError) throw err;
      throw await this.writeError(err, 'put');
    }
  }

  /** Removes one entry written with put(); true when it existed. */
  async remove(source: string, recordId: string): Promise<boolean> {
    this.assertOpen();
    try {
      return await this.env.transaction(() => {
        const recKey = `${source}${SEP}${recordId}`;
        const key = this.records.get(recKey);
        if (key === undefined) return false;
        this.index.removeSync(key);
        this.records.removeSync(recKey);
        const info = this.sourcesDb.get(source);
        if (info) this.sourcesDb.putSync(source, { ...info, count: Math.max(0, info.count - 1) });
        this.bumpEpoch();
        return true;
      });
    } catch (err) {
      throw await this.writeError(err, 'remove');
    }
  }

  /**
   * Replaces a source's whole list with `entries` (already validated by the caller): see replaceSourceWith().
   */
  async replaceSource(
    source: string,
    /** Entries, or chunks of entries (fewer async steps for big files). */
    entries: Iterable<HotlistEntry | readonly HotlistEntry[]> | AsyncIterable<HotlistEntry | readonly HotlistEntry[]>,
    meta: ReplaceMeta = {},
  ): Promise<ReplaceSummary> {
    return this.replaceSourceWith(
      source,
      async (list) => {
        for await (const item of entries as AsyncIterable<HotlistEntry | readonly HotlistEntry[]>) {
          for (const e of Array.isArray(item) ? (item as readonly HotlistEntry[]) : [item as HotlistEntry]) {
            if (e.source !== source) {
              throw new HotlistError(
                'ERR_HOTLIST_SOURCE',
                `entry ${e.recordId} is of source ${e.source}, not ${source}`,
              );
            }
            list.addEntry(e);
          }
          meta.onProgress?.(list.count);
        }
      },
      meta,
    );
  }

  /**
   * Replaces a source's whole list with the lines `fill` adds to a ListBuilder (off the JS heap), then
   * writes them as a new generation in bucket key order, in large transactions that only the flip makes
   * visible; then flips the active generation in one durable transaction, then deletes the old
   * generation. Readers never see a half list; when `fill` throws, nothing is written and the old list
   * stays; a crash before the flip leaves the old list active and the partial one is deleted by the
   * next refresh.
   */
  async replaceSourceWith(
    source: string,
    fill: (list: ListBuilder) => void | Promise<void>,
    meta: ReplaceMeta = {},
  ): Promise<ReplaceSummary> {
    this.assertOpen();
    const before = this.sourcesDb.get(source);
    if (before && before.activeGen === MANUAL_GEN) {
      throw new HotlistError('ERR_HOTLIST_SOURCE', `source ${source} holds manual entries: it cannot be refreshed`);
    }
    const gen = Math.max(before?.lastGen ?? 0, before?.activeGen ?? 0) + 1;
    try {
      await this.sourcesDb.put(source, {
        source,
        activeGen: before?.activeGen ?? -1,
        lastGen: gen,
        count: before?.count ?? 0,
        importedAt: before?.importedAt ?? 0,
        ...(before?.file ? { file: before.file } : {}),
        ...(before?.format ? { format: before.format } : {}),
        ...(before?.bucketBits ? { bucketBits: before.bucketBits } : {}),
      });
    } catch (err) {
      throw await this.writeError(err, 'refresh');
    }
    const tmp = nodePath.join(this.path, 'import-tmp', `${source}-${gen}`);
    rmSync(tmp, { recursive: true, force: true });
    const list = new ListBuilder(tmp, this.spillBytes);
    const t0 = performance.now();
    let tFill = t0;
    let tWrite = t0;
    const c0 = process.cpuUsage();
    let cFill = c0;
    let cWrite = c0;
    let written = 0;
    let filter: SkeletonFilter;
    let writing = false;
    try {
      await fill(list);
      writing = true;
      tFill = performance.now();
      cFill = process.cpuUsage();
      filter = SkeletonFilter.forCount(list.count);
      written = await this.writeGeneration(source, gen, list, filter, meta);
      tWrite = performance.now();
      cWrite = process.cpuUsage();
    } catch (err) {
      // While reading the list only a full disk (its spill files) is the store's; the rest is the input's.
      const code = (err as { code?: unknown } | undefined)?.code;
      if (err instanceof HotlistError || !(writing ? isLmdbError(err) : code === 'ENOSPC')) throw err;
      throw await this.writeError(err, `refresh of ${source}`);
    } finally {
      list.dispose();
      rmSync(tmp, { recursive: true, force: true });
    }
    const duplicates = list.duplicates;
    try {
      await this.env.transaction(() => {
        this.filtersDb.putSync(filterKey(source, gen), filter.toBuffer());
        this.bumpEpoch();
        this.sourcesDb.putSync(source, {
          source,
          activeGen: gen,
          lastGen: gen,
          count: written,
          importedAt: Date.now(),
          bucketBits: BUCKET_BITS,
          ...(meta.file ? { file: meta.file } : {}),
          ...(meta.format ? { format: meta.format } : {}),
        });
      });
      // The flip is on disk (and with it every page of the generation) before the refresh reports.
      await this.env.flushed;
    } catch (err) {
      throw await this.writeError(err, `refresh of ${source}`);
    }
    const tFlip = performance.now();
    const cFlip = process.cpuUsage();
    const { added, removed } = before
      ? await this.dropOtherGenerations(source, gen, before.activeGen, before.bucketBits ?? 0)
      : { added: written, removed: 0 };
    try {
      await this.env.transaction(() => {
        for (const key of this.filtersDb.getKeys({ start: `${source}${SEP}`, end: `${source}${END}` })) {
          if (key !== filterKey(source, gen)) this.filtersDb.removeSync(key);
        }
      });
    } catch (err) {
      throw await this.writeError(err, `cleanup of ${source}`);
    }
    const s = (a: number, b: number) => (b - a) / 1000;
    const phases = {
      fill: s(t0, tFill),
      write: s(tFill, tWrite),
      flip: s(tWrite, tFlip),
      cleanup: s(tFlip, performance.now()),
    };
    const c = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) => (b.user + b.system - a.user - a.system) / 1e6;
    const cEnd = process.cpuUsage();
    const phasesCpu = { fill: c(c0, cFill), write: c(cFill, cWrite), flip: c(cWrite, cFlip), cleanup: c(cFlip, cEnd) };
    return { source, total: written, added, removed, duplicates, generation: gen, phases, phasesCpu };
  }

  /**
   * Writes the list's buckets as generation `gen` of `source`, in key order, invisible to readers until
   * the flip; returns the number of entries written. The puts go to lmdb-js's write thread (one
   * transaction per event turn, about `txnBytes` each, with its overlapping sync), so LMDB's work and
   * the flush of one batch run while the next batch is sorted; at most two batches are in flight.
   */
  private async writeGeneration(
    source: string,
    gen: number,
    list: ListBuilder,
    filter: SkeletonFilter,
    meta: ReplaceMeta,
  ): Promise<number> {
    let written = 0;
    let bytes = 0;
    // Unconditional puts of one transaction share one promise: keep each distinct one to await.
    let batch: Promise<unknown>[] = [];
    let inFlight: Promise<unknown>[] = [];
    const keyPrefix = bucketKey(source, gen, '');
    for (const b of list.buckets(filter)) {
      // A Uint8Array value is stored as is: the UTF-8 of the record string readers get back.
      const p = this.buckets.put(keyPrefix + b.bucket, b.value as never);
      if (batch[batch.length - 1] !== p) batch.push(p);
      bytes += b.value.length + 32;
      written += b.entries;
      if (bytes >= this.txnBytes) {
        await Promise.all(inFlight);
        inFlight = batch;
        batch = [];
        bytes = 0;
        meta.onProgress?.(written);
      }
    }
    await Promise.all([...inFlight, ...batch]);
    meta.onProgress?.(written);
    return written;
  }

  /**
   * Deletes every generation of `source` but `keep`, counting entries added/removed against `previous`
   * (whose buckets are named with `previousBits` hash bits, 0: by skeleton prefix).
   */
  private async dropOtherGenerations(
    source: string,
    keep: number,
    previous: number,
    previousBits: number,
  ): Promise<{ added: number; removed: number }> {
    let added = 0;
    let removed = 0;
    const prefix = (gen: number) => `${source}${SEP}${genToken(gen)}${SEP}`;
    const range = (gen: number) => ({ start: prefix(gen), end: `${source}${SEP}${genToken(gen)}${END}` });
    let rebucketed: ListBuilder | undefined;
    try {
      if (previous >= 1) {
        // Both generations in bucket order side by side: entries of the new list not in the old one,
        // and the reverse, compared bucket by bucket on the records' bytes.
        const cut = prefix(keep).length;
        const named = (it: Iterable<{ key: string; value: Uint8Array }>) =>
          (function* () {
            for (const { key, value } of it) yield { bucket: key.slice(cut), value };
          })();
        const now = named(this.bucketBytes.getRange(range(keep)));
        let old: Iterator<{ bucket: string; value: Uint8Array }>;
        if (previousBits === BUCKET_BITS) old = named(this.bucketBytes.getRange(range(previous)));
        else {
          // A list written with other buckets (before hashed buckets): its lines re-bucketed the new way
          // (off the JS heap, spilled past spillBytes), so the same merge applies. Once per store.
          rebucketed = new ListBuilder(
            nodePath.join(this.path, 'import-tmp', `${source}-${previous}-old`),
            this.spillBytes,
          );
          for (const { value } of this.bucketBytes.getRange(range(previous))) {
            let i = 1;
            while (i < value.length) {
              const e = lineEnd(value, value.length, i);
              rebucketed.addLine(value, i, e + 1);
              i = e + 1;
            }
          }
          old = rebucketed.buckets();
        }
        let a = now.next();
        let b = old.next();
        while (!a.done || !b.done) {
          const ka = a.done ? undefined : a.value.bucket;
          const kb = b.done ? undefined : b.value.bucket;
          if (kb === undefined || (ka !== undefined && ka < kb)) {
            added += countLines(a.value!.value);
            a = now.next();
          } else if (ka === undefined || kb < ka) {
            removed += countLines(b.value!.value);
            b = old.next();
          } else {
            const d = diffBuckets(a.value!.value, b.value!.value);
            added += d.added;
            removed += d.removed;
            a = now.next();
            b = old.next();
          }
        }
      } else {
        for (const { value } of this.bucketBytes.getRange(range(keep))) added += countLines(value);
      }
      // Every other generation of this source (the previous one, and any a crashed import left).
      const doomed: string[] = [];
      for (const key of this.buckets.getKeys({ start: `${source}${SEP}`, end: `${source}${END}` })) {
        if (!key.startsWith(prefix(keep))) doomed.push(key);
      }
      for (let i = 0; i < doomed.length; i += this.batchSize) {
        const slice = doomed.slice(i, i + this.batchSize);
        this.env.transactionSync(() => {
          for (const k of slice) this.buckets.removeSync(k);
        }, GEN_TXN_FLAGS as TransactionFlags);
        await new Promise<void>((res) => setImmediate(res));
      }
    } catch (err) {
      throw await this.writeError(err, `cleanup of ${source}`);
    } finally {
      rebucketed?.dispose();
    }
    return { added, removed };
  }

  /** Resolves when every write so far is on disk. */
  async flushed(): Promise<void> {
    await this.env.flushed;
  }

  /** Closes the environment; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.warming.catch(() => {});
    await this.env.close();
  }

  /**
   * The error for a failed write (ERR_HOTLIST_FULL: the disk or the LMDB map is full; else
   * ERR_HOTLIST_WRITE), naming the store's folder; reported to onStorageError.
   */
  private async writeError(err: unknown, what: string): Promise<HotlistError> {
    const f = await lmdbFailure(err, this.path);
    const e = f.full
      ? new HotlistError(
          'ERR_HOTLIST_FULL',
          `hot list ${this.path}: disk or LMDB map full: ${what} failed (${f.message})`,
          {
            cause: f.cause,
          },
        )
      : new HotlistError('ERR_HOTLIST_WRITE', `hot list ${this.path}: ${what} failed: ${f.message}`, {
          cause: f.cause,
        });
    this.onStorageError?.('hotlist', f.full ? 'full' : 'write', e);
    return e;
  }

  private assertOpen(): void {
    if (this.closed) throw new HotlistError('ERR_HOTLIST_CLOSED', 'hot list store is closed');
  }
}

function stateRank(s: StateMatch): number {
  return s === 'same' ? 0 : s === 'unknown' ? 1 : 2;
}
