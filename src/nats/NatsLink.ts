/**
 * The service's connection to NATS: connects in the background and keeps reconnecting for ever (the
 * outbox holds messages meanwhile), (re)creates the JetStream streams on every connect, and reports its
 * state as a discriminated union.
 */
import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type ConnectionOptions, connect, type NatsConnection } from '@nats-io/transport-node';

import { ensureStreams, type StreamLimits } from './streams.js';

export type NatsLinkState =
  | { state: 'connecting' }
  | { state: 'connected'; server: string }
  | { state: 'disconnected'; since: number; error?: string }
  | { state: 'closed' };

export interface NatsLinkOptions {
  url: string;
  limits: StreamLimits;
  /** Extra connection options (credentials: user/pass, token, authenticator for an nkey). */
  connectOptions?: Partial<ConnectionOptions>;
  /** Called on every state change (metrics, logs). */
  onState?: (state: NatsLinkState) => void;
  /** Milliseconds between reconnect attempts. */
  reconnectWaitMs?: number;
}

export class NatsLink {
  private nc: NatsConnection | undefined;
  private _js: JetStreamClient | undefined;
  private _state: NatsLinkState = { state: 'connecting' };
  private closing = false;
  private readyWaiters: (() => void)[] = [];
  private loop: Promise<void> | undefined;

  constructor(readonly options: NatsLinkOptions) {}

  get state(): NatsLinkState {
    return this._state;
  }

  /** The JetStream client while connected with the streams in place, else undefined. */
  get js(): JetStreamClient | undefined {
    return this._state.state === 'connected' ? this._js : undefined;
  }

  get connection(): NatsConnection | undefined {
    return this.nc;
  }

  /** Starts connecting in the background; resolves at once. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Resolves when connected (or after `timeoutMs`, with false). */
  async ready(timeoutMs = 10_000): Promise<boolean> {
    if (this.js) return true;
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private set(state: NatsLinkState): void {
    this._state = state;
    this.options.onState?.(state);
    if (state.state === 'connected') for (const w of this.readyWaiters.splice(0)) w();
  }

  private async run(): Promise<void> {
    const wait = this.options.reconnectWaitMs ?? 500;
    while (!this.closing) {
      try {
        const nc = await connect({
          servers: this.options.url,
          name: 'platewatch',
          maxReconnectAttempts: -1,
          reconnectTimeWait: wait,
          pingInterval: 5_000,
          ...this.options.connectOptions,
        });
        this.nc = nc;
        this._js = jetstream(nc);
        await this.prepareUntilReady(nc);
        (async () => {
          for await (const s of nc.status()) {
            if (s.type === 'disconnect') this.set({ state: 'disconnected', since: Date.now() });
            else if (s.type === 'reconnect') await this.prepareUntilReady(nc);
          }
        })().catch(() => {});
        const err = await nc.closed();
        if (this.closing) break;
        this.set({ state: 'disconnected', since: Date.now(), ...(err ? { error: err.message } : {}) });
      } catch (err) {
        if (this.closing) break;
        if (this._state.state !== 'disconnected') {
          this.set({ state: 'disconnected', since: Date.now(), error: (err as Error).message });
        }
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /**
   * After a reconnect JetStream may need a moment (a restarted server recovers its streams): keep trying
   * until the streams are in place or the connection goes away. Until then the link stays disconnected
   * and the outbox keeps its messages.
   */
  private async prepareUntilReady(nc: NatsConnection): Promise<void> {
    const wait = this.options.reconnectWaitMs ?? 500;
    while (!this.closing && !nc.isClosed()) {
      try {
        await this.prepare(nc);
        return;
      } catch (err) {
        this.set({ state: 'disconnected', since: Date.now(), error: (err as Error).message });
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  private async prepare(nc: NatsConnection): Promise<void> {
    const jsm = await jetstreamManager(nc);
    await ensureStreams(jsm, this.options.limits);
    this.set({ state: 'connected', server: nc.getServer() });
  }

  /** Drains and closes the connection; safe to call twice. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const nc = this.nc;
    if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
    this.set({ state: 'closed' });
    for (const w of this.readyWaiters.splice(0)) w();
  }
}
