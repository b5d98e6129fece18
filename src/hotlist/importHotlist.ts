/**
 * Imports a hot-list file (NCIC fixed width or CSV) as one source's whole list: a refresh replaces the
 * source's previous list atomically (HotlistStore.replaceSource). Malformed lines are rejected with their
 * line number and reason and the rest of the file still loads; a file that cannot be read, or that has
 * no valid line at all, leaves the previous list untouched.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

import { packageRoot } from '../paths.js';
import { forEachLine } from './forEachLine.js';

import { HotlistError } from './HotlistEntry.js';
import type { HotlistStore, ReplaceSummary } from './HotlistStore.js';
import { type CategoryMapping, loadMapping } from './mapping.js';
import { NcicLineEncoder } from './NcicLineEncoder.js';
import type { NcicRangeJob, NcicRangeResult } from './ncicParseWorker.js';
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
  /**
   * NCIC files of at least this many bytes are parsed by two threads (this one and a worker, each half
   * the file; never on a single-CPU machine); 0: always. Default Infinity (off): on this shared 2-core
   * machine (load ~25) two threads parsed no faster than one, for ~0.4 CPU-s more per million lines and
   * ~450 MiB more peak memory at 10 M (both halves' buffers until they are joined). Worth measuring on a
   * machine with a free core (`bench/hotlist.ts --parallel`).
   */
  parallelMinBytes?: number;
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
  /** Threads that parsed the file (2: this one and a worker, each half the file). */
  parseThreads: number;
}

/** The parse worker's script: next to this module when built; from dist/ when run from sources (tests). */
function workerScript(): URL | undefined {
  const here = new URL('./ncicParseWorker.js', import.meta.url);
  if (existsSync(here)) return here;
  const built = path.join(packageRoot, 'dist', 'src', 'hotlist', 'ncicParseWorker.js');
  return existsSync(built) ? pathToFileURL(built) : undefined;
}

/** The offset of the first line starting at or after `at` (`size` when none). */
async function lineStartAfter(file: string, at: number, size: number): Promise<number> {
  if (at <= 0) return 0;
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(64 << 10);
    for (let pos = at - 1; pos < size; pos += buf.length) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      const nl = buf.subarray(0, bytesRead).indexOf(10);
      if (nl >= 0) return pos + nl + 1;
      if (bytesRead === 0) break;
    }
    return size;
  } finally {
    await fh.close();
  }
}

/** Parses bytes [job.start, job.end) of an NCIC file in a worker thread. */
function parseRangeInWorker(
  script: URL,
  job: NcicRangeJob,
  onBytes: (n: number) => void,
): { result: Promise<NcicRangeResult>; cancel: () => Promise<void> } {
  const worker = new Worker(script, { workerData: job });
  const result = new Promise<NcicRangeResult>((resolve, reject) => {
    worker.on('message', (m: { progress?: number; done?: NcicRangeResult }) => {
      if (m.done) resolve(m.done);
      else if (m.progress !== undefined) onBytes(m.progress);
    });
    worker.on('error', (err) =>
      reject(new HotlistError('ERR_HOTLIST_FILE', `${job.file}: parse worker failed: ${err.message}`, { cause: err })),
    );
    worker.on('exit', (code) =>
      reject(new HotlistError('ERR_HOTLIST_FILE', `${job.file}: parse worker exited (${code})`)),
    );
  });
  return {
    result,
    cancel: async () => {
      result.catch(() => {});
      await worker.terminate();
      rmSync(job.spillDir, { recursive: true, force: true });
    },
  };
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
  let parseThreads = 1;

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
      const minBytes = availableParallelism() > 1 ? (options.parallelMinBytes ?? Infinity) : Infinity;
      const script = ncic && size >= minBytes ? workerScript() : undefined;
      const split = script ? await lineStartAfter(file, Math.floor(size / 2), size) : size;
      let workerBytes = 0;
      const other =
        split < size && script
          ? parseRangeInWorker(
              script,
              {
                file,
                start: split,
                end: size,
                mapping,
                source,
                now,
                spillDir: `${list.dir}-w`,
                spillBytes: list.spillBytes,
                maxRejectsKept: keep,
              },
              (b) => {
                workerBytes = b;
              },
            )
          : undefined;
      try {
        await forEachLine(
          file,
          onLine,
          (b) => {
            bytesRead = b + workerBytes;
            options.onProgress?.(bytesRead, size, accepted);
          },
          0,
          split,
        );
      } catch (err) {
        await other?.cancel();
        throw err;
      }
      if (other) {
        parseThreads = 2;
        // The second half's lines follow the first half's: its line numbers shift by our line count.
        const w = await other.result;
        try {
          list.absorb(w.list);
        } finally {
          rmSync(`${list.dir}-w`, { recursive: true, force: true });
        }
        for (const r of w.rejections)
          if (rejections.length < keep) rejections.push({ line: lines + r.line, reason: r.reason });
        lines += w.lines;
        accepted += w.accepted;
        rejected += w.rejected;
        bytesRead = size;
      }
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
    parseThreads,
  };
}
