/**
 * The hot list in LMDB. Reads are synchronous (memory-mapped) on the stream's hot path; writes are
 * batched transactions elsewhere (the importer, governance's manual entries).
 *
 * Layout (one LMDB environment, named databases):
 * - `buckets`: "<source> <gen> <bucket>" -> text lines of the entries whose look-alike skeleton starts with
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
import { appendFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import nodePath from 'node:path';

import { type Database, open, type RootDatabase } from 'lmdb';
import { allLines, BUCKET_CHARS, bucketOf, fromLine, identity, linesOf, toLine } from './bucketLines.js';
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
  /** Keys deleted per write transaction when an old generation is dropped. */
  batchSize?: number;
  /** Characters of entry lines an import keeps in memory before spilling to files (~2 bytes each). */
  spillChars?: number;
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
  lists: { source: string; gen: number; filter: SkeletonFilter | undefined }[];
}

const SPILL_CHARS = 256 * 1024 * 1024;

/** Same skeleton, plate and record id (the first three fields), without allocating. */
function sameIdentity(a: string, b: string): boolean {
  let tabs = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = a.charCodeAt(i);
    if (c !== b.charCodeAt(i)) return false;
    if (c === 9 && ++tabs === 3) return true;
  }
  return false;
}

/** Whether a line's skeleton belongs to `bucket` (see bucketOf), without allocating. */
function inBucket(line: string, bucket: string): boolean {
  if (bucket === '' || !line.startsWith(bucket)) return false;
  const tab = line.indexOf('\t');
  return tab === bucket.length || (tab > BUCKET_CHARS && bucket.length === BUCKET_CHARS);
}

function bucketKey(source: string, gen: number, bucket: string): string {
  return `${source}${SEP}${genToken(gen)}${SEP}${bucket}`;
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
  private readonly spillChars: number;
  private readonly env: RootDatabase;
  private readonly index: Database<StoredValue, string>;
  private readonly sourcesDb: Database<SourceInfo, string>;
  private readonly records: Database<string, string>;
  private readonly buckets: Database<string, string>;
  private readonly filtersDb: Database<Buffer, string>;
  private readonly meta: Database<Buffer, string>;
  private closed = false;
  private view: ReaderView | undefined;
  private lastRenew = 0;

  /** Opens (creating if needed) the hot list in the folder `path`. */
  constructor(path: string, options: HotlistStoreOptions = {}) {
    this.path = path;
    this.maxLookalikeEdits = options.maxLookalikeEdits ?? 1;
    this.batchSize = options.batchSize ?? 100_000;
    this.spillChars = options.spillChars ?? SPILL_CHARS;
    mkdirSync(path, { recursive: true });
    this.env = open({ path, maxDbs: 8 });
    this.index = this.env.openDB<StoredValue, string>({ name: 'index' });
    this.sourcesDb = this.env.openDB<SourceInfo, string>({ name: 'sources' });
    this.records = this.env.openDB<string, string>({ name: 'records', encoding: 'string' });
    this.buckets = this.env.openDB<string, string>({ name: 'buckets', encoding: 'string' });
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
    const readState = state ? state.toUpperCase() : undefined;
    const out: HotlistMatch[] = [];
    const consider = (entry: HotlistEntry) => {
      let rule: MatchRule;
      let edits = 0;
      if (entry.plate === plate) rule = 'exact';
      else {
        edits = lookalikeEdits(plate, entry.plate);
        if (edits > this.maxLookalikeEdits) return;
        rule = 'lookalike';
      }
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) return;
      const listed = entry.state;
      const st: StateMatch = !readState || !listed ? 'unknown' : readState === listed ? 'same' : 'different';
      out.push({ entry, rule, state: st, plate, edits });
    };
    let readIndex = false;
    const bucket = bucketOf(skeleton);
    for (const src of view.lists) {
      if (src.filter && !src.filter.mayContain(skeleton)) continue;
      if (src.gen === MANUAL_GEN) {
        readIndex = true;
        continue;
      }
      const blob = this.buckets.get(bucketKey(src.source, src.gen, bucket));
      if (blob === undefined) continue;
      for (const line of linesOf(blob, skeleton)) consider(fromLine(line, src.source));
    }
    if (readIndex) {
      for (const { key, value } of this.index.getRange({ start: skeleton + SEP, end: skeleton + END })) {
        const k = parseKey(key);
        if (view.gens.get(k.source) !== k.gen) continue;
        consider(decodeValue(k, value));
      }
    }
    if (out.length > 1) out.sort((a, b) => a.edits - b.edits || stateRank(a.state) - stateRank(b.state));
    return out;
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
    const epoch = this.meta.getBinary('epoch');
    const v = this.view;
    if (v && (epoch === undefined ? v.epoch === undefined : v.epoch?.equals(epoch))) return v;
    const gens = new Map<string, number>();
    const lists: ReaderView['lists'] = [];
    for (const s of this.sources()) {
      gens.set(s.source, s.activeGen);
      const raw = this.filtersDb.getBinary(filterKey(s.source, s.activeGen));
      // A list without a filter (none written yet) is always read.
      lists.push({ source: s.source, gen: s.activeGen, filter: raw ? SkeletonFilter.fromBuffer(raw) : undefined });
    }
    this.view = { epoch: epoch ? Buffer.from(epoch) : undefined, gens, lists };
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
    // Pass 1: entries -> text lines in partition files by the skeleton's first character (bounded memory).
    // Pass 2: per partition, sort, drop repeats, group by bucket and write one record per bucket through
    // lmdb-js's asynchronous batches (its write thread commits while the next partition is prepared).
    const tmp = nodePath.join(this.path, 'import-tmp', `${source}-${gen}`);
    rmSync(tmp, { recursive: true, force: true });
    const parts = new Map<number, { lines: string[]; spilled: boolean }>();
    let buffered = 0;
    // Partitions stay in memory up to SPILL_CHARS in all; beyond it every partition goes to its file.
    const spillAll = () => {
      mkdirSync(tmp, { recursive: true });
      for (const [part, p] of parts) {
        if (p.lines.length === 0) continue;
        appendFileSync(nodePath.join(tmp, `p${part}`), `${p.lines.join('\n')}\n`);
        p.lines = [];
        p.spilled = true;
      }
      buffered = 0;
    };
    const hashes = new HashPairs();
    let lines = 0;
    let written = 0;
    let duplicates = 0;
    try {
      for await (const item of entries as AsyncIterable<HotlistEntry | readonly HotlistEntry[]>) {
        for (const e of Array.isArray(item) ? (item as readonly HotlistEntry[]) : [item as HotlistEntry]) {
          if (e.source !== source) {
            throw new HotlistError('ERR_HOTLIST_SOURCE', `entry ${e.recordId} is of source ${e.source}, not ${source}`);
          }
          const skeleton = plateSkeleton(e.plate);
          const line = toLine(e, skeleton);
          const part = skeleton.charCodeAt(0);
          let p = parts.get(part);
          if (!p) {
            p = { lines: [], spilled: false };
            parts.set(part, p);
          }
          p.lines.push(line);
          buffered += line.length;
          const [h1, h2] = skeletonHashes(skeleton);
          hashes.push(h1, h2);
          lines++;
        }
        if (buffered > this.spillChars) spillAll();
        meta.onProgress?.(lines);
      }
      let pending: Promise<unknown> | undefined;
      for (const [part, p] of parts) {
        let sorted = p.lines;
        if (p.spilled) {
          const file = nodePath.join(tmp, `p${part}`);
          if (sorted.length) appendFileSync(file, `${sorted.join('\n')}\n`);
          sorted = readFileSync(file, 'utf8').split('\n');
          sorted.pop();
        }
        p.lines = [];
        sorted.sort();
        // Sorted lines: repeats are adjacent, and so are the lines of one bucket.
        const records: [string, string][] = [];
        let bucket = '';
        let chunk: string[] = [];
        let previous = '';
        for (const line of sorted) {
          if (sameIdentity(line, previous)) {
            duplicates++;
            continue;
          }
          previous = line;
          if (!inBucket(line, bucket)) {
            if (chunk.length) records.push([bucket, `\n${chunk.join('\n')}\n`]);
            bucket = bucketOf(line.slice(0, line.indexOf('\t')));
            chunk = [];
          }
          chunk.push(line);
          written++;
        }
        if (chunk.length) records.push([bucket, `\n${chunk.join('\n')}\n`]);
        if (pending) await pending;
        let last: Promise<unknown> | undefined;
        for (const [b, blob] of records) last = this.buckets.put(bucketKey(source, gen, b), blob);
        pending = last;
      }
      await pending;
    } catch (err) {
      if (err instanceof HotlistError || !/MDB_|ENOSPC|lmdb/i.test(String((err as Error)?.message))) throw err;
      throw wrapWriteError(err, `refresh of ${source}`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
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
    const ids = (blob: string | undefined) => new Set(blob === undefined ? [] : allLines(blob).map(identity));
    const range = (gen: number) => ({
      start: `${source}${SEP}${genToken(gen)}${SEP}`,
      end: `${source}${SEP}${genToken(gen)}${END}`,
    });
    try {
      if (previous >= 1) {
        // Bucket by bucket: entries of the new list not in the old one, and the reverse.
        const seen = new Set<string>();
        const prefix = (gen: number) => `${source}${SEP}${genToken(gen)}${SEP}`.length;
        for (const { key, value } of this.buckets.getRange(range(keep))) {
          const bucket = key.slice(prefix(keep));
          seen.add(bucket);
          const now = ids(value);
          const before = ids(this.buckets.get(bucketKey(source, previous, bucket)));
          for (const id of now) if (!before.has(id)) added++;
          for (const id of before) if (!now.has(id)) removed++;
        }
        for (const { key, value } of this.buckets.getRange(range(previous))) {
          if (!seen.has(key.slice(prefix(previous)))) removed += allLines(value).length;
        }
      } else {
        for (const { value } of this.buckets.getRange(range(keep))) added += allLines(value).length;
      }
      // Every other generation of this source (the previous one, and any a crashed import left).
      let doomed: string[] = [];
      for (const key of this.buckets.getKeys({ start: `${source}${SEP}`, end: `${source}${END}` })) {
        if (!key.startsWith(`${source}${SEP}${genToken(keep)}${SEP}`)) doomed.push(key);
      }
      while (doomed.length > 0) {
        const slice = doomed.slice(0, this.batchSize);
        doomed = doomed.slice(this.batchSize);
        await this.env.transaction(() => {
          for (const k of slice) this.buckets.removeSync(k);
        });
      }
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
