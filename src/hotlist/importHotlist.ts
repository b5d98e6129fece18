/**
 * Imports a hot-list file (NCIC fixed width or CSV) as one source's whole list: a refresh replaces the
 * source's previous list atomically (HotlistStore.replaceSource). Malformed lines are rejected with their
 * line number and reason and the rest of the file still loads; a file that cannot be read, or that has
 * no valid line at all, leaves the previous list untouched.
 */
import { statSync } from 'node:fs';
import { open } from 'node:fs/promises';

import { HotlistError } from './HotlistEntry.js';
import type { HotlistStore, ReplaceSummary } from './HotlistStore.js';
import { type CategoryMapping, loadMapping } from './mapping.js';
import { NcicLineEncoder } from './NcicLineEncoder.js';
import { CsvLineParser, type ParseResult } from './parsers.js';

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

const CHUNK = 4 << 20;

/**
 * Calls `onLine(buf, start, end)` for each line of the file (without its line break, CR LF or LF), in
 * order, reading CHUNK bytes at a time into one reused buffer (grown for a longer line).
 */
async function forEachLine(
  file: string,
  onLine: (buf: Buffer, start: number, end: number) => void,
  onBytes: (n: number) => void,
): Promise<void> {
  const fh = await open(file, 'r');
  try {
    let buf = Buffer.allocUnsafe(CHUNK);
    let have = 0; // bytes in buf, a partial line first
    let total = 0;
    for (;;) {
      if (have === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, have, buf.length - have, null);
      total += bytesRead;
      onBytes(total);
      const end = have + bytesRead;
      let start = 0;
      if (bytesRead === 0) {
        if (end > 0) onLine(buf, 0, buf[end - 1] === 13 ? end - 1 : end);
        return;
      }
      const filled = buf.subarray(0, end);
      for (let nl = filled.indexOf(10, have); nl >= 0; nl = filled.indexOf(10, start)) {
        onLine(buf, start, nl > start && buf[nl - 1] === 13 ? nl - 1 : nl);
        start = nl + 1;
      }
      have = end - start;
      if (have > 0 && start > 0) buf.copy(buf, 0, start, end);
    }
  } finally {
    await fh.close();
  }
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

  // Lines go into the new generation's builder off the JS heap; it is written and becomes visible only
  // at the flip, and an empty or unreadable file never flips.
  const summary = await store.replaceSourceWith(
    source,
    async (list) => {
      const ncic = format === 'ncic' ? new NcicLineEncoder(list, mapping, source, now) : undefined;
      const onLine = (buf: Buffer, start: number, end: number) => {
        lines++;
        let r: ParseResult | undefined;
        if (ncic) r = ncic.add(buf, start, end);
        else {
          r = csv!.parse(buf.toString('latin1', start, end));
          if ('entry' in r) list.addEntry(r.entry);
        }
        if (r === undefined || 'entry' in r) accepted++;
        else if ('reject' in r) {
          rejected++;
          if (rejections.length < keep) rejections.push({ line: lines, reason: r.reject });
        }
      };
      await forEachLine(file, onLine, (b) => {
        bytesRead = b;
        options.onProgress?.(bytesRead, size, accepted);
      });
      if (csv && !csv.hasHeader) throw new HotlistError('ERR_HOTLIST_FILE', `${file}: no CSV header row`);
      if (accepted === 0 && !options.allowEmpty) {
        throw new HotlistError(
          'ERR_HOTLIST_EMPTY',
          `${file}: no valid entry in ${lines} line(s) (${rejected} rejected${rejections[0] ? `, first: line ${rejections[0].line}: ${rejections[0].reason}` : ''}); the previous list of ${source} is kept`,
        );
      }
    },
    { file, format, onProgress: (written) => options.onProgress?.(bytesRead, size, written) },
  );
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
