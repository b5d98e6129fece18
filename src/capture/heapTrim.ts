/**
 * While any camera is open in this process, the C heap's free pages go back to the system every
 * HEAP_TRIM_INTERVAL_MS (native trimHeap(), i.e. glibc malloc_trim).
 *
 * Why: the capture and analysis threads allocate and free buffers of many sizes in several malloc arenas;
 * glibc keeps what they free, partly resident, so a camera process's RSS crept up by ~0.5 MiB/min while the
 * bytes in use stayed flat (measured: C heap in use 195-201 MiB for 12 minutes, held 208 -> 219 MiB, RSS
 * 350 -> 362 MiB; with a trim every 15 s RSS stayed at 342-351 MiB). A trim takes a few milliseconds of
 * this thread; cameras keep running meanwhile.
 */
import { trimHeap } from '../native.js';

export const HEAP_TRIM_INTERVAL_MS = 30_000;

export interface HeapTrimStats {
  trims: number;
  totalMs: number;
  maxMs: number;
}

let holders = 0;
let timer: NodeJS.Timeout | undefined;
const stats: HeapTrimStats = { trims: 0, totalMs: 0, maxMs: 0 };

function trim(): void {
  const t = trimHeap();
  stats.trims += 1;
  stats.totalMs += t.ms;
  stats.maxMs = Math.max(stats.maxMs, t.ms);
}

/** Trimming runs while at least one holder has not released; returns the release (idempotent). */
export function holdHeapTrim(): () => void {
  holders += 1;
  if (!timer) {
    timer = setInterval(trim, HEAP_TRIM_INTERVAL_MS);
    timer.unref(); // never what keeps a process alive
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holders -= 1;
    if (holders === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** Trims so far in this process, and what they cost. */
export function heapTrimStats(): Readonly<HeapTrimStats> {
  return { ...stats };
}

/** Whether trimming is running now (a camera holds it). */
export function heapTrimActive(): boolean {
  return timer !== undefined;
}
