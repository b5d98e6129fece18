/**
 * Who may read the audit log and how: reading it is itself an audited transaction (with a purpose
 * and reason), and reports for the chief group the records by user, purpose or action over a period.
 */
import { InvalidInputError } from '../errors.js';
import { type Context, parseTime, requireRole } from '../governance/Context.js';
import { type Justification, requireJustification } from '../governance/purposes.js';
import type { Actor, Role } from '../governance/roles.js';
import type { AuditFilter, AuditRecord, VerifyResult } from './AuditLog.js';

export const AUDIT_READERS: readonly Role[] = ['chief', 'auditor', 'administrator'];

export interface AuditReport {
  from: string;
  to: string;
  by: 'user' | 'purpose' | 'action';
  total: number;
  refused: number;
  rows: { key: string; count: number; refused: number }[];
}

export class AuditService {
  readonly #ctx: Context;

  constructor(ctx: Context) {
    this.#ctx = ctx;
  }

  /** Proves the chain; the check itself is recorded (with its result). */
  verify(actor: Actor): VerifyResult {
    const result = this.#ctx.audit.verify();
    this.#ctx.audit.append({
      actor,
      action: 'audit.verify',
      what: 'chain',
      outcome: result.ok ? 'allowed' : 'failed',
      details: result.ok ? { records: result.records } : { records: result.records, badSeq: result.badSeq },
    });
    return result;
  }

  /** Audit records for a person to read; the read is recorded before anything is returned. */
  read(actor: Actor, filter: AuditFilter, why: Partial<Justification>): AuditRecord[] {
    requireRole(this.#ctx, actor, AUDIT_READERS, 'audit.read', describe(filter));
    const j = requireJustification(why);
    const records = this.#ctx.audit.query(filter);
    this.#ctx.audit.append({
      actor,
      action: 'audit.read',
      what: describe(filter),
      ...j,
      outcome: 'allowed',
      details: { records: records.length },
    });
    return records;
  }

  report(
    actor: Actor,
    input: { from: string | number; to: string | number; by: 'user' | 'purpose' | 'action' },
    why: Partial<Justification>,
  ): AuditReport {
    requireRole(this.#ctx, actor, AUDIT_READERS, 'audit.report', `${input?.by}`);
    const bad = (m: string) => new InvalidInputError('ERR_BAD_PERIOD', m);
    const from = parseTime(input.from, 'from', bad);
    const to = parseTime(input.to, 'to', bad);
    if (to < from) throw bad('to must not be before from');
    if (!['user', 'purpose', 'action'].includes(input.by)) {
      throw new InvalidInputError('ERR_BAD_REPORT', `by must be user, purpose or action (got '${input.by}')`);
    }
    const j = requireJustification(why);
    const records = this.#ctx.audit.query({ from, to, limit: Number.MAX_SAFE_INTEGER });
    const rows = new Map<string, { key: string; count: number; refused: number }>();
    for (const r of records) {
      const key = (input.by === 'user' ? r.user : input.by === 'purpose' ? r.purpose : r.action) ?? '(none)';
      const row = rows.get(key) ?? { key, count: 0, refused: 0 };
      row.count += 1;
      if (r.outcome === 'refused') row.refused += 1;
      rows.set(key, row);
    }
    const report: AuditReport = {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      by: input.by,
      total: records.length,
      refused: records.filter((r) => r.outcome === 'refused').length,
      rows: [...rows.values()].sort((a, b) => b.count - a.count || a.key.localeCompare(b.key)),
    };
    this.#ctx.audit.append({
      actor,
      action: 'audit.report',
      what: `by ${input.by} ${report.from}..${report.to}`,
      ...j,
      outcome: 'allowed',
      details: { records: records.length },
    });
    return report;
  }
}

function describe(f: AuditFilter): string {
  const parts = Object.entries(f)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(' ') : 'all';
}
