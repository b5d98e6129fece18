/**
 * Collects the entry lines of one imported list (bucketLines.ts format) off the JS heap and hands them
 * back bucket by bucket in LMDB key order, so a refresh writes its generation as a run of appends.
 *
 * Lines are UTF-8 bytes in one growable buffer per partition (the top PART_BITS bits of the bucket
 * number), with a start offset per line: ~90 bytes per entry and no JS object kept per entry (a 10 M-entry
 * list held as 10 M strings made garbage collection the largest cost of an import). Past `spillBytes` in
 * all, the partitions are appended to files and read back one at a time when the list is written, so
 * memory stays near `spillBytes` plus the largest partition. Per partition, a counting sort on the rest
 * of the bucket number puts buckets in key order without comparing strings; lines within a bucket are
 * sorted by their bytes (the order of the strings) to find repeats, and lookups rely on that order.
 */
import { closeSync, mkdirSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import nodePath from 'node:path';
import { BUCKET_BITS, bucketHashOfBytes, bucketName, toLine } from './bucketLines.js';
import type { HotlistEntry } from './HotlistEntry.js';
import { plateSkeleton } from './normalize.js';
import type { SkeletonFilter } from './SkeletonFilter.js';

/** Partitions: the top bits of the bucket number, so partitions in order hold buckets in key order. */
const PART_BITS = 5;
const PARTS = 1 << PART_BITS;
const LOCAL_BITS = BUCKET_BITS - PART_BITS;
const LOCAL_CODES = 1 << LOCAL_BITS;
const TAB = 9;
const NL = 10;

class Partition {
  buf = Buffer.allocUnsafe(1 << 16);
  pos = 0;
  /** Start offset of each line in the partition (file bytes first, then `buf`). */
  starts = new Float64Array(1024);
  count = 0;
  fileBytes = 0;

  /** Room for `bytes` more bytes and `lines` more starts. */
  reserveBulk(bytes: number, lines: number): void {
    if (this.pos + bytes > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
      this.buf.copy(bigger, 0, 0, this.pos);
      this.buf = bigger;
    }
    if (this.count + lines > this.starts.length) {
      const more = new Float64Array(Math.max(this.starts.length * 2, this.count + lines));
      more.set(this.starts.subarray(0, this.count));
      this.starts = more;
    }
  }

  reserve(n: number): void {
    if (this.pos + n > this.buf.length) {
      let size = this.buf.length * 2;
      while (this.pos + n > size) size *= 2;
      const bigger = Buffer.allocUnsafe(size);
      this.buf.copy(bigger, 0, 0, this.pos);
      this.buf = bigger;
    }
    if (this.count === this.starts.length) {
      const more = new Float64Array(this.starts.length * 2);
      more.set(this.starts);
      this.starts = more;
    }
  }
}

/**
 * A builder's lines handed to another thread (ListBuilder.export / absorb): per partition its
 * buffered bytes, line starts and spill file, the ArrayBuffers transferable.
 */
export interface ListPart {
  rank: number;
  buf: Uint8Array;
  pos: number;
  starts: Float64Array;
  count: number;
  /** Bytes in the spill file (0: none). */
  fileBytes: number;
  file: string;
}

/** One bucket of a list, in key order: its name and the record value (`\n` + its lines, each ending in `\n`). */
export interface BuiltBucket {
  bucket: string;
  value: Buffer;
  /** Entries in the value (repeats dropped). */
  entries: number;
}

export class ListBuilder {
  private readonly parts: (Partition | undefined)[] = new Array(PARTS);
  private scratch = Buffer.allocUnsafe(4096);
  private buffered = 0;
  private lines = 0;
  private spilled = false;
  /** Repeats (same skeleton, plate and record id as a kept line) dropped by buckets(). */
  duplicates = 0;

  constructor(
    /** Folder for spill files (created when needed, removed by dispose()). */
    readonly dir: string,
    readonly spillBytes: number,
  ) {}

  /** Lines added so far (repeats included). */
  get count(): number {
    return this.lines;
  }

  /** Adds a validated entry. */
  addEntry(e: HotlistEntry): void {
    const line = `${toLine(e, plateSkeleton(e.plate))}\n`;
    if (line.length * 3 > this.scratch.length) this.scratch = Buffer.allocUnsafe(line.length * 3);
    const n = this.scratch.write(line, 0, 'utf8');
    this.addLine(this.scratch, 0, n);
  }

  /**
   * Adds one line already in the stored format, `\n` included: bytes [start, end) of `src`, starting
   * with the skeleton (A-Z, 0-9). The bytes are copied.
   */
  addLine(src: Uint8Array, start: number, end: number): void {
    let t = start;
    while (t < end && src[t] !== TAB) t++;
    const r = bucketHashOfBytes(src, start, t) >>> (32 - PART_BITS);
    let p = this.parts[r];
    if (!p) {
      p = new Partition();
      this.parts[r] = p;
    }
    const n = end - start;
    p.reserve(n);
    p.starts[p.count++] = p.fileBytes + p.pos;
    copyBytes(src, start, end, p.buf, p.pos);
    p.pos += n;
    this.lines++;
    this.buffered += n;
    if (this.buffered > this.spillBytes) this.spill();
  }

  private partFile(r: number): string {
    return nodePath.join(this.dir, `p${r}`);
  }

  /** Appends every partition's buffered lines to its file. */
  private spill(): void {
    mkdirSync(this.dir, { recursive: true });
    for (let r = 0; r < PARTS; r++) {
      const p = this.parts[r];
      if (!p || p.pos === 0) continue;
      const fd = openSync(this.partFile(r), 'a');
      try {
        let done = 0;
        while (done < p.pos) done += writeSync(fd, p.buf, done, p.pos - done);
      } finally {
        closeSync(fd);
      }
      p.fileBytes += p.pos;
      p.pos = 0;
    }
    this.spilled = true;
    this.buffered = 0;
  }

  /** The partition's lines as one buffer (file bytes, then the buffered ones). */
  private load(r: number, p: Partition): Buffer {
    return p.fileBytes === 0 ? p.buf : readPart(this.partFile(r), p.fileBytes, p.buf, p.pos);
  }

  /**
   * The list's buckets in key order (byte order of the bucket names), each a record value ready to
   * write; repeats of a plate and record id are dropped (the first line in byte order is kept).
   * Consumes the builder: a partition's memory is released once its buckets were yielded.
   */
  *buckets(filter?: SkeletonFilter): Generator<BuiltBucket> {
    const counts = new Uint32Array(LOCAL_CODES + 1);
    for (let r = 0; r < PARTS; r++) {
      const p = this.parts[r];
      if (!p || p.count === 0) continue;
      const buf = this.load(r, p);
      const n = p.count;
      const end = p.fileBytes + p.pos;
      this.parts[r] = undefined;
      // Counting sort on the bucket number's bits below the partition's.
      const codes = new Uint32Array(n);
      counts.fill(0);
      for (let i = 0; i < n; i++) {
        const s = p.starts[i]!;
        let t = s;
        while (t < end && buf[t] !== TAB) t++;
        const code = (bucketHashOfBytes(buf, s, t) >>> (32 - BUCKET_BITS)) & (LOCAL_CODES - 1);
        codes[i] = code;
        counts[code + 1]!++;
      }
      for (let c = 1; c <= LOCAL_CODES; c++) counts[c]! += counts[c - 1]!;
      const order = new Uint32Array(n);
      for (let i = 0; i < n; i++) order[counts[codes[i]!]!++] = i;
      // starts[i + 1] is where line i ends: one more slot for the last line's end.
      let starts = p.starts;
      if (starts.length === n) {
        starts = new Float64Array(n + 1);
        starts.set(p.starts);
      }
      starts[n] = end;
      // One buffer for the partition's record values: they stay untouched until LMDB copied them.
      const values = Buffer.allocUnsafe(end + n);
      let vpos = 0;
      let g = 0;
      while (g < n) {
        const code = codes[order[g]!]!;
        let h = g + 1;
        while (h < n && codes[order[h]!] === code) h++;
        // Lines of one bucket in byte order (insertion sort: ~14 lines at 10 M entries).
        if (h - g > 64) {
          const big = Array.from(order.subarray(g, h)).sort((a, b) =>
            compareLines(buf, starts[a]!, starts[a + 1]!, starts[b]!, starts[b + 1]!),
          );
          order.set(big, g);
        } else {
          for (let k = g + 1; k < h; k++) {
            const x = order[k]!;
            const xs = starts[x]!;
            const xe = starts[x + 1]!;
            let m = k - 1;
            while (m >= g) {
              const y = order[m]!;
              if (compareLines(buf, starts[y]!, starts[y + 1]!, xs, xe) <= 0) break;
              order[m + 1] = y;
              m--;
            }
            order[m + 1] = x;
          }
        }
        const v0 = vpos;
        values[vpos++] = NL;
        let kept = 0;
        let prev = -1;
        for (let k = g; k < h; k++) {
          const i = order[k]!;
          const s = starts[i]!;
          const e = starts[i + 1]!;
          if (prev >= 0 && sameIdentity(buf, starts[prev]!, starts[prev + 1]!, s, e)) {
            this.duplicates++;
            continue;
          }
          prev = i;
          if (filter) {
            let t = s;
            while (buf[t] !== TAB) t++;
            filter.addBytes(buf, s, t);
          }
          copyBytes(buf, s, e, values, vpos);
          vpos += e - s;
          kept++;
        }
        yield {
          bucket: bucketName((r << LOCAL_BITS) | code, BUCKET_BITS),
          value: values.subarray(v0, vpos),
          entries: kept,
        };
        g = h;
      }
    }
  }

  /**
   * This builder's partitions for absorb() in another thread (transfer the `transfer` buffers). Spill
   * files stay where they are until the receiving builder read them; the builder is emptied.
   */
  export(): { parts: ListPart[]; lines: number; transfer: ArrayBuffer[] } {
    const parts: ListPart[] = [];
    const transfer: ArrayBuffer[] = [];
    for (let r = 0; r < PARTS; r++) {
      const p = this.parts[r];
      if (!p || p.count === 0) continue;
      parts.push({
        rank: r,
        buf: p.buf,
        pos: p.pos,
        starts: p.starts,
        count: p.count,
        fileBytes: p.fileBytes,
        file: this.partFile(r),
      });
      for (const b of [p.buf.buffer, p.starts.buffer] as ArrayBuffer[]) if (!transfer.includes(b)) transfer.push(b);
    }
    const lines = this.lines;
    this.parts.fill(undefined);
    this.lines = 0;
    this.buffered = 0;
    return { parts, lines, transfer };
  }

  /** Appends another builder's exported lines after this builder's (its spill files are read, not removed). */
  absorb(exported: { parts: ListPart[] }): void {
    for (const q of exported.parts) {
      const from = Buffer.from(q.buf.buffer, q.buf.byteOffset, q.buf.byteLength);
      const bytes = q.fileBytes > 0 ? readPart(q.file, q.fileBytes, from, q.pos) : from.subarray(0, q.pos);
      let p = this.parts[q.rank];
      if (!p) {
        p = new Partition();
        this.parts[q.rank] = p;
      }
      p.reserveBulk(bytes.length, q.count);
      const base = p.fileBytes + p.pos;
      for (let i = 0; i < q.count; i++) p.starts[p.count + i] = base + q.starts[i]!;
      p.count += q.count;
      bytes.copy(p.buf, p.pos);
      p.pos += bytes.length;
      this.lines += q.count;
      this.buffered += bytes.length;
      if (this.buffered > this.spillBytes) this.spill();
    }
  }

  /** Removes the spill files; safe to call twice. */
  dispose(): void {
    this.parts.fill(undefined);
    if (this.spilled) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A spilled partition: `fileBytes` from its file, then `pos` bytes of `tail`, in one new buffer. */
function readPart(file: string, fileBytes: number, tail: Buffer, pos: number): Buffer {
  const all = Buffer.allocUnsafe(fileBytes + pos);
  const fd = openSync(file, 'r');
  try {
    let done = 0;
    while (done < fileBytes) {
      const n = readSync(fd, all, done, fileBytes - done, done);
      if (n === 0) throw new Error(`spill file ${file} is short`);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  tail.copy(all, fileBytes, 0, pos);
  return all;
}

/**
 * Copies bytes [start, end) of `src` to `dst` at `at`. A loop: lines are short, and Buffer.copy's
 * per-call cost (a view per call) was the largest single cost of an import.
 */
export function copyBytes(src: Uint8Array, start: number, end: number, dst: Uint8Array, at: number): void {
  if (end - start > 256) {
    dst.set(src.subarray(start, end), at);
    return;
  }
  for (let i = start; i < end; i++) dst[at++] = src[i]!;
}

/** Byte order of two lines without their `\n` (the order of the strings for the stored characters). */
function compareLines(buf: Buffer, a: number, aEnd: number, b: number, bEnd: number): number {
  const la = aEnd - 1 - a;
  const lb = bEnd - 1 - b;
  const n = Math.min(la, lb);
  for (let i = 0; i < n; i++) {
    const d = buf[a + i]! - buf[b + i]!;
    if (d !== 0) return d;
  }
  return la - lb;
}

/** Same skeleton, plate and record id: the first three tab-ended fields are equal. */
function sameIdentity(buf: Buffer, a: number, aEnd: number, b: number, bEnd: number): boolean {
  let tabs = 0;
  const n = Math.min(aEnd - a, bEnd - b);
  for (let i = 0; i < n; i++) {
    const c = buf[a + i]!;
    if (c !== buf[b + i]) return false;
    if (c === TAB && ++tabs === 3) return true;
  }
  return false;
}
