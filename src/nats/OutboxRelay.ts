/**
 * Moves the outbox to JetStream, oldest first, one message at a time (so order per camera holds across
 * outages), removing each only after its acknowledgement. A failed publish leaves the message at the
 * head and retries after `retryMs`; retries reuse the message id, so JetStream stores it once.
 */
import type { PubAck } from '@nats-io/jetstream';

import type { NatsLink } from './NatsLink.js';
import type { Outbox, OutboxMessage } from './Outbox.js';

export interface OutboxRelayOptions {
  retryMs?: number;
  publishTimeoutMs?: number;
  /** Called after each acknowledged message (metrics, console). */
  onPublished?: (message: OutboxMessage, ack: PubAck) => void;
  onError?: (err: unknown) => void;
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`publish not settled within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

export class OutboxRelay {
  private running = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly outbox: Outbox,
    private readonly link: NatsLink,
    private readonly options: OutboxRelayOptions = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Wakes the relay after an enqueue. */
  kick(): void {
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    const retryMs = this.options.retryMs ?? 500;
    const timeout = this.options.publishTimeoutMs ?? 2_000;
    while (this.running) {
      const js = this.link.js;
      const items = js ? this.outbox.peek(64) : [];
      if (!js || items.length === 0) {
        await this.sleep(js ? 1_000 : retryMs);
        continue;
      }
      for (const { seq, message } of items) {
        if (!this.running) break;
        try {
          // Bounded even if the client never settles the request (e.g. across a reconnect).
          const ack = await withDeadline(
            js.publish(message.subject, message.payload, { msgID: message.msgId, timeout }),
            timeout + 1000,
          );
          await this.outbox.ack(seq);
          this.options.onPublished?.(message, ack);
        } catch (err) {
          this.options.onError?.(err);
          await this.sleep(retryMs);
          break;
        }
      }
    }
  }

  /**
   * Stops; with `flushMs` > 0 first waits up to that long for the outbox to empty (when connected).
   * What is left stays in the outbox for the next start.
   */
  async stop(flushMs = 0): Promise<void> {
    const deadline = Date.now() + flushMs;
    while (this.running && this.outbox.depth > 0 && this.link.js && Date.now() < deadline) {
      this.kick();
      await new Promise((r) => setTimeout(r, 20));
    }
    this.running = false;
    this.kick();
    await this.loop;
  }
}
