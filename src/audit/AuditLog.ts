/**
 * The audit log of General Order 41-11: append-only, tamper-evident. Each record holds the hash of
 * the one before it (SHA-256 over its canonical JSON), so changing, removing or inserting a record
 * breaks the chain from there on; the head (last sequence and hash) is kept apart so a truncated
 * tail shows too. Records are appended inside an LMDB write transaction, which also serializes
 * writers across processes (the API and the CLI may append at the same time).
 */
import { createHash } from 'node:crypto';

import type { Database } from 'lmdb';

import type { Actor } from '../governance/roles.js';
import { canonicalJson } from './canonicalJson.js';

export type AuditOutcome = 'allowed' | 'refused' | 'failed';
export type AuditDetail = string | number | boolean | null;

export interface AuditEntry {
  actor: Actor;
  /** Dotted action name: auth.login, history.search, exception.grant, retention.purge, ... */
  action: string;
  /** What was queried or changed (a plate query, a user name, a hit id, ...). */
  what: string;
  purpose?: string | null;
  reason?: string | null;
  caseNumber?: string | null;
  outcome: AuditOutcome;
  /** Counts and small facts (never a secret). */
  details?: Record<string, AuditDetail>;
}

export interface AuditRecord {
  seq: number;
  at: string;
  user: string;
  role: string;
  agency: string;
  action: string;
  what: string;
  purpose: string | null;
  reason: string | null;
  caseNumber: string | null;
  outcome: AuditOutcome;
  details: Record<string, AuditDetail>;
  prevHash: string;
  hash: string;
}

export interface AuditFilter {
  user?: string;
  action?: string;
  purpose?: string;
  outcome?: AuditOutcome;
  /** Inclusive bounds, ms since the epoch. */
  from?: number;
  to?: number;
  limit?: number;
}

export type VerifyResult =
  | { ok: true; records: number; headHash: string }
  | { ok: false; records: number; badSeq: number; problem: string };

export const GENESIS_HASH = '0'.repeat(64);
const HEAD_KEY = 'head';

export function hashRecord(record: Omit<AuditRecord, 'hash'>): string {
  return createHash('sha256').update(canonicalJson(record)).digest('hex');
}

export class AuditLog {
  readonly #records: Database<AuditRecord, number>;
  readonly #meta: Database<{ seq: number; hash: string }, string>;
  readonly #now: () => number;

  constructor(
    records: Database<AuditRecord, number>,
    meta: Database<{ seq: number; hash: string }, string>,
    now: () => number = Date.now,
  ) {
    this.#records = records;
    this.#meta = meta;
    this.#now = now;
  }

  /**
   * Appends one record and returns it. Runs in its own write transaction, or joins the caller's
   * (so a change and its audit record commit together).
   */
  append(entry: AuditEntry): AuditRecord {
    return this.#records.transactionSync(() => {
      const head = this.#meta.get(HEAD_KEY) ?? { seq: 0, hash: GENESIS_HASH };
      const body: Omit<AuditRecord, 'hash'> = {
        seq: head.seq + 1,
        at: new Date(this.#now()).toISOString(),
        user: entry.actor.username,
        role: entry.actor.role,
        agency: entry.actor.agency,
        action: entry.action,
        what: entry.what,
        purpose: entry.purpose ?? null,
        reason: entry.reason ?? null,
        caseNumber: entry.caseNumber ?? null,
        outcome: entry.outcome,
        details: entry.details ?? {},
        prevHash: head.hash,
      };
      const record: AuditRecord = { ...body, hash: hashRecord(body) };
      this.#records.putSync(record.seq, record);
      this.#meta.putSync(HEAD_KEY, { seq: record.seq, hash: record.hash });
      return record;
    });
  }

  /** Walks the whole chain: every hash recomputed, every link and sequence checked, the head matched. */
  verify(): VerifyResult {
    let prevHash = GENESIS_HASH;
    let expectSeq = 1;
    let count = 0;
    for (const { key, value } of this.#records.getRange({})) {
      const { hash, ...body } = value;
      if (key !== expectSeq || value.seq !== expectSeq) {
        return {
          ok: false,
          records: count,
          badSeq: expectSeq,
          problem: `record ${expectSeq} is missing (found ${key})`,
        };
      }
      if (value.prevHash !== prevHash) {
        return { ok: false, records: count, badSeq: key, problem: `record ${key} does not link to record ${key - 1}` };
      }
      if (hashRecord(body) !== hash) {
        return { ok: false, records: count, badSeq: key, problem: `record ${key} was altered (hash mismatch)` };
      }
      prevHash = hash;
      expectSeq += 1;
      count += 1;
    }
    const head = this.#meta.get(HEAD_KEY) ?? { seq: 0, hash: GENESIS_HASH };
    if (head.seq !== count || head.hash !== prevHash) {
      return {
        ok: false,
        records: count,
        badSeq: count + 1,
        problem: `the chain ends at record ${count} but the head says ${head.seq}: records were removed`,
      };
    }
    return { ok: true, records: count, headHash: prevHash };
  }

  /** Records matching the filter, oldest first. Internal: callers that show them to a person audit it. */
  query(filter: AuditFilter = {}): AuditRecord[] {
    const out: AuditRecord[] = [];
    const limit = filter.limit ?? 10_000;
    for (const { value } of this.#records.getRange({})) {
      if (!matches(value, filter)) continue;
      out.push(value);
      if (out.length >= limit) break;
    }
    return out;
  }

  get size(): number {
    return this.#meta.get(HEAD_KEY)?.seq ?? 0;
  }
}

function matches(r: AuditRecord, f: AuditFilter): boolean {
  if (f.user !== undefined && r.user !== f.user) return false;
  if (f.action !== undefined && r.action !== f.action && !r.action.startsWith(`${f.action}.`)) return false;
  if (f.purpose !== undefined && r.purpose !== f.purpose) return false;
  if (f.outcome !== undefined && r.outcome !== f.outcome) return false;
  const t = Date.parse(r.at);
  if (f.from !== undefined && t < f.from) return false;
  if (f.to !== undefined && t > f.to) return false;
  return true;
}
