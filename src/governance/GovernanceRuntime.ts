/**
 * The policy layer as a running part of `platewatch run` (or `platewatch api`): the HTTP API, the
 * JetStream consumers that fill the history and the hit review, the generated NATS authorization of
 * a local nats-server (reloaded whenever a profile, an exception or a credential changes), and the
 * periodic maintenance (exception expiry, retention purge in LMDB and JetStream, stale manual entries).
 *
 * With NATS authorization on, every client must authenticate, the service included: its own NKey
 * lives in `<dataDir>/governance/service.nk` (mode 0600) and `serviceAuthenticator()` gives the
 * connection option for it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  type Authenticator,
  type ConnectionOptions,
  connect,
  type NatsConnection,
  nkeyAuthenticator,
  nkeys,
} from '@nats-io/transport-node';
import type { FastifyInstance } from 'fastify';

import { startApi } from '../api/server.js';
import type { Config } from '../config/schema.js';
import { HistoryIngest, purgeReadStream } from '../history/HistoryIngest.js';
import { HitIngest } from '../hits/HitIngest.js';
import { ensureStreams } from '../nats/streams.js';
import { natsAuthorizationBlock } from '../profiles/natsPermissions.js';
import { system } from './Context.js';
import { Governance, type GovernanceOptions } from './Governance.js';

/** What the runtime needs of the local nats-server launcher (src/nats/NatsServer.ts). */
export interface ReloadableNatsServer {
  options: { config?: Record<string, unknown> | undefined };
  reconfigure(config: Record<string, unknown> | undefined, configText?: string): Promise<void>;
}

export interface GovernanceRuntimeOptions extends GovernanceOptions {
  /** Serve the HTTP API (default true). */
  api?: boolean;
  /** Port override for the API (0: a free one). */
  apiPort?: number;
  /** The API's request log: 'info' (one line per request) or quieter (default 'warn': the audit log has the rest). */
  apiLogLevel?: 'info' | 'warn' | 'error';
  /**
   * How often the generated NATS authorization is recomputed and, when it changed, reloaded (ms).
   * Catches what other processes changed (the CLI) and exceptions that expired by themselves.
   */
  natsAuthorizationPollMs?: number;
  log?: (line: string) => void;
}

export interface ServiceCredentials {
  seed: string;
  publicKey: string;
}

/** The service's own NATS NKey: created once, kept under the data directory with mode 0600. */
export function serviceCredentials(config: Config): ServiceCredentials {
  const dir = path.resolve(config.dataDir, 'governance');
  const file = path.join(dir, 'service.nk');
  mkdirSync(dir, { recursive: true });
  if (!existsSync(file)) {
    const kp = nkeys.createUser();
    writeFileSync(file, `${new TextDecoder().decode(kp.getSeed())}\n`, { mode: 0o600 });
  }
  const seed = readFileSync(file, 'utf8').trim();
  return { seed, publicKey: nkeys.fromSeed(new TextEncoder().encode(seed)).getPublicKey() };
}

/** The NATS connection option that authenticates the service (for NatsLink's connectOptions). */
export function serviceAuthenticator(config: Config): Authenticator {
  return nkeyAuthenticator(new TextEncoder().encode(serviceCredentials(config).seed));
}

export class GovernanceRuntime {
  readonly governance: Governance;
  readonly config: Config;
  #options: GovernanceRuntimeOptions;
  #natsServer: ReloadableNatsServer | undefined;
  #nc: NatsConnection | undefined;
  #ownConnection = false;
  #history: HistoryIngest | undefined;
  #hits: HitIngest | undefined;
  #api: { app: FastifyInstance; url: string; close(): Promise<void> } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #authzTimer: NodeJS.Timeout | undefined;
  #authzApplied = '';
  #authzReload: Promise<void> = Promise.resolve();
  #authzChain: Promise<void> = Promise.resolve();
  #maintenance: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(config: Config, options: GovernanceRuntimeOptions = {}) {
    this.config = config;
    this.#options = options;
    this.governance = Governance.open(config, options);
  }

  get apiUrl(): string | undefined {
    return this.#api?.url;
  }

  /** The authorization block for nats-server: the service (full rights) and every user's generated permissions. */
  natsAuthorization(): string {
    const service = serviceCredentials(this.config);
    return natsAuthorizationBlock([{ nkey: service.publicKey }, ...this.governance.profiles.natsUsers()]);
  }

  /**
   * Writes the generated authorization into the local nats-server and reloads it. Call before the
   * service connects (with serviceAuthenticator) so no client ever runs without permissions.
   */
  async enforceNatsAuthorization(server: ReloadableNatsServer): Promise<void> {
    this.#natsServer = server;
    await this.#permissionsChanged();
    this.#authzTimer = setInterval(() => {
      this.#authzReload = this.#permissionsChanged().catch((err) =>
        this.#options.log?.(`governance: NATS authorization reload failed: ${err.message}`),
      );
    }, this.#options.natsAuthorizationPollMs ?? 2000);
    this.#authzTimer.unref();
  }

  /**
   * Reloads the nats-server when the generated authorization differs from the one it runs with.
   * Serialized: the API's change hooks and the poll never reload at the same time.
   */
  #permissionsChanged(): Promise<void> {
    const next = this.#authzChain.then(() => this.#applyAuthorization());
    this.#authzChain = next.catch(() => {});
    return next;
  }

  async #applyAuthorization(): Promise<void> {
    const server = this.#natsServer;
    if (!server || this.#closed) return;
    const text = this.natsAuthorization();
    if (text === this.#authzApplied) return;
    await server.reconfigure(server.options.config, text);
    this.#authzApplied = text;
  }

  /**
   * The connection options the service's own NATS clients need once `enforceNatsAuthorization` ran
   * (e.g. NatsLink's connectOptions); empty when authorization is not enforced.
   */
  natsConnectOptions(): Partial<ConnectionOptions> {
    return this.#natsServer ? { authenticator: serviceAuthenticator(this.config) } : {};
  }

  /**
   * Starts the consumers (on the given connection, or on a connection of its own to the given URL),
   * the API and the maintenance timer.
   */
  async start(natsConnection?: NatsConnection | string): Promise<void> {
    let nc: NatsConnection | undefined;
    if (typeof natsConnection === 'string') {
      nc = await connect({
        servers: natsConnection,
        maxReconnectAttempts: -1,
        name: 'platewatch-governance',
        ...this.natsConnectOptions(),
      });
      this.#ownConnection = true;
    } else nc = natsConnection;
    this.#nc = nc;
    if (nc) {
      // The streams may not exist yet (the pipeline's link creates them too): same limits, idempotent.
      await ensureStreams(await jetstreamManager(nc), {
        readsMaxAgeDays: this.config.governance.retention.readsDays,
        hitsMaxAgeDays: this.config.nats.hitsMaxAgeDays,
        duplicateWindowSeconds: this.config.nats.duplicateWindowSeconds,
      });
      this.#history = new HistoryIngest(this.governance.history);
      await this.#history.start(nc);
      this.#hits = new HitIngest(this.governance.hits);
      await this.#hits.start(nc);
    }
    if (this.#options.api ?? true) {
      this.#api = await startApi(this.config, {
        governance: this.governance,
        ...(this.#options.apiPort === undefined ? {} : { port: this.#options.apiPort }),
        logLevel: this.#options.apiLogLevel ?? 'warn',
        hooks: {
          ...(nc ? { purgeReadStream: (cutoff: number) => purgeReadStream(nc, cutoff) } : {}),
          natsPermissionsChanged: () => this.#permissionsChanged(),
        },
      });
      this.#options.log?.(`governance: API on ${this.#api.url}`);
    }
    const every = this.config.governance.retention.purgeIntervalMinutes * 60_000;
    this.#timer = setInterval(() => {
      this.#maintenance = this.maintain().catch((err) =>
        this.#options.log?.(`governance: maintenance failed: ${err.message}`),
      );
    }, every);
    this.#timer.unref();
    await this.maintain();
  }

  /** One maintenance pass: exception expiry (and NATS reload), retention purge, stale manual entries. */
  async maintain(): Promise<{ expired: string[]; deleted: number; streamPurged: number; stale: number }> {
    const gov = this.governance;
    const expired = gov.profiles.sweepExpired();
    if (expired.length) await this.#permissionsChanged();
    const cutoff = gov.history.cutoff();
    const streamPurged = this.#nc ? await purgeReadStream(this.#nc, cutoff).catch(() => -1) : -1;
    const { deleted } = gov.purgeExpired(system(gov.ctx, 'retention'), { streamPurged });
    const stale = gov.manualEntries.flagStale().length;
    gov.users.purgeExpiredTokens();
    return { expired, deleted, streamPurged, stale };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#authzTimer) clearInterval(this.#authzTimer);
    await this.#maintenance;
    await this.#authzReload;
    await this.#api?.close();
    await this.#history?.stop();
    await this.#hits?.stop();
    if (this.#ownConnection) await this.#nc?.close();
    await this.governance.close();
  }
}
