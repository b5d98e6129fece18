/** General Order 41-11, "Hits: verify before a stop". */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ForbiddenError, NotFoundError, PolicyError } from '../../src/errors.js';
import type { IncomingHit } from '../../src/hits/HitReview.js';
import { type Fixture, makeFixture } from './helpers.js';

let f: Fixture;
beforeEach(async () => {
  f = await makeFixture();
  f.gov.profiles.establish(f.actors.operator, ['stolen_vehicle']);
});
afterEach(async () => {
  await f.close();
});

function hit(id: string, over: Partial<IncomingHit> = {}): IncomingHit {
  return {
    id,
    category: 'stolen_vehicle',
    cameraId: 'cam1',
    detectedAt: f.clock.t,
    read: { plate: '7ABC123', confidence: 0.93, state: 'CA', stateConfidence: 0.81 },
    entry: {
      plate: '7ABC123',
      state: 'CA',
      category: 'stolen_vehicle',
      source: 'CA_DOJ',
      recordId: 'V123',
      reason: 'stolen 11/01',
    },
    matchRule: 'exact',
    stateMatch: 'same',
    evidence: { plateJpeg: 'aGVsbG8=', contextJpeg: 'aGVsbG8=' },
    ...over,
  };
}

const verified = { charactersVerified: true, stateVerified: true, system: 'NCIC', reference: 'NCIC-2026-55512' };

describe('Hits: verify before a stop', () => {
  it('a hit reaches the reviewer with its evidence: crop, context, confidences, entry and match rule', () => {
    f.gov.hits.record(hit('h1'));
    const h = f.gov.hits.get(f.actors.operator, 'h1');
    expect(h.evidence?.plateJpeg).toBeTruthy();
    expect(h.evidence?.contextJpeg).toBeTruthy();
    expect(h.read).toMatchObject({ confidence: 0.93, state: 'CA', stateConfidence: 0.81 });
    expect(h.entry.recordId).toBe('V123');
    expect(h.matchRule).toBe('exact');
    expect(h.status).toBe('pending');
  });

  it('cannot become "stop authorized" without characters AND state verified AND a CJIS/NCIC/RMS reference', () => {
    f.gov.hits.record(hit('h1'));
    const op = f.actors.operator;
    expect(() => f.gov.hits.verify(op, 'h1', { ...verified, charactersVerified: false })).toThrow(PolicyError);
    expect(() => f.gov.hits.verify(op, 'h1', { ...verified, stateVerified: false })).toThrow(/state/);
    expect(() => f.gov.hits.verify(op, 'h1', { ...verified, system: 'Google' })).toThrow(/CJIS\/NCIC\/RMS/);
    expect(() => f.gov.hits.verify(op, 'h1', { ...verified, reference: '' })).toThrow(/reference/);
    expect(f.gov.hits.get(op, 'h1').status).toBe('pending');
    const h = f.gov.hits.verify(op, 'h1', verified);
    expect(h.status).toBe('stop_authorized');
    expect(h.verification).toMatchObject({ by: 'operator', system: 'NCIC', reference: 'NCIC-2026-55512' });
    expect(f.gov.auditLog.query({ action: 'hit.verify' }).map((r) => r.outcome)).toEqual([
      'refused',
      'refused',
      'refused',
      'refused',
      'allowed',
    ]);
  });

  it('dispositions: confirmed only after verification; wrong state, misread, no longer wanted, dismissed', () => {
    const op = f.actors.operator;
    for (const id of ['a', 'b', 'c', 'd', 'e']) f.gov.hits.record(hit(id));
    expect(() => f.gov.hits.dispose(op, 'a', { disposition: 'confirmed' })).toThrow(PolicyError);
    f.gov.hits.verify(op, 'a', verified);
    expect(f.gov.hits.dispose(op, 'a', { disposition: 'confirmed' }).disposition?.value).toBe('confirmed');
    expect(f.gov.hits.dispose(op, 'b', { disposition: 'wrong_state' }).status).toBe('closed');
    expect(f.gov.hits.dispose(op, 'c', { disposition: 'misread' }).status).toBe('closed');
    expect(f.gov.hits.dispose(op, 'd', { disposition: 'no_longer_wanted' }).status).toBe('closed');
    expect(f.gov.hits.dispose(op, 'e', { disposition: 'dismissed', notes: 'different make' }).status).toBe('closed');
    expect(() => f.gov.hits.dispose(op, 'e', { disposition: 'towed' })).toThrow(/disposition must be one of/);
    expect(() => f.gov.hits.verify(op, 'e', verified)).toThrow(/closed/);
  });

  it('a wrong-state or look-alike match is flagged on the hit itself', () => {
    expect(f.gov.hits.record(hit('w', { stateMatch: 'different' })).flags).toEqual(['wrong_state']);
    expect(f.gov.hits.record(hit('l', { matchRule: 'lookalike' })).flags).toEqual(['look_alike']);
    expect(f.gov.hits.record(hit('u', { matchRule: 'lookalike', stateMatch: 'unknown' })).flags).toEqual([
      'state_unknown',
      'look_alike',
    ]);
    expect(f.gov.hits.record(hit('x')).flags).toEqual([]);
  });

  it('a user never sees a hit of a category their profile does not allow; other roles see none', () => {
    f.gov.hits.record(hit('p', { category: 'sex_offender', entry: { ...hit('p').entry, category: 'sex_offender' } }));
    f.gov.hits.record(hit('ok'));
    expect(f.gov.hits.list(f.actors.operator).map((h) => h.id)).toEqual(['ok']);
    expect(() => f.gov.hits.get(f.actors.operator, 'p')).toThrow(NotFoundError);
    expect(() => f.gov.hits.verify(f.actors.operator, 'p', verified)).toThrow(NotFoundError);
    for (const role of ['records', 'chief', 'auditor'] as const) {
      expect(() => f.gov.hits.list(f.actors[role])).toThrow(ForbiddenError);
    }
  });

  it('a redelivered hit is stored once and keeps its review state', () => {
    f.gov.hits.record(hit('r'));
    f.gov.hits.verify(f.actors.operator, 'r', verified);
    expect(f.gov.hits.record(hit('r')).status).toBe('stop_authorized');
  });
});
