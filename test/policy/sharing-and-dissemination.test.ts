/** General Order 41-11, "Sharing and dissemination": requests, immigration refusal, FOI, deployments. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ForbiddenError, PolicyError } from '../../src/errors.js';
import { type Fixture, makeFixture } from './helpers.js';

let f: Fixture;
beforeEach(async () => {
  f = await makeFixture();
});
afterEach(async () => {
  await f.close();
});

const request = {
  agency: 'County Sheriff',
  mouReference: 'MOU-2025-14',
  purpose: 'law_enforcement',
  requester: 'Det. Sgt. Ramos',
  description: 'reads of a vehicle in a homicide investigation',
  caseNumber: 'CS-2026-991',
};

describe('Sharing', () => {
  it('requests are recorded with agency, MOU reference, purpose and requester, then decided', () => {
    const r = f.gov.sharing.request(f.actors.records, request);
    expect(r).toMatchObject({
      agency: 'County Sheriff',
      mouReference: 'MOU-2025-14',
      purpose: 'law_enforcement',
      requester: 'Det. Sgt. Ramos',
      status: 'pending',
    });
    expect(() => f.gov.sharing.request(f.actors.records, { ...request, mouReference: '' })).toThrow(/mouReference/);
    expect(() => f.gov.sharing.request(f.actors.records, { ...request, purpose: 'curiosity' })).toThrow(
      /purpose must be one of/,
    );
    const d = f.gov.sharing.decide(f.actors.records, r.id, { approve: true, reason: 'valid MOU, active case' });
    expect(d.status).toBe('approved');
    expect(f.gov.auditLog.query({ action: 'share' }).map((x) => `${x.action}:${x.outcome}`)).toEqual([
      'share.request:allowed',
      'share.decision:allowed',
    ]);
  });

  it('requests connected to immigration enforcement are refused and the refusal audited', () => {
    expect(() => f.gov.sharing.request(f.actors.records, { ...request, purpose: 'immigration_enforcement' })).toThrow(
      PolicyError,
    );
    expect(() =>
      f.gov.sharing.request(f.actors.records, { ...request, agency: 'ICE Enforcement and Removal Operations' }),
    ).toThrow(/immigration/);
    expect(() =>
      f.gov.sharing.request(f.actors.records, { ...request, description: 'locate a visa overstay for deportation' }),
    ).toThrow(/immigration/);
    const refused = f.gov.auditLog.query({ action: 'share.request', outcome: 'refused' });
    expect(refused).toHaveLength(3);
    expect(refused.every((r) => r.details.rule === 'immigration_enforcement')).toBe(true);
    expect(f.gov.sharing.list(f.actors.chief).filter((r) => r.status === 'refused')).toHaveLength(3);
    // A refused request cannot be approved afterwards.
    const id = f.gov.sharing.list(f.actors.records)[0]!.id;
    expect(() =>
      f.gov.sharing.decide(f.actors.administrator, id, { approve: true, reason: 'override attempt' }),
    ).toThrow(/refused already/);
  });

  it('FOI requests for ALPR data need the chief’s approval before release', () => {
    const foi = f.gov.sharing.foiRequest(f.actors.records, {
      requester: 'Local Gazette',
      description: 'all reads on Main St in October',
      receivedOn: '2026-11-01',
    });
    expect(f.gov.notifications.forUser(f.actors.chief).map((n) => n.kind)).toEqual(['foi_request']);
    expect(() => f.gov.sharing.foiRelease(f.actors.records, foi.id)).toThrow(/chief must approve/);
    for (const role of ['records', 'administrator', 'supervisor', 'auditor'] as const) {
      expect(() => f.gov.sharing.foiDecide(f.actors[role], foi.id, { approve: true, reason: 'fine by me' })).toThrow(
        ForbiddenError,
      );
    }
    f.gov.sharing.foiDecide(f.actors.chief, foi.id, { approve: true, reason: 'redacted aggregate only' });
    expect(f.gov.sharing.foiRelease(f.actors.records, foi.id).status).toBe('approved');
    expect(f.gov.auditLog.query({ action: 'foi.release' }).map((r) => r.outcome)).toEqual(['refused', 'allowed']);
  });
});

describe('Non-traditional deployments', () => {
  const dep = {
    kind: 'special_operation',
    description: 'trailer camera at the fairground for the county fair',
    location: 'County fairground gate 2',
    start: '2026-11-05T08:00:00Z',
    end: '2026-11-07T22:00:00Z',
  };

  it('need the administrator’s (or chief’s) approval, the chief is notified, and results are recorded', () => {
    const d = f.gov.deployments.request(f.actors.supervisor, dep);
    expect(d.status).toBe('pending');
    for (const role of ['operator', 'supervisor', 'records', 'auditor'] as const) {
      expect(() => f.gov.deployments.decide(f.actors[role], d.id, { approve: true, reason: 'looks fine' })).toThrow(
        ForbiddenError,
      );
    }
    expect(() =>
      f.gov.deployments.recordResults(f.actors.supervisor, d.id, { significantIncidents: 0, arrests: 0, notes: '' }),
    ).toThrow(/not approved/);
    const approved = f.gov.deployments.decide(f.actors.administrator, d.id, {
      approve: true,
      reason: 'event security plan',
    });
    expect(approved).toMatchObject({ status: 'approved', chiefNotified: ['chief'], decision: { by: 'administrator' } });
    expect(f.gov.notifications.forUser(f.actors.chief)[0]).toMatchObject({ kind: 'deployment_approved', ref: d.id });
    const done = f.gov.deployments.recordResults(f.actors.supervisor, d.id, {
      significantIncidents: 2,
      arrests: 1,
      notes: 'one stolen vehicle recovered',
    });
    expect(done.results).toHaveLength(1);
    expect(f.gov.deployments.counts(0, Date.parse('2030-01-01'))).toEqual({ deployments: 1, approved: 1, arrests: 1 });
  });

  it('the chief may approve in the administrator’s absence', () => {
    const d = f.gov.deployments.request(f.actors.operator, {
      ...dep,
      kind: 'criminal_investigation',
      caseNumber: 'C-55',
    });
    expect(
      f.gov.deployments.decide(f.actors.chief, d.id, { approve: true, reason: 'lieutenant on leave' }).decision?.role,
    ).toBe('chief');
  });
});
