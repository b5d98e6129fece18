/**
 * The searchable history of reads (one plate group per passing vehicle), in LMDB, and the order's
 * rules over it: a search needs a purpose code and a reason (and a case number for investigative
 * purposes) or it is refused; reads are kept at most `retention.readsDays` (never more than 30) and
 * then deleted for good by an audited purge; data exported for a case is put on a case hold and kept
 * until records staff record the case's final disposition.
 */
import type { Database } from 'lmdb';
import { InvalidInputError, NotFoundError, PolicyError } from '../errors.js';
import { type Context, parseTime, requireRole, system } from '../governance/Context.js';
import { type Justification, requireJustification } from '../governance/purposes.js';
import type { Actor, Role } from '../governance/roles.js';
import { normalizePlateText } from './plate.js';

/** One plate group as the history keeps it (no images: evidence stays with hits and case exports). */
export interface HistoryRead {
  id: string;
  cameraId: string;
  plate: string;
  state: string | null;
  confidence: number;
  firstSeen: number;
  lastSeen: number;
}

export interface HistoryQuery {
  /** Exact plate, or a prefix ending in '*' (e.g. "7ABC*"). */
  plate?: string;
  cameraId?: string;
  from?: string | number;
  to?: string | number;
  limit?: number;
}

export interface CaseHold {
  caseNumber: string;
  readIds: string[];
  createdBy: string;
  createdAt: number;
  reason: string;
  disposition: { value: string; by: string; at: number } | null;
}

export interface PurgeResult {
  cutoff: string;
  deleted: number;
  keptOnHold: number;
}

export const HISTORY_SEARCHERS: readonly Role[] = ['operator', 'supervisor', 'administrator', 'records'];
export const CASE_EXPORTERS: readonly Role[] = ['operator', 'supervisor', 'administrator'];
export const HOLD_VIEWERS: readonly Role[] = ['records', 'administrator', 'chief', 'auditor'];
const DAY = 86_400_000;
const MAX_RESULTS = 1000;

export class HistoryStore {
  readonly #ctx: Context;
  readonly #reads: Database<HistoryRead, [number, string]>;
  readonly #byPlate: Database<[number, string], [string, number, string]>;
  readonly #ids: Database<[number, string], string>;
  readonly #holds: Database<CaseHold, string>;

  constructor(ctx: Context) {
    this.#ctx = ctx;
    this.#reads = ctx.env.openDB({ name: 'reads' });
    this.#byPlate = ctx.env.openDB({ name: 'reads-by-plate' });
    this.#ids = ctx.env.openDB({ name: 'reads-by-id' });
    this.#holds = ctx.env.openDB({ name: 'holds' });
  }

  /** Adds reads (idempotent by id: a redelivered read is stored once). Returns how many were new. */
  ingest(reads: readonly HistoryRead[]): number {
    let added = 0;
    this.#ctx.env.transactionSync(() => {
      for (const r of reads) {
        if (this.#ids.get(r.id) !== undefined) continue;
        const key: [number, string] = [r.firstSeen, r.id];
        this.#reads.putSync(key, r);
        this.#byPlate.putSync([r.plate, r.firstSeen, r.id], key);
        this.#ids.putSync(r.id, key);
        added += 1;
      }
    });
    return added;
  }

  get size(): number {
    return this.#ids.getCount();
  }

  /** Historical search: refused (and audited) without a purpose, a reason, and a case number where required. */
  search(actor: Actor, query: HistoryQuery, why: Partial<Justification>): HistoryRead[] {
    requireRole(this.#ctx, actor, HISTORY_SEARCHERS, 'history.search', describe(query));
    const j = this.#justify(actor, 'history.search', query, why);
    const reads = this.#find(query);
    this.#ctx.audit.append({
      actor,
      action: 'history.search',
      what: describe(query),
      ...j,
      outcome: 'allowed',
      details: { results: reads.length },
    });
    return reads;
  }

  /**
   * Downloads reads for a case: a search whose results are put on a case hold (kept past the
   * retention period until records staff record the case's final disposition).
   */
  exportForCase(
    actor: Actor,
    query: HistoryQuery,
    why: Partial<Justification>,
  ): { hold: CaseHold; reads: HistoryRead[] } {
    requireRole(this.#ctx, actor, CASE_EXPORTERS, 'history.export', describe(query));
    const j = this.#justify(actor, 'history.export', query, why);
    if (!j.caseNumber) {
      this.#ctx.audit.append({
        actor,
        action: 'history.export',
        what: describe(query),
        ...j,
        outcome: 'refused',
        details: { rule: 'case_required' },
      });
      throw new PolicyError('ERR_CASE_REQUIRED', 'an export for a case requires a case number');
    }
    const caseNumber = j.caseNumber;
    const reads = this.#find(query);
    return this.#ctx.env.transactionSync(() => {
      const prev = this.#holds.get(caseNumber);
      const ids = new Set(prev && prev.disposition === null ? prev.readIds : []);
      for (const r of reads) ids.add(r.id);
      const hold: CaseHold = {
        caseNumber,
        readIds: [...ids],
        createdBy: prev?.createdBy ?? actor.username,
        createdAt: prev?.createdAt ?? this.#ctx.now(),
        reason: prev?.reason ?? j.reason,
        disposition: null,
      };
      this.#holds.putSync(caseNumber, hold);
      this.#ctx.audit.append({
        actor,
        action: 'history.export',
        what: describe(query),
        ...j,
        outcome: 'allowed',
        details: { results: reads.length, heldForCase: hold.readIds.length },
      });
      return { hold, reads };
    });
  }

  holds(actor: Actor): CaseHold[] {
    requireRole(this.#ctx, actor, HOLD_VIEWERS, 'hold.list', '*');
    return [...this.#holds.getRange({})].map((e) => e.value);
  }

  /** Records staff record the final disposition of a case: its reads follow the normal schedule again. */
  recordDisposition(actor: Actor, caseNumber: string, input: { disposition: string; reason: string }): CaseHold {
    requireRole(this.#ctx, actor, ['records'], 'hold.disposition', caseNumber);
    const value = typeof input?.disposition === 'string' ? input.disposition.trim() : '';
    if (value.length < 3) throw new InvalidInputError('ERR_BAD_DISPOSITION', 'a final disposition is required');
    return this.#ctx.env.transactionSync(() => {
      const hold = this.#holds.get(caseNumber);
      if (!hold) throw new NotFoundError('ERR_NO_SUCH_HOLD', `no case hold '${caseNumber}'`);
      if (hold.disposition)
        throw new PolicyError('ERR_HOLD_CLOSED', `case ${caseNumber} has a final disposition already`);
      const next = { ...hold, disposition: { value, by: actor.username, at: this.#ctx.now() } };
      this.#holds.putSync(caseNumber, next);
      this.#ctx.audit.append({
        actor,
        action: 'hold.disposition',
        what: caseNumber,
        caseNumber,
        purpose: 'records_request',
        reason: input.reason ?? value,
        outcome: 'allowed',
        details: { disposition: value, reads: hold.readIds.length },
      });
      return next;
    });
  }

  /** Case holds without a final disposition. */
  openHolds(): number {
    let n = 0;
    for (const { value } of this.#holds.getRange({})) if (!value.disposition) n += 1;
    return n;
  }

  /** The time before which reads are deleted now. */
  cutoff(): number {
    return this.#ctx.now() - this.#ctx.config.retention.readsDays * DAY;
  }

  /**
   * Deletes for good every read last seen before the cutoff that is not on an open case hold.
   * Audited with the counts (the JetStream side is added by the retention job).
   */
  purge(actor: Actor = system(this.#ctx, 'retention'), extra: Record<string, number> = {}): PurgeResult {
    const cutoff = this.cutoff();
    const held = new Set<string>();
    for (const { value } of this.#holds.getRange({}))
      if (!value.disposition) for (const id of value.readIds) held.add(id);
    let deleted = 0;
    let keptOnHold = 0;
    this.#ctx.env.transactionSync(() => {
      // Reads are keyed by first sighting; a group lasts minutes, so scanning to the cutoff is enough.
      for (const { key, value } of this.#reads.getRange({ end: [cutoff, '\uffff'] })) {
        if (value.lastSeen >= cutoff) continue;
        if (held.has(value.id)) {
          keptOnHold += 1;
          continue;
        }
        this.#reads.removeSync(key);
        this.#byPlate.removeSync([value.plate, value.firstSeen, value.id]);
        this.#ids.removeSync(value.id);
        deleted += 1;
      }
      this.#ctx.audit.append({
        actor,
        action: 'retention.purge',
        what: `reads last seen before ${new Date(cutoff).toISOString()}`,
        purpose: 'administration',
        reason: `retention schedule: ${this.#ctx.config.retention.readsDays} days`,
        outcome: 'allowed',
        details: { deleted, keptOnHold, ...extra },
      });
    });
    return { cutoff: new Date(cutoff).toISOString(), deleted, keptOnHold };
  }

  /** Reads and distinct cameras in [from, to] (transparency report). */
  counts(from: number, to: number): { reads: number; cameras: number } {
    let reads = 0;
    const cameras = new Set<string>();
    for (const { value } of this.#reads.getRange({ start: [from, ''], end: [to, '\uffff'] })) {
      reads += 1;
      cameras.add(value.cameraId);
    }
    return { reads, cameras: cameras.size };
  }

  #justify(actor: Actor, action: string, query: HistoryQuery, why: Partial<Justification>): Required<Justification> {
    try {
      return requireJustification(why);
    } catch (err) {
      this.#ctx.audit.append({
        actor,
        action,
        what: describe(query),
        purpose: typeof why?.purpose === 'string' ? why.purpose : null,
        reason: typeof why?.reason === 'string' ? why.reason.slice(0, 500) : null,
        caseNumber: typeof why?.caseNumber === 'string' ? why.caseNumber.slice(0, 40) : null,
        outcome: 'refused',
        details: { rule: (err as { code?: string }).code ?? 'invalid' },
      });
      throw err;
    }
  }

  #find(q: HistoryQuery): HistoryRead[] {
    const bad = (m: string) => new InvalidInputError('ERR_BAD_QUERY', m);
    const from = q.from === undefined ? 0 : parseTime(q.from, 'from', bad);
    const to = q.to === undefined ? Number.MAX_SAFE_INTEGER : parseTime(q.to, 'to', bad);
    const limit = Math.min(q.limit ?? MAX_RESULTS, MAX_RESULTS);
    if (q.plate === undefined && q.cameraId === undefined) {
      throw bad('a search names a plate (or a plate prefix ending in *) or a camera: no unbounded trawls');
    }
    const out: HistoryRead[] = [];
    if (q.plate !== undefined) {
      const prefix = q.plate.endsWith('*');
      const plate = normalizePlateText(prefix ? q.plate.slice(0, -1) : q.plate);
      if (plate.length < (prefix ? 3 : 1)) throw bad('plate must have at least 3 characters before a *');
      const range = prefix
        ? { start: [plate], end: [`${plate}\uffff`] }
        : { start: [plate, from, ''], end: [plate, to, '\uffff'] };
      for (const { value: key } of this.#byPlate.getRange(range as never)) {
        const r = this.#reads.get(key);
        if (!r || r.firstSeen < from || r.firstSeen > to) continue;
        if (q.cameraId !== undefined && r.cameraId !== q.cameraId) continue;
        out.push(r);
        if (out.length >= limit) break;
      }
      return out;
    }
    for (const { value } of this.#reads.getRange({ start: [from, ''], end: [to, '\uffff'] })) {
      if (value.cameraId !== q.cameraId) continue;
      out.push(value);
      if (out.length >= limit) break;
    }
    return out;
  }
}

function describe(q: HistoryQuery): string {
  const parts = Object.entries(q ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  return parts.join(' ') || '(empty query)';
}
