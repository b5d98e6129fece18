/**
 * Imports a hot-list file (NCIC fixed width or CSV) as one source's whole list: a refresh replaces the
 * source's previous list atomically (HotlistStore.replaceSource). Malformed lines are rejected with their
 * line number and reason and the rest of the file still loads; a file that cannot be read, or that has
 * no valid line at all, leaves the previous list untouched.
 */
import { createReadStream, statSync } from 'node:fs';

import { type HotlistEntry, HotlistError } from './HotlistEntry.js';
import type { HotlistStore, ReplaceSummary } from './HotlistStore.js';
import { type CategoryMapping, loadMapping } from './mapping.js';
import { CsvLineParser, type ParseResult, parseNcicLine } from './parsers.js';

export type HotlistFormat = 'ncic' | 'csv';

export interface ImportOptions {
  file: string;
  source: string;
  format: HotlistFormat;
  /** Mapping file (feed code -> category); see config/hotlist/*.mapping.yaml. */
  mapping: string | CategoryMapping;
  /** Progress: bytes read of the file's size. */
  onProgress?: (bytesRead: number, totalBytes: number, entries: number) => void;
  /** Rejections kept in the summary (all are counted). */
  maxRejectsKept?: number;
  /** Accept a file with no valid line (empties the source). */
  allowEmpty?: boolean;
}

export interface Rejection {
  line: number;
  reason: string;
}

export interface ImportSummary extends ReplaceSummary {
  file: string;
  format: HotlistFormat;
  lines: number;
  rejected: number;
  rejections: Rejection[];
  seconds: number;
}

/** Yields the lines of a file with their 1-based numbers, reading it in large chunks. */
async function* fileLines(file: string, onBytes: (n: number) => void): AsyncGenerator<[number, string]> {
  let rest = '';
  let n = 0;
  let bytes = 0;
  for await (const chunk of createReadStream(file, { encoding: 'latin1', highWaterMark: 1 << 20 })) {
    bytes += (chunk as string).length;
    onBytes(bytes);
    const text = rest + (chunk as string);
    let start = 0;
    let nl = text.indexOf('\n', start);
    while (nl >= 0) {
      n++;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield [n, text.slice(start, end)];
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    rest = text.slice(start);
  }
  if (rest.length) yield [n + 1, rest];
}

export async function importHotlist(store: HotlistStore, options: ImportOptions): Promise<ImportSummary> {
  const t0 = performance.now();
  const { file, source, format } = options;
  if (format !== 'ncic' && format !== 'csv') {
    throw new HotlistError('ERR_HOTLIST_FORMAT', `unknown hot-list format '${format}' (ncic or csv)`);
  }
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error('not a regular file');
    size = st.size;
  } catch (err) {
    throw new HotlistError('ERR_HOTLIST_FILE', `cannot read hot-list file ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const mapping = typeof options.mapping === 'string' ? loadMapping(options.mapping) : options.mapping;
  const now = Date.now();
  const csv = format === 'csv' ? new CsvLineParser(mapping, source, now) : undefined;
  const keep = options.maxRejectsKept ?? 1000;
  const rejections: Rejection[] = [];
  let rejected = 0;
  let lines = 0;
  let accepted = 0;
  let bytesRead = 0;

  // Parse everything first into a temporary generation? No: entries stream straight into the new
  // generation, which only becomes visible at the flip; an empty or unreadable file never flips.
  async function* entries(): AsyncGenerator<HotlistEntry> {
    for await (const [n, line] of fileLines(file, (b) => {
      bytesRead = b;
    })) {
      lines = n;
      const r: ParseResult = csv ? csv.parse(line) : parseNcicLine(line, mapping, source, now);
      if ('entry' in r) {
        accepted++;
        yield r.entry;
      } else if ('reject' in r) {
        rejected++;
        if (rejections.length < keep) rejections.push({ line: n, reason: r.reject });
      }
    }
    if (csv && !csv.hasHeader) throw new HotlistError('ERR_HOTLIST_FILE', `${file}: no CSV header row`);
    if (accepted === 0 && !options.allowEmpty) {
      throw new HotlistError(
        'ERR_HOTLIST_EMPTY',
        `${file}: no valid entry in ${lines} line(s) (${rejected} rejected${rejections[0] ? `, first: line ${rejections[0].line}: ${rejections[0].reason}` : ''}); the previous list of ${source} is kept`,
      );
    }
  }

  const summary = await store.replaceSource(source, entries(), {
    file,
    format,
    onProgress: (written) => options.onProgress?.(bytesRead, size, written),
  });
  options.onProgress?.(size, size, summary.total);
  return {
    ...summary,
    file,
    format,
    lines,
    rejected,
    rejections,
    seconds: (performance.now() - t0) / 1000,
  };
}
