/** General Order 41-11, "Searching history, retention, case data" (LMDB side; the stream side is in history-ingest). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config/load.js';
import { ConfigError, ForbiddenError, PolicyError } from '../../src/errors.js';
import type { HistoryRead } from '../../src/history/HistoryStore.js';
import { type Fixture, makeFixture, T0 } from './helpers.js';

const DAY = 86_400_000;
let f: Fixture;
beforeEach(async () => {
  f = await makeFixture();
});
afterEach(async () => {
  await f.close();
});

function read(id: string, plate: string, at: number, cameraId = 'cam1'): HistoryRead {
  return { id, cameraId, plate, state: 'CA', confidence: 0.9, firstSeen: at, lastSeen: at + 4000 };
}

const investigation = {
  purpose: 'criminal_investigation' as const,
  reason: 'armed robbery getaway vehicle',
  caseNumber: '2026-000777',
};

describe('Searching history', () => {
  it('a search without a purpose code, a reason, or (for investigations) a case number is refused and audited', () => {
    f.gov.history.ingest([read('r1', '7ABC123', T0 - DAY)]);
    const op = f.actors.operator;
    expect(() => f.gov.history.search(op, { plate: '7ABC123' }, {})).toThrow(/purpose code is required/);
    expect(() => f.gov.history.search(op, { plate: '7ABC123' }, { purpose: 'amber_alert' })).toThrow(/reason/);
    expect(() =>
      f.gov.history.search(op, { plate: '7ABC123' }, { purpose: 'criminal_investigation', reason: 'robbery suspect' }),
    ).toThrow(/requires a case number/);
    expect(() =>
      f.gov.history.search(op, { plate: '7ABC123' }, { purpose: 'fishing' as never, reason: 'just looking' }),
    ).toThrow(/unknown purpose code/);
    const refused = f.gov.auditLog.query({ action: 'history.search', outcome: 'refused' });
    expect(refused.map((r) => r.details.rule)).toEqual([
      'ERR_PURPOSE_REQUIRED',
      'ERR_REASON_REQUIRED',
      'ERR_CASE_REQUIRED',
      'ERR_BAD_PURPOSE',
    ]);
    const found = f.gov.history.search(op, { plate: '7abc-123' }, investigation);
    expect(found.map((r) => r.id)).toEqual(['r1']);
    expect(f.gov.auditLog.query({ action: 'history.search', outcome: 'allowed' })[0]).toMatchObject({
      user: 'operator',
      what: 'plate=7abc-123',
      purpose: 'criminal_investigation',
      caseNumber: '2026-000777',
      details: { results: 1 },
    });
  });

  it('searches by plate prefix, camera and period; unbounded trawls are refused; auditors cannot search', () => {
    f.gov.history.ingest([
      read('a', '7ABC123', T0 - 3 * DAY),
      read('b', '7ABC999', T0 - 2 * DAY, 'cam2'),
      read('c', '5XYZ000', T0 - DAY, 'cam2'),
    ]);
    const op = f.actors.operator;
    expect(f.gov.history.search(op, { plate: '7ABC*' }, investigation).map((r) => r.id)).toEqual(['a', 'b']);
    expect(
      f.gov.history.search(op, { cameraId: 'cam2', from: T0 - 1.5 * DAY }, investigation).map((r) => r.id),
    ).toEqual(['c']);
    expect(() => f.gov.history.search(op, {}, investigation)).toThrow(/no unbounded trawls/);
    expect(() => f.gov.history.search(op, { plate: '7*' }, investigation)).toThrow(/at least 3/);
    for (const role of ['auditor', 'chief'] as const) {
      expect(() => f.gov.history.search(f.actors[role], { plate: '7ABC123' }, investigation)).toThrow(ForbiddenError);
    }
  });
});

describe('Retention', () => {
  it('reads are deleted for good after the retention period, and the purge is audited with counts', () => {
    f.gov.history.ingest([read('old', '1OLD111', T0 - 31 * DAY), read('new', '2NEW222', T0 - 29 * DAY)]);
    const result = f.gov.history.purge();
    expect(result).toMatchObject({ deleted: 1, keptOnHold: 0 });
    expect(f.gov.history.size).toBe(1);
    expect(f.gov.history.search(f.actors.operator, { plate: '1OLD111' }, investigation)).toEqual([]);
    expect(f.gov.auditLog.query({ action: 'retention.purge' })[0]).toMatchObject({
      role: 'system',
      outcome: 'allowed',
      details: { deleted: 1, keptOnHold: 0 },
    });
  });

  it('hits past the retention period are deleted too, except confirmed ones', () => {
    const base = {
      cameraId: 'cam1',
      read: { plate: '1OLD111', confidence: 0.9 },
      entry: { plate: '1OLD111', category: 'stolen_vehicle', source: 'S', recordId: 'R' },
      matchRule: 'exact' as const,
      stateMatch: 'same' as const,
      category: 'stolen_vehicle',
    };
    f.gov.profiles.establish(f.actors.operator, ['stolen_vehicle']);
    f.gov.hits.record({ ...base, id: 'old-dismissed', detectedAt: T0 - 31 * DAY });
    f.gov.hits.record({ ...base, id: 'old-confirmed', detectedAt: T0 - 31 * DAY });
    f.gov.hits.record({ ...base, id: 'recent', detectedAt: T0 - DAY });
    f.gov.hits.verify(f.actors.operator, 'old-confirmed', {
      charactersVerified: true,
      stateVerified: true,
      system: 'RMS',
      reference: 'RMS-0001',
    });
    f.gov.hits.dispose(f.actors.operator, 'old-confirmed', { disposition: 'confirmed' });
    expect(f.gov.purgeExpired()).toMatchObject({ hitsDeleted: 1 });
    expect(
      f.gov.hits
        .list(f.actors.operator)
        .map((h) => h.id)
        .sort(),
    ).toEqual(['old-confirmed', 'recent']);
    expect(f.gov.auditLog.query({ action: 'retention.purge' }).at(-1)?.details.hitsDeleted).toBe(1);
  });

  it('retention is configurable lower, never higher than 30 days', async () => {
    expect(() => loadConfig(undefined, { governance: { retention: { readsDays: 31 } } })).toThrow(ConfigError);
    expect(() => loadConfig(undefined, { governance: { retention: { readsDays: 31 } } })).toThrow(
      /governance\.retention\.readsDays: the order keeps bulk reads at most 30 days/,
    );
    await f.close();
    f = await makeFixture({ retention: { readsDays: 7, purgeIntervalMinutes: 60 } });
    f.gov.history.ingest([read('eight', '8DAY888', T0 - 8 * DAY), read('six', '6DAY666', T0 - 6 * DAY)]);
    expect(f.gov.history.purge().deleted).toBe(1);
    expect(f.gov.history.size).toBe(1);
  });
});

describe('Case holds', () => {
  it('data downloaded for a case is kept past retention until records staff record the final disposition', () => {
    f.gov.history.ingest([read('held', '9HLD999', T0 - 10 * DAY), read('other', '9OTH999', T0 - 10 * DAY)]);
    expect(() =>
      f.gov.history.exportForCase(
        f.actors.operator,
        { plate: '9HLD999' },
        { purpose: 'amber_alert', reason: 'child missing' },
      ),
    ).toThrow(PolicyError);
    const { hold, reads } = f.gov.history.exportForCase(f.actors.operator, { plate: '9HLD999' }, investigation);
    expect(reads.map((r) => r.id)).toEqual(['held']);
    expect(hold).toMatchObject({ caseNumber: '2026-000777', readIds: ['held'], disposition: null });

    f.clock.advance(25 * DAY);
    expect(f.gov.history.purge()).toMatchObject({ deleted: 1, keptOnHold: 1 });
    expect(f.gov.history.search(f.actors.operator, { plate: '9HLD999' }, investigation)).toHaveLength(1);

    for (const role of ['operator', 'supervisor', 'administrator', 'chief', 'auditor'] as const) {
      expect(() =>
        f.gov.history.recordDisposition(f.actors[role], '2026-000777', {
          disposition: 'adjudicated',
          reason: 'closed',
        }),
      ).toThrow(ForbiddenError);
    }
    f.gov.history.recordDisposition(f.actors.records, '2026-000777', {
      disposition: 'adjudicated: guilty plea',
      reason: 'court record',
    });
    expect(f.gov.history.purge()).toMatchObject({ deleted: 1, keptOnHold: 0 });
    expect(f.gov.history.size).toBe(0);
    expect(f.gov.auditLog.query({ action: 'hold.disposition', outcome: 'allowed' })[0]).toMatchObject({
      user: 'records',
      caseNumber: '2026-000777',
    });
  });
});
