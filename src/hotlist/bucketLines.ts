/**
 * The stored form of imported lists: entries grouped in buckets by the first characters of their
 * look-alike skeleton, one LMDB record per bucket holding its entries as text lines
 * ("skeleton TAB plate TAB recordId TAB state TAB category TAB createdAt TAB expiresAt TAB reason TAB
 * enteredBy TAB cjisReference"). A 10 M-entry list is ~700 k records instead of 10 M, so a refresh
 * writes ~14x fewer records; a lookup reads one small record per list.
 */
import type { HotlistEntry } from './HotlistEntry.js';

/** Skeleton characters that name a bucket (29 folded characters: up to ~700 k buckets). */
export const BUCKET_CHARS = 4;

export function bucketOf(skeleton: string): string {
  return skeleton.length <= BUCKET_CHARS ? skeleton : skeleton.slice(0, BUCKET_CHARS);
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
 * The lines of a bucket record read as bytes whose skeleton is `skeleton`: only the matching lines
 * are decoded (a lookup reads a ~1 KB record at 10 M entries and wants one or two of its lines).
 */
export function linesOfBytes(blob: Uint8Array, skeleton: string): string[] {
  const buf = Buffer.isBuffer(blob) ? blob : Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const needle = Buffer.from(`\n${skeleton}\t`, 'latin1');
  const out: string[] = [];
  let at = buf.indexOf(needle);
  while (at >= 0) {
    const end = buf.indexOf(10, at + 1);
    out.push(buf.toString('utf8', at + 1, end < 0 ? buf.length : end));
    at = buf.indexOf(needle, at + 1);
  }
  return out;
}

/** Every line of a bucket record. */
export function allLines(blob: string): string[] {
  return blob.split('\n').filter((l) => l.length > 0);
}
