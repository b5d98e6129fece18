/**
 * The stored form of imported lists: entries grouped in buckets, one LMDB record per bucket holding its
 * entries as text lines ("skeleton TAB plate TAB recordId TAB state TAB category TAB createdAt TAB
 * expiresAt TAB reason TAB enteredBy TAB cjisReference"), sorted by their bytes. A 10 M-entry list is
 * ~1 M records instead of 10 M, so a refresh writes ~10x fewer records; a lookup reads one small record
 * per list.
 *
 * A bucket is named by the top BUCKET_BITS bits of a hash of the look-alike skeleton, so buckets hold
 * about the same number of entries whatever the plates look like. Lists written before (no
 * `bucketBits` in their SourceInfo) named buckets by the skeleton's first four characters: folding seven
 * look-alikes onto six digits made those buckets uneven (at 10 M entries the bucket of a listed plate was
 * 1.4 KB at the median, 8 KB at the 98th percentile, 40 KB at most: the lookup tail), and real plate
 * patterns (a digit, then three letters) would make them more so. Both are still read.
 */
import type { HotlistEntry } from './HotlistEntry.js';

/** Hash bits naming a bucket: 2^20 buckets, ~10 entries (~700 bytes) each at 10 M entries. */
export const BUCKET_BITS = 20;

/** Skeleton characters naming a bucket of a list written before hashed buckets. */
export const PREFIX_BUCKET_CHARS = 4;

const TAB = 9;
const NL = 10;

/** Bucket name of a list written before hashed buckets: the skeleton's first characters. */
export function prefixBucket(skeleton: string): string {
  return skeleton.length <= PREFIX_BUCKET_CHARS ? skeleton : skeleton.slice(0, PREFIX_BUCKET_CHARS);
}

/** murmur3's final mix over FNV-1a: every input bit reaches the top bits that name the bucket. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The 32-bit bucket hash of a skeleton (stored lists depend on it: never change it). */
export function bucketHash(skeleton: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < skeleton.length; i++) h = Math.imul(h ^ skeleton.charCodeAt(i), 0x01000193);
  return mix(h);
}

/** bucketHash of the skeleton held as ASCII bytes [start, end) of `buf`. */
export function bucketHashOfBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return mix(h);
}

/** The record name of bucket number `bucket` (< 2^bits): fixed-width lower-case hex, so key order is number order. */
export function bucketName(bucket: number, bits: number): string {
  return bucket.toString(16).padStart(Math.ceil(bits / 4), '0');
}

/** The record name of the bucket holding `skeleton` in a list of `bits`-bit buckets. */
export function hashedBucket(skeleton: string, bits: number): string {
  return bucketName(bucketHash(skeleton) >>> (32 - bits), bits);
}

const CONTROL = /[\t\n\r]/g;
function clean(v: string | undefined): string {
  return v === undefined ? '' : v.replace(CONTROL, ' ');
}

export function toLine(e: HotlistEntry, skeleton: string): string {
  return `${skeleton}\t${e.plate}\t${clean(e.recordId)}\t${e.state ?? ''}\t${e.category}\t${e.createdAt}\t${e.expiresAt ?? ''}\t${clean(e.reason)}\t${clean(e.enteredBy)}\t${clean(e.cjisReference)}`;
}

/** The part of a line that identifies an entry: skeleton, plate, record id. */
export function identity(line: string): string {
  const a = line.indexOf('\t');
  const b = line.indexOf('\t', a + 1);
  const c = line.indexOf('\t', b + 1);
  return line.slice(0, c);
}

export function fromLine(line: string, source: string): HotlistEntry {
  const f = line.split('\t');
  const e: HotlistEntry = {
    plate: f[1]!,
    category: f[4] as HotlistEntry['category'],
    source,
    recordId: f[2]!,
    createdAt: Number(f[5]),
  };
  if (f[3]) e.state = f[3];
  if (f[6]) e.expiresAt = Number(f[6]);
  if (f[7]) e.reason = f[7];
  if (f[8]) e.enteredBy = f[8];
  if (f[9]) e.cjisReference = f[9];
  return e;
}

/**
 * The start of the first line at or after `from` (a line start) of the bucket record `blob`, whose
 * `len` bytes are the record, with skeleton `skeleton`; -1 when there is none. Compares bytes in place
 * (a lookup reads a record of ~10 lines and wants one or two; nothing is allocated for the others).
 * `sorted`: the lines are in byte order (hashed buckets), so the search stops at the first line past
 * the skeleton. The bytes past `len` are not read (lmdb-js's reused buffer holds stale bytes there).
 */
export function nextLineOf(blob: Uint8Array, len: number, skeleton: string, from: number, sorted: boolean): number {
  const n = skeleton.length;
  let i = from;
  while (i < len) {
    let j = 0;
    let d = 0;
    while (j < n && i + j < len) {
      d = blob[i + j]! - skeleton.charCodeAt(j);
      if (d !== 0) break;
      j++;
    }
    if (d === 0 && j === n) {
      if (i + n < len && blob[i + n] === TAB) return i;
      d = 1; // a longer skeleton with this one as its prefix: sorts after it
    }
    if (sorted && d > 0) return -1;
    i += j;
    while (i < len && blob[i] !== NL) i++;
    i++;
  }
  return -1;
}

/**
 * Positions where the plate field of the line at `start` (whose skeleton has `plate`'s length) differs
 * from `plate`; Infinity when the field is not `plate.length` long.
 */
export function plateEditsAt(blob: Uint8Array, len: number, start: number, plate: string): number {
  const n = plate.length;
  const p = start + n + 1;
  if (p + n >= len || blob[p + n] !== TAB) return Number.POSITIVE_INFINITY;
  let edits = 0;
  for (let k = 0; k < n; k++) if (blob[p + k] !== plate.charCodeAt(k)) edits++;
  return edits;
}

/** End (the `\n`) of the line starting at `start`. */
export function lineEnd(blob: Uint8Array, len: number, start: number): number {
  let i = start;
  while (i < len && blob[i] !== NL) i++;
  return i;
}

/** Every line of a bucket record. */
export function allLines(blob: string): string[] {
  return blob.split('\n').filter((l) => l.length > 0);
}
