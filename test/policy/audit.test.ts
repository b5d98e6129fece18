/** General Order 41-11, "Audit": append-only, tamper-evident, reading it is audited, reports for the chief. */
import path from 'node:path';

import { open } from 'lmdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { AuditRecord } from '../../src/audit/AuditLog.js';
import { ForbiddenError, PolicyError } from '../../src/errors.js';
import { type Fixture, makeFixture } from './helpers.js';

let f: Fixture;
beforeEach(async () => {
  f = await makeFixture();
});
afterEach(async () => {
  await f.close();
});

const why = { purpose: 'audit' as const, reason: 'quarterly audit of system use' };

describe('Audit', () => {
  it('each record has user, role, agency, time, action, what, purpose, reason, case number and outcome', () => {
    const rec = f.gov.auditLog.append({
      actor: f.actors.operator,
      action: 'history.search',
      what: 'plate=ABC123',
      purpose: 'criminal_investigation',
      reason: 'burglary suspect vehicle',
      caseNumber: '2026-00123',
      outcome: 'allowed',
    });
    expect(rec).toMatchObject({
      user: 'operator',
      role: 'operator',
      agency: f.gov.ctx.config.agency,
      at: new Date(f.clock.t).toISOString(),
      action: 'history.search',
      what: 'plate=ABC123',
      purpose: 'criminal_investigation',
      reason: 'burglary suspect vehicle',
      caseNumber: '2026-00123',
      outcome: 'allowed',
    });
    expect(rec.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the chain verifies, and an altered record breaks it at that record', async () => {
    expect(f.gov.auditLog.verify()).toMatchObject({ ok: true });
    const n = f.gov.auditLog.size;
    await f.gov.close();
    // Tamper with record 3 directly in the LMDB file, as someone with disk access could.
    const env = open({ path: path.join(f.dir, 'governance.mdb'), maxDbs: 32 });
    const db = env.openDB<AuditRecord, number>({ name: 'audit' });
    const rec = db.get(3)!;
    db.putSync(3, { ...rec, what: 'someone-else' });
    await env.close();
    const { Governance } = await import('../../src/governance/Governance.js');
    f.gov = new Governance(f.dir, f.gov.ctx.config);
    expect(f.gov.auditLog.verify()).toMatchObject({ ok: false, badSeq: 3, problem: expect.stringMatching(/altered/) });
    expect(n).toBeGreaterThan(3);
  });

  it('a removed record or a truncated tail is detected', async () => {
    const n = f.gov.auditLog.size;
    await f.gov.close();
    const env = open({ path: path.join(f.dir, 'governance.mdb'), maxDbs: 32 });
    const db = env.openDB<AuditRecord, number>({ name: 'audit' });
    db.removeSync(n);
    await env.close();
    const { Governance } = await import('../../src/governance/Governance.js');
    f.gov = new Governance(f.dir, f.gov.ctx.config);
    expect(f.gov.auditLog.verify()).toMatchObject({ ok: false, problem: expect.stringMatching(/removed/) });
  });

  it('reading the audit log is itself audited, and only chief, auditor and administrator may read it', () => {
    for (const role of ['operator', 'supervisor', 'records'] as const) {
      expect(() => f.gov.audit.read(f.actors[role], {}, why)).toThrow(ForbiddenError);
    }
    expect(() => f.gov.audit.read(f.actors.auditor, {}, {})).toThrow(PolicyError);
    const before = f.gov.auditLog.size;
    const records = f.gov.audit.read(f.actors.auditor, { action: 'user.designate' }, why);
    expect(records.length).toBeGreaterThan(0);
    const last = f.gov.auditLog.query().at(-1)!;
    expect(last).toMatchObject({
      user: 'auditor',
      action: 'audit.read',
      purpose: 'audit',
      details: { records: records.length },
    });
    expect(f.gov.auditLog.size).toBe(before + 1);
  });

  it('reports by user, period and purpose for the chief', () => {
    f.gov.auditLog.append({
      actor: f.actors.operator,
      action: 'history.search',
      what: 'x',
      purpose: 'amber_alert',
      reason: 'amber alert',
      outcome: 'allowed',
    });
    f.clock.advance(3_600_000);
    f.gov.auditLog.append({
      actor: f.actors.operator,
      action: 'history.search',
      what: 'y',
      purpose: 'criminal_investigation',
      reason: 'case',
      caseNumber: 'C-1',
      outcome: 'allowed',
    });
    f.gov.auditLog.append({ actor: f.actors.supervisor, action: 'history.search', what: 'z', outcome: 'refused' });
    const period = { from: f.clock.t - 60_000, to: f.clock.t };
    const byUser = f.gov.audit.report(f.actors.chief, { ...period, by: 'user' }, why);
    expect(byUser.rows).toEqual([
      { key: 'operator', count: 1, refused: 0 },
      { key: 'supervisor', count: 1, refused: 1 },
    ]);
    const byPurpose = f.gov.audit.report(f.actors.chief, { from: 0, to: f.clock.t, by: 'purpose' }, why);
    expect(byPurpose.rows.find((r) => r.key === 'amber_alert')?.count).toBe(1);
    expect(byPurpose.rows.find((r) => r.key === 'criminal_investigation')?.count).toBe(1);
    expect(() => f.gov.audit.report(f.actors.operator, { ...period, by: 'user' }, why)).toThrow(ForbiddenError);
    expect(f.gov.auditLog.query({ action: 'audit.report' }).map((r) => r.outcome)).toEqual([
      'allowed',
      'allowed',
      'refused',
    ]);
  });

  it('platewatch audit verify records its own check', () => {
    const r = f.gov.audit.verify(f.actors.auditor);
    expect(r.ok).toBe(true);
    expect(f.gov.auditLog.query().at(-1)).toMatchObject({ action: 'audit.verify', outcome: 'allowed' });
    expect(f.gov.auditLog.verify().ok).toBe(true);
  });
});

describe('Audit of hot-list imports', () => {
  it('`platewatch hotlist import` records the refresh with source, file and counts', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { packageRoot } = await import('../../src/paths.js');
    const { loadConfig } = await import('../../src/config/load.js');
    const { Governance } = await import('../../src/governance/Governance.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'platewatch-import-audit-'));
    try {
      const config = path.join(dir, 'config.yaml');
      writeFileSync(config, `dataDir: ${dir}\n`);
      await promisify(execFile)(process.execPath, [
        path.join(packageRoot, 'bin', 'platewatch.js'),
        '-c',
        config,
        'hotlist',
        'import',
        path.join(packageRoot, 'config', 'hotlist', 'sample.csv'),
        '--source',
        'SAMPLE',
        '--format',
        'csv',
        '--json',
      ]);
      const gov = Governance.open(loadConfig(config));
      try {
        const [rec] = gov.auditLog.query({ action: 'hotlist.import' });
        expect(rec).toMatchObject({
          role: 'system',
          outcome: 'allowed',
          what: expect.stringMatching(/^SAMPLE from .*sample\.csv \(csv\)$/),
        });
        expect(rec!.details.total).toBeGreaterThan(0);
        expect(gov.auditLog.verify().ok).toBe(true);
      } finally {
        await gov.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
