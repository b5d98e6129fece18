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

/** Yields the lines of a file, a chunk (about 1 MiB) at a time; line numbers follow the order. */
async function* fileChunks(file: string, onBytes: (n: number) => void): AsyncGenerator<string[]> {
  let rest = '';
  let bytes = 0;
  for await (const chunk of createReadStream(file, { encoding: 'latin1', highWaterMark: 1 << 20 })) {
    bytes += (chunk as string).length;
    onBytes(bytes);
    const text = rest + (chunk as string);
    const lines = text.split('\n');
    rest = lines.pop()!;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
    }
    yield lines;
  }
  if (rest.length) yield [rest.charCodeAt(rest.length - 1) === 13 ? rest.slice(0, -1) : rest];
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

  // Entries stream into the new generation in chunks; it becomes visible only at the flip, and an
  // empty or unreadable file never flips.
  async function* entries(): AsyncGenerator<HotlistEntry[]> {
    let chunk: HotlistEntry[] = [];
    for await (const lines_ of fileChunks(file, (b) => {
      bytesRead = b;
    })) {
      for (const line of lines_) {
        lines++;
        const r: ParseResult = csv ? csv.parse(line) : parseNcicLine(line, mapping, source, now);
        if ('entry' in r) {
          accepted++;
          chunk.push(r.entry);
        } else if ('reject' in r) {
          rejected++;
          if (rejections.length < keep) rejections.push({ line: lines, reason: r.reject });
        }
      }
      if (chunk.length) yield chunk;
      chunk = [];
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
