/**
 * Worker thread of a parallel NCIC import (importHotlist): parses one byte range of the file, lines
 * starting at its first byte, into its own ListBuilder, and hands the lines back (transferred, not
 * copied) with its counts and rejections numbered from the range's first line.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { forEachLine } from './forEachLine.js';
import { ListBuilder } from './ListBuilder.js';
import type { CategoryMapping } from './mapping.js';
import { NcicLineEncoder } from './NcicLineEncoder.js';

export interface NcicRangeJob {
  file: string;
  start: number;
  end: number;
  mapping: CategoryMapping;
  source: string;
  now: number;
  spillDir: string;
  spillBytes: number;
  maxRejectsKept: number;
}

export interface NcicRangeResult {
  lines: number;
  accepted: number;
  rejected: number;
  rejections: { line: number; reason: string }[];
  list: ReturnType<ListBuilder['export']>;
}

const job = workerData as NcicRangeJob;
const list = new ListBuilder(job.spillDir, job.spillBytes);
const enc = new NcicLineEncoder(list, job.mapping, job.source, job.now);
const out: Omit<NcicRangeResult, 'list'> = { lines: 0, accepted: 0, rejected: 0, rejections: [] };
await forEachLine(
  job.file,
  (buf, start, end) => {
    out.lines++;
    const r = enc.add(buf, start, end);
    if (r === undefined || 'entry' in r) out.accepted++;
    else if ('reject' in r) {
      out.rejected++;
      if (out.rejections.length < job.maxRejectsKept) out.rejections.push({ line: out.lines, reason: r.reject });
    }
  },
  (bytes) => parentPort!.postMessage({ progress: bytes }),
  job.start,
  job.end,
);
const exported = list.export();
parentPort!.postMessage({ done: { ...out, list: exported } }, exported.transfer);
