/**
 * Sharing and dissemination (General Order 41-11): requests from other agencies are recorded with
 * agency, MOU or agreement reference, purpose and requester, and decided by records staff or the
 * administrator; only official law-enforcement or public-safety purposes qualify, and any request
 * connected to immigration enforcement is refused on receipt (and the refusal audited). Freedom of
 * Information requests for ALPR data are released only with the chief's approval.
 */
import { randomUUID } from 'node:crypto';

import type { Database } from 'lmdb';
import type { UserService } from '../auth/UserService.js';
import { InvalidInputError, NotFoundError, PolicyError } from '../errors.js';
import { type Context, requireRole } from '../governance/Context.js';
import type { Notifications } from '../governance/Notifications.js';
import type { Actor, Role } from '../governance/roles.js';

export const SHARING_PURPOSES = ['law_enforcement', 'public_safety', 'immigration_enforcement'] as const;
export type SharingPurpose = (typeof SHARING_PURPOSES)[number];
export const SHARING_CLERKS: readonly Role[] = ['records', 'administrator'];
export const SHARING_VIEWERS: readonly Role[] = ['records', 'administrator', 'chief', 'auditor'];

/** Words that connect a request to immigration enforcement, whatever purpose it claims. */
const IMMIGRATION =
  /\b(immigration|immigrant|deport\w*|ICE|ERO|HSI|CBP|border patrol|alien|undocumented|visa overstay|removal proceeding\w*|287\(g\))\b/i;

export interface SharingRequestInput {
  agency: string;
  mouReference: string;
  purpose: string;
  requester: string;
  description: string;
  caseNumber?: string | null;
}

export type DecisionStatus = 'pending' | 'approved' | 'denied' | 'refused';

export interface SharingRequest extends Omit<SharingRequestInput, 'purpose' | 'caseNumber'> {
  id: string;
  purpose: SharingPurpose;
  caseNumber: string | null;
  recordedBy: string;
  recordedAt: number;
  status: DecisionStatus;
  decision: { by: string; at: number; reason: string } | null;
}

export interface FoiRequestInput {
  requester: string;
  description: string;
  receivedOn: string;
}

export interface FoiRequest extends FoiRequestInput {
  id: string;
  recordedBy: string;
  recordedAt: number;
  status: Exclude<DecisionStatus, 'refused'>;
  decision: { by: string; at: number; reason: string } | null;
}

function text(v: unknown, field: string, min = 2, max = 2000): string {
  const s = typeof v === 'string' ? v.trim() : '';
  if (s.length < min)
    throw new InvalidInputError('ERR_BAD_REQUEST', `${field} is required (at least ${min} characters)`);
  return s.slice(0, max);
}

export function isImmigrationRelated(input: Partial<SharingRequestInput>): boolean {
  if (input.purpose === 'immigration_enforcement') return true;
  return [input.agency, input.description, input.requester].some((t) => typeof t === 'string' && IMMIGRATION.test(t));
}

export class SharingService {
  readonly #ctx: Context;
  readonly #users: UserService;
  readonly #notifications: Notifications;
  readonly #requests: Database<SharingRequest, string>;
  readonly #foi: Database<FoiRequest, string>;

  constructor(ctx: Context, users: UserService, notifications: Notifications) {
    this.#ctx = ctx;
    this.#users = users;
    this.#notifications = notifications;
    this.#requests = ctx.env.openDB({ name: 'sharing-requests' });
    this.#foi = ctx.env.openDB({ name: 'foi-requests' });
  }

  /** Records a request from another agency; an immigration-related one is refused on the spot. */
  request(actor: Actor, input: SharingRequestInput): SharingRequest {
    requireRole(this.#ctx, actor, SHARING_CLERKS, 'share.request', String(input?.agency));
    const purpose = input?.purpose;
    if (!(SHARING_PURPOSES as readonly string[]).includes(purpose)) {
      throw new InvalidInputError(
        'ERR_BAD_PURPOSE',
        `purpose must be one of ${SHARING_PURPOSES.join(', ')} (got '${purpose}')`,
      );
    }
    const req: SharingRequest = {
      id: randomUUID(),
      agency: text(input.agency, 'agency'),
      mouReference: text(input.mouReference, 'mouReference'),
      purpose: purpose as SharingPurpose,
      requester: text(input.requester, 'requester'),
      description: text(input.description, 'description', 5),
      caseNumber: input.caseNumber?.trim() || null,
      recordedBy: actor.username,
      recordedAt: this.#ctx.now(),
      status: 'pending',
      decision: null,
    };
    const refused = isImmigrationRelated(req);
    if (refused) {
      req.status = 'refused';
      req.decision = {
        by: 'policy',
        at: req.recordedAt,
        reason: 'General Order 41-11: no sharing for immigration enforcement',
      };
    }
    this.#ctx.env.transactionSync(() => {
      this.#requests.putSync(req.id, req);
      this.#ctx.audit.append({
        actor,
        action: 'share.request',
        what: `${req.agency} (${req.mouReference})`,
        purpose: req.purpose,
        reason: req.description,
        caseNumber: req.caseNumber,
        outcome: refused ? 'refused' : 'allowed',
        details: {
          requestId: req.id,
          requester: req.requester,
          ...(refused ? { rule: 'immigration_enforcement' } : {}),
        },
      });
    });
    if (refused) {
      throw Object.assign(
        new PolicyError('ERR_IMMIGRATION_REFUSED', 'requests connected to immigration enforcement are refused'),
        {
          requestId: req.id,
        },
      );
    }
    return req;
  }

  decide(actor: Actor, id: string, input: { approve: boolean; reason: string }): SharingRequest {
    requireRole(this.#ctx, actor, SHARING_CLERKS, 'share.decision', id);
    const reason = text(input?.reason, 'reason', 5);
    return this.#ctx.env.transactionSync(() => {
      const req = this.#requests.get(id);
      if (!req) throw new NotFoundError('ERR_NO_SUCH_REQUEST', `no sharing request '${id}'`);
      if (req.status !== 'pending') throw new PolicyError('ERR_DECIDED', `request ${id} is ${req.status} already`);
      const next: SharingRequest = {
        ...req,
        status: input.approve === true ? 'approved' : 'denied',
        decision: { by: actor.username, at: this.#ctx.now(), reason },
      };
      this.#requests.putSync(id, next);
      this.#ctx.audit.append({
        actor,
        action: 'share.decision',
        what: `${req.agency} (${req.mouReference})`,
        purpose: req.purpose,
        reason,
        caseNumber: req.caseNumber,
        outcome: 'allowed',
        details: { requestId: id, decision: next.status },
      });
      return next;
    });
  }

  list(actor: Actor): SharingRequest[] {
    requireRole(this.#ctx, actor, SHARING_VIEWERS, 'share.list', '*');
    return [...this.#requests.getRange({})].map((e) => e.value);
  }

  /** Records staff record a Freedom of Information request; the chief is notified to decide. */
  foiRequest(actor: Actor, input: FoiRequestInput): FoiRequest {
    requireRole(this.#ctx, actor, ['records'], 'foi.request', String(input?.requester));
    const req: FoiRequest = {
      id: randomUUID(),
      requester: text(input?.requester, 'requester'),
      description: text(input.description, 'description', 5),
      receivedOn: text(input.receivedOn, 'receivedOn', 10, 10),
      recordedBy: actor.username,
      recordedAt: this.#ctx.now(),
      status: 'pending',
      decision: null,
    };
    this.#ctx.env.transactionSync(() => {
      this.#foi.putSync(req.id, req);
      for (const chief of this.#users.withRole('chief')) {
        this.#notifications.notify(chief.username, {
          kind: 'foi_request',
          subject: `FOI request from ${req.requester}`,
          ref: req.id,
        });
      }
      this.#ctx.audit.append({
        actor,
        action: 'foi.request',
        what: req.requester,
        purpose: 'records_request',
        reason: req.description,
        outcome: 'allowed',
        details: { requestId: req.id },
      });
    });
    return req;
  }

  /** Only the chief approves (or denies) the release of ALPR data under an FOI request. */
  foiDecide(actor: Actor, id: string, input: { approve: boolean; reason: string }): FoiRequest {
    requireRole(this.#ctx, actor, ['chief'], 'foi.decision', id);
    const reason = text(input?.reason, 'reason', 5);
    return this.#ctx.env.transactionSync(() => {
      const req = this.#foi.get(id);
      if (!req) throw new NotFoundError('ERR_NO_SUCH_REQUEST', `no FOI request '${id}'`);
      if (req.status !== 'pending') throw new PolicyError('ERR_DECIDED', `FOI request ${id} is ${req.status} already`);
      const next: FoiRequest = {
        ...req,
        status: input.approve === true ? 'approved' : 'denied',
        decision: { by: actor.username, at: this.#ctx.now(), reason },
      };
      this.#foi.putSync(id, next);
      this.#ctx.audit.append({
        actor,
        action: 'foi.decision',
        what: req.requester,
        purpose: 'records_request',
        reason,
        outcome: 'allowed',
        details: { requestId: id, decision: next.status },
      });
      return next;
    });
  }

  /** Records staff release FOI data only once the chief approved; a release attempt before is refused. */
  foiRelease(actor: Actor, id: string): FoiRequest {
    requireRole(this.#ctx, actor, ['records'], 'foi.release', id);
    const req = this.#foi.get(id);
    if (!req) throw new NotFoundError('ERR_NO_SUCH_REQUEST', `no FOI request '${id}'`);
    const ok = req.status === 'approved';
    this.#ctx.audit.append({
      actor,
      action: 'foi.release',
      what: req.requester,
      purpose: 'records_request',
      outcome: ok ? 'allowed' : 'refused',
      details: { requestId: id, ...(ok ? {} : { rule: 'chief_approval_required' }) },
    });
    if (!ok)
      throw new PolicyError(
        'ERR_CHIEF_APPROVAL_REQUIRED',
        `FOI request ${id} is ${req.status}: the chief must approve a release`,
      );
    return req;
  }

  foiList(actor: Actor): FoiRequest[] {
    requireRole(this.#ctx, actor, ['records', 'chief', 'auditor'], 'foi.list', '*');
    return [...this.#foi.getRange({})].map((e) => e.value);
  }

  /** Counts for the transparency report. */
  counts(from: number, to: number): Record<string, number> {
    const out: Record<string, number> = {
      requests: 0,
      approved: 0,
      denied: 0,
      refusedImmigration: 0,
      foi: 0,
      foiApproved: 0,
    };
    for (const { value: r } of this.#requests.getRange({})) {
      if (r.recordedAt < from || r.recordedAt > to) continue;
      out.requests! += 1;
      if (r.status === 'approved') out.approved! += 1;
      if (r.status === 'denied') out.denied! += 1;
      if (r.status === 'refused') out.refusedImmigration! += 1;
    }
    for (const { value: r } of this.#foi.getRange({})) {
      if (r.recordedAt < from || r.recordedAt > to) continue;
      out.foi! += 1;
      if (r.status === 'approved') out.foiApproved! += 1;
    }
    return out;
  }
}
