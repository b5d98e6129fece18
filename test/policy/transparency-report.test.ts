/** "A public transparency report": what the system did in the last 30 days, naming no plate and no person. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { formatTransparencyReport, transparencyReport } from '../../src/governance/transparencyReport.js';
import type { IncomingHit } from '../../src/hits/HitReview.js';
import { type Fixture, makeFixture, T0 } from './helpers.js';

const DAY = 86_400_000;
let f: Fixture;
beforeEach(async () => {
  f = await makeFixture();
});
afterEach(async () => {
  await f.close();
});

function hit(id: string, category: string): IncomingHit {
  return {
    id,
    category,
    cameraId: 'cam1',
    detectedAt: T0 - DAY,
    read: { plate: 'ZZTOP99', confidence: 0.9 },
    entry: { plate: 'ZZTOP99', category, source: 'S', recordId: id },
    matchRule: 'exact',
    stateMatch: 'same',
  };
}

describe('Transparency report', () => {
  it('counts cameras, reads, hits, searches by purpose, retention, prohibited uses, sharing and audits', () => {
    const g = f.gov;
    g.history.ingest([
      {
        id: 'a',
        cameraId: 'cam1',
        plate: 'ZZTOP99',
        state: 'CA',
        confidence: 0.9,
        firstSeen: T0 - DAY,
        lastSeen: T0 - DAY,
      },
      {
        id: 'b',
        cameraId: 'cam2',
        plate: 'QQ12345',
        state: 'CA',
        confidence: 0.9,
        firstSeen: T0 - 2 * DAY,
        lastSeen: T0 - 2 * DAY,
      },
      {
        id: 'old',
        cameraId: 'cam3',
        plate: 'OLD0001',
        state: 'CA',
        confidence: 0.9,
        firstSeen: T0 - 40 * DAY,
        lastSeen: T0 - 40 * DAY,
      },
    ]);
    g.history.purge();
    g.hits.record(hit('h1', 'stolen_vehicle'));
    g.hits.record(hit('h2', 'stolen_vehicle'));
    g.hits.record(hit('h3', 'amber_alert'));
    const why = { purpose: 'amber_alert' as const, reason: 'AMBER alert 26-114' };
    g.history.search(f.actors.operator, { plate: 'ZZTOP99' }, why);
    expect(() => g.history.search(f.actors.operator, { plate: 'ZZTOP99' }, {})).toThrow();
    g.profiles.grantException(f.actors.administrator, {
      username: 'operator',
      category: 'sex_offender',
      purpose: 'missing_person',
      justification: 'abduction suspect registered offender vehicle',
      caseNumber: 'MP-2026-3',
      expiresAt: T0 + DAY,
    });
    expect(() =>
      g.sharing.request(f.actors.records, {
        agency: 'ICE ERO',
        mouReference: 'none',
        purpose: 'law_enforcement',
        requester: 'agent',
        description: 'locate subject',
      }),
    ).toThrow();
    g.audit.verify(f.actors.auditor);

    const r = transparencyReport(g, f.actors.chief, 30, 4);
    expect(r.cameras).toBe(2);
    expect(r.camerasConfigured).toBe(4);
    expect(r.reads).toBe(2);
    expect(r.hits).toEqual({ total: 3, byCategory: { 'Stolen Vehicle': 2, 'Amber Alert': 1 } });
    expect(r.searches).toEqual({ total: 2, refused: 1, byPurpose: { amber_alert: 1 } });
    expect(r.retention).toMatchObject({ readsDays: 30, maxAllowedDays: 30, purges: 1, readsPurged: 1 });
    expect(r.prohibitedUses).toMatchObject({ exceptionsGranted: 1, immigrationRequestsRefused: 1 });
    expect(r.prohibitedUses.categories).toContain('Immigration Violator');
    expect(r.audits).toMatchObject({
      verifications: 1,
      chainIntact: true,
      headHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });

    const text = formatTransparencyReport(r);
    expect(text).toContain('Hits: 3');
    expect(text).toContain('Cameras reporting: 2 of 4 configured');
    expect(text).toContain('Retention in force: 30 days');
    // Public: no plate, no user, no case number, no requesting agency.
    for (const secret of ['ZZTOP99', 'QQ12345', 'MP-2026-3', 'ICE ERO']) {
      expect(JSON.stringify(r)).not.toContain(secret);
      expect(text).not.toContain(secret);
    }
    for (const user of ['operator', 'administrator', 'records', 'auditor'])
      expect(JSON.stringify(r)).not.toContain(`:"${user}"`);
    expect(g.auditLog.query().at(-1)).toMatchObject({ action: 'report.transparency', user: 'chief' });
  });
});
