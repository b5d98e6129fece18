/**
 * The public transparency report: what the system did in the last 30 days, with no plate and no
 * person named. Cameras, reads and hits, searches by purpose, retention in force, prohibited uses,
 * sharing and audits held.
 */
import { categoryLabel, PROHIBITED_CATEGORIES } from '../categories.js';
import type { Governance } from './Governance.js';
import type { Actor } from './roles.js';

export interface TransparencyReport {
  agency: string;
  generatedAt: string;
  period: { from: string; to: string; days: number };
  /** Cameras that reported reads in the period. */
  cameras: number;
  /** Cameras in the configuration, when known. */
  camerasConfigured: number | null;
  reads: number;
  hits: { total: number; byCategory: Record<string, number> };
  searches: { total: number; refused: number; byPurpose: Record<string, number> };
  retention: { readsDays: number; maxAllowedDays: 30; openCaseHolds: number; purges: number; readsPurged: number };
  prohibitedUses: {
    categories: string[];
    exceptionsGranted: number;
    immigrationRequestsRefused: number;
  };
  sharing: Record<string, number>;
  deployments: { deployments: number; approved: number; arrests: number };
  audits: {
    verifications: number;
    reads: number;
    reports: number;
    chainIntact: boolean;
    records: number;
    /** The audit chain's head hash when the report was made: published, it anchors the chain (a later rewrite shows). */
    headHash: string | null;
  };
}

const DAY = 86_400_000;

export function transparencyReport(
  gov: Governance,
  actor: Actor,
  days = 30,
  camerasConfigured: number | null = null,
): TransparencyReport {
  const to = gov.ctx.now();
  const from = to - days * DAY;
  const audit = gov.auditLog.query({ from, to, limit: Number.MAX_SAFE_INTEGER });
  const searches = audit.filter((r) => r.action === 'history.search' || r.action === 'history.export');
  const byPurpose: Record<string, number> = {};
  for (const r of searches)
    if (r.outcome === 'allowed') byPurpose[r.purpose ?? '(none)'] = (byPurpose[r.purpose ?? '(none)'] ?? 0) + 1;
  const purges = audit.filter((r) => r.action === 'retention.purge');
  const hitsByCategory = gov.hits.countsByCategory(from, to);
  const labelled = Object.fromEntries(Object.entries(hitsByCategory).map(([k, v]) => [categoryLabel(k as never), v]));
  const sharing = gov.sharing.counts(from, to);
  const chain = gov.auditLog.verify();
  const history = gov.history.counts(from, to);
  const report: TransparencyReport = {
    agency: gov.ctx.config.agency,
    generatedAt: new Date(to).toISOString(),
    period: { from: new Date(from).toISOString(), to: new Date(to).toISOString(), days },
    cameras: history.cameras,
    camerasConfigured,
    reads: history.reads,
    hits: { total: Object.values(hitsByCategory).reduce((a, b) => a + b, 0), byCategory: labelled },
    searches: {
      total: searches.length,
      refused: searches.filter((r) => r.outcome === 'refused').length,
      byPurpose,
    },
    retention: {
      readsDays: gov.ctx.config.retention.readsDays,
      maxAllowedDays: 30,
      openCaseHolds: gov.history.openHolds(),
      purges: purges.length,
      readsPurged: purges.reduce((a, r) => a + Number(r.details.deleted ?? 0), 0),
    },
    prohibitedUses: {
      categories: PROHIBITED_CATEGORIES.map(categoryLabel),
      exceptionsGranted: audit.filter((r) => r.action === 'exception.grant' && r.outcome === 'allowed').length,
      immigrationRequestsRefused: sharing.refusedImmigration ?? 0,
    },
    sharing,
    deployments: gov.deployments.counts(from, to),
    audits: {
      verifications: audit.filter((r) => r.action === 'audit.verify').length,
      reads: audit.filter((r) => r.action === 'audit.read' && r.outcome === 'allowed').length,
      reports: audit.filter((r) => r.action === 'audit.report' && r.outcome === 'allowed').length,
      chainIntact: chain.ok,
      records: chain.records,
      headHash: chain.ok ? chain.headHash : null,
    },
  };
  gov.auditLog.append({
    actor,
    action: 'report.transparency',
    what: `${report.period.from}..${report.period.to}`,
    outcome: 'allowed',
  });
  return report;
}

/** The report as text for a terminal or a web page. */
export function formatTransparencyReport(r: TransparencyReport): string {
  const kv = (o: Record<string, number>) =>
    Object.entries(o)
      .map(([k, v]) => `    ${k}: ${v}`)
      .join('\n') || '    (none)';
  return [
    `ALPR transparency report: ${r.agency}`,
    `Period: ${r.period.from} to ${r.period.to} (${r.period.days} days); generated ${r.generatedAt}`,
    `Cameras reporting: ${r.cameras}${r.camerasConfigured === null ? '' : ` of ${r.camerasConfigured} configured`}`,
    `Vehicles read (plate groups): ${r.reads}`,
    `Hits: ${r.hits.total}`,
    kv(r.hits.byCategory),
    `Historical searches: ${r.searches.total} (${r.searches.refused} refused for a missing reason or case number)`,
    kv(r.searches.byPurpose),
    `Retention in force: ${r.retention.readsDays} days (the order allows at most ${r.retention.maxAllowedDays}); ` +
      `${r.retention.purges} purges deleted ${r.retention.readsPurged} reads; ${r.retention.openCaseHolds} open case holds`,
    `Prohibited uses: alerts on ${r.prohibitedUses.categories.join(', ')} are prohibited; ` +
      `${r.prohibitedUses.exceptionsGranted} administrator exceptions granted; ` +
      `${r.prohibitedUses.immigrationRequestsRefused} immigration-enforcement requests refused`,
    `Sharing requests: ${r.sharing.requests ?? 0} (${r.sharing.approved ?? 0} approved, ${r.sharing.denied ?? 0} denied); ` +
      `FOI requests: ${r.sharing.foi ?? 0} (${r.sharing.foiApproved ?? 0} approved by the chief)`,
    `Special deployments: ${r.deployments.deployments} (${r.deployments.approved} approved, ${r.deployments.arrests} arrests reported)`,
    `Audits: ${r.audits.verifications} chain verifications, ${r.audits.reads} audit-log reviews, ${r.audits.reports} audit reports; ` +
      `audit chain ${r.audits.chainIntact ? 'intact' : 'BROKEN'} (${r.audits.records} records${r.audits.headHash ? `, head ${r.audits.headHash}` : ''})`,
  ].join('\n');
}
