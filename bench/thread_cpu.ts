/**
 * CPU time per thread of this process from /proc/self/task, grouped by what the thread does, so a
 * benchmark can say where the cores go: the capture core names its threads (pwa:<camera> analyses,
 * pws:<camera> supervises), GStreamer names its streaming threads <element>:<pad> (demux, decode,
 * convert), the main thread runs JavaScript.
 */
import { readdirSync, readFileSync } from 'node:fs';

export type ThreadClass = 'recognize' | 'gstreamer' | 'javascript' | 'supervise' | 'other';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface ThreadSample {
  name: string;
  cls: ThreadClass;
  cpuSeconds: number;
}

export function classify(tid: number, name: string): ThreadClass {
  if (name.startsWith('pwa:')) return 'recognize';
  if (name.startsWith('pws:')) return 'supervise';
  if (tid === process.pid) return 'javascript';
  if (name.includes(':')) return 'gstreamer';
  return 'other';
}

/** CPU seconds (user + system) of every live thread, by thread id. */
export function sampleThreads(): Map<number, ThreadSample> {
  const out = new Map<number, ThreadSample>();
  for (const entry of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${entry}/stat`, 'utf8');
      const open = stat.indexOf('(');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(open + 1, close);
      const fields = stat
        .slice(close + 2)
        .split(' ')
        .map((f) => Number(f));
      // After "pid (comm) ": state is field 0, utime field 11, stime field 12.
      const ticks = fields[11]! + fields[12]!;
      const tid = Number(entry);
      out.set(tid, { name, cls: classify(tid, name), cpuSeconds: ticks / TICKS_PER_SECOND });
    } catch {
      // the thread ended while we looked
    }
  }
  return out;
}

/** CPU seconds spent by each class between two samples (threads born in between count in full). */
export function cpuByClass(
  before: Map<number, ThreadSample>,
  after: Map<number, ThreadSample>,
): Record<ThreadClass, number> {
  const sums: Record<ThreadClass, number> = { recognize: 0, gstreamer: 0, javascript: 0, supervise: 0, other: 0 };
  for (const [tid, s] of after) sums[s.cls] += s.cpuSeconds - (before.get(tid)?.cpuSeconds ?? 0);
  return sums;
}
