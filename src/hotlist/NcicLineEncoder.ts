/**
 * The NCIC fixed-width parser on bytes: a plain line (upper-case plate, letters and digits, padded
 * with spaces; blank or two-letter state; a mapped code; printable ASCII record id and remarks; dates as
 * YYYYMMDD or blank) goes straight from the file's bytes to its stored line (bucketLines.ts format)
 * with no string or object per line. Any other line, including every line that is rejected, goes
 * through parseNcicLine, so reasons and accepted values are the ones of the string parser (a test
 * compares both on generated and mutated lines).
 */
import { isCategoryId } from '../categories.js';
import { copyBytes, type ListBuilder } from './ListBuilder.js';
import type { CategoryMapping } from './mapping.js';
import { LOOKALIKE_FOLD } from './normalize.js';
import { type ParseResult, parseNcicLine } from './parsers.js';

const SPACE = 32;
const TAB = 9;
const NL = 10;
const SOURCE = /^[A-Za-z0-9_-]{1,64}$/;

/** Plate byte -> skeleton byte; 0: not a plate character (upper-case letter or digit). */
const FOLD = new Uint8Array(256);
for (let c = 48; c <= 57; c++) FOLD[c] = c;
for (let c = 65; c <= 90; c++) FOLD[c] = c;
for (const [from, to] of Object.entries(LOOKALIKE_FOLD)) FOLD[from.charCodeAt(0)] = to.charCodeAt(0);

const isDigit = (c: number) => c >= 48 && c <= 57;
const isUpper = (c: number) => c >= 65 && c <= 90;
const isPrintable = (c: number) => c >= 0x21 && c <= 0x7e;

export class NcicLineEncoder {
  /** Raw 2-byte code -> the category's bytes, or null when the line must take the string parser. */
  private readonly codes = new Map<number, Buffer | null>();
  /** YYYYMMDD as a number -> the date's ms since the epoch as decimal bytes. */
  private readonly dates = new Map<number, Buffer>();
  private readonly nowBytes: Buffer;
  private readonly fast: boolean;
  private out = Buffer.allocUnsafe(1024);

  constructor(
    private readonly list: ListBuilder,
    private readonly mapping: CategoryMapping,
    private readonly source: string,
    private readonly now: number,
  ) {
    this.nowBytes = Buffer.from(String(now), 'latin1');
    this.fast = SOURCE.test(source); // otherwise every line is rejected, by the string parser
  }

  /**
   * Parses the line at bytes [start, end) of `buf` (no line break). An accepted entry is added to the
   * list; returns the string parser's result for lines it handled, undefined for a line added here.
   */
  add(buf: Buffer, start: number, end: number): ParseResult | undefined {
    if (this.fast && this.addPlain(buf, start, end)) return undefined;
    const r = parseNcicLine(buf.toString('latin1', start, end), this.mapping, this.source, this.now);
    if ('entry' in r) this.list.addEntry(r.entry);
    return r;
  }

  private category(b0: number, b1: number): Buffer | null {
    const key = (b0 << 8) | b1;
    let cat = this.codes.get(key);
    if (cat === undefined) {
      const code = String.fromCharCode(b0, b1).trim().toUpperCase();
      const id = code ? this.mapping.codes.get(code) : undefined;
      cat = id && isCategoryId(id) ? Buffer.from(id, 'latin1') : null;
      this.codes.set(key, cat);
    }
    return cat;
  }

  /** YYYYMMDD at `at` as decimal ms bytes; undefined when the 8 bytes are not digits. */
  private date(buf: Buffer, at: number): Buffer | undefined {
    let v = 0;
    for (let i = at; i < at + 8; i++) {
      const c = buf[i]!;
      if (!isDigit(c)) return undefined;
      v = v * 10 + (c - 48);
    }
    let d = this.dates.get(v);
    if (d === undefined) {
      // As parsers.ts: Date.UTC of the three numbers (no calendar check there either).
      const ms = Date.UTC(Math.floor(v / 10000), (Math.floor(v / 100) % 100) - 1, v % 100);
      if (!Number.isFinite(ms)) return undefined;
      d = Buffer.from(String(ms), 'latin1');
      this.dates.set(v, d);
    }
    return d;
  }

  /** Adds a plain line and returns true; false (nothing added) when the line is not plain. */
  private addPlain(buf: Buffer, start: number, end: number): boolean {
    if (end - start < 40) return false;
    // Plate: columns 1-10, letters and digits then spaces.
    let plateEnd = start;
    while (plateEnd < start + 10 && FOLD[buf[plateEnd]!] !== 0) plateEnd++;
    if (plateEnd === start) return false;
    for (let i = plateEnd; i < start + 10; i++) if (buf[i] !== SPACE) return false;
    // State: two upper-case letters or blank.
    const s0 = buf[start + 10]!;
    const s1 = buf[start + 11]!;
    const hasState = s0 !== SPACE || s1 !== SPACE;
    if (hasState && !(isUpper(s0) && isUpper(s1))) return false;
    const cat = this.category(buf[start + 12]!, buf[start + 13]!);
    if (!cat) return false;
    // Record id: columns 15-24, printable ASCII between spaces.
    let idStart = start + 14;
    let idEnd = start + 24;
    while (idStart < idEnd && buf[idStart] === SPACE) idStart++;
    while (idEnd > idStart && buf[idEnd - 1] === SPACE) idEnd--;
    if (idStart === idEnd) return false;
    for (let i = idStart; i < idEnd; i++) if (!isPrintable(buf[i]!)) return false;
    let created: Buffer | undefined = this.nowBytes;
    if (!this.blank(buf, start + 24, 8)) {
      created = this.date(buf, start + 24);
      if (!created) return false;
    }
    let expires: Buffer | undefined;
    if (!this.blank(buf, start + 32, 8)) {
      expires = this.date(buf, start + 32);
      if (!expires) return false;
    }
    // Remarks: column 41 on, printable ASCII and spaces, trimmed.
    let rStart = start + 40;
    let rEnd = end;
    while (rStart < rEnd && buf[rStart] === SPACE) rStart++;
    while (rEnd > rStart && buf[rEnd - 1] === SPACE) rEnd--;
    for (let i = rStart; i < rEnd; i++) {
      const c = buf[i]!;
      if (c !== SPACE && !isPrintable(c)) return false;
    }
    // skeleton TAB plate TAB recordId TAB state TAB category TAB createdAt TAB expiresAt TAB reason TAB TAB \n
    const need = 2 * (plateEnd - start) + (idEnd - idStart) + 2 + cat.length + 40 + (rEnd - rStart) + 12;
    if (need > this.out.length) this.out = Buffer.allocUnsafe(need * 2);
    const o = this.out;
    let p = 0;
    for (let i = start; i < plateEnd; i++) o[p++] = FOLD[buf[i]!]!;
    o[p++] = TAB;
    copyBytes(buf, start, plateEnd, o, p);
    p += plateEnd - start;
    o[p++] = TAB;
    copyBytes(buf, idStart, idEnd, o, p);
    p += idEnd - idStart;
    o[p++] = TAB;
    if (hasState) {
      o[p++] = s0;
      o[p++] = s1;
    }
    o[p++] = TAB;
    copyBytes(cat, 0, cat.length, o, p);
    p += cat.length;
    o[p++] = TAB;
    copyBytes(created, 0, created.length, o, p);
    p += created.length;
    o[p++] = TAB;
    if (expires) {
      copyBytes(expires, 0, expires.length, o, p);
      p += expires.length;
    }
    o[p++] = TAB;
    copyBytes(buf, rStart, rEnd, o, p);
    p += rEnd - rStart;
    o[p++] = TAB;
    o[p++] = TAB;
    o[p++] = NL;
    this.list.addLine(o, 0, p);
    return true;
  }

  private blank(buf: Buffer, at: number, n: number): boolean {
    for (let i = at; i < at + n; i++) if (buf[i] !== SPACE) return false;
    return true;
  }
}
