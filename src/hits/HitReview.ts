/**
 * Hits as dispatch reviews them (General Order 41-11, "Hits: verify before a stop"). A hit carries its
 * evidence (plate crop, context image, read and state confidence, the hot-list entry, the match rule)
 * and flags a wrong-state or look-alike match on itself. It cannot become "stop authorized" until the
 * user records that they visually verified the characters AND the state against the vehicle and
 * confirmed the current status in CJIS/NCIC/RMS with a reference. A user sees only hits of the
 * categories their profile (and live exceptions) allow; every view and decision is audited.
 */
import type { Database } from 'lmdb';

import { type CategoryId, isCategoryId } from '../categories.js';
import { InvalidInputError, NotFoundError, PolicyError } from '../errors.js';
import { type Context, requireRole } from '../governance/Context.js';
import type { Actor, Role } from '../governance/roles.js';
import type { ProfileService } from '../profiles/ProfileService.js';

export const HIT_REVIEWERS: readonly Role[] = ['operator', 'supervisor', 'administrator'];
export const DISPOSITIONS = ['confirmed', 'wrong_state', 'misread', 'no_longer_wanted', 'dismissed'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];
export const CONFIRMATION_SYSTEMS = ['CJIS', 'NCIC', 'RMS'] as const;
export type HitFlag = 'wrong_state' | 'look_alike' | 'state_unknown';
export type HitStatus = 'pending' | 'stop_authorized' | 'closed';

/** A hit as the pipeline publishes it (fields platewatch's reviewer needs; extra fields are ignored). */
export interface IncomingHit {
  id: string;
  category: string;
  cameraId: string;
  detectedAt: number;
  read: { plate: string; confidence: number; state?: string | null; stateConfidence?: number | null };
  entry: {
    plate: string;
    state?: string | null;
    category: string;
    source: string;
    recordId: string;
    reason?: string | null;
    cjisReference?: string | null;
  };
  matchRule: 'exact' | 'lookalike';
  stateMatch: 'same' | 'different' | 'unknown';
  evidence?: { plateJpeg?: string | null; contextJpeg?: string | null };
}

export interface Verification {
  by: string;
  at: number;
  charactersVerified: true;
  stateVerified: true;
  system: (typeof CONFIRMATION_SYSTEMS)[number];
  reference: string;
}

export interface ReviewHit extends Omit<IncomingHit, 'category'> {
  category: CategoryId;
  receivedAt: number;
  flags: HitFlag[];
  status: HitStatus;
  verification: Verification | null;
  disposition: { value: Disposition; by: string; at: number; notes: string | null } | null;
}

export interface VerifyInput {
  charactersVerified: boolean;
  stateVerified: boolean;
  system: string;
  reference: string;
}

export function hitFlags(h: Pick<IncomingHit, 'matchRule' | 'stateMatch'>): HitFlag[] {
  const flags: HitFlag[] = [];
  if (h.stateMatch === 'different') flags.push('wrong_state');
  if (h.stateMatch === 'unknown') flags.push('state_unknown');
  if (h.matchRule === 'lookalike') flags.push('look_alike');
  return flags;
}

export class HitReview {
  readonly #ctx: Context;
  readonly #profiles: ProfileService;
  readonly #hits: Database<ReviewHit, string>;

  constructor(ctx: Context, profiles: ProfileService) {
    this.#ctx = ctx;
    this.#profiles = profiles;
    this.#hits = ctx.env.openDB<ReviewHit, string>({ name: 'hits' });
  }

  /** Stores a hit from the pipeline (idempotent by id: a redelivered hit changes nothing). */
  record(hit: IncomingHit): ReviewHit {
    if (typeof hit?.id !== 'string' || !hit.id) throw new InvalidInputError('ERR_BAD_HIT', 'hit: id is required');
    if (!isCategoryId(String(hit.category))) {
      throw new InvalidInputError('ERR_BAD_HIT', `hit ${hit.id}: unknown category '${hit.category}'`);
    }
    if (!hit.read || typeof hit.read.plate !== 'string' || !hit.entry) {
      throw new InvalidInputError('ERR_BAD_HIT', `hit ${hit.id}: read and entry are required`);
    }
    return this.#ctx.env.transactionSync(() => {
      const existing = this.#hits.get(hit.id);
      if (existing) return existing;
      const review: ReviewHit = {
        ...hit,
        category: hit.category as CategoryId,
        receivedAt: this.#ctx.now(),
        flags: hitFlags(hit),
        status: 'pending',
        verification: null,
        disposition: null,
      };
      this.#hits.putSync(hit.id, review);
      return review;
    });
  }

  /** Hits the actor may see (their allowed categories), newest first; the query is audited. */
  list(actor: Actor, filter: { status?: HitStatus; limit?: number } = {}): ReviewHit[] {
    requireRole(this.#ctx, actor, HIT_REVIEWERS, 'hit.list', filter.status ?? 'all');
    const allowed = new Set(this.#profiles.allowedCategories(actor.username));
    const out: ReviewHit[] = [];
    for (const { value } of this.#hits.getRange({})) {
      if (!allowed.has(value.category)) continue;
      if (filter.status && value.status !== filter.status) continue;
      out.push(value);
    }
    out.sort((a, b) => b.detectedAt - a.detectedAt);
    const result = out.slice(0, filter.limit ?? 100);
    this.#ctx.audit.append({
      actor,
      action: 'hit.list',
      what: filter.status ?? 'all',
      purpose: 'hit_verification',
      outcome: 'allowed',
      details: { hits: result.length },
    });
    return result;
  }

  /** One hit with its evidence; a hit of a category the actor may not receive does not exist for them. */
  get(actor: Actor, id: string): ReviewHit {
    requireRole(this.#ctx, actor, HIT_REVIEWERS, 'hit.view', id);
    const hit = this.#visible(actor, id, 'hit.view');
    this.#ctx.audit.append({ actor, action: 'hit.view', what: id, purpose: 'hit_verification', outcome: 'allowed' });
    return hit;
  }

  /** Records the visual and CJIS/NCIC/RMS verification; only then is the hit "stop authorized". */
  verify(actor: Actor, id: string, input: VerifyInput): ReviewHit {
    requireRole(this.#ctx, actor, HIT_REVIEWERS, 'hit.verify', id);
    // Checks and refusals happen outside the write transaction: a refusal's audit record must commit.
    const hit = this.#visible(actor, id, 'hit.verify');
    const refuse = (code: string, message: string): never => {
      this.#ctx.audit.append({
        actor,
        action: 'hit.verify',
        what: id,
        purpose: 'hit_verification',
        outcome: 'refused',
        details: { rule: code },
      });
      throw new PolicyError(code, message);
    };
    if (hit.status === 'closed') refuse('ERR_HIT_CLOSED', `hit ${id} is closed (${hit.disposition?.value})`);
    if (input?.charactersVerified !== true) {
      refuse('ERR_NOT_VERIFIED', 'the characters must be visually verified against the vehicle before a stop');
    }
    if (input?.stateVerified !== true) {
      refuse('ERR_NOT_VERIFIED', 'the state must be visually verified against the vehicle before a stop');
    }
    if (!(CONFIRMATION_SYSTEMS as readonly string[]).includes(input?.system)) {
      refuse('ERR_NOT_CONFIRMED', `the current status must be confirmed in ${CONFIRMATION_SYSTEMS.join('/')}`);
    }
    const reference = typeof input.reference === 'string' ? input.reference.trim() : '';
    if (reference.length < 4) refuse('ERR_NOT_CONFIRMED', `the ${input.system} confirmation reference is required`);
    const verification: Verification = {
      by: actor.username,
      at: this.#ctx.now(),
      charactersVerified: true,
      stateVerified: true,
      system: input.system as Verification['system'],
      reference: reference.slice(0, 64),
    };
    return this.#ctx.env.transactionSync(() => {
      const cur = this.#hits.get(id)!;
      if (cur.status === 'closed') throw new PolicyError('ERR_HIT_CLOSED', `hit ${id} was closed meanwhile`);
      const next: ReviewHit = { ...cur, status: 'stop_authorized', verification };
      this.#hits.putSync(id, next);
      this.#ctx.audit.append({
        actor,
        action: 'hit.verify',
        what: id,
        purpose: 'hit_verification',
        outcome: 'allowed',
        details: { system: verification.system, reference: verification.reference, flags: hit.flags.join(',') },
      });
      return next;
    });
  }

  /** Closes a hit with a disposition; "confirmed" only after the verification. */
  dispose(actor: Actor, id: string, input: { disposition: string; notes?: string | null }): ReviewHit {
    requireRole(this.#ctx, actor, HIT_REVIEWERS, 'hit.disposition', id);
    if (!(DISPOSITIONS as readonly string[]).includes(input?.disposition)) {
      throw new InvalidInputError(
        'ERR_BAD_DISPOSITION',
        `disposition must be one of ${DISPOSITIONS.join(', ')} (got '${input?.disposition}')`,
      );
    }
    const hit = this.#visible(actor, id, 'hit.disposition');
    if (input.disposition === 'confirmed' && hit.status !== 'stop_authorized') {
      this.#ctx.audit.append({
        actor,
        action: 'hit.disposition',
        what: id,
        outcome: 'refused',
        details: { disposition: 'confirmed', rule: 'not_verified' },
      });
      throw new PolicyError(
        'ERR_NOT_VERIFIED',
        'a hit can be confirmed only after visual and CJIS/NCIC/RMS verification',
      );
    }
    return this.#ctx.env.transactionSync(() => {
      const cur = this.#hits.get(id)!;
      if (cur.status === 'closed') throw new PolicyError('ERR_HIT_CLOSED', `hit ${id} is closed already`);
      const next: ReviewHit = {
        ...cur,
        status: 'closed',
        disposition: {
          value: input.disposition as Disposition,
          by: actor.username,
          at: this.#ctx.now(),
          notes: input.notes?.slice(0, 2000) ?? null,
        },
      };
      this.#hits.putSync(id, next);
      this.#ctx.audit.append({
        actor,
        action: 'hit.disposition',
        what: id,
        purpose: 'hit_verification',
        outcome: 'allowed',
        details: { disposition: input.disposition },
      });
      return next;
    });
  }

  /**
   * Deletes hits detected before the cutoff (retention), except those confirmed: a confirmed hit is
   * the record of an enforcement action. Returns how many were deleted.
   */
  purgeBefore(cutoff: number): number {
    let n = 0;
    this.#ctx.env.transactionSync(() => {
      for (const { key, value } of this.#hits.getRange({})) {
        if (value.detectedAt >= cutoff || value.disposition?.value === 'confirmed') continue;
        this.#hits.removeSync(key);
        n += 1;
      }
    });
    return n;
  }

  /** Hits detected in [from, to] by category (transparency report; no plate leaves here). */
  countsByCategory(from: number, to: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const { value } of this.#hits.getRange({})) {
      if (value.detectedAt < from || value.detectedAt > to) continue;
      out[value.category] = (out[value.category] ?? 0) + 1;
    }
    return out;
  }

  #visible(actor: Actor, id: string, action: string): ReviewHit {
    const hit = this.#hits.get(id);
    if (!hit || !this.#profiles.mayReceive(actor.username, hit.category)) {
      if (hit) {
        this.#ctx.audit.append({
          actor,
          action,
          what: id,
          outcome: 'refused',
          details: { rule: 'category_not_allowed' },
        });
      }
      throw new NotFoundError('ERR_NO_SUCH_HIT', `no hit '${id}'`);
    }
    return hit;
  }
}
