/**
 * What every policy service shares: the LMDB environment, the audit log, the clock and the
 * configuration. Role checks live here so a refusal is audited the same way everywhere.
 */
import type { RootDatabase } from 'lmdb';

import type { AuditLog } from '../audit/AuditLog.js';
import type { GovernanceConfig } from '../config/schema.js';
import { ForbiddenError } from '../errors.js';
import { type Actor, type Role, systemActor } from './roles.js';

export interface Context {
  env: RootDatabase;
  audit: AuditLog;
  config: GovernanceConfig;
  now: () => number;
  /** scrypt cost (N) for new password hashes. */
  scryptCost: number;
}

/**
 * Throws a ForbiddenError (and audits the refusal) unless the actor has one of the roles.
 * `what` names the object of the refused action.
 */
export function requireRole(ctx: Context, actor: Actor, roles: readonly Role[], action: string, what: string): void {
  if ((roles as readonly string[]).includes(actor.role)) return;
  ctx.audit.append({ actor, action, what, outcome: 'refused', details: { rule: `role:${roles.join('|')}` } });
  throw new ForbiddenError('ERR_FORBIDDEN', `role '${actor.role}' may not ${action} (needs ${roles.join(' or ')})`);
}

export function system(ctx: Context, what?: string): Actor {
  return systemActor(ctx.config.agency, what);
}

/** Parses an ISO date or date-time (or ms since the epoch) into ms; throws naming the field. */
export function parseTime(value: unknown, field: string, makeError: (msg: string) => Error): number {
  const t = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(t)) throw makeError(`${field} must be an ISO date-time (got ${JSON.stringify(value)})`);
  return t;
}
