/**
 * A write to one of the local LMDB stores failed: the error names the store, where it is and what is
 * full (ERR_<STORE>_FULL: the disk or the LMDB map; ERR_<STORE>_WRITE: anything else), as the outbox's
 * ERR_OUTBOX_FULL does, and every such failure is reported once to the process's
 * `platewatch_storage_errors_total{store,reason}` through an OnStorageError callback.
 */
import { PlatewatchError } from '../errors.js';
import { lmdbFailureSync } from '../nats/lmdbFailure.js';

export type StorageErrorReason = 'full' | 'write';

/** Called once per failed write: the store's name (label `store`) and why (label `reason`). */
export type OnStorageError = (store: string, reason: StorageErrorReason, error: Error) => void;

/** A write to the audit or governance store failed (the hot list has HotlistError, the outbox OutboxError). */
export class StorageError extends PlatewatchError {
  constructor(
    code: string,
    message: string,
    /** The store that failed: 'audit', 'governance'. */
    readonly store: string,
    readonly reason: StorageErrorReason,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** What LMDB (or the file system under it) throws, as opposed to an error of the caller's own code. */
export function isLmdbError(err: unknown): boolean {
  if (!(err instanceof Error) || err instanceof PlatewatchError) return false;
  const code = (err as { code?: unknown }).code;
  return (
    typeof code === 'string' ||
    typeof code === 'number' ||
    /MDB_|lmdb|No space left|I\/O error|Input\/output|Commit failed|map size/i.test(err.message)
  );
}

/** The StorageError for a failed write of `store` (in the folder `dir`) doing `what`. */
export function storageError(store: string, dir: string, what: string, err: unknown): StorageError {
  const f = lmdbFailureSync(err, dir);
  const upper = store.toUpperCase();
  return f.full
    ? new StorageError(
        `ERR_${upper}_FULL`,
        `${store} store ${dir}: disk or LMDB map full: cannot ${what} (${f.message})`,
        store,
        'full',
        { cause: f.cause },
      )
    : new StorageError(`ERR_${upper}_WRITE`, `${store} store ${dir}: cannot ${what}: ${f.message}`, store, 'write', {
        cause: f.cause,
      });
}

type Writable = Record<string, unknown>;
/** lmdb-js's synchronous writes: the policy stores write only these (a change and its audit record together). */
const SYNC_WRITES = ['transactionSync', 'putSync', 'removeSync', 'clearSync', 'dropSync'] as const;
const GUARDED = Symbol('platewatch.storageGuard');

/**
 * Makes every synchronous write through `db` (an lmdb-js root or named database) fail with a
 * StorageError naming `store` when LMDB fails, reporting it to `onError` once. Errors thrown by the
 * caller's own code inside a transaction (a policy refusal, a bad input) pass through unchanged, as
 * does a StorageError a nested write already raised (counted once). Instance methods shadow lmdb-js's
 * shared prototype: other environments are untouched.
 */
export function guardStorageWrites(db: object, store: string, dir: string, onError: OnStorageError | undefined): void {
  const target = db as Writable;
  if (Object.hasOwn(target, GUARDED)) return;
  Object.defineProperty(target, GUARDED, { value: true });
  for (const name of SYNC_WRITES) {
    const original = target[name];
    if (typeof original !== 'function') continue;
    const what = name === 'transactionSync' ? 'commit a transaction' : 'write';
    target[name] = function (this: unknown, ...args: unknown[]) {
      try {
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      } catch (err) {
        if (!isLmdbError(err)) throw err;
        const e = storageError(store, dir, what, err);
        onError?.(store, e.reason, e);
        throw e;
      }
    };
  }
}
