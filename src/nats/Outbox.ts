/**
 * The durable local outbox: every message for NATS (hits, plate groups) is committed here first, in
 * order, and removed only after JetStream acknowledged it. While NATS is unreachable messages wait here;
 * after a crash they are still here. A message acknowledged but not yet removed when the process dies
 * is sent again with the same message id, and JetStream's duplicate window drops the repeat.
 */
import { mkdirSync } from 'node:fs';

import { type Database, open, type RootDatabase } from 'lmdb';

import { PlatewatchError } from '../errors.js';
import { lmdbFailure } from './lmdbFailure.js';

export interface OutboxMessage {
  kind: 'hit' | 'read';
  subject: string;
  /** NATS message id (Nats-Msg-Id): JetStream drops a second message with the same id. */
  msgId: string;
  /** The JSON text published. */
  payload: string;
  enqueuedAt: number;
  /** Capture time of the frame that caused it, ms since the epoch (frame-to-hit latency). */
  capturedAt?: number;
}

export interface OutboxItem {
  seq: number;
  message: OutboxMessage;
}

/** The outbox cannot be written: ERR_OUTBOX_FULL (disk or LMDB map full), ERR_OUTBOX_WRITE, ERR_OUTBOX_CLOSED. */
export class OutboxError extends PlatewatchError {}

export class Outbox {
  readonly path: string;
  private readonly env: RootDatabase;
  private readonly db: Database<OutboxMessage, number>;
  private nextSeq: number;
  private _depth: number;
  private closed = false;
  private readonly durable: boolean;

  /**
   * @param durable wait for each enqueue to be flushed to disk (survives power loss), not only
   * committed (survives a process crash). Costs an fsync per enqueue.
   */
  constructor(path: string, options: { durable?: boolean } = {}) {
    this.path = path;
    this.durable = options.durable ?? true;
    mkdirSync(path, { recursive: true });
    this.env = open({ path, maxDbs: 2 });
    this.db = this.env.openDB<OutboxMessage, number>({ name: 'outbox' });
    let last = 0;
    for (const key of this.db.getKeys({ reverse: true, limit: 1 })) last = key;
    this.nextSeq = last + 1;
    this._depth = this.db.getCount();
  }

  /** Messages waiting for NATS. */
  get depth(): number {
    return this._depth;
  }

  /** Commits messages (in order, one transaction); resolves once they are on disk. */
  async enqueue(messages: OutboxMessage[]): Promise<void> {
    if (this.closed) throw new OutboxError('ERR_OUTBOX_CLOSED', 'outbox is closed');
    if (messages.length === 0) return;
    const first = this.nextSeq;
    this.nextSeq += messages.length;
    try {
      await this.env.transaction(() => {
        messages.forEach((m, i) => {
          this.db.putSync(first + i, m);
        });
      });
      if (this.durable) await this.env.flushed;
    } catch (err) {
      throw await this.failure(err, `cannot store ${messages.length} message(s)`);
    }
    this._depth += messages.length;
  }

  /** The oldest `limit` messages, in order (synchronous). */
  peek(limit: number): OutboxItem[] {
    if (this.closed) return [];
    // A fresh snapshot: lmdb-js may otherwise keep serving a read transaction from before our last commit.
    this.db.resetReadTxn();
    const items = [...this.db.getRange({ limit })].map(({ key, value }) => ({ seq: key, message: value }));
    if (items.length === 0 && this._depth !== 0) this._depth = this.db.getCount();
    return items;
  }

  /** Removes a message JetStream acknowledged. */
  async ack(seq: number): Promise<void> {
    if (this.closed) return;
    let removed: boolean;
    try {
      removed = await this.db.remove(seq);
    } catch (err) {
      // Removing needs a commit too: on a full disk it can fail; the message is sent again later (same id).
      throw await this.failure(err, `cannot remove delivered message ${seq}`);
    }
    if (removed) this._depth = Math.max(0, this._depth - 1);
  }

  private async failure(err: unknown, what: string): Promise<OutboxError> {
    const f = await lmdbFailure(err, this.path);
    return f.full
      ? new OutboxError('ERR_OUTBOX_FULL', `outbox ${this.path}: disk or LMDB map full: ${what} (${f.message})`, {
          cause: f.cause,
        })
      : new OutboxError('ERR_OUTBOX_WRITE', `outbox ${this.path}: ${what}: ${f.message}`, { cause: f.cause });
  }

  /** Closes; safe to call twice. */
  async close(timeoutMs = 2000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // lmdb-js waits for pending writes before it closes; after a failed commit (disk full) that wait never
    // ends. What was committed is on disk either way: do not let it hang the shutdown.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.env.close(), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }
}
