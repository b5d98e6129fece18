/**
 * Alert profiles (the order's schedule) and the administrator's exceptions.
 * A user receives no alert until they establish a profile; a profile may hold only authorized
 * categories; a prohibited category reaches a user only through an exception that the administrator
 * granted for that user, with a purpose, justification, case number and expiry. An exception ends by
 * itself at its expiry (allowedCategories never counts it after that; the sweep audits the end and
 * tells the caller whose NATS permissions to regenerate).
 */
import { randomUUID } from 'node:crypto';

import { nkeys } from '@nats-io/transport-node';
import type { Database } from 'lmdb';

import type { UserService } from '../auth/UserService.js';
import { AUTHORIZED_CATEGORIES, type CategoryId, isCategoryId, PROHIBITED_CATEGORIES } from '../categories.js';
import { InvalidInputError, NotFoundError, PolicyError } from '../errors.js';
import { type Context, parseTime, requireRole, system } from '../governance/Context.js';
import { requireJustification } from '../governance/purposes.js';
import type { Actor } from '../governance/roles.js';
import { dispatchPermissions, type NatsPermissions, type NatsUserEntry } from './natsPermissions.js';

export interface AlertProfile {
  username: string;
  categories: CategoryId[];
  establishedAt: number;
  updatedAt: number;
}

export interface CategoryException {
  id: string;
  username: string;
  category: CategoryId;
  purpose: string;
  justification: string;
  caseNumber: string;
  grantedBy: string;
  grantedAt: number;
  expiresAt: number;
  /** Set when the administrator revoked it or the sweep recorded its expiry. */
  endedAt: number | null;
  endedBy: string | null;
}

export interface GrantInput {
  username: string;
  category: string;
  purpose: string;
  justification: string;
  caseNumber: string;
  expiresAt: string | number;
}

/** Longest an exception may run before the administrator must grant it again. */
export const MAX_EXCEPTION_DAYS = 90;

export class ProfileService {
  readonly #ctx: Context;
  readonly #users: UserService;
  readonly #profiles: Database<AlertProfile, string>;
  readonly #exceptions: Database<CategoryException, string>;

  constructor(ctx: Context, users: UserService) {
    this.#ctx = ctx;
    this.#users = users;
    this.#profiles = ctx.env.openDB<AlertProfile, string>({ name: 'profiles' });
    this.#exceptions = ctx.env.openDB<CategoryException, string>({ name: 'exceptions' });
  }

  profile(username: string): AlertProfile | undefined {
    return this.#profiles.get(username);
  }

  /** A user sets their own alert profile: authorized categories only. */
  establish(actor: Actor, categories: readonly string[]): AlertProfile {
    if (!Array.isArray(categories) || categories.length === 0) {
      throw new InvalidInputError('ERR_BAD_PROFILE', 'categories must be a non-empty list of category ids');
    }
    const unknown = categories.filter((c) => !isCategoryId(c));
    if (unknown.length) throw new InvalidInputError('ERR_BAD_CATEGORY', `unknown categories: ${unknown.join(', ')}`);
    const prohibited = categories.filter((c) => (PROHIBITED_CATEGORIES as readonly string[]).includes(c));
    if (prohibited.length) {
      this.#ctx.audit.append({
        actor,
        action: 'profile.establish',
        what: categories.join(','),
        outcome: 'refused',
        details: { rule: 'prohibited_category', prohibited: prohibited.join(',') },
      });
      throw new PolicyError(
        'ERR_PROHIBITED_CATEGORY',
        `prohibited categories cannot be in an alert profile (only by an administrator's exception): ${prohibited.join(', ')}`,
      );
    }
    const now = this.#ctx.now();
    const cats = [...new Set(categories as CategoryId[])].sort();
    return this.#ctx.env.transactionSync(() => {
      const prev = this.#profiles.get(actor.username);
      const profile: AlertProfile = {
        username: actor.username,
        categories: cats,
        establishedAt: prev?.establishedAt ?? now,
        updatedAt: now,
      };
      this.#profiles.putSync(actor.username, profile);
      this.#ctx.audit.append({
        actor,
        action: prev ? 'profile.update' : 'profile.establish',
        what: cats.join(','),
        outcome: 'allowed',
      });
      return profile;
    });
  }

  /** The administrator grants one user a prohibited category for one investigation, until an expiry. */
  grantException(actor: Actor, input: GrantInput): CategoryException {
    requireRole(this.#ctx, actor, ['administrator'], 'exception.grant', String(input?.username));
    const user = this.#users.record(input.username);
    if (!user) throw new NotFoundError('ERR_NO_SUCH_USER', `no user '${input.username}'`);
    if (!isCategoryId(input.category))
      throw new InvalidInputError('ERR_BAD_CATEGORY', `unknown category '${input.category}'`);
    if ((AUTHORIZED_CATEGORIES as readonly string[]).includes(input.category)) {
      throw new InvalidInputError('ERR_NOT_PROHIBITED', `'${input.category}' is authorized: it needs no exception`);
    }
    const j = requireJustification({
      purpose: input.purpose as never,
      reason: input.justification,
      caseNumber: input.caseNumber,
    });
    if (!j.caseNumber) throw new PolicyError('ERR_CASE_REQUIRED', 'an exception requires a case number');
    if (j.reason.length < 20) {
      throw new PolicyError('ERR_REASON_REQUIRED', 'an exception requires a justification of at least 20 characters');
    }
    const now = this.#ctx.now();
    const expiresAt = parseTime(input.expiresAt, 'expiresAt', (m) => new InvalidInputError('ERR_BAD_EXPIRY', m));
    if (expiresAt <= now) throw new InvalidInputError('ERR_BAD_EXPIRY', 'expiresAt must be in the future');
    if (expiresAt > now + MAX_EXCEPTION_DAYS * 86_400_000) {
      throw new PolicyError('ERR_BAD_EXPIRY', `an exception may run at most ${MAX_EXCEPTION_DAYS} days`);
    }
    const ex: CategoryException = {
      id: randomUUID(),
      username: input.username,
      category: input.category,
      purpose: j.purpose,
      justification: j.reason,
      caseNumber: j.caseNumber,
      grantedBy: actor.username,
      grantedAt: now,
      expiresAt,
      endedAt: null,
      endedBy: null,
    };
    this.#ctx.env.transactionSync(() => {
      this.#exceptions.putSync(ex.id, ex);
      this.#ctx.audit.append({
        actor,
        action: 'exception.grant',
        what: `${ex.username}:${ex.category}`,
        purpose: ex.purpose,
        reason: ex.justification,
        caseNumber: ex.caseNumber,
        outcome: 'allowed',
        details: { exceptionId: ex.id, expiresAt: new Date(expiresAt).toISOString() },
      });
    });
    return ex;
  }

  revokeException(actor: Actor, id: string): CategoryException {
    requireRole(this.#ctx, actor, ['administrator'], 'exception.revoke', id);
    return this.#ctx.env.transactionSync(() => {
      const ex = this.#exceptions.get(id);
      if (!ex) throw new NotFoundError('ERR_NO_SUCH_EXCEPTION', `no exception '${id}'`);
      const ended = { ...ex, endedAt: this.#ctx.now(), endedBy: actor.username };
      this.#exceptions.putSync(id, ended);
      this.#ctx.audit.append({
        actor,
        action: 'exception.revoke',
        what: `${ex.username}:${ex.category}`,
        caseNumber: ex.caseNumber,
        outcome: 'allowed',
        details: { exceptionId: id },
      });
      return ended;
    });
  }

  listExceptions(actor: Actor): CategoryException[] {
    requireRole(this.#ctx, actor, ['administrator', 'chief', 'auditor'], 'exception.list', '*');
    return [...this.#exceptions.getRange({})].map((e) => e.value);
  }

  /** Live exceptions of a user at `now`: granted, not ended, not expired. */
  activeExceptions(username: string, now = this.#ctx.now()): CategoryException[] {
    return [...this.#exceptions.getRange({})]
      .map((e) => e.value)
      .filter((x) => x.username === username && x.endedAt === null && x.expiresAt > now);
  }

  /** The categories that may reach the user now: none before a profile exists. */
  allowedCategories(username: string, now = this.#ctx.now()): CategoryId[] {
    const profile = this.#profiles.get(username);
    if (!profile) return [];
    const user = this.#users.record(username);
    if (!user?.active) return [];
    const cats = new Set<CategoryId>(profile.categories);
    for (const ex of this.activeExceptions(username, now)) cats.add(ex.category);
    return [...cats].sort();
  }

  mayReceive(username: string, category: CategoryId): boolean {
    return this.allowedCategories(username).includes(category);
  }

  /** Records the end of every exception past its expiry; returns the users whose permissions changed. */
  sweepExpired(): string[] {
    const now = this.#ctx.now();
    const changed = new Set<string>();
    this.#ctx.env.transactionSync(() => {
      for (const { value: ex } of this.#exceptions.getRange({})) {
        if (ex.endedAt !== null || ex.expiresAt > now) continue;
        this.#exceptions.putSync(ex.id, { ...ex, endedAt: now, endedBy: 'expiry' });
        this.#ctx.audit.append({
          actor: system(this.#ctx, 'expiry'),
          action: 'exception.expire',
          what: `${ex.username}:${ex.category}`,
          caseNumber: ex.caseNumber,
          outcome: 'allowed',
          details: { exceptionId: ex.id, expiresAt: new Date(ex.expiresAt).toISOString() },
        });
        changed.add(ex.username);
      }
    });
    return [...changed];
  }

  /** The NATS permissions of a user now, from their profile and live exceptions. */
  natsPermissions(username: string): NatsPermissions {
    return dispatchPermissions(this.allowedCategories(username));
  }

  /**
   * New NATS credentials for the user (an NKey pair). The seed is returned once and never stored;
   * the public key goes into the generated nats-server authorization.
   */
  issueNatsCredentials(actor: Actor): { seed: string; publicKey: string } {
    const kp = nkeys.createUser();
    const seed = new TextDecoder().decode(kp.getSeed());
    const publicKey = kp.getPublicKey();
    this.#ctx.env.transactionSync(() => {
      this.#users.setNatsPublicKey(actor.username, publicKey);
      this.#ctx.audit.append({
        actor,
        action: 'nats.credentials',
        what: actor.username,
        outcome: 'allowed',
        details: { publicKey },
      });
    });
    return { seed, publicKey };
  }

  /** Every active user with NATS credentials, with their generated permissions. */
  natsUsers(): NatsUserEntry[] {
    return this.#users
      .all()
      .filter((u) => u.active && u.natsPublicKey)
      .map((u) => ({ nkey: u.natsPublicKey!, permissions: this.natsPermissions(u.username) }));
  }
}
