/**
 * Hot-list line parsers. Each returns an entry or a rejection reason; a bad line never stops the file.
 *
 * NCIC-style fixed width (one record per line, columns 1-based, trailing spaces optional):
 *   1-10  plate (left-justified)      11-12  state          13-14  category code (feed's own)
 *   15-24 record number (NIC)         25-32  entry date YYYYMMDD
 *   33-40 expiry date YYYYMMDD or blank                      41-    reason / remarks
 * CSV: a header row naming the columns plate, state, category, record_id (required) and reason,
 * entered_at, expires_at (optional; dates as YYYY-MM-DD or ISO 8601). Quoted fields may hold commas.
 * Blank lines and lines starting with '#' are skipped in both.
 */
import type { HotlistEntry } from './HotlistEntry.js';
import { validateEntry } from './HotlistEntry.js';
import type { CategoryMapping } from './mapping.js';

export type ParseResult = { entry: HotlistEntry } | { reject: string } | { skip: true };

let lastDate = '';
let lastDateMs = 0;

function parseDate(text: string, field: string): number {
  if (text === lastDate) return lastDateMs; // feeds repeat a handful of dates: skip the parse
  const t = text.trim();
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Date.parse(t);
  if (!Number.isFinite(ms)) throw new Error(`${field} '${t}' is not a date`);
  lastDate = text;
  lastDateMs = ms;
  return ms;
}

function build(
  fields: {
    plate: string;
    state: string;
    code: string;
    recordId: string;
    reason?: string;
    entered?: string;
    expires?: string;
  },
  mapping: CategoryMapping,
  source: string,
  now: number,
): ParseResult {
  const code = fields.code.trim().toUpperCase();
  if (!code) return { reject: 'category code is empty' };
  const category = mapping.codes.get(code);
  if (!category) return { reject: `category code '${code}' is not in the mapping ${mapping.file}` };
  try {
    const entry: HotlistEntry = {
      plate: fields.plate,
      category,
      source,
      recordId: fields.recordId,
      createdAt: fields.entered?.trim() ? parseDate(fields.entered, 'entry date') : now,
    };
    if (fields.state.trim()) entry.state = fields.state.trim();
    if (fields.reason?.trim()) entry.reason = fields.reason.trim();
    if (fields.expires?.trim()) entry.expiresAt = parseDate(fields.expires, 'expiry date');
    return { entry: validateEntry(entry) };
  } catch (err) {
    return { reject: (err as Error).message.replace(/^hot-list entry: /, '') };
  }
}

export function parseNcicLine(line: string, mapping: CategoryMapping, source: string, now: number): ParseResult {
  if (!line.trim() || line.startsWith('#')) return { skip: true };
  if (line.length < 24) return { reject: `line too short for the NCIC layout (${line.length} characters, need >= 24)` };
  return build(
    {
      plate: line.slice(0, 10).trimEnd(),
      state: line.slice(10, 12),
      code: line.slice(12, 14),
      recordId: line.slice(14, 24).trim(),
      entered: line.slice(24, 32),
      expires: line.slice(32, 40),
      reason: line.slice(40),
    },
    mapping,
    source,
    now,
  );
}

/** Splits one CSV line (RFC 4180 quoting, no line breaks inside fields); undefined when quotes are unbalanced. */
export function splitCsv(line: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return undefined;
        v += line.slice(i, q);
        if (line[q + 1] === '"') {
          v += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(v);
      if (i >= line.length) return out;
      if (line[i] !== ',') return undefined;
      i++;
    } else {
      const c = line.indexOf(',', i);
      if (c < 0) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, c));
      i = c + 1;
    }
  }
}

export const CSV_REQUIRED = ['plate', 'state', 'category', 'record_id'] as const;

export class CsvLineParser {
  private columns: Map<string, number> | undefined;

  constructor(
    private readonly mapping: CategoryMapping,
    private readonly source: string,
    private readonly now: number,
  ) {}

  parse(line: string): ParseResult {
    if (!line.trim() || line.startsWith('#')) return { skip: true };
    const fields = splitCsv(line.endsWith('\r') ? line.slice(0, -1) : line);
    if (!fields) return { reject: 'unbalanced quotes' };
    if (!this.columns) {
      const cols = new Map(fields.map((f, i) => [f.trim().toLowerCase(), i]));
      const missing = CSV_REQUIRED.filter((c) => !cols.has(c));
      if (missing.length) return { reject: `header lacks column(s) ${missing.join(', ')}` };
      this.columns = cols;
      return { skip: true };
    }
    const get = (name: string) => {
      const i = this.columns!.get(name);
      return i === undefined ? undefined : fields[i];
    };
    if (fields.length < this.columns.size)
      return { reject: `${fields.length} fields, the header has ${this.columns.size}` };
    return build(
      {
        plate: get('plate') ?? '',
        state: get('state') ?? '',
        code: get('category') ?? '',
        recordId: get('record_id') ?? '',
        reason: get('reason'),
        entered: get('entered_at'),
        expires: get('expires_at'),
      },
      this.mapping,
      this.source,
      this.now,
    );
  }

  get hasHeader(): boolean {
    return this.columns !== undefined;
  }
}
