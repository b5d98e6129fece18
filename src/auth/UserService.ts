/**
 * Users of platewatch, their roles, logins and API tokens (General Order 41-11, "Roles and access").
 * Only users the ALPR administrator designated, with a recorded training date, may log in. Passwords
 * are scrypt hashes; repeated failures lock the account; every login, failure, lockout and password
 * change is audited. Tokens are random 256-bit strings kept only as SHA-256 hashes. No secret is ever
 * put in an audit record, an error message or a log line.
 */
import { createHash, randomBytes } from 'node:crypto';

import type { Database } from 'lmdb';

import { AuthError, InvalidInputError, NotFoundError, PolicyError } from '../errors.js';
import { type Context, requireRole, system } from '../governance/Context.js';
import { type Actor, isRole, type Role } from '../governance/roles.js';
import { DUMMY_HASH_PROMISE, hashPassword, verifyPassword } from './password.js';

export interface UserRecord {
  username: string;
  displayName: string;
  role: Role;
  agency: string;
  /** Date (YYYY-MM-DD) the user completed ALPR training: required to log in. */
  trainingDate: string;
  designatedBy: string;
  designatedAt: number;
  /** The supervisor who is told about this user's stale hot-list entries (supervisors: themselves). */
  supervisor: string | null;
  active: boolean;
  passwordHash: string;
  passwordChangedAt: number;
  failedLogins: number;
  lockedUntil: number | null;
  /** Public NKey of the user's NATS credentials (the seed is given to the user once, never stored). */
  natsPublicKey: string | null;
}

/** What may be shown about a user: everything except the password hash. */
export type UserView = Omit<UserRecord, 'passwordHash'> & { locked: boolean };

interface TokenRecord {
  username: string;
  createdAt: number;
  expiresAt: number;
}

export interface DesignateInput {
  username: string;
  displayName: string;
  role: Role;
  trainingDate: string;
  password: string;
  supervisor?: string | null;
}

export interface LoginResult {
  token: string;
  expiresAt: string;
  user: UserView;
}

const USERNAME = /^[a-z][a-z0-9._-]{2,31}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class UserService {
  readonly #ctx: Context;
  readonly #users: Database<UserRecord, string>;
  readonly #tokens: Database<TokenRecord, string>;

  constructor(ctx: Context) {
    this.#ctx = ctx;
    this.#users = ctx.env.openDB<UserRecord, string>({ name: 'users' });
    this.#tokens = ctx.env.openDB<TokenRecord, string>({ name: 'tokens' });
  }

  get count(): number {
    return this.#users.getCount();
  }

  /** The raw record (internal). */
  record(username: string): UserRecord | undefined {
    return this.#users.get(username);
  }

  view(username: string): UserView | undefined {
    const u = this.#users.get(username);
    return u && toView(u, this.#ctx.now());
  }

  /** All active users with the role (internal: notifications). */
  withRole(role: Role): UserRecord[] {
    return [...this.#users.getRange({})].map((e) => e.value).filter((u) => u.active && u.role === role);
  }

  all(): UserRecord[] {
    return [...this.#users.getRange({})].map((e) => e.value);
  }

  /** The first administrator, created from the console when there are no users at all. */
  async bootstrapAdministrator(input: Omit<DesignateInput, 'role' | 'supervisor'>): Promise<UserView> {
    if (this.count > 0) {
      throw new PolicyError('ERR_ALREADY_BOOTSTRAPPED', 'users exist already: the administrator designates new users');
    }
    return this.#create(system(this.#ctx, 'console'), { ...input, role: 'administrator', supervisor: null });
  }

  /** The administrator designates a trained user (with the training date) and sets a first password. */
  async designate(actor: Actor, input: DesignateInput): Promise<UserView> {
    requireRole(this.#ctx, actor, ['administrator'], 'user.designate', String(input?.username));
    return this.#create(actor, input);
  }

  async #create(actor: Actor, input: DesignateInput): Promise<UserView> {
    const { username, displayName, role, trainingDate, password } = input;
    if (typeof username !== 'string' || !USERNAME.test(username)) {
      throw new InvalidInputError('ERR_BAD_USERNAME', `username '${username}' is not valid (3-32 of a-z 0-9 . _ -)`);
    }
    if (!isRole(role)) throw new InvalidInputError('ERR_BAD_ROLE', `unknown role '${role}'`);
    this.#checkTrainingDate(trainingDate);
    this.#checkPassword(password, username);
    const supervisor = input.supervisor ?? null;
    if (supervisor !== null && this.#users.get(supervisor)?.role !== 'supervisor') {
      throw new InvalidInputError('ERR_BAD_SUPERVISOR', `supervisor '${supervisor}' is not a supervisor`);
    }
    const passwordHash = await hashPassword(password, this.#ctx.scryptCost);
    const now = this.#ctx.now();
    const record: UserRecord = {
      username,
      displayName: String(displayName ?? username).slice(0, 100),
      role,
      agency: this.#ctx.config.agency,
      trainingDate,
      designatedBy: actor.username,
      designatedAt: now,
      supervisor: role === 'supervisor' ? username : supervisor,
      active: true,
      passwordHash,
      passwordChangedAt: now,
      failedLogins: 0,
      lockedUntil: null,
      natsPublicKey: null,
    };
    const exists = () => new PolicyError('ERR_USER_EXISTS', `user '${username}' exists already`);
    if (this.#users.get(username)) {
      // Audited outside the write transaction, which a refusal would roll back.
      this.#ctx.audit.append({
        actor,
        action: 'user.designate',
        what: username,
        outcome: 'refused',
        details: { rule: 'exists' },
      });
      throw exists();
    }
    this.#ctx.env.transactionSync(() => {
      if (this.#users.get(username)) throw exists();
      this.#users.putSync(username, record);
      this.#ctx.audit.append({
        actor,
        action: 'user.designate',
        what: username,
        outcome: 'allowed',
        details: { role, trainingDate },
      });
    });
    return toView(record, now);
  }

  /** The administrator changes a user's role, training date, supervisor or active flag. */
  update(
    actor: Actor,
    username: string,
    change: { role?: Role; trainingDate?: string; supervisor?: string | null; active?: boolean },
  ): UserView {
    requireRole(this.#ctx, actor, ['administrator'], 'user.update', username);
    if (change.role !== undefined && !isRole(change.role)) {
      throw new InvalidInputError('ERR_BAD_ROLE', `unknown role '${change.role}'`);
    }
    if (change.trainingDate !== undefined) this.#checkTrainingDate(change.trainingDate);
    if (change.supervisor != null && this.#users.get(change.supervisor)?.role !== 'supervisor') {
      throw new InvalidInputError('ERR_BAD_SUPERVISOR', `supervisor '${change.supervisor}' is not a supervisor`);
    }
    return this.#ctx.env.transactionSync(() => {
      const u = this.#need(username);
      const next = { ...u, ...stripUndefined(change) } as UserRecord;
      this.#users.putSync(username, next);
      if (change.active === false || change.role !== undefined) this.#revokeTokens(username);
      this.#ctx.audit.append({
        actor,
        action: 'user.update',
        what: username,
        outcome: 'allowed',
        details: Object.fromEntries(Object.entries(stripUndefined(change)).map(([k, v]) => [k, v ?? null])),
      });
      return toView(next, this.#ctx.now());
    });
  }

  unlock(actor: Actor, username: string): UserView {
    requireRole(this.#ctx, actor, ['administrator'], 'user.unlock', username);
    return this.#ctx.env.transactionSync(() => {
      const u = { ...this.#need(username), failedLogins: 0, lockedUntil: null };
      this.#users.putSync(username, u);
      this.#ctx.audit.append({ actor, action: 'user.unlock', what: username, outcome: 'allowed' });
      return toView(u, this.#ctx.now());
    });
  }

  list(actor: Actor): UserView[] {
    requireRole(this.#ctx, actor, ['administrator', 'chief', 'auditor'], 'user.list', '*');
    const now = this.#ctx.now();
    return this.all().map((u) => toView(u, now));
  }

  /**
   * Checks the password and returns a new API token. Failures are audited with the attempted name;
   * after `maxFailedLogins` failures in a row the account is locked for `lockoutMinutes`.
   */
  async login(username: string, password: string): Promise<LoginResult> {
    const { auth, agency } = this.#ctx.config;
    const name = typeof username === 'string' ? username.slice(0, 64) : '';
    const u = this.#users.get(name);
    const fail = (code: string, message: string, rule: string, role: Actor['role'] = 'none'): never => {
      this.#ctx.audit.append({
        actor: { username: name || '(empty)', role, agency },
        action: 'auth.login',
        what: name || '(empty)',
        outcome: 'refused',
        details: { rule },
      });
      throw new AuthError(code, message);
    };
    if (!u) {
      await verifyPassword(String(password), await DUMMY_HASH_PROMISE());
      return fail('ERR_BAD_CREDENTIALS', 'unknown user or wrong password', 'bad_credentials');
    }
    const now = this.#ctx.now();
    if (u.lockedUntil !== null && u.lockedUntil > now) {
      return fail('ERR_LOCKED_OUT', `account locked until ${new Date(u.lockedUntil).toISOString()}`, 'locked', u.role);
    }
    if (!u.active) return fail('ERR_NOT_DESIGNATED', 'account is not active', 'inactive', u.role);
    if (!u.trainingDate || !u.designatedBy) {
      return fail('ERR_NOT_DESIGNATED', 'no designation or training date on record', 'not_designated', u.role);
    }
    if (typeof password !== 'string' || !(await verifyPassword(password, u.passwordHash))) {
      const failed = (this.#users.get(name)?.failedLogins ?? 0) + 1;
      const lockedUntil = failed >= auth.maxFailedLogins ? now + auth.lockoutMinutes * 60_000 : null;
      this.#ctx.env.transactionSync(() => {
        const cur = this.#users.get(name)!;
        this.#users.putSync(name, { ...cur, failedLogins: failed, lockedUntil });
        if (lockedUntil !== null) {
          this.#ctx.audit.append({
            actor: system(this.#ctx, 'auth'),
            action: 'auth.lockout',
            what: name,
            outcome: 'allowed',
            details: { failedLogins: failed, lockedUntil: new Date(lockedUntil).toISOString() },
          });
        }
      });
      return fail('ERR_BAD_CREDENTIALS', 'unknown user or wrong password', 'bad_credentials', u.role);
    }
    const token = `pwt_${randomBytes(32).toString('base64url')}`;
    const expiresAt = now + auth.tokenTtlHours * 3_600_000;
    const actor = actorOf(u);
    this.#ctx.env.transactionSync(() => {
      this.#users.putSync(name, { ...this.#users.get(name)!, failedLogins: 0, lockedUntil: null });
      this.#tokens.putSync(tokenHash(token), { username: name, createdAt: now, expiresAt });
      this.#ctx.audit.append({ actor, action: 'auth.login', what: name, outcome: 'allowed' });
    });
    return { token, expiresAt: new Date(expiresAt).toISOString(), user: toView(u, now) };
  }

  /** The actor a token stands for; throws AuthError when the token is unknown, expired or its user disabled. */
  authenticate(token: unknown): Actor {
    if (typeof token !== 'string' || !token.startsWith('pwt_')) {
      throw new AuthError('ERR_UNAUTHENTICATED', 'a bearer token is required');
    }
    const t = this.#tokens.get(tokenHash(token));
    if (!t || t.expiresAt <= this.#ctx.now()) throw new AuthError('ERR_UNAUTHENTICATED', 'token unknown or expired');
    const u = this.#users.get(t.username);
    if (!u?.active || !u.trainingDate) throw new AuthError('ERR_UNAUTHENTICATED', 'user is no longer designated');
    return actorOf(u);
  }

  logout(actor: Actor, token: string): void {
    this.#ctx.env.transactionSync(() => {
      this.#tokens.removeSync(tokenHash(token));
      this.#ctx.audit.append({ actor, action: 'auth.logout', what: actor.username, outcome: 'allowed' });
    });
  }

  /** A user changes their own password (the current one is required); audited; other tokens end. */
  async changePassword(actor: Actor, current: string, next: string): Promise<void> {
    const u = this.#need(actor.username);
    if (typeof current !== 'string' || !(await verifyPassword(current, u.passwordHash))) {
      this.#ctx.audit.append({
        actor,
        action: 'auth.password_change',
        what: actor.username,
        outcome: 'refused',
        details: { rule: 'bad_current_password' },
      });
      throw new AuthError('ERR_BAD_CREDENTIALS', 'the current password is wrong');
    }
    await this.#setPassword(actor, actor.username, next);
  }

  /** The administrator sets a new password for a user (e.g. after a lockout). */
  async resetPassword(actor: Actor, username: string, next: string): Promise<void> {
    requireRole(this.#ctx, actor, ['administrator'], 'auth.password_reset', username);
    this.#need(username);
    await this.#setPassword(actor, username, next, 'auth.password_reset');
  }

  async #setPassword(actor: Actor, username: string, next: string, action = 'auth.password_change'): Promise<void> {
    this.#checkPassword(next, username);
    const passwordHash = await hashPassword(next, this.#ctx.scryptCost);
    this.#ctx.env.transactionSync(() => {
      const u = this.#need(username);
      this.#users.putSync(username, {
        ...u,
        passwordHash,
        passwordChangedAt: this.#ctx.now(),
        failedLogins: 0,
        lockedUntil: null,
      });
      this.#revokeTokens(username);
      this.#ctx.audit.append({ actor, action, what: username, outcome: 'allowed' });
    });
  }

  /** Records the public NKey of the user's NATS credentials (issued by ProfileService). */
  setNatsPublicKey(username: string, publicKey: string | null): void {
    const u = this.#need(username);
    this.#users.putSync(username, { ...u, natsPublicKey: publicKey });
  }

  /** Deletes expired tokens (maintenance); returns how many. */
  purgeExpiredTokens(): number {
    const now = this.#ctx.now();
    let n = 0;
    this.#ctx.env.transactionSync(() => {
      for (const { key, value } of this.#tokens.getRange({})) {
        if (value.expiresAt <= now) {
          this.#tokens.removeSync(key);
          n += 1;
        }
      }
    });
    return n;
  }

  #revokeTokens(username: string): void {
    for (const { key, value } of this.#tokens.getRange({})) {
      if (value.username === username) this.#tokens.removeSync(key);
    }
  }

  #need(username: string): UserRecord {
    const u = this.#users.get(username);
    if (!u) throw new NotFoundError('ERR_NO_SUCH_USER', `no user '${username}'`);
    return u;
  }

  #checkTrainingDate(trainingDate: unknown): asserts trainingDate is string {
    if (typeof trainingDate !== 'string' || !DATE.test(trainingDate) || Number.isNaN(Date.parse(trainingDate))) {
      throw new InvalidInputError(
        'ERR_BAD_TRAINING_DATE',
        `trainingDate must be a date YYYY-MM-DD (got ${JSON.stringify(trainingDate)})`,
      );
    }
    if (Date.parse(trainingDate) > this.#ctx.now()) {
      throw new InvalidInputError('ERR_BAD_TRAINING_DATE', `trainingDate ${trainingDate} is in the future`);
    }
  }

  #checkPassword(password: unknown, username: string): asserts password is string {
    const min = this.#ctx.config.auth.minPasswordLength;
    if (typeof password !== 'string' || password.length < min) {
      throw new InvalidInputError('ERR_WEAK_PASSWORD', `password must have at least ${min} characters`);
    }
    if (password.length > 256) throw new InvalidInputError('ERR_WEAK_PASSWORD', 'password longer than 256 characters');
    if (password.toLowerCase().includes(username.toLowerCase())) {
      throw new InvalidInputError('ERR_WEAK_PASSWORD', 'password must not contain the username');
    }
  }
}

export function actorOf(u: UserRecord): Actor {
  return { username: u.username, role: u.role, agency: u.agency };
}

function toView(u: UserRecord, now: number): UserView {
  const { passwordHash: _omit, ...rest } = u;
  return { ...rest, locked: u.lockedUntil !== null && u.lockedUntil > now };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
