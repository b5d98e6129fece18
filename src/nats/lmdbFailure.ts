/**
 * What went wrong in an LMDB write. lmdb-js rejects a failed asynchronous commit with a generic
 * "Commit failed" error whose real cause arrives on a second promise, `commitError`. Nobody awaits that
 * promise by default (see guardLmdbCommitRejections). A full disk shows up as ENOSPC, as MDB_MAP_FULL,
 * or as EIO: LMDB reports a short write (the disk filled up in the middle of a page write) as EIO. So
 * the store's file system is asked how much space is left, too.
 */
import { statfsSync } from 'node:fs';

export interface LmdbFailure {
  /** The disk or the LMDB map is full (freeing space lets writes succeed again). */
  full: boolean;
  /** The cause's message (lmdb-js's own words, e.g. "No space left on device: ..."), plus the free space. */
  message: string;
  cause: unknown;
}

const FULL = /MDB_MAP_FULL|ENOSPC|No space left|map size/i;
const ENOSPC = 28;
/** Less free space than this on the store's file system counts as full (an LMDB commit writes pages). */
const FULL_BELOW_BYTES = 1 << 20;

function freeBytes(dir: string | undefined): number | undefined {
  if (!dir) return undefined;
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return undefined;
  }
}

/** Classifies a failed write to the LMDB environment in `dir`. */
export async function lmdbFailure(err: unknown, dir?: string, waitMs = 1000): Promise<LmdbFailure> {
  let cause = err;
  const pending = (err as { commitError?: PromiseLike<unknown> } | undefined)?.commitError;
  if (pending && typeof pending.then === 'function') {
    let timer: NodeJS.Timeout | undefined;
    cause = await Promise.race([
      Promise.resolve(pending).then(
        () => err,
        (e: unknown) => e,
      ),
      new Promise((resolve) => {
        timer = setTimeout(() => resolve(err), waitMs);
      }),
    ]);
    clearTimeout(timer);
  }
  return lmdbFailureSync(cause, dir);
}

/** Classifies a failed synchronous write (transactionSync, putSync: the error itself is the cause). */
export function lmdbFailureSync(cause: unknown, dir?: string): LmdbFailure {
  const reported = (cause as Error | undefined)?.message ?? String(cause);
  const code = (cause as { code?: unknown } | undefined)?.code;
  const free = freeBytes(dir);
  const full =
    code === ENOSPC || code === 'ENOSPC' || FULL.test(reported) || (free !== undefined && free < FULL_BELOW_BYTES);
  const message = free === undefined ? reported : `${reported}; ${free} bytes free on its file system`;
  return { full, message, cause };
}

/** lmdb-js's generic rejection of a failed commit (its cause is on `commitError`). */
function isLmdbCommitFailure(reason: unknown): boolean {
  return (
    reason instanceof Error &&
    reason.message === 'Commit failed (see commitError for details)' &&
    'commitError' in (reason as object)
  );
}

let guard: ((reason: unknown) => void) | undefined;

/**
 * On a failed commit (disk full) lmdb-js rejects, besides the promise the caller awaits (which gets the
 * error: see Outbox), one internal promise nobody holds; Node would end the process on that unhandled
 * rejection, turning a full disk into a crash. This swallows exactly that rejection (lmdb-js's "Commit
 * failed" error carrying `commitError`), reporting it to `onSwallowed`; any other unhandled rejection
 * is re-thrown, so it still ends the process as it would without the guard. Idempotent.
 */
export function guardLmdbCommitRejections(onSwallowed?: (reason: Error) => void): void {
  if (guard) return;
  guard = (reason: unknown) => {
    if (!isLmdbCommitFailure(reason)) throw reason;
    const pending = (reason as { commitError?: PromiseLike<unknown> }).commitError;
    if (pending) Promise.resolve(pending).catch(() => {});
    onSwallowed?.(reason as Error);
  };
  process.on('unhandledRejection', guard);
}
