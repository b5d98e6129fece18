/**
 * The hot list in LMDB. Reads are synchronous (memory-mapped) on the stream's hot path; writes are
 * batched transactions elsewhere (the importer, governance's manual entries).
 *
 * Layout (one LMDB environment, named databases):
 * - `index`:   "<skeleton> <plate> <source> <gen> <recordId>" -> HotlistEntry. Keys sort by look-alike
 *              skeleton, then plate, so one range read finds the exact and the look-alike candidates.
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
import { mkdirSync } from 'node:fs';

import { type Database, open, type RootDatabase } from 'lmdb';

import {
  type HotlistEntry,
  HotlistError,
  type HotlistMatch,
  type MatchRule,
  type SourceInfo,
  type StateMatch,
  validateEntry,
} from './HotlistEntry.js';
import { lookalikeEdits, normalizePlate, plateSkeleton } from './normalize.js';
import { SkeletonFilter, skeletonHashes } from './SkeletonFilter.js';

export interface HotlistStoreOptions {
  /** Largest number of look-alike substitutions a look-alike match may have (the order says one). */
  maxLookalikeEdits?: number;
  /** Entries per write transaction during a refresh (memory vs commit count). */
  batchSize?: number;
}

export interface ReplaceSummary {
  source: string;
  /** Entries in the new list. */
  total: number;
  /** Entries (plate + record id) that were not in the previous list. */
  added: number;
  /** Entries of the previous list that are gone. */
  removed: number;
  /**
   * Lines repeating the plate and record id of a line shortly before (within one write batch of
   * `batchSize`); the first is kept. A repeat further apart overwrites the earlier one and is counted in
   * `total`.
   */
  duplicates: number;
  generation: number;
}

export interface ReplaceMeta {
  file?: string;
  format?: string;
  /** Called after each committed batch with the number of entries written so far. */
  onProgress?: (written: number) => void;
}

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
  /** undefined: some list has no filter, so every lookup reads the index. */
  filters: SkeletonFilter[] | undefined;
}

/** Manual lists get a fixed-size filter (bits are never removed; a removed plate is a false positive). */
const MANUAL_FILTER_CAPACITY = 131_072;

function filterKey(source: string, gen: number): string {
  return `${source}${SEP}${genToken(gen)}`;
}

/** A growable array of 32-bit hash pairs (8 bytes per entry, not a JS array of doubles). */
class HashPairs {
  data = new Uint32Array(1 << 16);
  length = 0;
  push(h1: number, h2: number): void {
    if (this.length + 2 > this.data.length) {
      const bigger = new Uint32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = h1;
    this.data[this.length++] = h2;
  }
}

function wrapWriteError(err: unknown, what: string): HotlistError {
  const message = (err as Error)?.message ?? String(err);
  const code = /MDB_MAP_FULL|ENOSPC|No space/i.test(message) ? 'ERR_HOTLIST_FULL' : 'ERR_HOTLIST_WRITE';
  return new HotlistError(code, `hot list: ${what} failed: ${message}`, { cause: err });
}

export class HotlistStore {
  readonly path: string;
  readonly maxLookalikeEdits: number;
  private readonly batchSize: number;
  private readonly env: RootDatabase;
  private readonly index: Database<StoredValue, string>;
  private readonly sourcesDb: Database<SourceInfo, string>;
  private readonly records: Database<string, string>;
  private readonly filtersDb: Database<Buffer, string>;
  private readonly meta: Database<Buffer, string>;
  private closed = false;
  private view: ReaderView | undefined;

  /** Opens (creating if needed) the hot list in the folder `path`. */
  constructor(path: string, options: HotlistStoreOptions = {}) {
    this.path = path;
    this.maxLookalikeEdits = options.maxLookalikeEdits ?? 1;
    this.batchSize = options.batchSize ?? 100_000;
    mkdirSync(path, { recursive: true });
    this.env = open({ path, maxDbs: 8 });
    this.index = this.env.openDB<StoredValue, string>({ name: 'index' });
    this.sourcesDb = this.env.openDB<SourceInfo, string>({ name: 'sources' });
    this.records = this.env.openDB<string, string>({ name: 'records', encoding: 'string' });
    this.filtersDb = this.env.openDB<Buffer, string>({ name: 'filters', encoding: 'binary' });
    this.meta = this.env.openDB<Buffer, string>({ name: 'meta', encoding: 'binary' });
  }

  /**
   * The active entries matching a read plate (normalized here): exact matches first, then look-alikes
   * with at most `maxLookalikeEdits` substitutions. Expired entries and inactive generations are skipped.
   * Synchronous: one LMDB range read plus one small read per source that has a candidate.
   */
  lookup(rawPlate: string, state?: string, now = Date.now()): HotlistMatch[] {
    const plate = normalizePlate(rawPlate);
    if (!plate) return [];
    const skeleton = plateSkeleton(plate);
    const view = this.readerView();
    if (view.filters) {
      let maybe = false;
      for (const f of view.filters) {
        if (f.mayContain(skeleton)) {
          maybe = true;
          break;
        }
      }
      if (!maybe) return [];
    }
    const readState = state ? state.toUpperCase() : undefined;
    const out: HotlistMatch[] = [];
    for (const { key, value } of this.index.getRange({ start: skeleton + SEP, end: skeleton + END })) {
      const k = parseKey(key);
      let rule: MatchRule;
      let edits = 0;
      if (k.plate === plate) rule = 'exact';
      else {
        edits = lookalikeEdits(plate, k.plate);
        if (edits > this.maxLookalikeEdits) continue;
        rule = 'lookalike';
      }
      if (view.gens.get(k.source) !== k.gen) continue;
      const expiresAt = value[3];
      if (expiresAt !== null && expiresAt <= now) continue;
      const listed = value[0];
      const st: StateMatch = !readState || !listed ? 'unknown' : readState === listed ? 'same' : 'different';
      out.push({ entry: decodeValue(k, value), rule, state: st, plate, edits });
    }
    if (out.length > 1) out.sort((a, b) => a.edits - b.edits || stateRank(a.state) - stateRank(b.state));
    return out;
  }

  /**
   * The reader's cached view (active generation and filter per source), rebuilt when the epoch record
   * changed; read in the same synchronous call (one LMDB snapshot) as the range read that uses it.
   */
  private readerView(): ReaderView {
    const epoch = this.meta.getBinary('epoch');
    const v = this.view;
    if (v && (epoch === undefined ? v.epoch === undefined : v.epoch !== undefined && v.epoch.equals(epoch))) return v;
    const gens = new Map<string, number>();
    const filters: SkeletonFilter[] = [];
    let complete = true;
    for (const s of this.sources()) {
      gens.set(s.source, s.activeGen);
      const raw = this.filtersDb.getBinary(filterKey(s.source, s.activeGen));
      const f = raw ? SkeletonFilter.fromBuffer(raw) : undefined;
      if (f) filters.push(f);
      else complete = false; // a list without a filter (written by an older version): always read
    }
    this.view = { epoch: epoch ? Buffer.from(epoch) : undefined, gens, filters: complete ? filters : undefined };
    return this.view;
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
    const active = new Map(this.sources().map((s) => [s.source, s.activeGen]));
    for (const { key, value } of this.index.getRange()) {
      const k = parseKey(key);
      if (source !== undefined && k.source !== source) continue;
      if (active.get(k.source) !== k.gen) continue;
      if (!options.includeExpired && value[3] !== null && value[3] <= now) continue;
      yield decodeValue(k, value);
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
      throw wrapWriteError(err, 'put');
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
      throw wrapWriteError(err, 'remove');
    }
  }

  /**
   * Replaces a source's whole list with `entries` (already validated by the caller, or validated here
   * when `validate` is true): writes a new generation in batches, then flips the active generation in
   * one transaction, then deletes the old generation. Readers never see a half list; a crash before the
   * flip leaves the old list active and the partial one is deleted by the next refresh.
   */
  async replaceSource(
    source: string,
    /** Entries, or chunks of entries (fewer async steps for big files). */
    entries: Iterable<HotlistEntry | readonly HotlistEntry[]> | AsyncIterable<HotlistEntry | readonly HotlistEntry[]>,
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
      });
    } catch (err) {
      throw wrapWriteError(err, 'refresh');
    }
    let written = 0;
    let duplicates = 0;
    let batch: [string, StoredValue][] = [];
    const hashes = new HashPairs();
    let pending: Promise<unknown> | undefined;
    // Writes go through lmdb-js's asynchronous batches, committed by its write thread: parsing the next
    // batch here overlaps writing this one there, with at most two batches in memory.
    const flush = async () => {
      if (batch.length === 0) return;
      const rows = batch;
      batch = [];
      if (pending) await pending;
      // Unsorted: lmdb-js's write thread does the B-tree work on another core; sorting here cost more
      // main-thread time than it saved. Of two lines with the same plate and record id in one batch the
      // first is kept.
      const seen = new Set<string>();
      let last: Promise<unknown> | undefined;
      for (const [key, value] of rows) {
        if (seen.has(key)) {
          duplicates++;
          continue;
        }
        seen.add(key);
        last = this.index.put(key, value);
        written++;
      }
      pending = last;
      meta.onProgress?.(written);
    };
    try {
      for await (const item of entries as AsyncIterable<HotlistEntry | readonly HotlistEntry[]>) {
        for (const e of Array.isArray(item) ? (item as readonly HotlistEntry[]) : [item as HotlistEntry]) {
          if (e.source !== source) {
            throw new HotlistError('ERR_HOTLIST_SOURCE', `entry ${e.recordId} is of source ${e.source}, not ${source}`);
          }
          batch.push([indexKey(e, gen), encodeValue(e)]);
          const [h1, h2] = skeletonHashes(plateSkeleton(e.plate));
          hashes.push(h1, h2);
        }
        if (batch.length >= this.batchSize) await flush();
      }
      await flush();
      await pending;
    } catch (err) {
      await pending?.catch(() => {});
      if (err instanceof HotlistError || !/MDB_|ENOSPC|lmdb/i.test(String((err as Error)?.message))) throw err;
      throw wrapWriteError(err, `refresh of ${source}`);
    }
    const filter = SkeletonFilter.forCount(hashes.length / 2);
    for (let i = 0; i < hashes.length; i += 2) filter.addHashes(hashes.data[i]!, hashes.data[i + 1]!);
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
          ...(meta.file ? { file: meta.file } : {}),
          ...(meta.format ? { format: meta.format } : {}),
        });
      });
    } catch (err) {
      throw wrapWriteError(err, `refresh of ${source}`);
    }
    const { added, removed } = before
      ? await this.dropOtherGenerations(source, gen, before.activeGen)
      : { added: written, removed: 0 };
    try {
      await this.env.transaction(() => {
        for (const key of this.filtersDb.getKeys({ start: `${source}${SEP}`, end: `${source}${END}` })) {
          if (key !== filterKey(source, gen)) this.filtersDb.removeSync(key);
        }
      });
    } catch (err) {
      throw wrapWriteError(err, `cleanup of ${source}`);
    }
    return { source, total: written, added, removed, duplicates, generation: gen };
  }

  /** Deletes every generation of `source` but `keep`, counting entries added/removed against `previous`. */
  private async dropOtherGenerations(
    source: string,
    keep: number,
    previous: number,
  ): Promise<{ added: number; removed: number }> {
    let added = 0;
    let removed = 0;
    let doomed: string[] = [];
    // Keys of one plate and source are adjacent, old and new generation side by side.
    let group = '';
    let oldIds = new Set<string>();
    let newIds = new Set<string>();
    const closeGroup = () => {
      for (const id of newIds) if (!oldIds.has(id)) added++;
      for (const id of oldIds) if (!newIds.has(id)) removed++;
      oldIds = new Set();
      newIds = new Set();
    };
    const deleteDoomed = () => {
      const keys = doomed;
      doomed = [];
      if (keys.length === 0) return;
      this.env.transactionSync(() => {
        for (const k of keys) this.index.removeSync(k);
      });
    };
    try {
      // Scan in slices, restarting after each delete batch so no cursor outlives a write.
      let start: string | undefined;
      for (;;) {
        let last: string | undefined;
        for (const key of this.index.getKeys(start === undefined ? {} : { start })) {
          if (key === start) continue;
          last = key;
          const k = parseKey(key);
          if (k.source !== source) continue;
          const g = `${k.plate}${SEP}${k.source}`;
          if (g !== group) {
            closeGroup();
            group = g;
          }
          if (k.gen === keep) newIds.add(k.recordId);
          else {
            if (k.gen === previous) oldIds.add(k.recordId);
            doomed.push(key);
            if (doomed.length >= this.batchSize) break;
          }
        }
        if (last === undefined || doomed.length < this.batchSize) break;
        deleteDoomed();
        start = last;
        await new Promise((r) => setImmediate(r));
      }
      closeGroup();
      deleteDoomed();
    } catch (err) {
      throw wrapWriteError(err, `cleanup of ${source}`);
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
    await this.env.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new HotlistError('ERR_HOTLIST_CLOSED', 'hot list store is closed');
  }
}

function stateRank(s: StateMatch): number {
  return s === 'same' ? 0 : s === 'unknown' ? 1 : 2;
}
