/**
 * A durable JetStream consumer that hands each message to a handler and acknowledges it only once the
 * handler has stored it. A message that can never be stored (its JSON or content is malformed: the handler
 * throws SyntaxError or InvalidInputError) is counted and acknowledged, since redelivering it would never
 * succeed; any other failure (e.g. the disk is full) is not the message's fault, so it is left for a later
 * redelivery. Shared by the hit review and the read history, which both ingest from JetStream this way.
 */
import { AckPolicy, type ConsumerMessages, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

import { InvalidInputError } from '../errors.js';

export class DurableIngest {
  #messages: ConsumerMessages | undefined;
  #done: Promise<void> | undefined;
  /** Messages acknowledged without being stored because they were malformed. */
  rejected = 0;

  constructor(
    private readonly stream: string,
    private readonly durable: string,
    private readonly handle: (json: unknown) => void,
    private readonly maxMessages = 64,
  ) {}

  /** Creates (or reuses) the durable consumer and starts handling messages. */
  async start(nc: NatsConnection): Promise<void> {
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.add(this.stream, {
      durable_name: this.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
    const consumer = await jetstream(nc).consumers.get(this.stream, this.durable);
    const messages = await consumer.consume({ max_messages: this.maxMessages });
    this.#messages = messages;
    this.#done = (async () => {
      for await (const m of messages) {
        try {
          this.handle(m.json());
        } catch (err) {
          if (!(err instanceof InvalidInputError) && !(err instanceof SyntaxError)) {
            m.nak(5000);
            continue;
          }
          this.rejected += 1;
        }
        m.ack();
      }
    })();
  }

  async stop(): Promise<void> {
    await this.#messages?.close();
    await this.#done;
  }
}
