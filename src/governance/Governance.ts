/**
 * The policy layer of General Order 41-11, opened over one LMDB environment under the data
 * directory. All policy records (users, profiles, exceptions, audit, history, hits, holds, sharing)
 * live in it, so a change and its audit record commit in one transaction.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { open, type RootDatabase } from 'lmdb';

import { AuditLog, type AuditRecord } from '../audit/AuditLog.js';
import { AuditService } from '../audit/AuditService.js';
import { SCRYPT_COST } from '../auth/password.js';
import { UserService } from '../auth/UserService.js';
import type { Config, GovernanceConfig } from '../config/schema.js';
import { PolicyError } from '../errors.js';
import { HistoryStore, type PurgeResult } from '../history/HistoryStore.js';
import { HitReview } from '../hits/HitReview.js';
import { ProfileService } from '../profiles/ProfileService.js';
import { DeploymentService } from '../sharing/DeploymentService.js';
import { SharingService } from '../sharing/SharingService.js';
import { guardStorageWrites, type OnStorageError } from '../storage/StorageError.js';
import { type Context, system } from './Context.js';
import { ManualEntries, type ManualEntrySink } from './ManualEntries.js';
import { Notifications } from './Notifications.js';
import type { Actor } from './roles.js';

export interface GovernanceOptions {
  /** The clock (tests move it to expire exceptions, tokens, lockouts and reads). */
  now?: () => number;
  /** scrypt cost for new password hashes (default SCRYPT_COST; tests lower it to save CPU). */
  scryptCost?: number;
  /** Where manual hot-list entries go (the pipeline's HotlistStore); without it they are refused. */
  hotlist?: ManualEntrySink;
  /** Told of every failed write (store 'audit' or 'governance'): platewatch_storage_errors_total. */
  onStorageError?: OnStorageError;
}

/** Refuses manual entries until a hot-list store is attached. */
const NO_HOTLIST: ManualEntrySink = {
  put: async () => {
    throw new PolicyError('ERR_NO_HOTLIST', 'no hot-list store is attached to this process');
  },
  remove: async () => false,
};

export class Governance {
  readonly ctx: Context;
  readonly auditLog: AuditLog;
  readonly audit: AuditService;
  readonly users: UserService;
  readonly profiles: ProfileService;
  readonly notifications: Notifications;
  readonly history: HistoryStore;
  readonly hits: HitReview;
  readonly manualEntries: ManualEntries;
  readonly sharing: SharingService;
  readonly deployments: DeploymentService;
  readonly dir: string;
  #closed = false;

  constructor(dir: string, config: GovernanceConfig, options: GovernanceOptions = {}) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'governance.mdb');
    const env: RootDatabase = open({ path: file, maxDbs: 32 });
    const now = options.now ?? Date.now;
    // A failed write (disk full) names its store: the audit log's own appends 'audit', every other
    // write (users, profiles, exceptions, history, hits, ...) 'governance'.
    const onError = options.onStorageError;
    const auditRecords = env.openDB<AuditRecord, number>({ name: 'audit' });
    const auditMeta = env.openDB<{ seq: number; hash: string }, string>({ name: 'audit-meta' });
    guardStorageWrites(auditRecords, 'audit', file, onError);
    guardStorageWrites(auditMeta, 'audit', file, onError);
    guardStorageWrites(env, 'governance', file, onError);
    const openDB = env.openDB.bind(env);
    env.openDB = ((...args: Parameters<RootDatabase['openDB']>) => {
      const db = openDB(...args);
      guardStorageWrites(db, 'governance', file, onError);
      return db;
    }) as RootDatabase['openDB'];
    this.auditLog = new AuditLog(auditRecords, auditMeta, now);
    this.ctx = { env, audit: this.auditLog, config, now, scryptCost: options.scryptCost ?? SCRYPT_COST };
    this.audit = new AuditService(this.ctx);
    this.users = new UserService(this.ctx);
    this.profiles = new ProfileService(this.ctx, this.users);
    this.notifications = new Notifications(this.ctx);
    this.history = new HistoryStore(this.ctx);
    this.hits = new HitReview(this.ctx, this.profiles);
    this.manualEntries = new ManualEntries(this.ctx, options.hotlist ?? NO_HOTLIST, this.notifications);
    this.sharing = new SharingService(this.ctx, this.users, this.notifications);
    this.deployments = new DeploymentService(this.ctx, this.users, this.notifications);
  }

  /** Opens the governance store under the configured data directory (`<dataDir>/governance`). */
  static open(config: Config, options?: GovernanceOptions): Governance {
    return new Governance(path.resolve(config.dataDir, 'governance'), config.governance, options);
  }

  /**
   * The retention purge: hits past the period (except confirmed ones), then reads (except those on
   * case holds), audited once with all counts (`extra` adds e.g. the JetStream count).
   */
  purgeExpired(
    actor: Actor = system(this.ctx, 'retention'),
    extra: Record<string, number> = {},
  ): PurgeResult & { hitsDeleted: number } {
    const hitsDeleted = this.hits.purgeBefore(this.history.cutoff());
    return { ...this.history.purge(actor, { ...extra, hitsDeleted }), hitsDeleted };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.ctx.env.close();
  }
}
