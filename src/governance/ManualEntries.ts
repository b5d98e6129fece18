/**
 * Manual hot-list entries (General Order 41-11, "Hot list entries"): only supervisors, for a listed
 * reason, each with the CJIS verification reference of the plate, state, category and an expiry no
 * later than `hotlist.manualEntryMaxDays`. Entries must be updated or expired when the information
 * changes; an entry not updated for `hotlist.staleAfterDays` is flagged to its supervisor. The entry
 * itself goes into the pipeline's hot-list store (source 'manual'); the policy record and the audit
 * trail stay here.
 */
import { randomUUID } from 'node:crypto';

import type { Database } from 'lmdb';

import { type CategoryId, isCategoryId, PROHIBITED_CATEGORIES } from '../categories.js';
import { InvalidInputError, NotFoundError, PolicyError } from '../errors.js';
import type { HotlistEntry } from '../hotlist/HotlistEntry.js';
import { type Context, parseTime, requireRole } from './Context.js';
import type { Notifications } from './Notifications.js';
import type { Actor } from './roles.js';

/** The reasons the order allows for a manual entry. */
export const MANUAL_REASONS = [
  'amber_alert',
  'missing_child',
  'bolo',
  'attempt_to_locate',
  'wanted_person_bulletin',
  'missing_person_bulletin',
  'vehicle_sought_for_crime',
] as const;
export type ManualReason = (typeof MANUAL_REASONS)[number];

export const MANUAL_SOURCE = 'manual';

/** What the policy layer needs from the hot-list store (src/hotlist/HotlistStore.ts implements it). */
export interface ManualEntrySink {
  put(entries: HotlistEntry[]): Promise<void>;
  remove(source: string, recordId: string): Promise<boolean>;
}

export interface ManualEntryInput {
  plate: string;
  state: string;
  category: string;
  reason: string;
  details: string;
  cjisReference: string;
  expiresAt: string | number;
  caseNumber?: string | null;
}

export interface ManualEntryRecord {
  id: string;
  plate: string;
  state: string;
  category: CategoryId;
  reason: ManualReason;
  details: string;
  cjisReference: string;
  caseNumber: string | null;
  enteredBy: string;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  /** Set when the supervisor expired it early (information changed). */
  expiredAt: number | null;
  staleNotifiedAt: number | null;
}

const STATE = /^[A-Z]{2}$/;
const DAY = 86_400_000;

export class ManualEntries {
  readonly #ctx: Context;
  readonly #sink: ManualEntrySink;
  readonly #notifications: Notifications;
  readonly #db: Database<ManualEntryRecord, string>;

  constructor(ctx: Context, sink: ManualEntrySink, notifications: Notifications) {
    this.#ctx = ctx;
    this.#sink = sink;
    this.#notifications = notifications;
    this.#db = ctx.env.openDB<ManualEntryRecord, string>({ name: 'manual-entries' });
  }

  async add(actor: Actor, input: ManualEntryInput): Promise<ManualEntryRecord> {
    requireRole(this.#ctx, actor, ['supervisor'], 'hotlist.add', String(input?.plate));
    const v = this.#validate(input);
    const now = this.#ctx.now();
    const rec: ManualEntryRecord = {
      id: randomUUID(),
      ...v,
      enteredBy: actor.username,
      createdAt: now,
      updatedAt: now,
      expiredAt: null,
      staleNotifiedAt: null,
    };
    await this.#sink.put([this.#toEntry(rec)]);
    this.#ctx.env.transactionSync(() => {
      this.#db.putSync(rec.id, rec);
      this.#ctx.audit.append({
        actor,
        action: 'hotlist.add',
        what: `${rec.state} ${rec.plate} (${rec.category})`,
        reason: `${rec.reason}: ${rec.details}`,
        caseNumber: rec.caseNumber,
        outcome: 'allowed',
        details: {
          entryId: rec.id,
          cjisReference: rec.cjisReference,
          expiresAt: new Date(rec.expiresAt).toISOString(),
        },
      });
    });
    return rec;
  }

  /** The information changed: a supervisor updates the entry (a new CJIS reference is required). */
  async update(actor: Actor, id: string, input: ManualEntryInput): Promise<ManualEntryRecord> {
    requireRole(this.#ctx, actor, ['supervisor'], 'hotlist.update', id);
    const prev = this.#need(id);
    const v = this.#validate(input);
    const rec: ManualEntryRecord = { ...prev, ...v, updatedAt: this.#ctx.now(), staleNotifiedAt: null };
    await this.#sink.put([this.#toEntry(rec)]);
    this.#ctx.env.transactionSync(() => {
      this.#db.putSync(id, rec);
      this.#ctx.audit.append({
        actor,
        action: 'hotlist.update',
        what: `${rec.state} ${rec.plate} (${rec.category})`,
        reason: `${rec.reason}: ${rec.details}`,
        caseNumber: rec.caseNumber,
        outcome: 'allowed',
        details: { entryId: id, cjisReference: rec.cjisReference },
      });
    });
    return rec;
  }

  /** The information changed: the entry stops matching now. */
  async expire(actor: Actor, id: string, reason: string): Promise<ManualEntryRecord> {
    requireRole(this.#ctx, actor, ['supervisor'], 'hotlist.expire', id);
    const prev = this.#need(id);
    if (typeof reason !== 'string' || reason.trim().length < 5) {
      throw new PolicyError('ERR_REASON_REQUIRED', 'a reason (at least 5 characters) is required');
    }
    await this.#sink.remove(MANUAL_SOURCE, id);
    const rec = { ...prev, expiredAt: this.#ctx.now(), updatedAt: this.#ctx.now() };
    this.#ctx.env.transactionSync(() => {
      this.#db.putSync(id, rec);
      this.#ctx.audit.append({
        actor,
        action: 'hotlist.expire',
        what: `${rec.state} ${rec.plate} (${rec.category})`,
        reason,
        outcome: 'allowed',
        details: { entryId: id },
      });
    });
    return rec;
  }

  list(actor: Actor): ManualEntryRecord[] {
    requireRole(this.#ctx, actor, ['supervisor', 'administrator'], 'hotlist.list', MANUAL_SOURCE);
    return [...this.#db.getRange({})].map((e) => e.value);
  }

  /** Live entries not updated for `staleAfterDays`, or already past their expiry but never expired. */
  stale(now = this.#ctx.now()): ManualEntryRecord[] {
    const limit = this.#ctx.config.hotlist.staleAfterDays * DAY;
    return [...this.#db.getRange({})]
      .map((e) => e.value)
      .filter((r) => r.expiredAt === null && (now - r.updatedAt >= limit || r.expiresAt <= now));
  }

  /** Flags each stale entry once to the supervisor who entered it; returns the entries flagged now. */
  flagStale(): ManualEntryRecord[] {
    const now = this.#ctx.now();
    const flagged: ManualEntryRecord[] = [];
    for (const r of this.stale(now)) {
      if (r.staleNotifiedAt !== null && r.staleNotifiedAt >= r.updatedAt) continue;
      this.#notifications.notify(r.enteredBy, {
        kind: 'stale_hotlist_entry',
        subject: `manual entry ${r.state} ${r.plate} needs updating or expiring`,
        ref: r.id,
      });
      const next = { ...r, staleNotifiedAt: now };
      this.#db.putSync(r.id, next);
      flagged.push(next);
    }
    return flagged;
  }

  #validate(
    input: ManualEntryInput,
  ): Omit<ManualEntryRecord, 'id' | 'enteredBy' | 'createdAt' | 'updatedAt' | 'expiredAt' | 'staleNotifiedAt'> {
    const bad = (code: string, m: string): never => {
      throw new InvalidInputError(code, `manual entry: ${m}`);
    };
    const plate = String(input?.plate ?? '')
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, '');
    if (plate.length < 2 || plate.length > 10)
      bad('ERR_BAD_PLATE', `plate must have 2-10 letters or digits (got ${JSON.stringify(input?.plate)})`);
    const state = String(input.state ?? '').toUpperCase();
    if (!STATE.test(state))
      bad('ERR_BAD_STATE', `state must be a two-letter code (got ${JSON.stringify(input.state)})`);
    if (!isCategoryId(String(input.category))) bad('ERR_BAD_CATEGORY', `unknown category '${input.category}'`);
    if ((PROHIBITED_CATEGORIES as readonly string[]).includes(input.category)) {
      throw new PolicyError(
        'ERR_PROHIBITED_CATEGORY',
        `manual entries may not use the prohibited category '${input.category}'`,
      );
    }
    if (!(MANUAL_REASONS as readonly string[]).includes(input.reason)) {
      throw new PolicyError(
        'ERR_BAD_REASON',
        `reason must be one of ${MANUAL_REASONS.join(', ')} (got '${input.reason}')`,
      );
    }
    const details = typeof input.details === 'string' ? input.details.trim() : '';
    if (details.length < 5)
      throw new PolicyError('ERR_REASON_REQUIRED', 'manual entry: details of the incident are required');
    const cjis = typeof input.cjisReference === 'string' ? input.cjisReference.trim() : '';
    if (cjis.length < 4)
      throw new PolicyError('ERR_CJIS_REQUIRED', 'manual entry: the CJIS verification reference is required');
    const now = this.#ctx.now();
    const expiresAt = parseTime(input.expiresAt, 'expiresAt', (m) => new InvalidInputError('ERR_BAD_EXPIRY', m));
    if (expiresAt <= now) bad('ERR_BAD_EXPIRY', 'expiresAt must be in the future');
    const max = this.#ctx.config.hotlist.manualEntryMaxDays;
    if (expiresAt > now + max * DAY)
      throw new PolicyError('ERR_BAD_EXPIRY', `a manual entry may run at most ${max} days`);
    return {
      plate,
      state,
      category: input.category as CategoryId,
      reason: input.reason as ManualReason,
      details: details.slice(0, 2000),
      cjisReference: cjis.slice(0, 64),
      caseNumber: input.caseNumber?.trim() || null,
      expiresAt,
    };
  }

  #toEntry(r: ManualEntryRecord) {
    return {
      plate: r.plate,
      state: r.state,
      category: r.category,
      source: MANUAL_SOURCE,
      recordId: r.id,
      reason: `${r.reason}: ${r.details}`,
      enteredBy: r.enteredBy,
      cjisReference: r.cjisReference,
      createdAt: r.createdAt,
      expiresAt: r.expiresAt,
    };
  }

  #need(id: string): ManualEntryRecord {
    const r = this.#db.get(id);
    if (!r || r.expiredAt !== null) throw new NotFoundError('ERR_NO_SUCH_ENTRY', `no live manual entry '${id}'`);
    return r;
  }
}
