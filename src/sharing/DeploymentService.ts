/**
 * Non-traditional deployments (special operations, criminal investigations): they need the ALPR
 * administrator's approval (or the chief's, standing in for an absent administrator or captain), the
 * chief is notified of every approval, and the records keep each deployment and its results
 * (significant incidents, arrests).
 */
import { randomUUID } from 'node:crypto';

import type { Database } from 'lmdb';

import type { UserService } from '../auth/UserService.js';
import { InvalidInputError, NotFoundError, PolicyError } from '../errors.js';
import { type Context, parseTime, requireRole } from '../governance/Context.js';
import type { Notifications } from '../governance/Notifications.js';
import type { Actor, Role } from '../governance/roles.js';

export const DEPLOYMENT_KINDS = ['special_operation', 'criminal_investigation'] as const;
export const DEPLOYMENT_REQUESTERS: readonly Role[] = ['operator', 'supervisor', 'administrator'];
export const DEPLOYMENT_APPROVERS: readonly Role[] = ['administrator', 'chief'];
export const DEPLOYMENT_VIEWERS: readonly Role[] = ['supervisor', 'administrator', 'chief', 'auditor'];

export interface DeploymentInput {
  kind: string;
  description: string;
  location: string;
  start: string;
  end: string;
  caseNumber?: string | null;
}

export interface Deployment {
  id: string;
  kind: (typeof DEPLOYMENT_KINDS)[number];
  description: string;
  location: string;
  start: number;
  end: number;
  caseNumber: string | null;
  requestedBy: string;
  requestedAt: number;
  status: 'pending' | 'approved' | 'denied';
  decision: { by: string; role: string; at: number; reason: string } | null;
  chiefNotified: string[];
  results: { by: string; at: number; significantIncidents: number; arrests: number; notes: string }[];
}

function text(v: unknown, field: string, min = 3): string {
  const s = typeof v === 'string' ? v.trim() : '';
  if (s.length < min)
    throw new InvalidInputError('ERR_BAD_DEPLOYMENT', `${field} is required (at least ${min} characters)`);
  return s.slice(0, 2000);
}

export class DeploymentService {
  readonly #ctx: Context;
  readonly #users: UserService;
  readonly #notifications: Notifications;
  readonly #db: Database<Deployment, string>;

  constructor(ctx: Context, users: UserService, notifications: Notifications) {
    this.#ctx = ctx;
    this.#users = users;
    this.#notifications = notifications;
    this.#db = ctx.env.openDB({ name: 'deployments' });
  }

  request(actor: Actor, input: DeploymentInput): Deployment {
    requireRole(this.#ctx, actor, DEPLOYMENT_REQUESTERS, 'deployment.request', String(input?.kind));
    if (!(DEPLOYMENT_KINDS as readonly string[]).includes(input?.kind)) {
      throw new InvalidInputError(
        'ERR_BAD_DEPLOYMENT',
        `kind must be one of ${DEPLOYMENT_KINDS.join(', ')} (got '${input?.kind}')`,
      );
    }
    const bad = (m: string) => new InvalidInputError('ERR_BAD_DEPLOYMENT', m);
    const start = parseTime(input.start, 'start', bad);
    const end = parseTime(input.end, 'end', bad);
    if (end <= start) throw bad('end must be after start');
    const d: Deployment = {
      id: randomUUID(),
      kind: input.kind as Deployment['kind'],
      description: text(input.description, 'description', 5),
      location: text(input.location, 'location'),
      start,
      end,
      caseNumber: input.caseNumber?.trim() || null,
      requestedBy: actor.username,
      requestedAt: this.#ctx.now(),
      status: 'pending',
      decision: null,
      chiefNotified: [],
      results: [],
    };
    this.#ctx.env.transactionSync(() => {
      this.#db.putSync(d.id, d);
      this.#ctx.audit.append({
        actor,
        action: 'deployment.request',
        what: `${d.kind} at ${d.location}`,
        reason: d.description,
        caseNumber: d.caseNumber,
        outcome: 'allowed',
        details: { deploymentId: d.id },
      });
    });
    return d;
  }

  /** The administrator (or the chief in their absence) decides; every chief is notified of the decision. */
  decide(actor: Actor, id: string, input: { approve: boolean; reason: string }): Deployment {
    requireRole(this.#ctx, actor, DEPLOYMENT_APPROVERS, 'deployment.decision', id);
    const reason = text(input?.reason, 'reason', 5);
    return this.#ctx.env.transactionSync(() => {
      const d = this.#need(id);
      if (d.status !== 'pending') throw new PolicyError('ERR_DECIDED', `deployment ${id} is ${d.status} already`);
      const chiefs = this.#users.withRole('chief').map((u) => u.username);
      const status = input.approve === true ? 'approved' : 'denied';
      for (const chief of chiefs) {
        this.#notifications.notify(chief, {
          kind: 'deployment_approved',
          subject: `${d.kind} at ${d.location} ${status} by ${actor.username}`,
          ref: d.id,
        });
      }
      const next: Deployment = {
        ...d,
        status,
        decision: { by: actor.username, role: actor.role, at: this.#ctx.now(), reason },
        chiefNotified: chiefs,
      };
      this.#db.putSync(id, next);
      this.#ctx.audit.append({
        actor,
        action: 'deployment.decision',
        what: `${d.kind} at ${d.location}`,
        reason,
        caseNumber: d.caseNumber,
        outcome: 'allowed',
        details: { deploymentId: id, decision: status, chiefNotified: chiefs.join(',') },
      });
      return next;
    });
  }

  /** Records results of an approved deployment (significant incidents, arrests). */
  recordResults(
    actor: Actor,
    id: string,
    input: { significantIncidents: number; arrests: number; notes: string },
  ): Deployment {
    requireRole(this.#ctx, actor, ['supervisor', 'administrator'], 'deployment.result', id);
    for (const k of ['significantIncidents', 'arrests'] as const) {
      if (!Number.isInteger(input?.[k]) || input[k] < 0) {
        throw new InvalidInputError(
          'ERR_BAD_DEPLOYMENT',
          `${k} must be a whole number >= 0 (got ${JSON.stringify(input?.[k])})`,
        );
      }
    }
    return this.#ctx.env.transactionSync(() => {
      const d = this.#need(id);
      if (d.status !== 'approved')
        throw new PolicyError('ERR_NOT_APPROVED', `deployment ${id} is ${d.status}: not approved`);
      const result = {
        by: actor.username,
        at: this.#ctx.now(),
        significantIncidents: input.significantIncidents,
        arrests: input.arrests,
        notes: text(input.notes, 'notes', 0),
      };
      const next = { ...d, results: [...d.results, result] };
      this.#db.putSync(id, next);
      this.#ctx.audit.append({
        actor,
        action: 'deployment.result',
        what: `${d.kind} at ${d.location}`,
        caseNumber: d.caseNumber,
        outcome: 'allowed',
        details: { deploymentId: id, significantIncidents: result.significantIncidents, arrests: result.arrests },
      });
      return next;
    });
  }

  list(actor: Actor): Deployment[] {
    requireRole(this.#ctx, actor, DEPLOYMENT_VIEWERS, 'deployment.list', '*');
    return [...this.#db.getRange({})].map((e) => e.value);
  }

  counts(from: number, to: number): { deployments: number; approved: number; arrests: number } {
    const out = { deployments: 0, approved: 0, arrests: 0 };
    for (const { value: d } of this.#db.getRange({})) {
      if (d.requestedAt < from || d.requestedAt > to) continue;
      out.deployments += 1;
      if (d.status === 'approved') out.approved += 1;
      for (const r of d.results) out.arrests += r.arrests;
    }
    return out;
  }

  #need(id: string): Deployment {
    const d = this.#db.get(id);
    if (!d) throw new NotFoundError('ERR_NO_SUCH_DEPLOYMENT', `no deployment '${id}'`);
    return d;
  }
}
